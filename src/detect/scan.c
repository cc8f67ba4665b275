/*
 * scan.c - the candidate mask of scan.h: scalar, SSE2, AVX2 and AVX-512, picked at run time.
 *
 * The vector versions sort each byte of a 64-byte window into classes (digit, letter,
 * upper case, '.', '-', ' ' or '+', the trigger bytes, the first and second letters of key
 * prefixes) as one 64-bit mask per class, 16, 32 or 64 lanes at a time; candidates() then
 * combines the masks with shifts, so "three times 1-3 digits and a '.'" costs a few
 * instructions for all 64 positions at once. The scalar version tests each position byte by
 * byte - the reference the other two are tested against, written separately on purpose.
 *
 * The window is the 64 bytes from i, or, when fewer than 64 are left, the last 64 bytes of
 * the input (read at n - 64 and shifted); only an input shorter than 64 bytes is copied
 * into a padded buffer (' ' as padding, which no detector accepts). So no version reads
 * outside p[i - 2 .. n). Bytes past the window's end are not looked at: a condition on
 * them counts as met, which can only mark more positions, never fewer - unless the window
 * ends where the input does, since no value reaches past the input.
 */
#include "scan.h"

#include "detect.h"

#include "chars.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LSC_X86 1
#endif

/* Bytes that start a detector by themselves: '@' e-mail, '=' and ':' secrets and IPv6,
 * '%' encoded "@" and "=" (and any "%HH": a stretch scanned decoded, text.c), '&' a
 * character reference ("&quot;", "&#39;": a stretch too), '$' a password's hash (hashes.c).
 * ('-' starts a PEM block only as "-----", a flag as a word's '-' and a letter
 * ("--password", "-storepass", "-p"); '\\' a stretch and '<' an XML element only before a
 * letter: "\xHH", "\n", "<password>".) */
static const char triggers[] = "@=:%&$";
/* First and second bytes of the key prefixes (tokens.c), "eyJ" (JWT), Bearer/Basic and the
 * SQL words before a password or its hash (BY, PASSWORD, AS). */
static const char first_set[] = "ABEPSbdeghklnoprstwxy";
static const char second_set[] = "abcefhiklopqsuvyABCEGIKMNPRSTY";

/* ---- the reference: each position by itself ---- */

/* The byte at offset k from i as the scan sees it: ' ' past the end of the input. */
static unsigned char byte_at(const char *p, size_t n, size_t i, size_t k)
{
    return i + k < n ? (unsigned char)p[i + k] : ' ';
}

/* Where the window of a mask from i ends (see the top of this file). */
static size_t window_end(size_t n, size_t i)
{
    return n - i >= 64 || n < 64 ? i + 64 : n;
}

/* Is byte k ahead in class cls? Bytes past the window are not looked at: always true. */
enum cls { DIGIT, ALPHA, UPPER, DOT, DASH, SEP, SECOND };

static bool ahead(const char *p, size_t n, size_t i, size_t k, enum cls cls)
{
    if (i + k >= window_end(n, i)) {
        return window_end(n, i) < n; /* (past the input's end nothing is met) */
    }
    unsigned char c = byte_at(p, n, i, k);
    switch (cls) {
    case DIGIT:
        return lsc_is_digit(c);
    case ALPHA:
        return lsc_is_alpha(c);
    case UPPER:
        return lsc_is_upper(c);
    case DOT:
        return c == '.';
    case DASH:
        return c == '-';
    case SEP:
        return c == ' ' || c == '+' || c == '-';
    default:
        return c != 0 && strchr(second_set, c) != NULL;
    }
}

/* `count` times 1-3 digits then '.', from offset k. */
static bool octets_dot(const char *p, size_t n, size_t i, size_t k, int count)
{
    if (count == 0) {
        return true;
    }
    for (size_t len = 1; len <= 3; len++) {
        bool digits = true;
        for (size_t j = 0; j < len; j++) {
            digits = digits && ahead(p, n, i, k + j, DIGIT);
        }
        if (digits && ahead(p, n, i, k + len, DOT) && octets_dot(p, n, i, k + len + 1, count - 1)) {
            return true;
        }
    }
    return false;
}

/*
 * After the j digits of a word's start (j >= 4, at offset k from the window's), do a card's
 * digits go on - a separator and a digit, or a digit and the same again? lsc_detect_card
 * reads on so until it has 13 digits; this reads its first two steps (to j = CARD_STEPS),
 * so that an access log's byte count ("18796 ") is no candidate. (A third step took more
 * instructions than it saved, on the real Apache log and on generated nginx lines.)
 */
