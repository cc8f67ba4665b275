/*
 * escape.c - decoding and re-encoding field values in each format's escape style.
 *
 * The engine matches names and runs detectors on decoded values, and writes replacements
 * back encoded, so a scrubbed record parses with the same parser it came from:
 *   nginx    \xHH for '"', '\\', control bytes and DEL (as nginx's default escape= writes);
 *   Apache   \" and \\ for quote and backslash, \xHH for control bytes;
 *   SD       RFC 5424 PARAM-VALUE: \" \\ \] (a backslash before anything else is itself);
 *   WORD     an unquoted field: nothing is escaped; '"', '\\', control bytes and the byte
 *            that would end the field (its terminator) become '_';
 *   TAG      a BSD syslog tag: as WORD, and ' ', ':', '[', ']' become '_';
 *   NUMBER   a numeric access-log field (status, sizes, times): a value that is no longer a
 *            number (a label) is written as "-";
 *   RAW      the rest of the line: copied, but a newline could never be in it, so none is made.
 */
#include "json.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* nginx/Apache: \xHH is a byte, \" \\ (and any \c) is c. */
static size_t unescape_access(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\' || i + 1 == len) {
            out[o++] = s[i];
            continue;
        }
        int h, l;
        if (s[i + 1] == 'x' && i + 3 < len && (h = hex_val(s[i + 2])) >= 0 &&
            (l = hex_val(s[i + 3])) >= 0) {
            out[o++] = (char)(h << 4 | l);
            i += 3;
        } else {
            out[o++] = s[++i];
        }
    }
    return o;
}

/* RFC 5424: only \" \\ \] are escapes; any other backslash stands for itself. */
static size_t unescape_sd(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len &&
            (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']')) {
            i++;
        }
        out[o++] = s[i];
    }
    return o;
}

size_t lsc_field_unescape(enum lsc_field_esc esc, const char *s, size_t len, char *out)
{
    switch (esc) {
    case LSC_ESC_JSON:
        return lsc_json_unescape(s, len, out);
    case LSC_ESC_NGINX:
    case LSC_ESC_APACHE:
        return unescape_access(s, len, out);
    case LSC_ESC_SD:
        return unescape_sd(s, len, out);
    case LSC_ESC_WORD:
    case LSC_ESC_TAG:
    case LSC_ESC_NUMBER:
    case LSC_ESC_RAW:
        break;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = s[i];
    }
    return len;
}

static size_t put_hex(unsigned char c, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = digits[c >> 4];
    out[3] = digits[c & 15];
    return 4;
}

/* Bytes that nginx, Apache and word escaping leave as they are (but for the terminator). */
static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

#ifdef __SSE2__
/* Bit k set where byte k of x is not plain (plain_byte), or is term. */
static inline unsigned stop_bits(__m128i x, char term)
{
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
    __m128i stop = _mm_or_si128(_mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
                                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                                             _mm_cmpeq_epi8(x, _mm_set1_epi8(term))));
    return (unsigned)_mm_movemask_epi8(stop);
}

/* The stops of a string of 4-15 bytes as bits by position, from two loads of 8 (or 4)
 * bytes that overlap in the middle - no read outside s[0..len). */
static inline uint32_t short_stops(const char *s, size_t len, char term)
{
    uint64_t a = 0, b = 0;
    unsigned w;
    if (len >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
        w = 8;
    } else {
        memcpy(&a, s, 4); /* (the other 4 bytes of each half are 0: stops, left out below) */
        memcpy(&b, s + len - 4, 4);
        w = 4;
    }
    unsigned m = stop_bits(_mm_set_epi64x((long long)b, (long long)a), term);
    uint32_t part = (1u << w) - 1; /* bits 0..w-1 are s[0..w), bits 8..8+w-1 s[len-w..len) */
    return (m & part) | (m >> 8 & part) << (len - w);
}
#endif

/*
 * The end of the run of plain bytes (plain_byte, and not term) from s[i], before len: 16 at
 * a time with SSE2 (the x86-64 baseline), the last partial block as the last 16 bytes of s
 * with the bits before i cleared; a string shorter than 16 bytes at once (short_stops); no
 * read outside s.
 */
static size_t plain_end(const char *s, size_t i, size_t len, char term)
{
#ifdef __SSE2__
    if (len >= 16) {
        for (;;) {
            size_t at = len - i >= 16 ? i : len - 16; /* the block's first byte */
            unsigned m = stop_bits(_mm_loadu_si128((const __m128i *)(const void *)(s + at)), term);
            m = m >> (i - at) << (i - at);
            if (m != 0) {
                return at + (size_t)__builtin_ctz(m);
            }
            if (at + 16 >= len) {
                return len;
            }
            i = at + 16;
        }
    }
    if (len >= 4) {
        uint32_t m = short_stops(s, len, term) >> i << i;
        return m != 0 ? (size_t)__builtin_ctz(m) : len;
    }
#endif
    while (i < len && plain_byte((unsigned char)s[i]) && s[i] != term) {
        i++;
    }
    return i;
}

size_t lsc_field_escape(enum lsc_field_esc esc, const char *s, size_t len, char term, char *out)
{
    if (esc == LSC_ESC_JSON) {
        return lsc_json_escape(s, len, out);
    }
    if (esc == LSC_ESC_NUMBER) {
        for (size_t i = 0; i < len; i++) {
            if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-')) {
                out[0] = '-'; /* a label ([card]) cannot stand in a number's place */
                return 1;
            }
        }
        memcpy(out, s, len);
        return len;
    }
    if (esc == LSC_ESC_RAW) {
        /* Copied at once; a newline (which a line cannot hold) becomes a space. */
        memcpy(out, s, len);
        for (char *nl = memchr(out, '\n', len); nl != NULL;
             nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - out))) {
            *nl = ' ';
        }
        return len;
    }
    size_t o = 0;
    bool common = esc == LSC_ESC_NGINX || esc == LSC_ESC_APACHE || esc == LSC_ESC_WORD;
    for (size_t i = 0; i < len; i++) {
        if (common) {
            /* A run of bytes these styles leave as they are, copied at once. */
            size_t run = plain_end(s, i, len, term);
            memcpy(out + o, s + i, run - i);
            o += run - i;
            i = run;
            if (i == len) {
                break;
            }
        }
        unsigned char c = (unsigned char)s[i];
        bool ctl = c < 0x20 || c == 0x7f || (term != 0 && c == (unsigned char)term);
        switch (esc) {
        case LSC_ESC_NGINX:
            if (ctl || c == '"' || c == '\\') {
                o += put_hex(c, out + o);
                continue;
            }
            break;
        case LSC_ESC_APACHE:
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
            } else if (ctl) {
                o += put_hex(c, out + o);
                continue;
            }
            break;
        case LSC_ESC_SD:
            if (c == '"' || c == '\\' || c == ']') {
                out[o++] = '\\';
            }
            break;
        case LSC_ESC_TAG:
            if (c == ' ' || c == ':' || c == '[' || c == ']') {
                c = '_';
            }
            /* fall through */
        case LSC_ESC_WORD:
            if (ctl || c == '"' || c == '\\') {
                c = '_';
            }
            break;
        case LSC_ESC_RAW: /* (above) */
        case LSC_ESC_JSON:
        case LSC_ESC_NUMBER:
            break;
        }
        out[o++] = (char)c;
    }
    return o;
}
