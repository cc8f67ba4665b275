/*
 * financial.c - payment card numbers (Luhn) and IBANs (ISO 13616 mod-97).
 *
 * Card grammar: 13-19 digits starting with 2-6 (the issuer ranges of Visa, Mastercard, Amex,
 * Discover, JCB, Diners and UnionPay; this excludes epoch-millisecond timestamps, which start
 * with 1), written solid or in groups separated by single spaces or dashes.
 * IBAN grammar: a country code from the ISO 13616 registry, two check digits, then upper-case
 * letters or digits up to that country's IBAN length, solid or in groups of four separated
 * by single spaces.
 * A space may also be written as a query string writes it, '+' ("4111+1111+1111+1111"; a
 * "%20" is decoded before the detectors see it, text.c).
 * A candidate counts only if its checksum holds. Grouped candidates are tried at every group
 * boundary, longest first, so a card followed by an unrelated number is still found.
 */
#include "detect.h"

#include "chars.h"

/* A digit's worth doubled, by its byte (0 for bytes that are no digit). */
static const unsigned char doubled[256] = {['0'] = 0, ['1'] = 2, ['2'] = 4, ['3'] = 6, ['4'] = 8,
                                           ['5'] = 1, ['6'] = 3, ['7'] = 5, ['8'] = 7, ['9'] = 9};

bool lsc_luhn_valid(const char *digits, size_t n)
{
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
#define IBAN_MAX 34  /* ISO 13616 allows 34 (lsc_iban_valid); the registry tops out at 33 */
#define GROUP_MAX 12 /* groups a candidate spans at most */

/* Does byte c separate two groups? A space or '+' (a space in a query string), and for cards
 * a dash. */
static inline bool separator(unsigned char c, bool iban)
{
    return c == ' ' || c == '+' || (!iban && c == '-');
}

/* A card is digits; an IBAN digits and upper-case letters. */
static inline bool group_char(unsigned char c, bool iban)
{
    return lsc_is_digit(c) || (iban && lsc_is_upper(c));
}

/*
 * Copies the IBAN characters (digits and upper-case letters) at p[i..n) to out, at most limit
 * of them, and returns how many it copied. With SSE2, 16 bytes at a time while 16 are left:
 * each load is stored whole, so out needs room for limit + 15 bytes.
 */
static inline size_t copy_iban_chars(const char *p, size_t n, size_t i, size_t limit, char *out)
{
    size_t k = 0;
#ifdef __SSE2__
    while (k < limit && n - (i + k) >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i + k));
        __m128i in = _mm_or_si128(lsc_in_range16(x, '0', 9), lsc_in_range16(x, 'A', 25));
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
    while (k < limit && i + k < n && group_char((unsigned char)p[i + k], true)) {
        out[k] = p[i + k];
        k++;
    }
    return k;
}

/*
 * A run: groups of card (or IBAN) characters, each but the first after one separator. A
 * candidate starts at a group and spans up to GROUP_MAX groups, so every start in a run sees
 * the same groups after it: the run is read once, from the first start the scan asks about,
 * and decides that start and the ones after it in turn. A line of "4111 4111 ..." costs a
 * read of its groups, not a read of five groups and a checksum at every one.
 */
#define RUN_GROUPS 32             /* groups read at most */
#define RUN_CHARS 160             /* characters read at most */
#define GROUP_LONG (IBAN_MAX + 1) /* a group this long is in no candidate */

/* The first start's candidates - at most GROUP_MAX groups and IBAN_MAX characters, and the
 * group after them - always fit: the start the scan asks about is always decided. */
_Static_assert(RUN_GROUPS > GROUP_MAX && RUN_CHARS >= IBAN_MAX + GROUP_LONG,
               "the first start's candidates fit the window");

struct run {
    const char *p;
    size_t n;
    bool iban;
    int groups;               /* groups read */
    bool last;                /* no candidate reaches past group groups - 1 */
    size_t start[RUN_GROUPS]; /* group g is p[start[g] .. end[g]) */
    size_t end[RUN_GROUPS];
    unsigned cum[RUN_GROUPS + 1]; /* characters before group g */
    char chars[RUN_CHARS + 16];   /* IBANs: the groups' characters, no separators (and
                                   * copy_iban_chars's room) */
    /* Cards: Luhn sums of the digits before group g - those at even positions of the run as
     * they are and those at odd ones doubled, and the other way round. A candidate's sum is
     * one difference of the two. */
    uint16_t even_plain[RUN_GROUPS + 1], odd_plain[RUN_GROUPS + 1];
};

/*
 * Reads the digits at p[s..n) for a card run and returns how many there are (GROUP_LONG for
 * that many or more). Adds their Luhn sums, the first digit being at position at of the
 * run's digits: to sums[0] those at even positions as they are and those at odd ones
 * doubled, to sums[1] the other way round. (A card's digits need no copy: the checksum of
 * a candidate is a difference of these sums.)
 */
