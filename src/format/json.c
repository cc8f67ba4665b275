/*
 * json.c - JSON lines tokenizer (RFC 8259), one object per line, spans into the line.
 *
 * Grammar: ws object ws, where object = "{" [member ("," member)*] "}", member = string ":"
 * value, value = object | array | string | number | true | false | null. Strings must not
 * hold raw control bytes; escapes are checked (\" \\ \/ \b \f \n \r \t \uXXXX). The parser
 * is iterative with an explicit stack of open containers, so depth costs no C stack.
 */
#include "json.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first byte at or after i (before n) that is not JSON white space. */
static inline size_t skip_ws(const char *p, size_t n, size_t i)
{
    if (i < n && (unsigned char)p[i] > ' ') {
        return i; /* (compact JSON: no white space at all) */
    }
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
        i++;
    }
    return i;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The first byte at or after p[k] (before n) that ends a plain run, byte by byte. */
static inline size_t plain_bytes(const char *p, size_t k, size_t n)
{
    while (k < n && p[k] != '"' && p[k] != '\\' && (unsigned char)p[k] >= 0x20) {
        k++;
    }
    return k;
}

#ifdef __SSE2__
/* Of the 16 bytes of x, the ones that end a plain run ('"', '\\', a control byte), as bits. */
static inline unsigned stop_bits(__m128i x)
{
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20), zero = _mm_setzero_si128();
    /* x < 0x20 unsigned: saturating 0x20 - x is not zero. */
    __m128i ctl = _mm_xor_si128(_mm_cmpeq_epi8(_mm_subs_epu8(space, x), zero), _mm_set1_epi8(-1));
    __m128i stop =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)), ctl);
    return (unsigned)_mm_movemask_epi8(stop);
}