#define CARD_STEPS 6
static bool card_goes_on(const char *p, size_t n, size_t i, size_t k, int j)
{
    if (ahead(p, n, i, k, SEP) && ahead(p, n, i, k + 1, DIGIT)) {
        return true;
    }
    return ahead(p, n, i, k, DIGIT) && (j + 1 == CARD_STEPS || card_goes_on(p, n, i, k + 1, j + 1));
}

static bool candidate(const char *p, size_t n, size_t i, size_t k)
{
    size_t at = i + k;
    unsigned char c = (unsigned char)p[at];
    unsigned char b1 = at >= 1 ? (unsigned char)p[at - 1] : ' ';
    unsigned char b2 = at >= 2 ? (unsigned char)p[at - 2] : ' ';
    if (c != 0 && strchr(triggers, c) != NULL) {
        return true;
    }
    if (c == '\\' || c == '<') { /* an escape a stretch decodes ("\\xHH"), an element */
        return ahead(p, n, i, k + 1, ALPHA);
    }
    if (c == '-') { /* "-----BEGIN", or a flag: "--password", "-storepass", "-phunter2" */
        return (ahead(p, n, i, k + 1, DASH) &&
                ((ahead(p, n, i, k + 2, DASH) && ahead(p, n, i, k + 3, DASH) &&
                  ahead(p, n, i, k + 4, DASH)) ||
                 ahead(p, n, i, k + 2, ALPHA))) ||
               (!lsc_is_alnum(b1) && ahead(p, n, i, k + 1, ALPHA));
    }
    bool word_start = lsc_is_alnum(c) && !lsc_is_alnum(b1);
    if (lsc_is_digit(c)) {
        /* digit_start() of text.c: not inside a longer number or dotted number. */
        if (lsc_is_digit(b1) || (b1 == '.' && lsc_is_digit(b2))) {
            return false;
        }
        /* IPv4: three times 1-3 digits and a '.' (the fourth octet is the parser's). */
        if (octets_dot(p, n, i, k, 3)) {
            return true;
        }
        bool d1 = ahead(p, n, i, k + 1, DIGIT), d2 = ahead(p, n, i, k + 2, DIGIT);
        /* Card: a word starting with four digits, whose digits go on. */
        return word_start && d1 && d2 && ahead(p, n, i, k + 3, DIGIT) &&
               card_goes_on(p, n, i, k + 4, 4);
    }
    if (!word_start) {
        return false;
    }
    /* IBAN: two upper-case letters and two digits. */
    if (lsc_is_upper(c) && ahead(p, n, i, k + 1, UPPER) && ahead(p, n, i, k + 2, DIGIT) &&
        ahead(p, n, i, k + 3, DIGIT)) {
        return true;
    }
    /* Key prefixes, JWT, Bearer/Basic: a first byte, then a second byte, of those sets. */
    return strchr(first_set, c) != NULL && ahead(p, n, i, k + 1, SECOND);
}

uint64_t lsc_attention64_scalar(const char *p, size_t n, size_t i)
{
    uint64_t mask = 0;
    for (size_t k = 0; k < 64 && i + k < n; k++) {
        if (candidate(p, n, i, k)) {
            mask |= (uint64_t)1 << k;
        }
    }
    return mask;
}

/* ---- the vector versions: classes as masks, combined 64 positions at a time ---- */

#ifdef LSC_X86
struct classes {
    /* blank: ' ' or '+' (a card's separators with dash); opener: '\\' and '<', which start
     * something only before a letter */
    uint64_t digit, alpha, upper, dot, dash, blank, trig, opener, first, second;
};

/* x moved s positions back (bit k tells about byte k + s); bytes past the window count as
 * being in the class (past all ones) - unless the window ends where the input does (past 0):
 * nothing is met there. */
static inline uint64_t next(uint64_t x, unsigned s, uint64_t past)
{
    return x >> s | past << (64 - s);
}

/* The rules of candidate() above on whole masks. b1 and b2 are the two bytes before the
 * window (' ' before the start of the input). */
