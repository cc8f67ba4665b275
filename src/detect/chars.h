/*
 * chars.h - byte classification and small byte searches shared by the detectors, actions
 * and formats. Log bytes are not text: these helpers look at unsigned bytes and never
 * assume a locale, UTF-8 or NUL termination.
 */
#ifndef LSC_DETECT_CHARS_H
#define LSC_DETECT_CHARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static inline bool lsc_is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10;
}

static inline bool lsc_is_alpha(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26;
}

static inline bool lsc_is_upper(unsigned char c)
{
    return (unsigned)(c - 'A') < 26;
}

#ifdef __SSE2__
/* The lanes of x in [lo, lo + span] (all ones), by saturating subtraction: the vector
 * twin of the range tests above (scan.c, text.c, financial.c). */
static inline __m128i lsc_in_range16(__m128i x, char lo, char span)
{
    __m128i d = _mm_subs_epu8(_mm_sub_epi8(x, _mm_set1_epi8(lo)), _mm_set1_epi8(span));
    return _mm_cmpeq_epi8(d, _mm_setzero_si128());
}
#endif

/* A 256-entry table built at compile time: F(c) for every byte value c (chars.c, ip_truncate.c). */
#define LSC_TABLE_4(F, c) F(c), F((c) + 1), F((c) + 2), F((c) + 3)
#define LSC_TABLE_16(F, c)                                                                         \
    LSC_TABLE_4(F, c), LSC_TABLE_4(F, (c) + 4), LSC_TABLE_4(F, (c) + 8), LSC_TABLE_4(F, (c) + 12)
#define LSC_TABLE_64(F, c)                                                                         \
    LSC_TABLE_16(F, c), LSC_TABLE_16(F, (c) + 16), LSC_TABLE_16(F, (c) + 32),                      \
        LSC_TABLE_16(F, (c) + 48)
#define LSC_TABLE_256(F)                                                                           \
    {                                                                                              \
        LSC_TABLE_64(F, 0), LSC_TABLE_64(F, 64), LSC_TABLE_64(F, 128), LSC_TABLE_64(F, 192)        \
    }

/* Byte classes by table (chars.c): one load where a range test takes several compares. */
enum { LSC_C_ALNUM = 1, LSC_C_HEX = 2, LSC_C_NAME = 4, LSC_C_NAME_RAW = 8 };
extern const unsigned char lsc_ctype[256];
/* A hex digit's value, LSC_NOT_HEX for any other byte. */
enum { LSC_NOT_HEX = 16 };
extern const unsigned char lsc_hexval[256];
/* A byte as secret names are compared: lower case, '_' for '-' (lsc_pair_in). */
extern const unsigned char lsc_name_fold[256];

static inline bool lsc_is_alnum(unsigned char c)
{
    return lsc_ctype[c] & LSC_C_ALNUM;
}

static inline bool lsc_is_hex(unsigned char c)
{
    return lsc_ctype[c] & LSC_C_HEX;
}

/* A byte of a parameter name (secrets.c): letters, digits, '_' '.' '-' and '%' (escapes). */
static inline bool lsc_is_name_byte(unsigned char c)
{
    return lsc_ctype[c] & LSC_C_NAME;
}

/* A byte of the user name before a credentials flag's colon (secrets.c): a name byte, '@'
 * or '+' (bob@example.com:x). */
static inline bool lsc_is_user_name_byte(unsigned char c)
{
    return lsc_is_name_byte(c) || c == '@' || c == '+';
}

/* A name byte that starts no escape: any but '%' (where a walk over a name looks closer). */
static inline bool lsc_is_raw_name_byte(unsigned char c)
{
    return lsc_ctype[c] & LSC_C_NAME_RAW;
}

/*
 * Can the separator at p[i] follow a parameter name? Only after a name byte, or a space or
 * closing quote that may stand between name and separator - the first byte the walk back
 * of lsc_detect_secret_param accepts, and its first test, so the text scan can ask before
 * calling it.
 */
static inline bool lsc_may_follow_name(const char *p, size_t i, size_t floor)
{
    if (i <= floor) {
        return false;
    }
    unsigned char b = (unsigned char)p[i - 1];
    return lsc_is_name_byte(b) || b == ' ' || b == '"' || b == '\'' || b == '`';
}

/* Is the pair a, b (raw bytes) in ends, a bit per pair of bytes (lower case, '_' for '-')? */
static inline bool lsc_pair_in(const unsigned char *ends, unsigned char a, unsigned char b)
{
    unsigned k = (unsigned)lsc_name_fold[a] << 8 | lsc_name_fold[b];
    return ends[k / 8] & (1u << (k % 8));
}

