/*
 * ip_truncate.c - the "truncate" action for IP addresses: zero the host bits and render a
 * valid address, so downstream parsers keep working.
 */
#include "../detect/chars.h"
#include "action.h"

#include <stdbool.h>
#include <string.h>

static void mask_bits(uint8_t *b, size_t nbytes, unsigned keep)
{
    size_t full = keep / 8;
    if (full >= nbytes) {
        return;
    }
    if (keep % 8 != 0) {
        b[full++] &= (uint8_t)(0xff00u >> (keep % 8));
    }
    memset(b + full, 0, nbytes - full);
}

/* The first keep bits of the 4-byte address at b kept, the rest zeroed: one word operation
 * (the embedded IPv4 address of a v6 one too). */
static void mask_v4(uint8_t *b, unsigned keep)
{
    uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    v &= keep == 0 ? 0 : UINT32_MAX << (32 - (keep < 32 ? keep : 32));
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* Each octet's decimal digits, then their count: written as one 4-byte store. */
#define D1(v) (char)('0' + (v) / ((v) >= 100 ? 100 : (v) >= 10 ? 10 : 1))
#define D2(v) (char)((v) >= 100 ? '0' + (v) / 10 % 10 : (v) >= 10 ? '0' + (v) % 10 : 0)
#define D3(v) (char)((v) >= 100 ? '0' + (v) % 10 : 0)
#define D(v)                                                                                       \
    {                                                                                              \
        D1(v), D2(v), D3(v), (char)((v) >= 100 ? 3 : (v) >= 10 ? 2 : 1)                            \
    }
static const char decimal[256][4] = LSC_TABLE_256(D);

/* Writes v in decimal at o, and up to 3 bytes past it (the callers' buffers have room). */
static char *put_dec(char *o, unsigned v)
{
    memcpy(o, decimal[v], 4);
    return o + decimal[v][3];
}

static size_t render_v4(const uint8_t *b, char *out)
{
    char *o = out;
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            *o++ = '.';
        }
        o = put_dec(o, b[i]);
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* Writes v (below 0x10000) in lower-case hex without leading zeros ("0" for 0) at o, and
 * up to 3 bytes past it (the callers' buffers have room); returns the end of the digits. */
static char *put_hex(char *o, unsigned v)
{
    unsigned len = (unsigned)(32 - __builtin_clz(v | 1) + 3) / 4;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* One nibble a byte, the first digit in the lowest; a nibble above 9 gains 'a' - '0' - 10
     * (bit 4 of nibble + 6 says which: no byte carries into the next). The leading zeros are
     * shifted out and the four bytes stored at once. */
    uint32_t w = (v >> 12 & 0xf) | (v >> 8 & 0xf) << 8 | (v >> 4 & 0xf) << 16 | (v & 0xf) << 24;
    w += 0x30303030u + ((w + 0x06060606u) >> 4 & 0x01010101u) * ('a' - '0' - 10);
    w >>= 8 * (4 - len);
    memcpy(o, &w, 4);
#else
    static const char digits[] = "0123456789abcdef";
    for (unsigned k = 0; k < len; k++) {
        o[k] = digits[v >> 4 * (len - 1 - k) & 15];
    }
#endif
    return o + len;
}

/* RFC 5952: lower-case hex, no leading zeros, the longest run (>= 2) of zero groups as "::". */
static size_t render_v6(const uint8_t *b, bool v4_tail, char *out)
{
    int ngroups = v4_tail ? 6 : 8;
    uint16_t g[8];
    unsigned zeros = 0; /* bit i: group i is zero (of the first ngroups) */
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
        zeros |= (unsigned)(g[i] == 0) << i;
    }
    zeros &= (1u << ngroups) - 1;
    /* Where a run of len zero groups starts: a bit of starts. Lengthened while any run is
     * longer; the lowest start of the longest runs is the first of them. */
    int best = -1, best_len = 1;
    unsigned starts = zeros & zeros >> 1;
    if (starts != 0) {
        int len = 2;
        while ((starts & zeros >> len) != 0) {
            starts &= zeros >> len;
            len++;
        }
        best = __builtin_ctz(starts);
        best_len = len;
    }
    char *o = out;
    for (int i = 0; i < ngroups; i++) {
        if (i == best) {
            *o++ = ':';
            *o++ = ':';
            i += best_len - 1;
            continue;
        }
        if (i > 0 && o[-1] != ':') {
            *o++ = ':';
        }
        o = put_hex(o, g[i]);
    }
    if (v4_tail) {
        if (o[-1] != ':') {
            *o++ = ':';
        }
        o += render_v4(b + 12, o);
    }
    *o = '\0';
    return (size_t)(o - out);
}

/* v4-mapped (::ffff:0:0/96), v4-compatible (::/96 written with a dotted tail), NAT64. */
static bool embeds_v4(const struct lsc_ip *ip, bool *mapped)
{
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
    static const uint8_t zero[12];
    *mapped = false;
    if (memcmp(ip->bytes, zero, 10) == 0 && ip->bytes[10] == 0xff && ip->bytes[11] == 0xff) {
        *mapped = true;
        return true;
    }
    if (memcmp(ip->bytes, nat64, 12) == 0) {
        return true;
    }
    return ip->dotted_tail && memcmp(ip->bytes, zero, 12) == 0;
}

bool lsc_ip_v4_of(const struct lsc_ip *ip, uint8_t v4[4])
{
    bool mapped;
    if (ip->family == 4) {
        memcpy(v4, ip->bytes, 4);
        return true;
    }
    if (embeds_v4(ip, &mapped)) {
        memcpy(v4, ip->bytes + 12, 4);
        return true;
    }
    return false;
}

size_t lsc_ip_render(const uint8_t *bytes, bool v6, char *out)
{
    return v6 ? render_v6(bytes, false, out) : render_v4(bytes, out);
}

size_t lsc_ip4_truncate24_text(const struct lsc_ip *ip, const char *t, size_t len, char *out)
{
    /* The last dot: the last octet is 1-3 bytes (more when escaped: then none is found). */
    size_t dot = len >= 7 && t[len - 2] == '.'   ? len - 2
                 : len >= 8 && t[len - 3] == '.' ? len - 3
                 : len >= 9 && t[len - 4] == '.' ? len - 4
                                                 : 0;
    /* Any other text of the first three octets is longer than their shortest form: a
     * leading zero adds a byte, an escape two or more. The same length is the same text (and
     * no dot found, 0, is shorter than any). */
    const uint8_t *b = ip->bytes;
    if (ip->family != 4 ||
        dot != (size_t)(decimal[b[0]][3] + decimal[b[1]][3] + decimal[b[2]][3] + 2)) {
        return 0;
    }
    lsc_copy_short(out, t, dot + 1);
    out[dot + 1] = '0';
    out[dot + 2] = '\0';
    return dot + 2;
}

size_t lsc_ip_truncate(const struct lsc_ip *ip, unsigned v4_bits, unsigned v6_bits, char *out)
{
    uint8_t b[16];
    if (ip->family == 4) {
        memcpy(b, ip->bytes, 4); /* (only these: the rest of ip->bytes is not set) */
        mask_v4(b, v4_bits);
        return render_v4(b, out);
    }
    memcpy(b, ip->bytes, sizeof b);
    bool mapped;
    if (embeds_v4(ip, &mapped)) {
        mask_v4(b + 12, v4_bits);
        return render_v6(b, mapped || ip->dotted_tail, out);
    }
    mask_bits(b, 16, v6_bits);
    if (v6_bits <= 48) {
        /* At most three groups left (the default keeps 48 bits): the zeros after them, five
         * groups or more, are the longest run - longer than any before - so RFC 5952 writes
         * the groups up to the last that is not zero, then "::" ("2001:db8:0:1::" can't
         * be: its fourth group is zero). render_v6 comes to the same, looking for the run. */
        unsigned g[3] = {(unsigned)b[0] << 8 | b[1], (unsigned)b[2] << 8 | b[3],
                         (unsigned)b[4] << 8 | b[5]};
        int last = g[2] != 0 ? 2 : g[1] != 0 ? 1 : g[0] != 0 ? 0 : -1;
        char *o = out;
        for (int i = 0; i <= last; i++) {
            o = put_hex(o, g[i]);
            *o++ = ':';
        }
        if (last < 0) {
            *o++ = ':'; /* ("::": all zero) */
        }
        *o++ = ':';
        *o = '\0';
        return (size_t)(o - out);
    }
    return render_v6(b, false, out);
}
