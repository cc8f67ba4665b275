/*
 * ip.c - hand-written IPv4 and IPv6 address parsers (no regex).
 *
 * Grammar accepted:
 *   IPv4  = octet "." octet "." octet "." octet      octet = 1-3 digits, value <= 255
 *   IPv6  = RFC 4291 section 2.2 text forms: eight 1-4 digit hex groups, one "::" standing
 *           for one or more zero groups, and an optional trailing IPv4 dotted quad in place of
 *           the last two groups (::ffff:1.2.3.4).
 * A zone (%eth0), brackets and ports are not part of the address; the caller leaves them.
 * Neither parser accepts an address that runs straight into more address-like bytes
 * (1.2.3.4.5, 1.2.3.4567, fe80::1g), so version strings and dotted garbage are not taken.
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

/* Four groups as the word that, stored, puts their bytes in address order (big-endian). */
static inline uint64_t in_memory_order(const uint16_t g[4])
{
    uint64_t v = (uint64_t)g[0] << 48 | (uint64_t)g[1] << 32 | (uint64_t)g[2] << 16 | g[3];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return v;
#else
    return __builtin_bswap64(v);
#endif
}

/* One octet (1-3 digits, at most 255) at *s, moving *s past it; false if there is none.
 * With checked false the caller knows that 3 bytes are there to read. */
static inline __attribute__((always_inline)) bool octet(const char **s, const char *end,
                                                        bool checked, uint8_t *out)
{
    const char *q = *s;
    if ((checked && q >= end) || !lsc_is_digit((unsigned char)*q)) {
        return false;
    }
    unsigned v = (unsigned)(*q++ - '0');
    if ((!checked || q < end) && lsc_is_digit((unsigned char)*q)) {
        v = v * 10 + (unsigned)(*q++ - '0');
        if ((!checked || q < end) && lsc_is_digit((unsigned char)*q)) {
            v = v * 10 + (unsigned)(*q++ - '0');
        }
    }
    *s = q;
    *out = (uint8_t)v;
    return v <= 255;
}

/* lsc_ip4_parse; with checked false, p has at least 15 bytes (the longest address) ahead. */
static inline __attribute__((always_inline)) size_t ip4_parse(const char *p, const char *end,
                                                              bool checked, uint8_t out[4])
{
    const char *s = p;
    if (!octet(&s, end, checked, &out[0])) {
        return 0;
    }
    for (int part = 1; part < 4; part++) {
        if ((checked && s >= end) || *s != '.') {
            return 0;
        }
        s++;
        if (!octet(&s, end, checked, &out[part])) {
            return 0;
        }
    }
    /* A fourth digit, or ".digit", means this is part of something longer. */
    if (s < end && lsc_is_digit((unsigned char)*s)) {
        return 0;
    }
    if (s + 1 < end && *s == '.' && lsc_is_digit((unsigned char)s[1])) {
        return 0;
    }
    return (size_t)(s - p);
}

#ifdef __SSE2__
/*
 * ip4_parse with 16 bytes or more to read, without a branch a digit: the digits and dots of
 * the 16 bytes as two masks, each octet's length the run of digits where it starts (the
 * count of trailing ones), its value from one 4-byte load shifted so that its last digit
 * lands on the third byte. One test of all the conditions at the end. An address's random
 * octet lengths made the branch a digit of ip4_parse miss its guess often: this runs more
 * instructions (about 130 against 100) but guesses nothing, and takes less time
 * (bench/RESULTS.md, thirty-seventh pass).
 * Same grammar: 1-3 digits, a value of at most 255, three dots between; not followed by a
 * digit (a fourth digit is in the run, the runs end inside the 16 bytes: 12 bytes at most
 * come before the last octet) or by '.' and a digit.
 */
static inline size_t ip4_parse16(const char *p, const char *end, uint8_t out[4])
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned digit = (unsigned)_mm_movemask_epi8(lsc_in_range16(x, '0', 9));
    unsigned dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    unsigned not_digit = ~digit; /* (ones from bit 16 up: every run ends by bit 16) */
    unsigned start[4], len[4], pos = 0;
    bool ok = true;
#pragma GCC unroll 4
    for (int g = 0; g < 4; g++) {
        /* (pos stays under 21 whatever the bytes: a run ends by bit 16, a dot adds one) */
        unsigned l = (unsigned)__builtin_ctz(not_digit >> pos);
        start[g] = pos;
        len[g] = l;
        ok &= l - 1 < 3;
        pos += l;
        if (g < 3) {
            ok &= (dot >> pos) & 1;
            pos++;
        }
    }
    if (!ok) {
        return 0;
    }
    /* A full stop after the address is the sentence's; a dot and a digit make it longer. */
    if (((dot >> pos) & 1) && (pos + 1 < 16 ? (digit >> (pos + 1)) & 1
                                            : end - p > 16 && lsc_is_digit((unsigned char)p[16]))) {
        return 0;
    }
#pragma GCC unroll 4
    for (int g = 0; g < 4; g++) {
        uint32_t w;
        memcpy(&w, p + start[g], 4); /* (start[3] <= 12: within the 16 bytes) */
        w -= 0x30303030u;
        w = (w << (8 * (3 - len[g]))) & 0x00ffffffu; /* hundreds, tens, units */
        unsigned v = (w & 0xff) * 100 + (w >> 8 & 0xff) * 10 + (w >> 16);
        ok &= v <= 255;
        out[g] = (uint8_t)v;
    }
    return ok ? pos : 0;
}
#endif

