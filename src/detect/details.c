/*
 * details.c - the values a database's error details write out: PostgreSQL's "Key
 * (reset_password_token)=(x9f...) already exists." of a unique or foreign key and "Failing
 * row contains (5, bob, x9f..., null)." of a NOT NULL or CHECK constraint, which its logs,
 * Rails' and Django's exceptions and every error tracker repeat. A key's values stand apart
 * from the names of their columns, a failing row's values have no names: no name detector
 * sees them, and a token in a unique column (Devise indexes its reset, confirmation and
 * unlock tokens so) went out raw with every collision.
 *
 * Key:  "(" COLUMNS ")=(" VALUES ")" - the '=' is the scan's candidate. COLUMNS is what
 *       PostgreSQL writes for an index's columns: names (quoted when they need it, \" in a
 *       JSON string's bytes) and expressions ("lower((email)::text)"), joined by ", "; it is
 *       read back from the ")" over its bytes ([A-Za-z0-9_$ ,.:"\\] and parentheses) to the
 *       "(" that opens it, at most KEY_COLUMNS_MAX bytes. When a word of it names a secret
 *       (lsc_secret_name), the match is every value, joined: PostgreSQL writes values as
 *       their text, unquoted, joined by ", " - a value of its own may hold ", " and ")", so
 *       one value cannot be told from the next. VALUES ends at the first ')' followed by
 *       what English messages say next (" already exists", " is not present", " is still
 *       referenced", " conflicts with"); failing that, at the text's last ')'; failing
 *       that, with the text (fail closed). No "Key" is asked for before it: translated
 *       messages say "Schlüssel", "Clé", "Llave".
 * Row:  "Failing row contains (" ROW ")." ending the text (a line break after it aside):
 *       the whole row is the match - which of its values were secrets the message does not
 *       say, and the line before it names the column that failed. Asked by the scan only
 *       of text that ends in ")." (lsc_detect_text_from's gate, as the list of pairs').
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

#define KEY_COLUMNS_MAX 4096 /* 32 columns of an index at most, 63-byte names, expressions */

/* A byte of an index's column list, as PostgreSQL writes it (parentheses aside). */
static bool column_list_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '_' || c == '$' || c == ',' || c == ' ' || c == '.' ||
           c == ':' || c == '"' || c == '\\';
}

/* Does a word of the column list p[s..e) (runs of [A-Za-z0-9_]) name a secret? */
static bool columns_name_a_secret(const char *p, size_t s, size_t e)
{
    size_t k = s;
    while (k < e) {
        while (k < e && !(lsc_is_alnum((unsigned char)p[k]) || p[k] == '_')) {
            k++;
        }
        size_t w = k;
        while (k < e && (lsc_is_alnum((unsigned char)p[k]) || p[k] == '_')) {
            k++;
        }
        if (lsc_secret_name(p + w, k - w)) { /* (an empty word is too short for one) */
            return true;
        }
    }
    return false;
}

/* What an English message says after a key's values. */
static bool after_values(const char *p, size_t n, size_t r)
{
    static const struct {
        const char *text;
        size_t len;
    } follow[] = {
        {" already exists", 15},
        {" is not present", 15},
        {" is still referenced", 20},
        {" conflicts with", 15},
    };
    for (size_t f = 0; f < sizeof follow / sizeof follow[0]; f++) {
        if (n - r > follow[f].len && memcmp(p + r + 1, follow[f].text, follow[f].len) == 0) {
            return true;
        }
    }
    return false;
}

/* (Not inlined: LTO would put it into the text scan's loop, which then outlines the key
 * detector's prefix gate - +1 % instructions on an access log.) */
__attribute__((noinline)) bool lsc_detect_key_values(const char *p, size_t n, size_t i,
                                                     struct lsc_match *m)
{
    /* The column list, back from its ')' at i - 1 to the '(' that opens it - also over a
     * match already found in it ("lower(api_key::text)": api_key's value ":text"): only
     * what follows i is matched. Each byte is read back from one '=' at most (the list
     * holds none). */
    if (n - i < 3 || p[i + 1] != '(') {
        return false;
    }
    size_t depth = 0, k = i - 1, open = SIZE_MAX;
    for (;;) {
        unsigned char c = (unsigned char)p[k];
        if (c == ')') {
            depth++;
        } else if (c == '(') {
            if (--depth == 0) {
                open = k;
                break;
            }
        } else if (!column_list_byte(c)) {
            return false;
        }
        if (k == 0 || i - k >= KEY_COLUMNS_MAX) {
            return false;
        }
        k--;
    }
    if (!columns_name_a_secret(p, open + 1, i - 1)) {
        return false;
    }
    /* The values: to the first ')' a message goes on after, or the last ')'. */
    size_t s = i + 2, e = lsc_without_line_break(p, n), last = SIZE_MAX;
    for (size_t r = s; r < e;) {
        const char *x = memchr(p + r, ')', e - r);
        if (x == NULL) {
            break;
        }
        last = (size_t)(x - p);
        if (after_values(p, e, last)) {
            break;
        }
        r = last + 1;
    }
    e = last != SIZE_MAX ? last : e;
    if (e <= s) {
        return false; /* "()=()": no value */
    }
    m->off = s;
    m->len = e - s;
    m->cls = LSC_CLASS_SECRET_PARAM;
    m->quote = false;
    return true;
}

__attribute__((noinline)) size_t lsc_detect_failing_row(const char *p, size_t n,
                                                        struct lsc_list_spans *out)
{
    static const char lead[] = "Failing row contains (";
    const size_t ll = sizeof lead - 1;
    size_t e = lsc_without_line_break(p, n);
    if (e < ll + 3 || p[e - 1] != '.' || p[e - 2] != ')') {
        return out->count;
    }
    const char *x = lsc_find_lit(p, p + e - 2, lead, ll);
    if (x != NULL && (size_t)(x - p) + ll < e - 2) {
        lsc_list_spans_add(out, (size_t)(x - p) + ll, e - 2);
    }
    return out->count;
}