static inline unsigned stop_mask(const char *p)
{
    return stop_bits(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/*
 * The first stop at or after p[k] of the fewer than 16 bytes left before n, by two loads
 * of 8 (or 4) bytes that overlap in the middle - no read outside p[k..n) - or n if there is
 * none; byte by byte below 4.
 */
static inline size_t stop_in_tail(const char *p, size_t k, size_t n)
{
    size_t left = n - k;
    if (left >= 8) {
        uint64_t a, b;
        memcpy(&a, p + k, 8);
        memcpy(&b, p + n - 8, 8);
        unsigned m = stop_bits(_mm_set_epi64x((long long)b, (long long)a));
        /* bits 0-7 are p[k..k+8), bits 8-15 are p[n-8..n) */
        return m == 0                 ? n
               : __builtin_ctz(m) < 8 ? k + (size_t)__builtin_ctz(m)
                                      : n - 16 + (size_t)__builtin_ctz(m);
    }
    if (left >= 4) {
        uint32_t a, b;
        memcpy(&a, p + k, 4);
        memcpy(&b, p + n - 4, 4);
        /* lanes 8-15 hold 'A', which is plain */
        unsigned m = stop_bits(_mm_set_epi32(0x41414141, 0x41414141, (int)b, (int)a));
        return m == 0                 ? n
               : __builtin_ctz(m) < 4 ? k + (size_t)__builtin_ctz(m)
                                      : n - 8 + (size_t)__builtin_ctz(m);
    }
    return plain_bytes(p, k, n);
}
#endif

/*
 * The number of bytes from p[j] on (before n) that are plain string bytes: not '"', not '\\'
 * and not a control byte. 16 at a time with SSE2 (the x86-64 baseline) while 16 remain, then
 * the rest (a line's last value, most values to encode) at once.
 */
static size_t plain_run(const char *p, size_t j, size_t n)
{
    size_t k = j;
#ifdef __SSE2__
    while (n - k >= 16) {
        unsigned m = stop_mask(p + k);
        if (m != 0) {
            return k + (size_t)__builtin_ctz(m) - j;
        }
        k += 16;
    }
    return stop_in_tail(p, k, n) - j;
#else
    return plain_bytes(p, k, n) - j;
#endif
}

/*
 * The length of the string at p[i] (on its opening quote), quotes included, or 0 if it is
 * not a valid one before n; *escaped tells whether it holds an escape.
 */
static size_t scan_string_on(const char *p, size_t n, size_t i, bool *escaped)
{
    size_t j = i + 1;
    *escaped = false;
    while (j < n) {
        j += plain_run(p, j, n);
        if (j >= n) {
            break;
        }
        unsigned char c = (unsigned char)p[j];
        if (c == '"') {
            return j + 1 - i;
        }
        if (c < 0x20) {
            return 0;
        }
        if (c == '\\') {
            *escaped = true;
            if (j + 1 >= n) {
                return 0;
            }
            char e = p[j + 1];
            if (e == 'u') {
                if (j + 5 >= n || !is_hex(p[j + 2]) || !is_hex(p[j + 3]) || !is_hex(p[j + 4]) ||
                    !is_hex(p[j + 5])) {
                    return 0;
                }
                j += 6;
                continue;
            }
            if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
                return 0;
            }
            j += 2;
            continue;
        }
        j++;
    }
    return 0;
}

/*
 * Most strings of a log line (keys, levels, methods, short values) end within 16 bytes of
 * their opening quote with nothing to unescape: one compare finds the closing quote, and the
 * call into the general scan is left for the others.
 */
static inline __attribute__((always_inline)) size_t scan_string(const char *p, size_t n, size_t i,
                                                                bool *escaped)
{
#ifdef __SSE2__
    if (n - i > 16) {
        unsigned m = stop_mask(p + i + 1);
        if (m != 0 && p[i + 1 + (size_t)__builtin_ctz(m)] == '"') {
            *escaped = false;
            return (size_t)__builtin_ctz(m) + 2;
        }
    }
#endif
    return scan_string_on(p, n, i, escaped);
}

static size_t skip_digits(const char *p, size_t j, size_t n)
{
    while (j < n && p[j] >= '0' && p[j] <= '9') {
        j++;
    }
    return j;
}

/* The length of the number at p[i], or 0 if there is none before n. */
static size_t scan_number(const char *p, size_t n, size_t i)
{
    size_t j = i;
    if (j < n && p[j] == '-') {
        j++;
    }
    if (j >= n || p[j] < '0' || p[j] > '9') {
        return 0;
    }
    j = p[j] == '0' ? j + 1 : skip_digits(p, j, n);
    if (j < n && p[j] == '.') {
        size_t s = j + 1;
        j = skip_digits(p, s, n);
        if (j == s) {
            return 0;
        }
    }
    if (j < n && (p[j] == 'e' || p[j] == 'E')) {
        j++;
        if (j < n && (p[j] == '+' || p[j] == '-')) {
            j++;
        }
        size_t s = j;
        j = skip_digits(p, s, n);
        if (j == s) {
            return 0;
        }
    }
    return j - i;
}

/*
 * The position is a local and every helper takes and returns positions, so the compiler
 * keeps it in a register: no parser state lives in memory but the nodes and the stack.
 */
enum lsc_json_status lsc_json_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                    size_t max_nodes, uint32_t max_depth, size_t *count)
{
    int32_t stack[LSC_JSON_MAX_DEPTH + 1];
    int32_t last_child[LSC_JSON_MAX_DEPTH + 1];
    uint32_t depth = 0;
    size_t used = 0; /* nodes made */
    if (max_depth > LSC_JSON_MAX_DEPTH) {
        max_depth = LSC_JSON_MAX_DEPTH;
    }
    size_t i = skip_ws(p, n, 0);
    if (i >= n || p[i] != '{' || max_nodes == 0) {
        return LSC_JSON_SYNTAX;
    }
    lsc_json_node_init(&nodes[0], LSC_JSON_OBJECT, -1, 0);
    nodes[0].off = i;
    used = 1;
    stack[0] = 0;
    last_child[0] = -1;
    bool in_object = true; /* the innermost open container is an object */
    i++;
    bool need_value = false; /* after ',' in a container: a member/element must follow */
    for (;;) {
        i = skip_ws(p, n, i);
        if (i >= n) {
            return LSC_JSON_SYNTAX;
        }
        int32_t cont = stack[depth];
        char c = p[i];
        if ((c == '}' && in_object) || (c == ']' && !in_object)) {
            if (need_value) {
                return LSC_JSON_SYNTAX; /* trailing comma */
            }
            i++;
            nodes[cont].len = i - nodes[cont].off;
            if (depth == 0) {
                break;
            }
            depth--;
            in_object = nodes[stack[depth]].type == LSC_JSON_OBJECT;
        } else {
            if (last_child[depth] >= 0 && !need_value) {
                return LSC_JSON_SYNTAX; /* two values without a comma */
            }
            size_t key_off = 0, key_len = 0;
            bool key_escaped = false;
            if (in_object) {
                if (c != '"') {
                    return LSC_JSON_SYNTAX;
                }
                key_len = scan_string(p, n, i, &key_escaped);
                if (key_len == 0) {
                    return LSC_JSON_SYNTAX;
                }
                key_off = i;
                i = skip_ws(p, n, i + key_len);
                if (i >= n || p[i] != ':') {
                    return LSC_JSON_SYNTAX;
                }
                i = skip_ws(p, n, i + 1);
                if (i >= n) {
                    return LSC_JSON_SYNTAX;
                }
                c = p[i];
            }
            enum lsc_json_type t;
            size_t vlen = 0;
            bool escaped = false;
            if (c == '{' || c == '[') {
                t = c == '{' ? LSC_JSON_OBJECT : LSC_JSON_ARRAY;
            } else if (c == '"') {
                t = LSC_JSON_STRING;
                vlen = scan_string(p, n, i, &escaped);
            } else if (c == 't' || c == 'f' || c == 'n') {
                t = LSC_JSON_LITERAL;
                const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
                size_t ll = strlen(lit);
                vlen = n - i >= ll && memcmp(p + i, lit, ll) == 0 ? ll : 0;
            } else {
                t = LSC_JSON_NUMBER;
                vlen = scan_number(p, n, i);
            }
            if (t != LSC_JSON_OBJECT && t != LSC_JSON_ARRAY && vlen == 0) {
                return LSC_JSON_SYNTAX;
            }
            if (used == max_nodes) {
                return LSC_JSON_TOO_BIG;
            }
            int32_t id = (int32_t)used++;
            struct lsc_json_node *nd = &nodes[id];
            lsc_json_node_init(nd, t, cont, depth + 1);
            nd->off = i;
            nd->key_off = key_off;
            nd->key_len = key_len;
            nd->key_escaped = key_escaped;
            nd->escaped = escaped;
            if (last_child[depth] >= 0) {
                nodes[last_child[depth]].next = id;
            } else {
                nodes[cont].first = id;
            }
            last_child[depth] = id;
            need_value = false;
            if (t == LSC_JSON_OBJECT || t == LSC_JSON_ARRAY) {
                if (depth + 1 > max_depth) {
                    return LSC_JSON_TOO_DEEP;
                }
                i++;
                depth++;
                stack[depth] = id;
                last_child[depth] = -1;
                in_object = t == LSC_JSON_OBJECT;
                continue;
            }
            nd->len = vlen;
            i += vlen;
        }
        /* After a value or a closed container: ',' or the closing bracket. */
        i = skip_ws(p, n, i);
        if (i < n && p[i] == ',') {
            i++;
            need_value = true;
        }
    }
    if (skip_ws(p, n, i) != n) {
        return LSC_JSON_SYNTAX;
    }
    *count = used;
    return LSC_JSON_OK;
}

