/*
 * apply.c - renders the replacement a policy action asks for: a label, a fixed text, a
 * masked or truncated copy of the value, or a truncated IP address. Pure: bytes in, bytes
 * out, into a buffer the caller sized with lsc_action_max_len.
 */
#include "action.h"

#include "../detect/chars.h"

#include <string.h>

size_t lsc_action_max_len(const struct lsc_action *a, size_t value_len)
{
    size_t n = value_len > a->text_len ? value_len : a->text_len;
    if (a->kind == LSC_ACT_URL) {
        n = 2 * value_len + 8; /* a short segment may get a longer label */
    }
    n = n > LSC_UA_MAX ? n : LSC_UA_MAX;
    n = n > LSC_PSEUDONYM_MAX ? n : LSC_PSEUDONYM_MAX;
    if (a->kind == LSC_ACT_GEO) {
        n = n > LSC_GEO_MAX ? n : LSC_GEO_MAX;
    }
    return n + 2; /* + quotes */
}

size_t lsc_action_render(const struct lsc_action *a, const char *v, size_t n,
                         const struct lsc_ip *ip, char *out)
{
    switch (a->kind) {
    case LSC_ACT_IP_TRUNCATE:
        if (ip != NULL && ip->family != 0) {
            return lsc_ip_truncate(ip, a->v4_bits, a->v6_bits, out);
        }
        /* A value that is not an address cannot be truncated as one: redact it. */
        memcpy(out, a->text, a->text_len);
        return a->text_len;
    case LSC_ACT_MASK: {
        /* Letters and digits are masked, separators kept ("**** **** **** 1111"). An escape
         * ("%34", "\\u0034", "&#52;", as a value found in encoded text holds them) is one
         * character: masked as a whole, or kept as it is written, so that the text still decodes
         * ("****%20****%20****%201111"). */
        size_t alnum = 0;
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)v[i];
            size_t len = lsc_escape_start(c) ? lsc_escape_at(v, n, i, &c) : 0;
            alnum += lsc_is_alnum(c);
            i += len > 0 ? len : 1;
        }
        bool all = (size_t)a->keep_first + a->keep_last >= alnum;
        size_t seen = 0, o = 0;
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)v[i];
            size_t len = lsc_escape_start(c) ? lsc_escape_at(v, n, i, &c) : 0;
            len = len > 0 ? len : 1;
            bool keep = !all && (seen < a->keep_first || seen >= alnum - a->keep_last);
            if (lsc_is_alnum(c) && !keep) {
                out[o++] = a->mask_char;
            } else {
                memcpy(out + o, v + i, len);
                o += len;
            }
            seen += lsc_is_alnum(c);
            i += len;
        }
        return o;
    }
    case LSC_ACT_TRUNCATE: {
        size_t l = n < a->length ? n : a->length;
        memcpy(out, v, l);
        return l;
    }
    case LSC_ACT_KEEP:
        memcpy(out, v, n);
        return n;
    case LSC_ACT_URL:
        return lsc_url_filter(a, v, n, out);
    case LSC_ACT_USER_AGENT:
        return lsc_user_agent_coarsen(v, n, out);
    case LSC_ACT_REDACT:
    case LSC_ACT_REPLACE:
    case LSC_ACT_DROP_LINE:
    default:
        memcpy(out, a->text, a->text_len);
        return a->text_len;
    }
}