static size_t digit_group(const char *p, size_t n, size_t s, unsigned at, unsigned sums[2])
{
    size_t k = 0;
#ifdef __SSE2__
    const __m128i lane = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i even = _mm_set1_epi16(0x00ff); /* lanes 0, 2, 4, ... */
    while (k < GROUP_LONG && n - (s + k) >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + s + k));
        unsigned stop = ~(unsigned)_mm_movemask_epi8(lsc_in_range16(x, '0', 9)) & 0xffffu;
        unsigned len = stop != 0 ? (unsigned)__builtin_ctz(stop) : 16;
        /* Digit values (0 past the group), doubled: 2v, less 9 from 5 up. */
        __m128i v = _mm_and_si128(_mm_sub_epi8(x, _mm_set1_epi8('0')),
                                  _mm_cmpgt_epi8(_mm_set1_epi8((char)len), lane));
        __m128i d =
            _mm_sub_epi8(_mm_add_epi8(v, v),
                         _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(4)), _mm_set1_epi8(9)));
        /* The lanes at even positions of the run. */
        __m128i ev = (at + k) % 2 == 0 ? even : _mm_xor_si128(even, _mm_set1_epi8(-1));
        __m128i s0 = _mm_sad_epu8(_mm_or_si128(_mm_and_si128(ev, v), _mm_andnot_si128(ev, d)),
                                  _mm_setzero_si128());
        __m128i s1 = _mm_sad_epu8(_mm_or_si128(_mm_and_si128(ev, d), _mm_andnot_si128(ev, v)),
                                  _mm_setzero_si128());
        sums[0] += (unsigned)(_mm_cvtsi128_si32(s0) + _mm_cvtsi128_si32(_mm_srli_si128(s0, 8)));
        sums[1] += (unsigned)(_mm_cvtsi128_si32(s1) + _mm_cvtsi128_si32(_mm_srli_si128(s1, 8)));
        k += len;
        if (stop != 0) {
            return k < GROUP_LONG ? k : GROUP_LONG;
        }
    }
    if (k >= GROUP_LONG) {
        return GROUP_LONG;
    }
#endif
    while (k < GROUP_LONG && s + k < n && lsc_is_digit((unsigned char)p[s + k])) {
        unsigned char c = (unsigned char)p[s + k];
        unsigned odd = (at + (unsigned)k) % 2;
        sums[odd] += (unsigned)(c - '0');
        sums[odd ^ 1] += doubled[c];
        k++;
    }
    return k;
}

/*
 * Reads the group after the last one read (the first at the run's start). False when there
 * is none to read: the run ended, or the window is full (then the caller decides nothing).
 */
static bool read_group(struct run *r)
{
    if (r->last || r->groups == RUN_GROUPS || r->cum[r->groups] + GROUP_LONG > RUN_CHARS) {
        return false;
    }
    int g = r->groups;
    size_t s = g == 0 ? r->start[0] : r->end[g - 1] + 1;
    unsigned c0 = r->cum[g];
    size_t k;
    if (r->iban) {
        k = copy_iban_chars(r->p, r->n, s, GROUP_LONG, r->chars + c0);
    } else {
        unsigned sums[2] = {0, 0};
        k = digit_group(r->p, r->n, s, c0, sums);
        r->even_plain[g + 1] = (uint16_t)(r->even_plain[g] + sums[0]);
        r->odd_plain[g + 1] = (uint16_t)(r->odd_plain[g] + sums[1]);
    }
    size_t e = s + k;
    r->start[g] = s;
    r->end[g] = e;
    r->cum[g + 1] = c0 + (unsigned)k;
    r->groups = g + 1;
    /* A long group ends every candidate that reaches it; its true end is not needed. */
    r->last = k == GROUP_LONG || !(e + 1 < r->n && separator((unsigned char)r->p[e], r->iban) &&
                                   group_char((unsigned char)r->p[e + 1], r->iban));
    return true;
}

/* Is group k read? Reads up to it; false when it is not there to read. */
static inline bool have_group(struct run *r, int k)
{
    while (k >= r->groups) {
        if (!read_group(r)) {
            return false;
        }
    }
    return true;
}

/* Does the Luhn checksum hold for the digits of groups j..k? */
static bool run_luhn(const struct run *r, int j, int k)
{
    /* The rightmost digit counts as it is, and every second one from it too. */
    const uint16_t *sum = (r->cum[k + 1] - 1) % 2 == 0 ? r->even_plain : r->odd_plain;
    return (unsigned)(sum[k + 1] - sum[j]) % 10 == 0;
}

/* The byte after a candidate must not continue it. */
static bool right_boundary(const char *p, size_t n, size_t e)
{
    return e >= n || !lsc_is_alnum((unsigned char)p[e]);
}

enum verdict { NONE, FOUND, UNKNOWN };

/*
 * Is there a card at group j? Every card layout starts with a group of at least four
 * digits; the longest candidate whose checksum holds is the card.
 */