static inline __attribute__((always_inline)) uint64_t
candidates(const struct classes *c, unsigned char b1, unsigned char b2, uint64_t past)
{
    uint64_t alnum = c->digit | c->alpha;
    uint64_t prev_alnum = alnum << 1 | (uint64_t)lsc_is_alnum(b1);
    uint64_t prev_digit = c->digit << 1 | (uint64_t)lsc_is_digit(b1);
    uint64_t prev_dot = c->dot << 1 | (uint64_t)(b1 == '.');
    uint64_t prev2_digit = c->digit << 2 | (uint64_t)lsc_is_digit(b1) << 1 | lsc_is_digit(b2);
    uint64_t word_start = alnum & ~prev_alnum;
    uint64_t dstart = c->digit & ~prev_digit & ~(prev_dot & prev2_digit);
    uint64_t d1 = next(c->digit, 1, past), d2 = next(c->digit, 2, past),
             d3 = next(c->digit, 3, past);
    /* od1: 1-3 digits then '.'; od2: two of those in a row, od3: three - how an address
     * starts ("1.2.3." of 1.2.3.4; version numbers like 2.31.0 and 605.1.15 stop short). */
    uint64_t dot1 = next(c->dot, 1, past), dot2 = d1 & next(c->dot, 2, past),
             dot3 = d1 & d2 & next(c->dot, 3, past);
    uint64_t od1 = c->digit & (dot1 | dot2 | dot3);
    uint64_t od2 = c->digit & ((dot1 & next(od1, 2, past)) | (dot2 & next(od1, 3, past)) |
                               (dot3 & next(od1, 4, past)));
    uint64_t ip4 = dstart & ((dot1 & next(od2, 2, past)) | (dot2 & next(od2, 3, past)) |
                             (dot3 & next(od2, 4, past)));
    /* A card's digits go on after its first four (card_goes_on): on5 is the step from the
     * sixth byte, on4 the one from the fifth. */
    uint64_t sep = c->blank | c->dash, d5 = next(c->digit, 5, past);
    _Static_assert(CARD_STEPS == 6, "the steps below");
    uint64_t on5 = (next(sep, 5, past) & next(c->digit, 6, past)) | d5;
    uint64_t on4 = (next(sep, 4, past) & d5) | (next(c->digit, 4, past) & on5);
    uint64_t card = dstart & word_start & d1 & d2 & d3 & on4;
    uint64_t iban = word_start & c->upper & next(c->upper, 1, past) & d2 & d3;
    uint64_t second1 = next(c->second, 1, past);
    uint64_t key = word_start & c->first & second1;
    /* "-----BEGIN", a flag ("--password"), or a flag of one '-' starting a word ("-p",
     * "-storepass"). */
    uint64_t pem =
        c->dash & ((next(c->dash, 1, past) &
                    ((next(c->dash, 2, past) & next(c->dash, 3, past) & next(c->dash, 4, past)) |
                     next(c->alpha, 2, past))) |
                   (~prev_alnum & next(c->alpha, 1, past)));
    uint64_t opens = c->opener & next(c->alpha, 1, past); /* "\\xHH", "\\n", "<password>" */
    return c->trig | opens | pem | ip4 | card | iban | key;
}

/*
 * Where the 64 bytes of the window for a mask from i are: p + i; or with fewer left, the
 * last 64 bytes of the input (*back tells how far before i they start); or, for an input
 * shorter than 64 bytes, a copy in w padded with ' '. *valid has a bit for each real byte.
 */
static inline const char *window(const char *p, size_t n, size_t i, char w[64], unsigned *back,
                                 uint64_t *valid)
{
    *back = 0;
    *valid = ~(uint64_t)0;
    if (n - i >= 64) {
        return p + i;
    }
    if (n >= 64) {
        *back = (unsigned)(64 - (n - i));
        return p + n - 64;
    }
    size_t len = n - i;
    memset(w, ' ', 64);
    memcpy(w, p + i, len);
    *valid = ((uint64_t)1 << len) - 1;
    return w;
}

static unsigned char before(const char *p, size_t i, size_t back)
{
    return i >= back ? (unsigned char)p[i - back] : ' ';
}

/* The candidates of a window found by window(), as bits from i. */
static inline __attribute__((always_inline)) uint64_t
finish(const struct classes *c, const char *p, size_t n, size_t i, unsigned back, uint64_t valid)
{
    size_t at = i - back;
    unsigned char b1 = before(p, at, 1), b2 = before(p, at, 2);
    uint64_t m = n - i <= 64 ? candidates(c, b1, b2, 0) : candidates(c, b1, b2, ~(uint64_t)0);
    return (m & valid) >> back;
}

