/*
 * url.c - the url action: a URL keeps its scheme, host and path, loses user-info and the
 * fragment, and keeps only the query parameters the policy allows. The result is still a
 * URL (or a path with a query). Path segments that look like ids or personal data are
 * replaced by a label naming what they looked like (:uuid, :hex, :token, :email): a UUID;
 * 16+ hex digits; 20+ bytes of [A-Za-z0-9_.=-] with few separators, 2+ digits and mixed
 * case or a quarter digits (a slug like "intro-to-rust-2024" is not a token); a segment
 * with '@' (or %40) followed by a dot.
 *
 * Grammar handled: [scheme "://" [userinfo "@"] host] path ["?" query] ["#" fragment],
 * query = param *(("&" | ";") param), param = name ["=" value].
 */
#include "action.h"

#include "../detect/chars.h"

#include <string.h>

/* Is the raw (possibly percent-encoded) name in the policy's list? */
static bool listed(const struct lsc_action *a, const char *name, size_t len)
{
    char norm[128];
    size_t o = lsc_decode_name(name, len, norm, sizeof norm, true);
    if (o == sizeof norm) {
        return false;
    }
    for (size_t k = 0; k < a->nquery; k++) {
        if (strlen(a->query[k]) == o && memcmp(a->query[k], norm, o) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_uuid(const char *s, size_t n)
{
    if (n != 36) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !lsc_is_hex((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

const char *lsc_url_segment_label(const char *s, size_t n)
{
    if (n < 5) {
        return NULL;
    }
    if (is_uuid(s, n)) {
        return ":uuid";
    }
    const char *at = memchr(s, '@', n);
    const char *enc = at ? NULL : lsc_find_lit(s, s + n, "%40", 3);
    const char *after = at ? at + 1 : enc ? enc + 3 : NULL;
    if (after != NULL && after > s + 1 && memchr(after, '.', (size_t)(s + n - after)) != NULL) {
        return ":email";
    }
    if (n < 16) {
        return NULL;
    }
    size_t hex = 0, digits = 0, upper = 0, lower = 0, seps = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!lsc_is_alnum(c) && c != '-' && c != '_' && c != '=' && c != '.') {
            return NULL;
        }
        hex += lsc_is_hex(c);
        digits += lsc_is_digit(c);
        upper += c >= 'A' && c <= 'Z';
        lower += c >= 'a' && c <= 'z';
        seps += !lsc_is_alnum(c);
    }
    if (hex == n && digits > 0) {
        return ":hex";
    }
    /* A token: long, few separators (unlike a slug), digits, and mixed case or many digits. */
    if (n >= 20 && seps * 8 <= n && digits >= 2 && ((upper > 0 && lower > 0) || digits * 4 >= n)) {
        return ":token";
    }
    return NULL;
}

size_t lsc_url_filter(const struct lsc_action *a, const char *v, size_t n, char *out)
{
    const char *hash = memchr(v, '#', n);
    size_t end = hash ? (size_t)(hash - v) : n;
    const char *q = memchr(v, '?', end);
    size_t path_end = q ? (size_t)(q - v) : end;
    size_t o = 0;
    /* scheme://userinfo@host...: copy without the userinfo. */
    const char *sep = lsc_find_lit(v, v + path_end, "://", 3);
    size_t i = 0;
    if (sep != NULL) {
        size_t auth = (size_t)(sep - v) + 3;
        size_t auth_end = auth;
        while (auth_end < path_end && v[auth_end] != '/') {
            auth_end++;
        }
        const char *at = NULL;
        for (size_t k = auth; k < auth_end; k++) {
            if (v[k] == '@') {
                at = v + k;
            }
        }
        memcpy(out, v, auth);
        o = auth;
        i = at ? (size_t)(at - v) + 1 : auth;
        memcpy(out + o, v + i, auth_end - i); /* the host is not a path segment */
        o += auth_end - i;
        i = auth_end;
    }
    if (a->keep_segments) {
        memcpy(out + o, v + i, path_end - i);
        o += path_end - i;
    } else {
        while (i < path_end) {
            const char *slash = memchr(v + i, '/', path_end - i);
            size_t e = slash ? (size_t)(slash - v) : path_end;
            const char *label = lsc_url_segment_label(v + i, e - i);
            size_t l = label ? strlen(label) : e - i;
            memcpy(out + o, label ? label : v + i, l);
            o += l;
            if (slash != NULL) {
                out[o++] = '/';
            }
            i = e + (slash != NULL);
        }
    }
    if (q == NULL) {
        return o;
    }
    bool first = true;
    size_t p = path_end + 1;
    while (p <= end) {
        size_t e = lsc_find_any3(v, p, end, '&', ';', ';');
        const char *eq = memchr(v + p, '=', e - p);
        size_t name_len = eq ? (size_t)(eq - (v + p)) : e - p;
        if (e > p && listed(a, v + p, name_len) == a->query_keep) {
            out[o++] = first ? '?' : '&';
            memcpy(out + o, v + p, e - p);
            o += e - p;
            first = false;
        }
        p = e + 1;
    }
    return o;
}