size_t lsc_ip4_parse(const char *p, const char *end, uint8_t out[4])
{
#ifdef __SSE2__
    if (end - p >= 16) {
        return ip4_parse16(p, end, out);
    }
#endif
    /* Three octets and their dots take at most 12 bytes, so the fourth octet's 3 bytes are
     * there to read whenever 15 are. */
    return end - p >= 15 ? ip4_parse(p, end, false, out) : ip4_parse(p, end, true, out);
}

/* Reads up to 4 hex digits at s; returns the count (0 when none, 5 when too many). With
 * five bytes left (the common case) the digits are taken one by one without a loop. */
static inline int hex_group(const char *s, const char *end, unsigned *val)
{
    if (end - s >= 5) {
        const unsigned char *u = (const unsigned char *)s;
        unsigned v = lsc_hexval[u[0]], d;
        if (v == LSC_NOT_HEX) {
            return 0;
        }
#pragma GCC unroll 3
        for (int k = 1; k < 4; k++) {
            if ((d = lsc_hexval[u[k]]) == LSC_NOT_HEX) {
                *val = v;
                return k;
            }
            v = v << 4 | d;
        }
        *val = v;
        return lsc_hexval[u[4]] == LSC_NOT_HEX ? 4 : 5;
    }
    int n = 0;
    unsigned v = 0;
    while (s + n < end) {
        unsigned d = lsc_hexval[(unsigned char)s[n]];
        if (d == LSC_NOT_HEX) {
            break;
        }
        if (n == 4) {
            return 5;
        }
        v = (v << 4) | d;
        n++;
    }
    *val = v;
    return n;
}

size_t lsc_ip6_parse(const char *p, const char *end, struct lsc_ip *out)
{
    uint16_t groups[8];
    int ng = 0;
    int gap = -1; /* index in groups where "::" stands */
    bool dotted = false;
    const char *s = p;

    if (end - s >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        s += 2;
    }
    while (ng < 8 && s < end) {
        unsigned v;
        int h = hex_group(s, end, &v);
        if (h == 0) {
            break; /* only legal right after "::" */
        }
        if (h == 5) {
            return 0;
        }
        if (s + h < end && s[h] == '.') {
            /* A dotted tail, or a group and then a full stop ("from 2001:db8::1."): which
             * one the check after the loop decides when no dotted quad is here. */
            uint8_t v4[4];
            size_t l4 = ng <= 6 ? lsc_ip4_parse(s, end, v4) : 0;
            if (l4 > 0) {
                groups[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
                groups[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
                s += l4;
                dotted = true;
                break;
            }
        }
        groups[ng++] = (uint16_t)v;
        s += h;
        if (ng == 8 || s >= end || *s != ':') {
            break;
        }
        if (s + 1 < end && s[1] == ':') {
            if (gap >= 0) {
                return 0; /* a second "::" */
            }
            gap = ng;
            s += 2;
            continue;
        }
        if (s + 1 < end && lsc_is_hex((unsigned char)s[1])) {
            s++;
            continue;
        }
        break; /* "addr: message" - the colon is punctuation */
    }
    if (gap < 0 ? ng != 8 : ng > 7) {
        return 0;
    }
    if (gap < 0 && dotted && ng != 8) {
        return 0;
    }
    /* Must not run into more address-like bytes. */
    if (s < end) {
        unsigned char c = (unsigned char)*s;
        if (lsc_is_alnum(c) || (c == '.' && s + 1 < end && lsc_is_digit((unsigned char)s[1]))) {
            return 0;
        }
        if (c == ':' && s + 1 < end && (lsc_is_hex((unsigned char)s[1]) || s[1] == ':')) {
            return 0;
        }
    }
    /* The groups before "::" go first, those after it last; the zeros between are there.
     * The 16 bytes are put together in two words and stored as such: the memo and the
     * renderers read them as words, and a word read after byte stores waits for them. */
    uint16_t at[8] = {0};
    if (gap < 0) {
        memcpy(at, groups, sizeof at); /* eight groups, in place: one copy */
    } else {
        for (int k = 0; k < ng; k++) {
            at[k < gap ? k : 8 - ng + k] = groups[k];
        }
    }
    uint64_t first = in_memory_order(at), second = in_memory_order(at + 4);
    memcpy(out->bytes, &first, 8);
    memcpy(out->bytes + 8, &second, 8);
    out->family = 6;
    out->dotted_tail = dotted;
    return (size_t)(s - p);
}

/*
 * Reads t[0..n) as an address into ip (family 0 if it is not one). With a port allowed,
 * "1.2.3.4:443" and "[2001:db8::1]:443" count as their address.
 */
bool lsc_ip_parse_value(const char *t, size_t n, bool port_ok, struct lsc_ip *ip)
{
    memset(ip, 0, sizeof *ip);
    if (n == 0) {
        return false;
    }
    size_t used = lsc_ip4_parse(t, t + n, ip->bytes);
    if (used > 0) {
        ip->family = 4;
    } else if (port_ok && t[0] == '[' && n > 2) {
        used = lsc_ip6_parse(t + 1, t + n, ip);
        used = used > 0 && 1 + used < n && t[1 + used] == ']' ? used + 2 : 0;
    } else {
        used = lsc_ip6_parse(t, t + n, ip);
    }
    bool port = port_ok && used > 0 && used + 1 < n && t[used] == ':';
    for (size_t i = used + 1; port && i < n; i++) {
        port = t[i] >= '0' && t[i] <= '9';
    }
    if (used == 0 || (used != n && !port)) {
        memset(ip, 0, sizeof *ip); /* not an address */
        return false;
    }
    return true;
}