/* Byte sets as compare constants, for SSE2 (which has no byte shuffle). */
static __m128i first16[sizeof first_set - 1], second16[sizeof second_set - 1];

static inline uint32_t eq16(__m128i x, char b)
{
    return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(b)));
}

static inline uint32_t in_set16(__m128i x, const __m128i *set, size_t count)
{
    __m128i acc = _mm_setzero_si128();
    for (size_t k = 0; k < count; k++) {
        acc = _mm_or_si128(acc, _mm_cmpeq_epi8(x, set[k]));
    }
    return (uint32_t)_mm_movemask_epi8(acc);
}

/* Lanes in [lo, lo + span], as bits. */
static inline uint32_t range16(__m128i x, char lo, char span)
{
    return (uint32_t)_mm_movemask_epi8(lsc_in_range16(x, lo, span));
}

static uint64_t attention64_sse2(const char *p, size_t n, size_t i)
{
    char w[64];
    unsigned back;
    uint64_t valid;
    const char *q = window(p, n, i, w, &back, &valid);
    struct classes c = {0};
    for (unsigned b = 0; b < 4; b++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(q + 16 * b));
        unsigned s = 16 * b;
        c.digit |= (uint64_t)range16(x, '0', 9) << s;
        c.alpha |= (uint64_t)range16(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 25) << s;
        c.upper |= (uint64_t)range16(x, 'A', 25) << s;
        c.dot |= (uint64_t)eq16(x, '.') << s;
        c.dash |= (uint64_t)eq16(x, '-') << s;
        c.blank |= (uint64_t)(eq16(x, ' ') | eq16(x, '+')) << s;
        /* ('$', '%' and '&' are 0x24-0x26: one range test) */
        c.trig |= (uint64_t)(eq16(x, '@') | eq16(x, '=') | eq16(x, ':') | range16(x, '$', 2)) << s;
        c.opener |= (uint64_t)(eq16(x, '\\') | eq16(x, '<')) << s;
        c.first |= (uint64_t)in_set16(x, first16, sizeof first16 / sizeof first16[0]) << s;
        c.second |= (uint64_t)in_set16(x, second16, sizeof second16 / sizeof second16[0]) << s;
    }
    return finish(&c, p, n, i, back, valid);
}

/*
 * AVX2 sorts bytes into the key-prefix sets with two 16-entry table lookups (high and low
 * nibble), whose AND has a bit for each set a byte is in; each set is split by high nibble
 * so that every bit stands for a product of nibble sets. Built from the strings above.
 */
static uint8_t nib_hi[16], nib_lo[16];
static uint8_t first_bits, second_bits;

static void build_nibble_tables(void)
{
    unsigned bit = 0;
    const char *sets[2] = {first_set, second_set};
    uint8_t *masks[2] = {&first_bits, &second_bits};
    for (int s = 0; s < 2; s++) {
        for (unsigned hi = 0; hi < 16; hi++) {
            bool used = false;
            for (const char *c = sets[s]; *c; c++) {
                if (((unsigned char)*c >> 4) == hi) {
                    nib_lo[(unsigned char)*c & 15] |= (uint8_t)(1u << bit);
                    used = true;
                }
            }
            if (used) {
                nib_hi[hi] |= (uint8_t)(1u << bit);
                *masks[s] |= (uint8_t)(1u << bit);
                bit++; /* (the two sets need 8 bits, all a byte has: a ninth would
                        * be lost, and the equality tests against the scalar version fail) */
            }
        }
    }
}

/* The AVX2 version's constants, in memory so that each compare takes its operand from
 * there instead of holding a register (set by init_avx2 before first use). */
static struct {
    __m256i hi_table, lo_table, low4, case_bit, a_minus, z_span, d_minus, d_span;
    __m256i dot, dash, space, plus, at, eq, colon, sym_minus, sym_span, bslash, lt, first, second;
} k32;