/* "%3D" or "%26" at q (three bytes there): an encoded '=' or '&', which ends a name. */
static inline bool lsc_encoded_sep(const char *q)
{
    return q[0] == '%' && ((q[1] == '3' && (q[2] | 32) == 'd') || (q[1] == '2' && q[2] == '6'));
}

/*
 * Can a secret name end right before e (the separator, or the closing quote or spaces
 * before it)? Most separators (times, ports, ordinary names) follow a name that ends in two
 * bytes no secret name ends in; when no escape can reach those two bytes (no '%' among the
 * last four), that is known before walking back over the name; so is a name that would be
 * empty (an encoded '=' or '&' right before e) or one byte long. ends is lsc_secret_ends():
 * the pairs of last two bytes some secret name ends in (lsc_pair_in). The
 * first test of lsc_detect_secret_param after its walk back, and asked by the text scan
 * before calling it (where e is the separator: a space or quote before it is a "maybe").
 */
static inline bool lsc_secret_end_possible(const unsigned char *ends, const char *p, size_t e,
                                           size_t floor)
{
    if (e < floor + 4) {
        return true;
    }
    /* An encoded '=' or '&' right before e ends the name there: it is empty (the walk back
     * of lsc_detect_secret_param stops at one). "%3D%3D..." costs no call per separator. */
    if (lsc_encoded_sep(p + e - 3)) {
        return false;
    }
    /* A '%' among the last four bytes: a zero byte of their word XOR "%%%%" (exact). */
    uint32_t w;
    memcpy(&w, p + e - 4, 4);
    w ^= 0x25252525u;
    if (((w - 0x01010101u) & ~w & 0x80808080u) != 0) {
        return true;
    }
    unsigned char a = (unsigned char)p[e - 2], b = (unsigned char)p[e - 1];
    if (!lsc_is_name_byte(b)) {
        return true; /* a quote or spaces may stand between the name and e */
    }
    /* A name of one byte ("a=", "1:") is shorter than every secret name (secrets.c). */
    return lsc_is_name_byte(a) && lsc_pair_in(ends, a, b);
}

/*
 * Copies n bytes from src to dst (apart) as memcpy does - inline, from each end at once, when
 * n is 16 or less: the gaps between a line's matches and the labels that replace them are
 * mostly that short, and a call costs more than the copy.
 */
static inline void lsc_copy_short(char *dst, const char *src, size_t n)
{
    if (n > 16) {
        memcpy(dst, src, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n > 0) {
        char a = src[0], b = src[n / 2], c = src[n - 1];
        dst[0] = a;
        dst[n / 2] = b;
        dst[n - 1] = c;
    }
}

/*
 * The first lit[0..ll) (ll >= 1) in p[0..end), or NULL: memchr for its first byte, then a
 * compare - for the short literals of log formats and URLs, where glibc's memmem spends
 * more setting up its general search than searching.
 */
static inline const char *lsc_find_lit(const char *p, const char *end, const char *lit, size_t ll)
{
    while (end - p >= (ptrdiff_t)ll) {
        const char *x = memchr(p, lit[0], (size_t)(end - p) - ll + 1);
        if (x == NULL || memcmp(x, lit, ll) == 0) {
            return x;
        }
        p = x + 1;
    }
    return NULL;
}

/*
 * The first of p[i..n) equal to a, b or c, or n: 16 bytes at a time with SSE2 (the quoted
 * fields of an access log, a URL's query), the last partial block as p[n-16..n) with the
 * bits before i cleared - p[0..n) must be readable; byte by byte when n is under 16.
 */
static inline __attribute__((always_inline)) size_t lsc_find_any3(const char *p, size_t i, size_t n,
                                                                  char a, char b, char c)
{
    if (i >= n) {
        return n;
    }
#ifdef __SSE2__
    if (n >= 16) {
        const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), vc = _mm_set1_epi8(c);
        for (;;) {
            size_t at = n - i >= 16 ? i : n - 16; /* the block's first byte */
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + at));
            __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
                                       _mm_cmpeq_epi8(x, vc));
            unsigned m = (unsigned)_mm_movemask_epi8(hit) >> (i - at) << (i - at);
            if (m != 0) {
                return at + (size_t)__builtin_ctz(m);
            }
            if (at + 16 >= n) {
                return n;
            }
            i = at + 16;
        }
    }
