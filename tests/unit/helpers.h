/*
 * helpers.h - shared test helpers: scrub a string with a policy and get a C string back.
 */
#ifndef LSC_TEST_HELPERS_H
#define LSC_TEST_HELPERS_H

#include "format/json.h"
#include "logscrub.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

/* A readable page followed by a PROT_NONE page: a parser reading one byte too far crashes. */
struct guard {
    char *mem;
    size_t page;
};

static inline struct guard guard_new(void)
{
    struct guard g = {NULL, (size_t)sysconf(_SC_PAGESIZE)};
    g.mem = mmap(NULL, g.page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(g.mem, MAP_FAILED);
    cr_assert_eq(mprotect(g.mem + g.page, g.page, PROT_NONE), 0);
    return g;
}

/* Copies data[0..len) to end right before the protected page; returns where it starts. */
static inline char *guard_place(const struct guard *g, const char *data, size_t len)
{
    char *p = g->mem + g->page - len;
    memcpy(p, data, len);
    return p;
}

static inline void guard_free(struct guard *g)
{
    munmap(g->mem, g->page * 2);
}

/* A deterministic generator (xorshift), so a failure can be replayed. */
static inline uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A temporary file holding data[0..len), opened for reading at its start. */
static inline int tmp_fd_with(const void *data, size_t len)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fflush(f);
    int fd = dup(fileno(f));
    fclose(f);
    lseek(fd, 0, SEEK_SET);
    return fd;
}

/* Everything in the file fd from its start, NUL-terminated (malloc'd; *len without the NUL). */
static inline char *read_whole_fd(int fd, size_t *len)
{
    lseek(fd, 0, SEEK_SET);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    cr_assert_not_null(buf);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            cr_assert_not_null(buf);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        cr_assert_geq(r, 0);
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Scrubs in[0..len) (one or more lines) with sc; returns a malloc'd NUL-terminated copy. */
static inline char *scrub_by(struct lsc_scrubber *sc, const char *in, size_t len)
{
    const char *out;
    size_t outlen;
    cr_assert_eq(lsc_scrub_buffer(sc, in, len, &out, &outlen), LSC_OK);
    char *copy = malloc(outlen + 1);
    cr_assert_not_null(copy);
    memcpy(copy, out, outlen);
    copy[outlen] = '\0';
    return copy;
}

/* Scrubs in (one or more lines) with pol; returns a malloc'd NUL-terminated copy. */
static inline char *scrub_with(const struct lsc_policy *pol, const char *in, size_t len,
                               struct lsc_stats *stats)
{
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    char *copy = scrub_by(sc, in, len);
    if (stats != NULL) {
        *stats = *lsc_scrubber_stats(sc);
    }
    lsc_scrubber_free(sc);
    return copy;
}

/* scrub_with, with every memo off unless memo (as $LOGSCRUB_NO_MEMO turns them off). */
static inline char *scrub_with_memo(const struct lsc_policy *pol, const char *in, size_t len,
                                    struct lsc_stats *stats, bool memo)
{
    if (!memo) {
        setenv("LOGSCRUB_NO_MEMO", "1", 1); /* (read when the scrubber is made) */
    }
    char *out = scrub_with(pol, in, len, stats);
    unsetenv("LOGSCRUB_NO_MEMO");
    return out;
}

/* Loads a policy from "version: 1\nname: t\n" + head + body (head names the format, body
 * the rest); the test fails if it does not load. */
static inline struct lsc_policy *load_test_policy(const char *head, const char *body)
{
    char text[4096];
    snprintf(text, sizeof text, "version: 1\nname: t\n%s%s", head, body);
    struct lsc_policy *pol = NULL;
    char err[2048];
    cr_assert_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    return pol;
}

/* Scrubs in with load_test_policy(head, body); returns a malloc'd copy of the output. */
static inline char *scrub_with_policy(const char *head, const char *body, const char *in,
                                      struct lsc_stats *st)
{
    struct lsc_policy *pol = load_test_policy(head, body);
    char *out = scrub_with(pol, in, strlen(in), st);
    lsc_policy_free(pol);
    return out;
}

/* Scrubs a C string with the default policy. */
static inline char *scrub_default(const char *in)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    char *out = scrub_with(pol, in, strlen(in), NULL);
    lsc_policy_free(pol);
    return out;
}