__attribute__((target("avx2"))) static void init_avx2(void)
{
    k32.hi_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nib_hi));
    k32.lo_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nib_lo));
    k32.low4 = _mm256_set1_epi8(0x0f);
    k32.case_bit = _mm256_set1_epi8(0x20);
    k32.a_minus = _mm256_set1_epi8((char)-'a');
    k32.z_span = _mm256_set1_epi8(25);
    k32.d_minus = _mm256_set1_epi8((char)-'0');
    k32.d_span = _mm256_set1_epi8(9);
    k32.dot = _mm256_set1_epi8('.');
    k32.dash = _mm256_set1_epi8('-');
    k32.space = _mm256_set1_epi8(' ');
    k32.plus = _mm256_set1_epi8('+');
    k32.at = _mm256_set1_epi8('@');
    k32.eq = _mm256_set1_epi8('=');
    k32.colon = _mm256_set1_epi8(':');
    k32.sym_minus = _mm256_set1_epi8((char)-'$');
    k32.sym_span = _mm256_set1_epi8(2);
    k32.bslash = _mm256_set1_epi8('\\');
    k32.lt = _mm256_set1_epi8('<');
    k32.first = _mm256_set1_epi8((char)first_bits);
    k32.second = _mm256_set1_epi8((char)second_bits);
}

__attribute__((target("avx2"))) static inline uint32_t mask32(__m256i lanes)
{
    return (uint32_t)_mm256_movemask_epi8(lanes);
}

/* Lanes where x + minus, unsigned, is at most span (a range test by saturating subtraction). */
__attribute__((target("avx2"))) static inline __m256i range32(__m256i x, __m256i minus,
                                                              __m256i span)
{
    __m256i d = _mm256_subs_epu8(_mm256_add_epi8(x, minus), span);
    return _mm256_cmpeq_epi8(d, _mm256_setzero_si256());
}

/* Lanes whose set bits meet `which` (the nibble-table sets). */
__attribute__((target("avx2"))) static inline uint32_t any32(__m256i bits, __m256i which)
{
    return ~mask32(_mm256_cmpeq_epi8(_mm256_and_si256(bits, which), _mm256_setzero_si256()));
}

__attribute__((target("avx2"))) static uint64_t attention64_avx2(const char *p, size_t n, size_t i)
{
    char w[64];
    unsigned back;
    uint64_t valid;
    const char *q = window(p, n, i, w, &back, &valid);
    struct classes c = {0};
#pragma GCC unroll 2
    for (unsigned b = 0; b < 2; b++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(q + 32 * b));
        unsigned s = 32 * b;
        __m256i hi =
            _mm256_shuffle_epi8(k32.hi_table, _mm256_and_si256(_mm256_srli_epi16(x, 4), k32.low4));
        __m256i lo = _mm256_shuffle_epi8(k32.lo_table, _mm256_and_si256(x, k32.low4));
        __m256i sets = _mm256_and_si256(hi, lo);
        __m256i alpha = range32(_mm256_or_si256(x, k32.case_bit), k32.a_minus, k32.z_span);
        uint64_t alpha_bits = mask32(alpha);
        /* An upper-case letter is a letter with bit 5 clear; two bit shifts put it on top. */
        uint64_t lower_bits = mask32(_mm256_slli_epi16(x, 2));
        c.digit |= (uint64_t)mask32(range32(x, k32.d_minus, k32.d_span)) << s;
        c.alpha |= alpha_bits << s;
        c.upper |= (alpha_bits & ~lower_bits & 0xffffffffu) << s;
        c.dot |= (uint64_t)mask32(_mm256_cmpeq_epi8(x, k32.dot)) << s;
        c.dash |= (uint64_t)mask32(_mm256_cmpeq_epi8(x, k32.dash)) << s;
        c.blank |= (uint64_t)mask32(_mm256_or_si256(_mm256_cmpeq_epi8(x, k32.space),
                                                    _mm256_cmpeq_epi8(x, k32.plus)))
                   << s;
        __m256i trig = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(x, k32.at), _mm256_cmpeq_epi8(x, k32.eq)),
            _mm256_or_si256(_mm256_cmpeq_epi8(x, k32.colon),
                            range32(x, k32.sym_minus, k32.sym_span))); /* '$' '%' '&' */
        c.trig |= (uint64_t)mask32(trig) << s;
        c.opener |= (uint64_t)mask32(_mm256_or_si256(_mm256_cmpeq_epi8(x, k32.bslash),
                                                     _mm256_cmpeq_epi8(x, k32.lt)))
                    << s;
        c.first |= (uint64_t)any32(sets, k32.first) << s;
        c.second |= (uint64_t)any32(sets, k32.second) << s;
    }
    return finish(&c, p, n, i, back, valid);
}

/*
 * AVX-512 (BW): the whole window in one register, and each class straight into a 64-bit
 * mask register - the same tests as the AVX2 version, without splitting and joining halves.
 */
static struct {
    __m512i hi_table, lo_table;
} k64;

