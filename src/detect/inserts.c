/*
 * inserts.c - the secret values of an SQL INSERT that names its columns and writes its values
 * inline, as MySQL's general log and slow log, PHP's emulated prepares and Rails with mysql2
 * show them: `INSERT INTO users (email, api_key) VALUES ('a@b.co', 'k3y9...')`. The name of
 * a value stands in the column list, not before it, so no name's detector sees these; the
 * values in the places of columns whose name names a secret (lsc_secret_name: password,
 * api_key, reset_password_token, ...) are found here.
 *
 * Grammar (case-insensitive keyword; BL is 0-4 blanks: ' ', '\t', '\r', '\n'):
 *   INSERT = "(" COLS ")" BL ("VALUES" | "VALUE") BL TUPLE (BL "," BL TUPLE)*
 *   COLS   = BL NAME BL ("," BL NAME BL)*      (at most LSC_INSERT_COLUMNS)
 *   NAME   = "`" ... "`" | '"' ... '"' | "[" ... "]" | bare bytes of [A-Za-z0-9_$] (1-64)
 *            (in a JSON string's bytes '"' is written \")
 *   TUPLE  = "(" VALUE ("," VALUE)* ")"
 *   VALUE  = bytes up to a ',' or ')' outside quotes and parentheses; a string is '...' or
 *            "..." with '' for a quote, and a backslash escaping the byte after it (MySQL)
 *            - or, when that reading does not close every tuple, without (standard SQL)
 * A secret column's value is its string without the quotes when it is one string (with a
 * prefix of letters, digits and '_': _binary'..', N'..', E'..'), else the whole value
 * (PASSWORD('x'), crypt('x', gen_salt('bf')), 1234) - but not NULL, DEFAULT, TRUE, FALSE, ''
 * or a placeholder (?, $1, %s, :name). Text that ends inside a tuple (a string left open:
 * "VALUES ('bob', 'pa);") fails closed: from the value it ends in to the end is a secret
 * when that column or one after it is.
 *
 * The scan asks only for text whose last byte, a line break aside, is ')' or ';'
 * (lsc_detect_text_from): no byte of the attention mask stands for these statements, which
 * would cost every window a test. A statement with text after its values ("RETURNING id"
 * with no ';') is not read; Rails' binds after it are lists.c's.
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

#define BLANKS_MAX 4
#define NAME_MAX_BYTES 64

enum read { READ_DONE, READ_CUT };

/* Where a reading began in out: its count, and the last span's length (a reading past the
 * last span lengthens it). */
struct mark {
    size_t count, last_len;
};

static struct mark mark_of(const struct lsc_list_spans *out)
{
    return (struct mark){out->count, out->count > 0 ? out->len[out->count - 1] : 0};
}