static enum verdict card_at(struct run *r, int j, size_t *len)
{
    const char *p = r->p;
    size_t s = r->start[j];
    if (p[s] < '2' || p[s] > '6' || r->n - s < 13 || r->end[j] - s < 4) {
        return NONE;
    }
    enum verdict v = NONE;
    for (int k = j; k < j + GROUP_MAX; k++) {
        if (!have_group(r, k)) {
            if (r->last) {
                break;
            }
            return UNKNOWN; /* a longer candidate may hold */
        }
        unsigned cnt = r->cum[k + 1] - r->cum[j];
        if (cnt > CARD_MAX) {
            break;
        }
        if (cnt >= 13 && right_boundary(p, r->n, r->end[k]) && run_luhn(r, j, k)) {
            v = FOUND;
            *len = r->end[k] - s;
        }
    }
    return v;
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

/* cc: two upper-case letters. */
static size_t iban_length(const char *cc)
{
    return length_by_cc[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
}

/* Is there an IBAN at group j? The candidate is the groups whose characters make up exactly
 * the country's IBAN length. */
static enum verdict iban_at(struct run *r, int j, size_t *len)
{
    const char *p = r->p;
    size_t s = r->start[j];
    if (r->n - s < 15 || !lsc_is_upper((unsigned char)p[s]) ||
        !lsc_is_upper((unsigned char)p[s + 1]) || !lsc_is_digit((unsigned char)p[s + 2]) ||
        !lsc_is_digit((unsigned char)p[s + 3])) {
        return NONE;
    }
    size_t want = iban_length(p + s);
    if (want == 0) {
        return NONE;
    }
    for (int k = j; k < j + GROUP_MAX; k++) {
        if (!have_group(r, k)) {
            return r->last ? NONE : UNKNOWN;
        }
        unsigned cnt = r->cum[k + 1] - r->cum[j];
        if (cnt > want) {
            return NONE;
        }
        if (cnt == want) {
            if (!right_boundary(p, r->n, r->end[k]) ||
                !lsc_iban_valid(r->chars + r->cum[j], want)) {
                return NONE;
            }
            *len = r->end[k] - s;
            return FOUND;
        }
    }
    return NONE;
}

/*
 * Decides the start i, then the group starts after it in the same run, until one holds a
 * candidate or cannot be decided from the window: *fail_until is set to that start - or,
 * when every group read holds none, to the end of the last one read (the window is full) or
 * the start of the run's last group (the run ended; what follows it may begin something
 * else) - and no start in the run before it holds one.
 */
static bool detect_run(const char *p, size_t n, size_t i, bool iban, struct lsc_match *m,
                       size_t *fail_until)
{
    struct run r;
    r.p = p;
    r.n = n;
    r.iban = iban;
    r.groups = 0;
    r.last = false;
    r.start[0] = i;
    r.cum[0] = 0;
    r.even_plain[0] = r.odd_plain[0] = 0; /* (cards) */
    for (int j = 0;; j++) {
        if (!have_group(&r, j)) {
            /* Every group read was decided and holds none (no start lies inside one). Up to
             * the last group of a run that ended, every byte is a group's character or a
             * separator followed by one (see lsc_detect_card). */
            *fail_until = r.last ? r.start[r.groups - 1] : r.end[r.groups - 1];
            return false;
        }
        size_t len = 0;
        enum verdict v = iban ? iban_at(&r, j, &len) : card_at(&r, j, &len);
        if (v == NONE) {
            continue;
        }
        /* (The start i is always decided: see the _Static_assert above.) */
        if (v == FOUND && j == 0) {
            m->off = i;
            m->len = len;
            m->cls = iban ? LSC_CLASS_IBAN : LSC_CLASS_CARD;
            return true;
        }
        *fail_until = r.start[j];
        return false;
    }
}

bool lsc_detect_card(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until)
{
    /* Most digit words are no card - a byte count, a port, a date: turned away before the
     * run is read, when the first group is shorter than four digits, or when the run holds
     * fewer than 13 digits from here (every candidate from here or from a later group of
     * the run is some of those). */
    if (p[i] < '2' || p[i] > '6' || n - i < 13 || !lsc_is_digit((unsigned char)p[i + 1]) ||
        !lsc_is_digit((unsigned char)p[i + 2]) || !lsc_is_digit((unsigned char)p[i + 3])) {
        return false;
    }
    size_t digits = 4, k = i + 4;
    for (;;) {
        while (digits < 13 && k < n && lsc_is_digit((unsigned char)p[k])) {
            digits++;
            k++;
        }
        if (digits == 13) {
            break;
        }
        if (!(k + 1 < n && separator((unsigned char)p[k], false) &&
              lsc_is_digit((unsigned char)p[k + 1]))) {
            return false;
        }
        k++;
    }
    return detect_run(p, n, i, false, m, fail_until);
}

bool lsc_detect_iban(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until)
{
    if (n - i < 15 || !lsc_is_upper((unsigned char)p[i]) ||
        !lsc_is_upper((unsigned char)p[i + 1]) || !lsc_is_digit((unsigned char)p[i + 2]) ||
        !lsc_is_digit((unsigned char)p[i + 3]) || iban_length(p + i) == 0) {
        return false;
    }
    return detect_run(p, n, i, true, m, fail_until);
}