static int hexval(char c)
{
    return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}

static unsigned read_u4(const char *s)
{
    return (unsigned)(hexval(s[0]) << 12 | hexval(s[1]) << 8 | hexval(s[2]) << 4 | hexval(s[3]));
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *o++ = (char)(0xf0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

int32_t lsc_json_find_member(const char *line, const struct lsc_json_node *nodes, size_t count,
                             size_t from, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = from > 0 ? from : 1; i < count; i++) {
        const struct lsc_json_node *n = &nodes[i];
        if (n->depth != 1) {
            continue;
        }
        if (n->name != NULL ? strcmp(n->name, name) == 0 : n->key_len > 0) {
            if (n->name != NULL) {
                return (int32_t)i;
            }
            size_t off = n->key_bare ? n->key_off : n->key_off + 1;
            size_t len = n->key_bare ? n->key_len : n->key_len - 2;
            if (len == nl && memcmp(line + off, name, nl) == 0) {
                return (int32_t)i;
            }
        }
    }
    return -1;
}

size_t lsc_json_unescape(const char *s, size_t len, char *out)
{
    char *o = out;
    for (size_t i = 0; i < len;) {
        if (s[i] != '\\' || i + 1 >= len) {
            *o++ = s[i++];
            continue;
        }
        char e = s[i + 1];
        /* \u with four hex digits; logfmt strings are not validated, so check here. */
        if (e == 'u' && i + 6 <= len && is_hex(s[i + 2]) && is_hex(s[i + 3]) && is_hex(s[i + 4]) &&
            is_hex(s[i + 5])) {
            unsigned cp = read_u4(s + i + 2);
            i += 6;
            if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= len && s[i] == '\\' && s[i + 1] == 'u' &&
                is_hex(s[i + 2]) && is_hex(s[i + 3]) && is_hex(s[i + 4]) && is_hex(s[i + 5])) {
                unsigned lo = read_u4(s + i + 2);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    i += 6;
                }
            }
            if (cp >= 0xd800 && cp < 0xe000) {
                cp = 0xfffd;
            }
            /* 6 or 12 escaped bytes never produce more than 4 bytes: decoding never grows. */
            o = put_utf8(o, cp);
            continue;
        }
        /* Go's strconv.Quote, as logfmt writers use it, also writes "\xHH" (a byte),
         * "\UHHHHHHHH", "\a" and "\v" (and C's "\e"): read as what they stand for, so that no
         * value hides behind one ("\x34111..." is a card). JSON lines never hold them. */
        if (e == 'x' && i + 4 <= len && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
            *o++ = (char)(hexval(s[i + 2]) << 4 | hexval(s[i + 3]));
            i += 4;
            continue;
        }
        if (e == 'U' && i + 10 <= len) {
            bool hex = true;
            for (size_t k = 2; k < 10; k++) {
                hex &= is_hex(s[i + k]);
            }
            if (hex) {
                unsigned cp = read_u4(s + i + 2) << 16 | read_u4(s + i + 6);
                o = put_utf8(o, cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) ? 0xfffd : cp);
                i += 10;
                continue;
            }
        }
        static const char from[] = "\"\\/bfnrtave", to[] = "\"\\/\b\f\n\r\t\a\v\x1b";
        const char *k = strchr(from, e);
        *o++ = k != NULL && e != '\0' ? to[k - from] : e;
        i += 2;
    }
    return (size_t)(o - out);
}

size_t lsc_json_escape(const char *s, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    /* The control bytes JSON has a short escape for, as most writers use it ("\n" of a
     * Docker log line stays "\n"); the others as \u00XX. */
    static const char short_escape[0x20] = {
        ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r'};
    char *o = out;
    for (size_t i = 0; i < len; i++) {
        size_t run = plain_run(s, i, len); /* bytes that need no escape, copied at once */
        memcpy(o, s + i, run);
        o += run;
        i += run;
        if (i == len) {
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 && short_escape[c] != 0) {
            *o++ = '\\';
            *o++ = short_escape[c];
        } else if (c < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            *o++ = (char)c;
        }
    }
    return (size_t)(o - out);
}
