/*
 * financial.c - payment card numbers (Luhn) and IBANs (ISO 13616 mod-97).
 *
 * Card grammar: 13-19 digits starting with 2-6 (the issuer ranges of Visa, Mastercard, Amex,
 * Discover, JCB, Diners and UnionPay; this excludes epoch-millisecond timestamps, which start
 * with 1), written solid or in groups separated by single spaces or dashes.
 * IBAN grammar: a country code from the ISO 13616 registry, two check digits, then upper-case
 * letters or digits up to that country's IBAN length, solid or in groups of four separated
 * by single spaces.
 * A candidate counts only if its checksum holds. Grouped candidates are tried at every group
 * boundary, longest first, so a card followed by an unrelated number is still found.
 */
#include "detect.h"

#include "chars.h"

#include <pthread.h>

bool lsc_luhn_valid(const char *digits, size_t n)
{
    static const unsigned char doubled[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    unsigned sum = 0;
    size_t i = n;
    while (i >= 2) { /* from the right: a digit as it is, then one doubled */
        sum += (unsigned)(digits[i - 1] - '0') + doubled[(unsigned)(digits[i - 2] - '0') % 10];
        i -= 2;
    }
    if (i == 1) {
        sum += (unsigned)(digits[0] - '0');
    }
    return n > 0 && sum % 10 == 0;
}

bool lsc_iban_valid(const char *iban, size_t n)
{
    if (n < 15 || n > 34) {
        return false;
    }
    unsigned rem = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)iban[(k + 4) % n]; /* country+check moved to the end */
        if (lsc_is_digit(c)) {
            rem = (rem * 10 + (c - '0')) % 97;
        } else if (lsc_is_upper(c)) {
            unsigned v = c - 'A' + 10;
            rem = (rem * 100 + v) % 97;
        } else {
            return false;
        }
    }
    return rem == 1;
}

#define CARD_MAX 19
#define GROUP_MAX 12

/* Group ends (exclusive offsets into p) and compact character counts at each. */
struct groups {
    size_t end[GROUP_MAX];
    size_t count[GROUP_MAX];
    int n;
};

/* A card is digits; an IBAN digits and upper-case letters. */
static inline bool group_char(unsigned char c, bool iban)
{
    return lsc_is_digit(c) || (iban && lsc_is_upper(c));
}

/*
 * Collects groups of card (or, with iban, IBAN) characters starting at i, separated by one
 * of seps. Stops at the first byte that is neither, or when total exceeds max. Fills
 * compact[].
 */
static inline void collect(const char *p, size_t n, size_t i, bool iban, const char *seps,
                           size_t max, char *compact, struct groups *g)
{
    size_t total = 0;
    g->n = 0;
    while (i < n && g->n < GROUP_MAX) {
        size_t start = i;
        while (i < n && group_char((unsigned char)p[i], iban) && total < max + 1) {
            compact[total++] = p[i++];
        }
        if (i == start) {
            break;
        }
        g->end[g->n] = i;
        g->count[g->n] = total;
        g->n++;
        if (total > max) {
            break;
        }
        if (i + 1 < n && (p[i] == seps[0] || p[i] == seps[1]) &&
            group_char((unsigned char)p[i + 1], iban)) {
            i++;
            continue;
        }
        break;
    }
}

/* The byte after a candidate must not continue it. */
static bool right_boundary(const char *p, size_t n, size_t e)
{
    return e >= n || !lsc_is_alnum((unsigned char)p[e]);
}

bool lsc_detect_card(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    /* Every card layout starts with a group of at least four digits. */
    if (p[i] < '2' || p[i] > '6' || n - i < 13 || !lsc_is_digit((unsigned char)p[i + 1]) ||
        !lsc_is_digit((unsigned char)p[i + 2]) || !lsc_is_digit((unsigned char)p[i + 3])) {
        return false;
    }
    /* A number shorter than 13 digits that no separator continues (a byte count, a
     * port) is none: rejected before the digits are collected. */
    size_t run = 4;
    while (run < 13 && i + run < n && lsc_is_digit((unsigned char)p[i + run])) {
        run++;
    }
    if (run < 13 && !(i + run + 1 < n && (p[i + run] == ' ' || p[i + run] == '-') &&
                      lsc_is_digit((unsigned char)p[i + run + 1]))) {
        return false;
    }
    char digits[CARD_MAX + 2];
    struct groups g;
    collect(p, n, i, false, " -", CARD_MAX, digits, &g);
    for (int k = g.n - 1; k >= 0; k--) {
        size_t cnt = g.count[k];
        if (cnt < 13 || cnt > CARD_MAX) {
            continue;
        }
        if (!right_boundary(p, n, g.end[k]) && k == g.n - 1) {
            continue;
        }
        if (lsc_luhn_valid(digits, cnt)) {
            m->off = i;
            m->len = g.end[k] - i;
            m->cls = LSC_CLASS_CARD;
            return true;
        }
    }
    return false;
}

/* IBAN length by country (ISO 13616 registry). */
static const struct {
    char cc[3];
    unsigned char len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

/* The registry as a table by country code, built from the list at the first use. */
static unsigned char length_by_cc[26 * 26];
static pthread_once_t lengths_once = PTHREAD_ONCE_INIT;

static void build_lengths(void)
{
    for (size_t k = 0; k < sizeof iban_lengths / sizeof iban_lengths[0]; k++) {
        length_by_cc[(iban_lengths[k].cc[0] - 'A') * 26 + (iban_lengths[k].cc[1] - 'A')] =
            iban_lengths[k].len;
    }
}

/* cc: two upper-case letters. 0 for a code with no IBAN. */
static size_t iban_length(const char *cc)
{
    pthread_once(&lengths_once, build_lengths);
    return length_by_cc[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
}

bool lsc_detect_iban(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 15 || !lsc_is_upper((unsigned char)p[i]) ||
        !lsc_is_upper((unsigned char)p[i + 1]) || !lsc_is_digit((unsigned char)p[i + 2]) ||
        !lsc_is_digit((unsigned char)p[i + 3])) {
        return false;
    }
    size_t want = iban_length(p + i);
    if (want == 0) {
        return false;
    }
    char compact[34 + 2];
    struct groups g;
    collect(p, n, i, true, "  ", want, compact, &g);
    for (int k = 0; k < g.n; k++) {
        if (g.count[k] != want) {
            continue;
        }
        if (k == g.n - 1 && !right_boundary(p, n, g.end[k])) {
            return false;
        }
        if (!lsc_iban_valid(compact, want)) {
            return false;
        }
        m->off = i;
        m->len = g.end[k] - i;
        m->cls = LSC_CLASS_IBAN;
        return true;
    }
    return false;
}