/*
 * The text of the first node (at any depth) called name - its format-given name, alias, or
 * bare key - with quotes stripped, copied into buf; NULL if there is none. For the
 * tokenizer tests.
 */
static inline const char *node_text(const char *line, const struct lsc_json_node *nodes,
                                    size_t count, const char *name, char *buf)
{
    for (size_t i = 1; i < count; i++) {
        const struct lsc_json_node *n = &nodes[i];
        bool match =
            n->name
                ? strcmp(n->name, name) == 0 || (n->alias != NULL && strcmp(n->alias, name) == 0)
                : n->key_len == strlen(name) && memcmp(line + n->key_off, name, n->key_len) == 0;
        if (match) {
            bool str = n->type == LSC_JSON_STRING;
            size_t off = str ? n->off + 1 : n->off, len = str ? n->len - 2 : n->len;
            memcpy(buf, line + off, len);
            buf[len] = '\0';
            return buf;
        }
    }
    return NULL;
}

/* The value of hex digit c, or -1. (The tests' own: what they check must not decode for
 * them.) */
static inline int test_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The character reference at r ("&quot;", "&#39;", "&#x27;"; "&nbsp;" as a space) as the
 * ASCII byte it stands for in *c, and its length; 0 when there is none. */
static inline size_t test_entity(const char *r, char *c)
{
    static const char *const names[][2] = {{"&quot;", "\""}, {"&apos;", "'"}, {"&lt;", "<"},
                                           {"&gt;", ">"},    {"&amp;", "&"},  {"&nbsp;", " "}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        size_t len = strlen(names[k][0]);
        if (strncasecmp(r, names[k][0], len) == 0) {
            *c = names[k][1][0];
            return len;
        }
    }
    if (r[0] != '&' || r[1] != '#') {
        return 0;
    }
    bool hex = (r[2] | 32) == 'x';
    unsigned v = 0;
    size_t k = hex ? 3 : 2;
    for (; hex ? test_hex(r[k]) >= 0 : r[k] >= '0' && r[k] <= '9'; k++) {
        v = v * (hex ? 16 : 10) + (unsigned)(hex ? test_hex(r[k]) : r[k] - '0');
    }
    if (r[k] != ';' || v == 0 || v > 0x7f) {
        return 0;
    }
    *c = (char)v;
    return k + 1;
}

/* Decodes the %HH, \xHH, \u00HH and \U000000HH escapes and the character references of s in
 * place - what a reader of encoded text would see - for the leak checks that look for a
 * value there. */
static inline void decode_escapes(char *s)
{
    char *o = s;
    for (const char *r = s; *r != '\0';) {
        size_t ref = test_entity(r, o);
        if (ref > 0) {
            o++;
            r += ref;
            continue;
        }
        size_t skip = r[0] == '%'                                         ? 1
                      : r[0] == '\\' && r[1] == 'x'                       ? 2
                      : r[0] == '\\' && strncmp(r + 1, "u00", 3) == 0     ? 4
                      : r[0] == '\\' && strncmp(r + 1, "U000000", 7) == 0 ? 8
                                                                          : 0;
        int hi = skip > 0 ? test_hex(r[skip]) : -1, lo = hi >= 0 ? test_hex(r[skip + 1]) : -1;
        if (lo >= 0) {
            *o++ = (char)(hi << 4 | lo);
            r += skip + 2;
        } else {
            *o++ = *r++;
        }
    }
    *o = '\0';
}

/* Scrubs in with the default policy: none of the lines' planted values (16 bytes a slot in
 * planted) may come out - a failure names the line one came out in. Frees in and planted. */
