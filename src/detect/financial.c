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

bool lsc_luhn_valid(const char *digits, size_t n)
{
    /* A digit's worth doubled, by its byte (0 for bytes that are no digit). */
    static const unsigned char doubled[256] = {
        ['0'] = 0, ['1'] = 2, ['2'] = 4, ['3'] = 6, ['4'] = 8,
        ['5'] = 1, ['6'] = 3, ['7'] = 5, ['8'] = 7, ['9'] = 9};
    unsigned sum = 0;
    size_t i = n;
    while (i >= 2) { /* from the right: a digit as it is, then one doubled */
        sum += (unsigned)(digits[i - 1] - '0') + doubled[(unsigned char)digits[i - 2]];
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
 * Copies the run of group characters at p[i..n) to out, at most limit of them, and returns
 * how many it copied. With SSE2, 16 bytes at a time while 16 are left: each load is stored
 * whole, so out needs room for limit + 15 bytes.
 */
static inline size_t copy_run(const char *p, size_t n, size_t i, bool iban, size_t limit, char *out)
{
    size_t k = 0;
#ifdef __SSE2__
    while (k < limit && n - (i + k) >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i + k));
        __m128i in = lsc_in_range16(x, '0', 9);
        if (iban) {
            in = _mm_or_si128(in, lsc_in_range16(x, 'A', 25));
        }
        _mm_storeu_si128((__m128i *)(void *)(out + k), x);
        unsigned stop = ~(unsigned)_mm_movemask_epi8(in) & 0xffffu;
        if (stop != 0) {
            k += (size_t)__builtin_ctz(stop);
            return k < limit ? k : limit;
        }
        k += 16;
    }
    if (k >= limit) {
        return limit;
    }
#endif
    while (k < limit && i + k < n && group_char((unsigned char)p[i + k], iban)) {
        out[k] = p[i + k];
        k++;
    }
    return k;
}

/* Room compact[] needs for collect(..., max, ...). */
#define COMPACT_ROOM(max) ((max) + 16)

/*
 * Collects groups of card (or, with iban, IBAN) characters starting at i, separated by one
 * of seps. Stops at the first byte that is neither, or when total exceeds max. Fills
 * compact[], which has COMPACT_ROOM(max) bytes.
 */
static inline __attribute__((always_inline)) void collect(const char *p, size_t n, size_t i,
                                                          bool iban, const char *seps, size_t max,
                                                          char *compact, struct groups *g)
{
    size_t total = 0;
    g->n = 0;
    while (i < n && g->n < GROUP_MAX) {
        size_t k = copy_run(p, n, i, iban, max + 1 - total, compact + total);
        if (k == 0) {
            break;
        }
        i += k;
        total += k;
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
    char digits[COMPACT_ROOM(CARD_MAX)];
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

/* IBAN length by country (ISO 13616 registry), indexed by the two upper-case letters of the
 * country code; 0 for a code with no IBAN. */
#define CC(a, b, len) [((a) - 'A') * 26 + ((b) - 'A')] = (len)
static const unsigned char length_by_cc[26 * 26] = {
    CC('A', 'D', 24), CC('A', 'E', 23), CC('A', 'L', 28), CC('A', 'T', 20), CC('A', 'Z', 28),
    CC('B', 'A', 20), CC('B', 'E', 16), CC('B', 'G', 22), CC('B', 'H', 22), CC('B', 'I', 27),
    CC('B', 'R', 29), CC('B', 'Y', 28), CC('C', 'H', 21), CC('C', 'R', 22), CC('C', 'Y', 28),
    CC('C', 'Z', 24), CC('D', 'E', 22), CC('D', 'J', 27), CC('D', 'K', 18), CC('D', 'O', 28),
    CC('E', 'E', 20), CC('E', 'G', 29), CC('E', 'S', 24), CC('F', 'I', 18), CC('F', 'K', 18),
    CC('F', 'O', 18), CC('F', 'R', 27), CC('G', 'B', 22), CC('G', 'E', 22), CC('G', 'I', 23),
    CC('G', 'L', 18), CC('G', 'R', 27), CC('G', 'T', 28), CC('H', 'R', 21), CC('H', 'U', 28),
    CC('I', 'E', 22), CC('I', 'L', 23), CC('I', 'Q', 23), CC('I', 'S', 26), CC('I', 'T', 27),
    CC('J', 'O', 30), CC('K', 'W', 30), CC('K', 'Z', 20), CC('L', 'B', 28), CC('L', 'C', 32),
    CC('L', 'I', 21), CC('L', 'T', 20), CC('L', 'U', 20), CC('L', 'V', 21), CC('L', 'Y', 25),
    CC('M', 'C', 27), CC('M', 'D', 24), CC('M', 'E', 22), CC('M', 'K', 19), CC('M', 'N', 20),
    CC('M', 'R', 27), CC('M', 'T', 31), CC('M', 'U', 30), CC('N', 'I', 28), CC('N', 'L', 18),
    CC('N', 'O', 15), CC('O', 'M', 23), CC('P', 'K', 24), CC('P', 'L', 28), CC('P', 'S', 29),
    CC('P', 'T', 25), CC('Q', 'A', 29), CC('R', 'O', 24), CC('R', 'S', 22), CC('R', 'U', 33),
    CC('S', 'A', 24), CC('S', 'C', 31), CC('S', 'D', 18), CC('S', 'E', 24), CC('S', 'I', 19),
    CC('S', 'K', 24), CC('S', 'M', 27), CC('S', 'O', 23), CC('S', 'T', 25), CC('S', 'V', 28),
    CC('T', 'L', 23), CC('T', 'N', 24), CC('T', 'R', 26), CC('U', 'A', 29), CC('V', 'A', 22),
    CC('V', 'G', 24), CC('X', 'K', 20),
};
#undef CC
#define IBAN_MAX 34 /* ISO 13616 allows 34 (lsc_iban_valid); the registry tops out at 33 */

/* cc: two upper-case letters. */
static size_t iban_length(const char *cc)
{
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
    char compact[COMPACT_ROOM(IBAN_MAX)];
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
