/*
 * pseudonym.c - the canonical input of a pseudonym and how the result is written: a token
 * with a prefix ("ip_3f9a0c1d2b7e4f60", 16-32 hex digits) or, for addresses with render:
 * address, a valid address in a reserved range, so downstream parsers keep working:
 *   IPv4 -> 240.0.0.0/4 (reserved, "future use"), 28 bits of the PRF: two addresses share
 *           a pseudonym with probability 2^-28; among n addresses some pair collides with
 *           probability about n^2 / 2^29 (50 % near 19,000 addresses). Tokens do not have
 *           this problem: 64 bits and more.
 *   IPv6 -> 100::/64 (RFC 6666, discard-only), 64 bits of the PRF.
 * With v4/v6 bits kept, the first bits are the real network's and the rest come from the
 * PRF: such addresses are no longer in a reserved range (and are re-hashed if fed back).
 * Keyed hashing itself is in policy/keys.c; this file never sees a key.
 */
#include "action.h"

#include "../detect/chars.h"

#include <string.h>

size_t lsc_pseudonym_input(lsc_class cls, const char *v, size_t n, const struct lsc_ip *ip,
                           char *type, unsigned char *out)
{
    if (ip != NULL && ip->family != 0) {
        uint8_t v4[4];
        *type = 'A';
        if (lsc_ip_v4_of(ip, v4)) {
            static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
            memcpy(out, mapped, 12);
            memcpy(out + 12, v4, 4);
        } else {
            memcpy(out, ip->bytes, 16);
        }
        return 16;
    }
    if (cls == LSC_CLASS_EMAIL) {
        *type = 'E';
        for (size_t i = 0; i < n; i++) {
            char c = v[i];
            out[i] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return n;
    }
    *type = 'V';
    memcpy(out, v, n);
    return n;
}

static bool is_pseudo_v4(const struct lsc_action *a, const uint8_t *v4)
{
    return a->as_address && a->v4_bits == 0 && v4[0] >= 240;
}

static bool is_pseudo_v6(const struct lsc_action *a, const uint8_t *b)
{
    static const uint8_t discard[8] = {0x01, 0x00};
    return a->as_address && a->v6_bits == 0 && memcmp(b, discard, 8) == 0;
}

/* The token prefix: the policy's, or by what the value is (an address, an e-mail, other). */
static const char *prefix_of(const struct lsc_action *a, char type, size_t *len)
{
    if (a->text_len > 0) {
        *len = a->text_len;
        return a->text;
    }
    *len = 3;
    return type == 'A' ? "ip_" : type == 'E' ? "em_" : "ps_";
}

bool lsc_pseudonym_is(const struct lsc_action *a, const char *v, size_t n, const struct lsc_ip *ip)
{
    if (ip != NULL && ip->family != 0) {
        uint8_t v4[4];
        return lsc_ip_v4_of(ip, v4) ? is_pseudo_v4(a, v4) : is_pseudo_v6(a, ip->bytes);
    }
    size_t pl;
    const char *pre = prefix_of(a, 'V', &pl);
    if (a->text_len == 0 && n > 3 && (memcmp(v, "ip_", 3) == 0 || memcmp(v, "em_", 3) == 0)) {
        pre = v; /* any of the automatic prefixes */
    }
    if (n != pl + a->token_hex || memcmp(v, pre, pl) != 0) {
        return false;
    }
    for (size_t i = pl; i < n; i++) {
        if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* The first `keep` bits from real, the rest from h. */
static void blend(uint8_t *dst, const uint8_t *real, const unsigned char *h, size_t len,
                  unsigned keep)
{
    for (size_t i = 0; i < len; i++) {
        unsigned bit = (unsigned)i * 8;
        uint8_t m = keep >= bit + 8 ? 0xff
                    : keep <= bit   ? 0
                                    : (uint8_t)(0xff << (8 - (keep - bit)));
        dst[i] = (uint8_t)((real[i] & m) | (h[i] & ~m));
    }
}

size_t lsc_pseudonym_render(const struct lsc_action *a, const unsigned char *h, char type,
                            const struct lsc_ip *ip, char *out)
{
    if (a->as_address && ip != NULL && ip->family != 0) {
        uint8_t v4[4], b[16];
        if (lsc_ip_v4_of(ip, v4)) {
            if (a->v4_bits > 0) {
                blend(b, v4, h, 4, a->v4_bits > 32 ? 32 : a->v4_bits);
            } else {
                memcpy(b, h, 4);
                b[0] = (uint8_t)(0xf0 | (h[0] & 0x0f));
            }
            return lsc_ip_render(b, false, out);
        }
        if (a->v6_bits > 0) {
            blend(b, ip->bytes, h, 16, a->v6_bits > 128 ? 128 : a->v6_bits);
        } else {
            memset(b, 0, 8);
            b[0] = 0x01;
            memcpy(b + 8, h, 8);
        }
        return lsc_ip_render(b, true, out);
    }
    static const char hex[] = "0123456789abcdef";
    size_t o;
    const char *pre = prefix_of(a, type, &o);
    memcpy(out, pre, o);
    for (unsigned i = 0; i < a->token_hex && i < 32; i++) {
        unsigned char byte = h[i / 2];
        out[o++] = hex[i % 2 ? byte & 15 : byte >> 4];
    }
    return o;
}