#endif
    while (i < n && p[i] != a && p[i] != b && p[i] != c) {
        i++;
    }
    return i;
}

/* A byte of an e-mail address's local part (email.c): a name byte or '+'. */
static inline bool lsc_is_email_local(unsigned char c)
{
    return lsc_is_name_byte(c) || c == '+';
}

/* A byte of a domain label (email.c): a letter, digit or '-'. */
static inline bool lsc_is_label_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '-';
}

/* base64url alphabet: A-Z a-z 0-9 - _ */
static inline bool lsc_is_b64url(unsigned char c)
{
    return lsc_is_alnum(c) || c == '-' || c == '_';
}

static inline unsigned char lsc_lower(unsigned char c)
{
    return lsc_is_upper(c) ? (unsigned char)(c | 32) : c;
}

/* True when p[0..n) equals the lower-case literal lit[0..n), ignoring ASCII case. */
static inline bool lsc_ieq(const char *p, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lsc_lower((unsigned char)p[i]) != (unsigned char)lit[i]) {
            return false;
        }
    }
    return true;
}

/* The byte two hex digits at h stand for ("%HH", "\\xHH"), or -1 when they are not both hex
 * digits. */
static inline int lsc_hex_pair(const char *h)
{
    unsigned hi = lsc_hexval[(unsigned char)h[0]], lo = lsc_hexval[(unsigned char)h[1]];
    return hi == LSC_NOT_HEX || lo == LSC_NOT_HEX ? -1 : (int)(hi << 4 | lo);
}

/* The byte a character reference's code point stands for, as lsc_escape_at says: itself in
 * ASCII, a space for U+00A0 (a no-break space separates words as a space does), else 0x80. */
static inline unsigned char lsc_code_point_byte(uint32_t v)
{
    return v < 0x80 ? (unsigned char)v : v == 0xa0 ? ' ' : 0x80;
}

/* (lsc_entity_at) A reference whose name's first letter is p[k] and the rest rest[0..len),
 * then ';': its length from its '&' (0: not that one), and its byte in *b. */
static inline __attribute__((always_inline)) size_t lsc_entity_rest(const char *p, size_t n,
                                                                    size_t k, const char *rest,
                                                                    size_t len, unsigned char byte,
                                                                    unsigned char *b)
{
    if (n - k <= len + 1 || p[k + 1 + len] != ';' || !lsc_ieq(p + k + 1, rest, len)) {
        return 0;
    }
    *b = byte;
    return len + 3;
}

/*
 * The HTML character reference at p[i] ('&', before n), as HTML and XML escape text: "&quot;",
 * "&apos;", "&lt;", "&gt;", "&amp;" and "&nbsp;" (in any case), "&#DDDDDDD;" and "&#xHHHHHH;"
 * (at most 7 and 6 digits). Its length in bytes (0: none there), and the byte in *b.
 */
static inline size_t lsc_entity_at(const char *p, size_t n, size_t i, unsigned char *b)
{
    size_t k = i + 1;
    if (n - k < 3) {
        return 0;
    }
    if (p[k] == '#') {
        bool hex = (p[k + 1] | 32) == 'x';
        unsigned base = hex ? 16 : 10;
        size_t from = k + 1 + hex, most = hex ? 6 : 7;
        uint32_t v = 0;
        for (k = from; k < n && k - from < most; k++) {
            unsigned d =
                hex ? lsc_hexval[(unsigned char)p[k]] : (unsigned char)p[k] - (unsigned)'0';
            if (d >= base) {
                break;
            }
            v = v * base + d;
        }
        if (k == from || k >= n || p[k] != ';') {
            return 0;
        }
        *b = lsc_code_point_byte(v);
        return k + 1 - i;
    }
    /* The name, told by its first letter: most '&'s start none ("&b", "&token="), and one
     * that does is compared with one name. (lsc_entity_may_start knows each name's first two
     * letters: a name added here goes there too. Tests in turn, not a switch: its jump
     * through a table is mispredicted where references and other '&'s alternate.) */
    unsigned char first = (unsigned char)(p[k] | 32);
    if (first == 'a') {
        return (p[k + 1] | 32) == 'm' ? lsc_entity_rest(p, n, k, "mp", 2, '&', b)
                                      : lsc_entity_rest(p, n, k, "pos", 3, '\'', b);
    }
    if (first == 'q') {
        return lsc_entity_rest(p, n, k, "uot", 3, '"', b);
    }
    if (first == 'l' || first == 'g') {
        return lsc_entity_rest(p, n, k, "t", 1, first == 'l' ? '<' : '>', b);
    }
    if (first == 'n') {
        return lsc_entity_rest(p, n, k, "bsp", 3, ' ', b);
    }
    return 0;
}