static void roll_back(struct lsc_list_spans *out, struct mark m)
{
    out->count = m.count;
    if (m.count > 0) {
        out->len[m.count - 1] = m.last_len;
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Up to BLANKS_MAX blanks from j: where they end. */
static size_t skip_blanks(const char *p, size_t e, size_t j)
{
    size_t k = j;
    while (k < e && k - j < BLANKS_MAX && is_blank(p[k])) {
        k++;
    }
    return k;
}

static bool is_name_byte(char c)
{
    return lsc_is_alnum((unsigned char)c) || c == '_' || c == '$';
}

/* The keyword VALUES or VALUE at j, any case: the offset after it, or 0. */
static size_t keyword_end(const char *p, size_t e, size_t j)
{
    if (e - j < 5 || !lsc_ieq(p + j, "value", 5)) {
        return 0;
    }
    size_t k = j + 5 + (j + 5 < e && lsc_lower((unsigned char)p[j + 5]) == 's');
    return k < e && is_name_byte(p[k]) ? 0 : k;
}

/* The column list whose ')' is at close: a secret column's bit set in secret, the count of
 * columns in *cols. False when what stands before ')' is no column list. */
static bool read_columns(const char *p, size_t close, uint64_t *secret, size_t *cols)
{
    const char *open = memrchr(p, '(', close);
    if (open == NULL) {
        return false;
    }
    size_t k = (size_t)(open - p) + 1, count = 0;
    for (;;) {
        k = skip_blanks(p, close, k);
        size_t s = k, t;
        if (k + 1 < close && p[k] == '\\' && p[k + 1] == '"') {
            /* (in a JSON string's bytes a double quote is written \") */
            s = k += 2;
            while (k < close && k - s <= NAME_MAX_BYTES && p[k] != '\\' && p[k] != '"') {
                k++;
            }
            if (k + 1 >= close || p[k] != '\\' || p[k + 1] != '"') {
                return false;
            }
            t = k;
            k += 2;
        } else if (k < close && (p[k] == '`' || p[k] == '"' || p[k] == '[')) {
            char q = p[k] == '[' ? ']' : p[k];
            s = ++k;
            while (k < close && k - s <= NAME_MAX_BYTES && p[k] != q) {
                k++;
            }
            if (k >= close || p[k] != q) {
                return false;
            }
            t = k++;
        } else {
            while (k < close && k - s <= NAME_MAX_BYTES && is_name_byte(p[k])) {
                k++;
            }
            t = k;
        }
        if (t == s || t - s > NAME_MAX_BYTES || count == LSC_INSERT_COLUMNS) {
            return false;
        }
        if (count % 64 == 0) {
            secret[count / 64] = 0;
        }
        if (lsc_secret_name(p + s, t - s)) {
            secret[count / 64] |= (uint64_t)1 << (count % 64);
        }
        count++;
        k = skip_blanks(p, close, k);
        if (k == close) {
            *cols = count;
            return true;
        }
        if (p[k] != ',') {
            return false;
        }
        k++;
    }
}

/* Is column c, or one after it, a secret? */
static bool secret_from(const uint64_t *secret, size_t cols, size_t c)
{
    for (; c < cols; c++) {
        if (secret[c / 64] & ((uint64_t)1 << (c % 64))) {
            return true;
        }
    }
    return false;
}

/* Is p[0..n) the lower-case word, in any case? */
static bool same_word(const char *p, size_t n, const char *word)
{
    return n == strlen(word) && lsc_ieq(p, word, n);
}

/* A value that holds nothing to hide: NULL, DEFAULT, TRUE, FALSE or a placeholder. */
static bool no_secret(const char *p, size_t n)
{
    if (same_word(p, n, "null") || same_word(p, n, "default") || same_word(p, n, "true") ||
        same_word(p, n, "false") || (n == 1 && p[0] == '?') ||
        (n == 2 && memcmp(p, "%s", 2) == 0)) {
        return true;
    }
    if (n >= 2 && n <= 4 && p[0] == '$') {
        size_t k = 1;
        while (k < n && lsc_is_digit((unsigned char)p[k])) {
            k++;
        }
        return k == n;
    }
    if (n >= 2 && p[0] == ':' && lsc_is_alpha((unsigned char)p[1])) {
        size_t k = 1;
        while (k < n && is_name_byte(p[k])) {
            k++;
        }
        return k == n;
    }
    return false;
}

/* Is p[k..t) one string, quoted with p[k] and closed at t - 1? */
static bool one_string(const char *p, size_t k, size_t t)
{
    char q = p[k];
    for (size_t j = k + 1; j < t; j++) {
        if (p[j] == '\\') {
            j++;
        } else if (p[j] == q) {
            if (j + 1 == t) {
                return true;
            }
            if (p[j + 1] != q) {
                return false;
            }
            j++;
        }
    }
    return false;
}

/* The secret value p[s..t) (blanks trimmed): its span, if it holds anything. One string,
 * after a prefix or none, is taken without its quotes. */
static void add_value(const char *p, size_t s, size_t t, struct lsc_list_spans *out)
{
    if (t == s || no_secret(p + s, t - s)) {
        return;
    }
    size_t k = s;
    while (k < t && (lsc_is_alnum((unsigned char)p[k]) || p[k] == '_' || p[k] == ' ')) {
        k++;
    }
    if (k + 1 < t && (p[k] == '\'' || p[k] == '"') && one_string(p, k, t)) {
        if (t - 1 > k + 1) {
            lsc_list_spans_add(out, k + 1, t - 1);
        }
        return;
    }
    lsc_list_spans_add(out, s, t);
}

/* The tuples from j (p[j] the first '('), read with or without backslash escapes: their
 * secret values go to out, and *end is where they end (READ_DONE). */
static enum read read_tuples(const char *p, size_t e, size_t j, const uint64_t *secret, size_t cols,
                             bool backslash, struct lsc_list_spans *out, size_t *end)
{
    size_t k = j;
    for (;;) {
        k++; /* past the tuple's '(' */
        size_t c = 0;
        for (;;) {
            k = skip_blanks(p, e, k);
            size_t s = k, last = k;
            int depth = 0;
            char q = 0;
            for (; k < e; k++) {
                char b = p[k];
                if (q != 0) {
                    if (b == '\\' && backslash) {
                        k++;
                    } else if (b == q) { /* ('' closes and opens: the same to this reading) */
                        q = 0;
                        last = k + 1;
                    }
                } else if (b == '\'' || b == '"') {
                    q = b;
                } else if (b == '(') {
                    depth++;
                } else if (b == ')' && depth > 0) {
                    depth--;
                    last = k + 1;
                } else if (b == ',' && depth > 0) {
                    last = k + 1;
                } else if (b == ',' || b == ')') {
                    break;
                } else if (!is_blank(b)) {
                    last = k + 1;
                }
            }
            bool is_secret = c < cols && (secret[c / 64] & ((uint64_t)1 << (c % 64)));
            if (k >= e) {
                /* The text ends inside the tuple: fail closed. */
                if (secret_from(secret, cols, c)) {
                    lsc_list_spans_add(out, s, e);
                }
                return READ_CUT;
            }
            if (is_secret) {
                add_value(p, s, last, out);
            }
            c++;
            if (p[k++] == ')') {
                break;
            }
        }
        size_t after = k;
        k = skip_blanks(p, e, k);
        if (k < e && p[k] == ',') {
            k = skip_blanks(p, e, k + 1);
            if (k < e && p[k] == '(') {
                continue;
            }
        }
        *end = after;
        return READ_DONE;
    }
}

__attribute__((noinline)) size_t lsc_detect_insert_values(const char *p, size_t n,
                                                          struct lsc_list_spans *out)
{
    size_t e = lsc_without_line_break(p, n);
    out->count = 0;
    if (e < 16 || (p[e - 1] != ')' && p[e - 1] != ';')) {
        return 0;
    }
    uint64_t secret[LSC_INSERT_COLUMNS / 64];
    bool backslash = true;
    size_t k = 0;
    while (k + 1 < e) {
        /* A ')' and the keyword after it: memchr to the next ')' (a syslog line's "(uid=0)"
         * costs a call, not a test a byte), then a byte's test a ')' while they follow each
         * other (a line of ')' costs no call a byte). */
        if (p[k] != ')') {
            const char *c = memchr(p + k, ')', e - k - 1);
            if (c == NULL) {
                break;
            }
            k = (size_t)(c - p);
        }
        size_t close = k++;
        if ((p[k] | 0x20) != 'v' && !is_blank(p[k])) {
            continue;
        }
        size_t w = keyword_end(p, e, skip_blanks(p, e, k));
        size_t cols;
        if (w == 0 || (w = skip_blanks(p, e, w)) >= e || p[w] != '(' ||
            !read_columns(p, close, secret, &cols) || !secret_from(secret, cols, 0)) {
            continue;
        }
        struct mark m = mark_of(out);
        size_t end = 0;
        enum read how = READ_CUT;
        if (backslash) {
            how = read_tuples(p, e, w, secret, cols, true, out, &end);
        }
        if (how != READ_DONE) {
            /* Backslashes read as escapes ran the text out: read as standard SQL, and when
             * that closes the tuples, so from here on. Else the first reading stands (read
             * again: the text ends in it). Each byte is read at most four times. */
            roll_back(out, m);
            how = read_tuples(p, e, w, secret, cols, false, out, &end);
            if (how == READ_DONE) {
                backslash = false;
            } else if (backslash) {
                roll_back(out, m);
                read_tuples(p, e, w, secret, cols, true, out, &end);
            }
        }
        if (how != READ_DONE) {
            break;
        }
        k = end;
    }
    return out->count;
}
