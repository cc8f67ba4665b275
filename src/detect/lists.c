/*
 * lists.c - names and values written as a list of pairs at the end of a line or a value:
 * an ORM's SQL binds, as Rails logs them after the statement
 * (`... LIMIT $2  [["reset_password_token", "3f2a..."], ["LIMIT", 1]]`), Python's pairs
 * (`[('username', 'bob'), ('password', 'x')]`). No '=' or ':' stands between a name and its
 * value, so the name's detectors never see these; the values of pairs whose name names a
 * secret (lsc_secret_name: token, password, api_key, ...) are found here.
 *
 * Grammar (the list ends the text, or a line break after it: "\n", "\r\n" or "\r", as a
 * CRLF line or a value of Docker's JSON log ends):
 *   LIST  = "[" PAIR (", " PAIR)* "]"       (one to four blanks after each ',', or none)
 *   PAIR  = OPEN NAME "," BLANKS VALUE CLOSE (OPEN "[" with CLOSE "]", or "(" with ")")
 *   NAME  = Q 1-64 bytes but Q Q | nil      (Q '"' or '\'')
 *   VALUE = Q ... Q (a backslash escapes the byte after it) | bare bytes up to CLOSE (7,
 *           nil, true, and Rails 5's times: 2017-01-11 15:07:01 UTC)
 * The list is found from its end: the last "[[" or "[(" before it that starts a list
 * reaching exactly to the end (four tries, so a value holding "[[" costs a few reads, not
 * one a '['). A match is a value without its quotes.
 *
 * The scan asks only for text whose last byte is ']' or a line break (lsc_detect_text_from):
 * no byte of the attention mask stands for these lists, which would cost every window a
 * test (bench/RESULTS.md, thirty-third pass).
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

#define NAME_MAX_BYTES 64
#define BLANKS_MAX 4
#define TRIES 4

/* Up to BLANKS_MAX blanks from j: where they end. */
static size_t skip_blanks(const char *p, size_t e, size_t j)
{
    size_t k = j;
    while (k < e && k - j < BLANKS_MAX && p[k] == ' ') {
        k++;
    }
    return k;
}

/* A quoted string at j (p[j] a quote): the offset after its closing quote, or 0. */
static size_t quoted_end(const char *p, size_t e, size_t j)
{
    char q = p[j];
    size_t k = j + 1;
    while (k < e && p[k] != q) {
        k += p[k] == '\\' ? 2 : 1;
    }
    return k < e ? k + 1 : 0;
}

/* The pair at j (p[j] its OPEN); a secret value goes to spans. The offset after its CLOSE,
 * or 0 when there is no pair there. */
static size_t pair_end(const char *p, size_t e, size_t j, struct lsc_list_spans *out)
{
    char close = p[j] == '[' ? ']' : ')';
    size_t k = j + 1;
    bool secret = false;
    if (k < e && (p[k] == '"' || p[k] == '\'')) {
        size_t s = k + 1, t = s;
        while (t < e && t - s < NAME_MAX_BYTES && p[t] != p[k]) {
            t++;
        }
        if (t == s || t >= e || p[t] != p[k]) {
            return 0;
        }
        secret = lsc_secret_name(p + s, t - s);
        k = t + 1;
    } else if (e - k >= 3 && memcmp(p + k, "nil", 3) == 0) {
        k += 3;
    } else {
        return 0;
    }
    if (k >= e || p[k] != ',') {
        return 0;
    }
    k = skip_blanks(p, e, k + 1);
    size_t vs = k, ve;
    if (k < e && (p[k] == '"' || p[k] == '\'')) {
        size_t after = quoted_end(p, e, k);
        if (after == 0) {
            return 0;
        }
        vs = k + 1;
        ve = after - 1;
        k = after;
    } else {
        /* (Rails 5 writes times bare: ["created_at", 2017-01-11 15:07:01 UTC]) */
        while (k < e && p[k] != close) {
            k++;
        }
        ve = k;
    }
    if (k >= e || p[k] != close || ve == vs) {
        return 0;
    }
    if (secret) {
        lsc_list_spans_add(out, vs, ve);
    }
    return k + 1;
}

/* Does a list start at j and reach exactly to e? Its secret values go to out. */
static bool list_at(const char *p, size_t e, size_t j, struct lsc_list_spans *out)
{
    out->count = 0;
    size_t k = j + 1;
    for (;;) {
        k = pair_end(p, e, k, out);
        if (k == 0 || k >= e) {
            return false;
        }
        if (p[k] == ']') {
            return k + 1 == e;
        }
        if (p[k] != ',') {
            return false;
        }
        k = skip_blanks(p, e, k + 1);
        if (k >= e || (p[k] != '[' && p[k] != '(')) {
            return false;
        }
    }
}

__attribute__((noinline)) size_t lsc_detect_list_pairs(const char *p, size_t n,
                                                       struct lsc_list_spans *out)
{
    size_t e = lsc_without_line_break(p, n);
    out->count = 0;
    if (e < 8 || p[e - 1] != ']' || (p[e - 2] != ']' && p[e - 2] != ')')) {
        return 0;
    }
    /* The last "[[" or "[(" first: a list of pairs holds no other after its own start
     * but inside a value. */
    size_t k = e - 2;
    for (int t = 0; t < TRIES && k > 0;) {
        const char *b = memrchr(p, '[', k);
        if (b == NULL) {
            break;
        }
        k = (size_t)(b - p);
        if (k + 1 < e && (p[k + 1] == '[' || p[k + 1] == '(')) {
            if (list_at(p, e, k, out)) {
                return out->count;
            }
            t++;
        }
    }
    out->count = 0;
    return 0;
}