__attribute__((target("avx512f,avx512bw"))) static void init_avx512(void)
{
    k64.hi_table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)nib_hi));
    k64.lo_table = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)nib_lo));
}

/* Lanes where x - lo, unsigned, is at most span. */
__attribute__((target("avx512f,avx512bw"))) static inline uint64_t range64(__m512i x, char lo,
                                                                           char span)
{
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8(lo)), _mm512_set1_epi8(span));
}

__attribute__((target("avx512f,avx512bw"))) static inline uint64_t eq64(__m512i x, char b)
{
    return _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(b));
}

__attribute__((target("avx512f,avx512bw"))) static uint64_t attention64_avx512(const char *p,
                                                                               size_t n, size_t i)
{
    char w[64];
    unsigned back;
    uint64_t valid;
    const char *q = window(p, n, i, w, &back, &valid);
    __m512i x = _mm512_loadu_si512((const void *)q);
    __m512i low4 = _mm512_set1_epi8(0x0f);
    __m512i hi = _mm512_shuffle_epi8(k64.hi_table, _mm512_and_si512(_mm512_srli_epi16(x, 4), low4));
    __m512i lo = _mm512_shuffle_epi8(k64.lo_table, _mm512_and_si512(x, low4));
    __m512i sets = _mm512_and_si512(hi, lo);
    struct classes c;
    c.digit = range64(x, '0', 9);
    c.alpha = range64(_mm512_or_si512(x, _mm512_set1_epi8(0x20)), 'a', 25);
    c.upper = range64(x, 'A', 25);
    c.dot = eq64(x, '.');
    c.dash = eq64(x, '-');
    c.blank = eq64(x, ' ') | eq64(x, '+');
    c.trig = eq64(x, '@') | eq64(x, '=') | eq64(x, ':') | range64(x, '$', 2); /* '$' '%' '&' */
    c.opener = eq64(x, '\\') | eq64(x, '<');
    c.first = _mm512_test_epi8_mask(sets, _mm512_set1_epi8((char)first_bits));
    c.second = _mm512_test_epi8_mask(sets, _mm512_set1_epi8((char)second_bits));
    return finish(&c, p, n, i, back, valid);
}
#endif

static lsc_attention_fn chosen;
static const char *chosen_name;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

/* Picks the implementation, once. The detectors' tables are built here too: every scan asks
 * for the implementation (lsc_attention_pick) before it calls a detector, so it finds them
 * built at no cost of its own - a once of their own, asked in each scan, cost more. */
static void choose(void)
{
    lsc_detect_tables_build();
#ifdef LSC_X86
    for (size_t k = 0; k < sizeof first16 / sizeof first16[0]; k++) {
        first16[k] = _mm_set1_epi8(first_set[k]);
    }
    for (size_t k = 0; k < sizeof second16 / sizeof second16[0]; k++) {
        second16[k] = _mm_set1_epi8(second_set[k]);
    }
    build_nibble_tables();
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) {
        init_avx512();
        chosen = attention64_avx512;
        chosen_name = "avx512";
        return;
    }
    if (__builtin_cpu_supports("avx2")) {
        init_avx2();
        chosen = attention64_avx2;
        chosen_name = "avx2";
        return;
    }
    chosen = attention64_sse2;
    chosen_name = "sse2";
#else
    chosen = lsc_attention64_scalar;
    chosen_name = "scalar";
#endif
}

uint64_t lsc_attention64(const char *p, size_t n, size_t i)
{
    pthread_once(&choose_once, choose);
    return chosen(p, n, i);
}

lsc_attention_fn lsc_attention_pick(void)
{
    pthread_once(&choose_once, choose);
    return chosen;
}

const char *lsc_attention_impl(void)
{
    pthread_once(&choose_once, choose);
    return chosen_name;
}

bool lsc_attention_force(const char *impl)
{
    pthread_once(&choose_once, choose);
    if (strcmp(impl, "scalar") == 0) {
        chosen = lsc_attention64_scalar;
#ifdef LSC_X86
    } else if (strcmp(impl, "sse2") == 0) {
        chosen = attention64_sse2;
    } else if (strcmp(impl, "avx2") == 0 && __builtin_cpu_supports("avx2")) {
        init_avx2();
        chosen = attention64_avx2;
    } else if (strcmp(impl, "avx512") == 0 && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw")) {
        init_avx512();
        chosen = attention64_avx512;
#endif
    } else {
        return false;
    }
    chosen_name = impl;
    return true;
}