/* Whether p[i] ('&') may start a character reference: its first two bytes after the '&' are
 * those of one of lsc_entity_at's names, or "#". (A query's "&name=" rarely is: the text
 * scan asks this before lsc_entity_at.) */
static inline bool lsc_entity_may_start(const char *p, size_t n, size_t i)
{
    if (n - i < 4) {
        return false;
    }
    unsigned char a = (unsigned char)(p[i + 1] | 32), b = (unsigned char)(p[i + 2] | 32);
    return p[i + 1] == '#' || (a == 'q' && b == 'u') || ((a == 'l' || a == 'g') && b == 't') ||
           (a == 'a' && (b == 'm' || b == 'p')) || (a == 'n' && b == 'b');
}

/* Bytes an escape of lsc_escape_at starts with. */
static inline bool lsc_escape_start(unsigned char c)
{
    return c == '%' || c == '\\' || c == '&';
}

/*
 * The escape at p[i] (before n) - "%HH" as URLs write a byte, "\xHH" as nginx does, "\uHHHH",
 * "\n", "\t", "\r", "\b", "\f" and "\/" as JSON does, "\UHHHHHHHH", "\a", "\v" and "\e" as Go's
 * and C's quoting do, a character reference as HTML and XML write one (lsc_entity_at) - as its
 * length in bytes (0: none there) and, in *b, the byte it stands for (a code point past ASCII
 * stands for 0x80: no detector reads it as a letter or a separator; U+00A0, a no-break space,
 * for ' '). "\"" and "\\" stand for bytes that hide nothing.
 */
static inline __attribute__((always_inline)) size_t lsc_escape_at(const char *p, size_t n, size_t i,
                                                                  unsigned char *b)
{
    int v, w;
    if (p[i] == '&') {
        return lsc_entity_at(p, n, i, b);
    }
    if (p[i] == '%') {
        if (i + 2 < n && (v = lsc_hex_pair(p + i + 1)) >= 0) {
            *b = (unsigned char)v;
            return 3;
        }
        return 0;
    }
    if (p[i] != '\\' || i + 1 >= n) {
        return 0;
    }
    switch (p[i + 1]) {
    case 'x':
        if (i + 3 < n && (v = lsc_hex_pair(p + i + 2)) >= 0) {
            *b = (unsigned char)v;
            return 4;
        }
        return 0;
    case 'u':
        if (i + 5 < n && (v = lsc_hex_pair(p + i + 2)) >= 0 && (w = lsc_hex_pair(p + i + 4)) >= 0) {
            *b = lsc_code_point_byte((uint32_t)v << 8 | (uint32_t)w);
            return 6;
        }
        return 0;
    case 'U': {
        int high = 0;
        for (size_t k = 2; k < 8; k += 2) {
            high |= i + 9 < n ? lsc_hex_pair(p + i + k) : -1;
        }
        if (high >= 0 && (w = lsc_hex_pair(p + i + 8)) >= 0) {
            *b = high == 0 ? lsc_code_point_byte((uint32_t)w) : 0x80;
            return 10;
        }
        return 0;
    }
    case 'n':
        *b = '\n';
        return 2;
    case 't':
        *b = '\t';
        return 2;
    case 'r':
        *b = '\r';
        return 2;
    case 'b':
        *b = '\b';
        return 2;
    case 'f':
        *b = '\f';
        return 2;
    case 'a':
        *b = '\a';
        return 2;
    case 'v':
        *b = '\v';
        return 2;
    case 'e':
        *b = 0x1b;
        return 2;
    case '/':
        *b = '/';
        return 2;
    default:
        return 0;
    }
}

/*
 * Decodes a parameter name for comparison: %XX escapes decoded, ASCII lower-cased, and with
 * plus_is_space (form encoding, as in URL queries) a raw '+' read as a space. At most cap
 * bytes are written to out. Returns the length written.
 */
static inline size_t lsc_decode_name(const char *name, size_t len, char *out, size_t cap,
                                     bool plus_is_space)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o < cap; i++) {
        unsigned char c = (unsigned char)name[i];
        int v;
        if (c == '%' && i + 2 < len && (v = lsc_hex_pair(name + i + 1)) >= 0) {
            c = (unsigned char)v;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        out[o++] = (char)lsc_lower(c);
    }
    return o;
}

#endif