static inline void expect_none_leaked(char *in, char *planted, int lines)
{
    char *out = scrub_default(in);
    for (int l = 0; l < lines; l++) {
        /* (The line it leaked in, for the failure's message.) */
        const char *hit = strstr(out, planted + l * 16), *line = hit;
        while (line != NULL && line > out && line[-1] != '\n') {
            line--;
        }
        cr_expect(hit == NULL, "planted %s leaked: %.200s", planted + l * 16,
                  line != NULL ? line : "");
    }
    free(out);
    free(planted);
    free(in);
}

/* A line of unit written as often as fits in bytes, then tail: malloc'd, the caller frees. */
static inline char *repeated_line(const char *unit, size_t bytes, const char *tail)
{
    size_t len = strlen(unit), count = bytes / len, tl = strlen(tail);
    char *line = malloc(count * len + tl + 1);
    cr_assert_not_null(line);
    for (size_t k = 0; k < count; k++) {
        memcpy(line + k * len, unit, len);
    }
    memcpy(line + count * len, tail, tl + 1);
    return line;
}

/* Each unit written as one line of about bytes bytes comes out of the default policy as it
 * went in (a detector's reads on look-alikes stay bounded and find nothing). */
static inline void expect_repeated_unchanged(const char *const *units, size_t count, size_t bytes)
{
    for (size_t u = 0; u < count; u++) {
        char *line = repeated_line(units[u], bytes, "");
        char *out = scrub_default(line);
        cr_expect_str_eq(out, line, "unit %s", units[u]);
        free(out);
        free(line);
    }
}

/* unit written as one line of about bytes bytes, then tail, comes out of the default policy
 * as want. */
static inline void expect_repeated_scrubs_to(const char *unit, size_t bytes, const char *tail,
                                             const char *want)
{
    char *line = repeated_line(unit, bytes, tail);
    char *out = scrub_default(line);
    cr_expect_str_eq(out, want, "unit %s", unit);
    free(out);
    free(line);
}

/* What a leak check writes on line l: the text around v, the value planted there, chosen by
 * the random bits r, at out (room bytes); returns how many bytes it wrote. */
typedef size_t (*planting_fn)(char *out, size_t room, const char *v, unsigned r);

/* A leak check of 3,000 lines: "at L ", what plant writes with tag[0..2) L tag[2..4) as the
 * value, then tail (its line's end). None of the values may come out (expect_none_leaked). */
static inline void expect_none_leaked_ending(planting_fn plant, const char *tag, uint64_t seed,
                                             size_t width, const char *tail)
{
    enum { LINES = 3000 };
    char *in = malloc(LINES * width), *planted = malloc(LINES * 16);
    cr_assert(in != NULL && planted != NULL);
    size_t o = 0;
    for (int l = 0; l < LINES; l++) {
        char *v = planted + l * 16;
        snprintf(v, 16, "%.2s%06d%.2s", tag, l, tag + 2);
        o += (size_t)snprintf(in + o, width, "at %d ", l);
        o += plant(in + o, width - 16, v, (unsigned)rnd(&seed));
        o += (size_t)snprintf(in + o, 16, "%s", tail);
    }
    in[o] = '\0';
    expect_none_leaked(in, planted, LINES);
}

/* The same, each line ending " end". */
static inline void expect_none_leaked_from(planting_fn plant, const char *tag, uint64_t seed,
                                           size_t width)
{
    expect_none_leaked_ending(plant, tag, seed, width, " end\n");
}

#define EXPECT_SCRUB(in, want)                                                                     \
    do {                                                                                           \
        char *got_ = scrub_default(in);                                                            \
        cr_expect_str_eq(got_, want, "input:    %s\nexpected: %s\ngot:      %s", in, want, got_);  \
        free(got_);                                                                                \
    } while (0)

#define EXPECT_UNCHANGED(in) EXPECT_SCRUB(in, in)

#endif
