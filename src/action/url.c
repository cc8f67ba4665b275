/*
 * url.c - the url action: a URL keeps its scheme, host and path, loses user-info and the
 * fragment, and keeps only the query parameters the policy allows. The result is still a
 * URL (or a path with a query), never longer than the input.
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

size_t lsc_url_filter(const struct lsc_action *a, const char *v, size_t n, char *out)
{
    const char *hash = memchr(v, '#', n);
    size_t end = hash ? (size_t)(hash - v) : n;
    const char *q = memchr(v, '?', end);
    size_t path_end = q ? (size_t)(q - v) : end;
    size_t o = 0;
    /* scheme://userinfo@host...: copy without the userinfo. */
    const char *sep = path_end >= 3 ? memmem(v, path_end, "://", 3) : NULL;
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
    }
    memcpy(out + o, v + i, path_end - i);
    o += path_end - i;
    if (q == NULL) {
        return o;
    }
    bool first = true;
    size_t p = path_end + 1;
    while (p <= end) {
        size_t e = p;
        while (e < end && v[e] != '&' && v[e] != ';') {
            e++;
        }
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
