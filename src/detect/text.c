/*
 * text.c - the single pass that runs every built-in detector over a span of bytes.
 *
 * The scan walks the bytes once. A SIMD first stage (scan.h) marks the positions where some
 * detector's entry condition holds - the first three numbers and dots of an IPv4 address,
 * four digits that may begin a card, two upper-case letters and two digits, the first two
 * bytes of a key prefix, "-----", and the trigger bytes '@' '=' ':' '%' - and the scan jumps from
 * one to the next; ordinary words cost nothing. At each, the detectors confirm their
 * candidate with hand-written validators. An IPv6 address is tried from its first colon,
 * looking back over the hex group before it. After a match the scan resumes past it, so
 * matches come out in order and never overlap; look-back detectors (e-mail, secret names,
 * IPv6) never reach before the end of the previous match. A stretch of percent-encoded text
 * is also scanned decoded, and what either scan finds is replaced (scan_decoded).
 */
#include "detect.h"

#include "chars.h"
#include "scan.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Can an IPv4 address or a card number start at i? Not inside a longer dotted number. */
static bool digit_start(const char *p, size_t i)
{
    if (i == 0) {
        return true;
    }
    unsigned char b = (unsigned char)p[i - 1];
    if (lsc_is_digit(b)) {
        return false;
    }
    return !(b == '.' && i >= 2 && lsc_is_digit((unsigned char)p[i - 2]));
}

/* 1-3 digits then '.': the only way an IPv4 address can start. */
static inline __attribute__((always_inline)) bool ip4_gate(const char *p, size_t n, size_t i)
{
    size_t e = i;
    while (e < n && e - i < 4 && lsc_is_digit((unsigned char)p[e])) {
        e++;
    }
    return e - i <= 3 && e + 1 < n && p[e] == '.';
}

#define IP6_MAX_TEXT 45 /* ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 */

/* State carried along one scan. */
struct scan {
    size_t jwt_fail_until;        /* no JWT can start before this offset */
    size_t card_fail_until;       /* no card number can start before this offset */
    size_t iban_fail_until;       /* no IBAN can start before this offset */
    size_t ip6_fail_until;        /* no IPv6 address can start at a hex group before this offset */
    size_t hash_fail_until;       /* no password hash can start before this offset */
    struct lsc_clean_span pairs;  /* (lsc_detect_secret_pair) */
    struct lsc_command_seen seen; /* (lsc_detect_short_flag) */
    bool times;                   /* jump over access times (struct lsc_known) */
};

/*
 * The old gate for a group start i whose first colon is at e: without a "::" an address has
 * seven colons (six before a dotted IPv4 tail) among the hex digits, colons and dots that
 * follow, which rules out times like 2026:22:13:20 before any parse. When that count stops
 * at a byte that is no part of an address, every later group before that byte sees fewer
 * colons and no "::" either: st->ip6_fail_until remembers it.
 */
static bool ip6_colon_count(const char *p, size_t n, size_t i, size_t e, struct scan *st)
{
    unsigned colons = 0;
    for (size_t k = e; k < n && k - i < IP6_MAX_TEXT; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c == ':') {
            if (p[k - 1] == ':') {
                return true; /* "::" */
            }
            colons++;
        } else if (!lsc_is_hex(c) && c != '.') {
            if (colons < 6) {
                st->ip6_fail_until = k;
            }
            break;
        }
    }
    return colons >= 6;
}

#ifdef __SSE2__
/* The "::" in a run whose colons are c (a bit a byte): bit d set for a "::" at d. */
static inline uint64_t dcolons(uint64_t c)
{
    return c & (c >> 1);
}

/*
 * Does a run (every byte before the highest bit of its colons a colon or hex digit, from the
 * first colon after the group start) whose "::" are pairs (dcolons) hold a "::" and, at
 * least two bytes after it, another (not the same ":::")? Then no address starts at the
 * group: the parse meets the second "::" and fails - or fails before, at an eighth group or
 * a fifth hex digit, or after ":::" at the colon and the hex digit or colon that follow it.
 * A hostile "fe80::fe80::" asks no parse per group.
 */
static inline bool two_dcolons(uint64_t pairs)
{
    return pairs != 0 && (pairs >> __builtin_ctzll(pairs) >> 2) != 0;
}

/* The bits set in t, counted up to 8 (no popcount instruction in the x86-64 baseline: a
 * libgcc call). */
static inline int bits_upto8(uint64_t t)
{
    int count = 0;
    for (; t != 0 && count < 8; t &= t - 1) {
        count++;
    }
    return count;
}

/* The colons and hex digits among the 16 bytes at q, as bit masks. */
static inline void run_masks(const char *q, uint64_t *colon, uint64_t *hex)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
    *colon = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    *hex = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(lsc_in_range16(x, '0', 9), lsc_in_range16(lower, 'a', 5)));
}
#endif

/*
 * Can an IPv6 address start at the hex group at i, whose first colon is at e? The run of
 * single colons and hex digits from i up to x (a '.', a "::", or any other byte) is read
 * once. In it, an address without "::" or a dotted tail is eight groups, and a start whose
 * eighth group is followed by ':' and another hex digit runs into more address: it cannot
 * be one. So every start that has eight colons ahead of it before x - 1 fails; the memo
 * skips them all, and a long line of "a:b:c:" costs a read of its run, not a parse per
 * group. Otherwise the colon count decides (ip6_colon_count).
 */
static bool ip6_group_gate(const char *p, size_t n, size_t i, size_t e, struct scan *st)
{
#ifdef __SSE2__
    /* The common runs are decided from the colon and hex-digit masks of up to three loads:
     * those with a "::" (a compressed address, and hostile runs of them), and those that end
     * within 48 bytes at another byte with no "::" and fewer than eight colons (times of
     * day, whole addresses). Anything else takes the loop. */
    {
        uint64_t colons = 0, stop = 0;
        unsigned loaded = 0;
        for (; loaded < 48 && stop == 0 && n - e - loaded >= 16; loaded += 16) {
            uint64_t c, h;
            run_masks(p + e + loaded, &c, &h);
            colons |= c << loaded;
            stop = (~(c | h) & 0xffffu) << loaded;
            if (stop == 0 && two_dcolons(dcolons(colons))) {
                return false; /* (below) - all of the loaded bytes are in the run */
            }
        }
        /* The run read: hex digits and colons up to x, the first other byte or the end of
         * what was loaded. */
        unsigned x = stop != 0 ? (unsigned)__builtin_ctzll(stop) : loaded;
        uint64_t c = colons & (((uint64_t)1 << x) - 1);
        uint64_t pairs = dcolons(c);
        if (two_dcolons(pairs)) {
            return false;
        }
        if (pairs != 0) {
            unsigned d = (unsigned)__builtin_ctzll(pairs);
            /* A "::" in the run, fewer than eight colons before it, within reach: the loop
             * below would stop at it and ask ip6_colon_count, which meets the "::" (nothing but
             * hex digits and colons comes first) and says yes. */
            if (bits_upto8(c & (((uint64_t)1 << d) - 1)) < 8 && e + d + 1 - i < IP6_MAX_TEXT) {
                return true;
            }
        }
        if (stop != 0) {
            int count = bits_upto8(c);
            if (pairs == 0 && count < 8 && p[e + x] != '.' && e + x - i < IP6_MAX_TEXT) {
                if (count >= 6) {
                    return true;
                }
                if (e + x > st->ip6_fail_until) {
                    st->ip6_fail_until = e + x;
                }
                return false;
            }
        }
    }
#endif
    size_t ring[16]; /* the last colons seen (their count is c) */
    size_t c = 0;
    size_t x = e;
    for (; x < n; x++) {
        unsigned char ch = (unsigned char)p[x];
        if (ch == ':') {
            if (x + 1 < n && p[x + 1] == ':') {
                break;
            }
            ring[c++ % 16] = x;
        } else if (!lsc_is_hex(ch)) {
            break;
        }
    }
    /* Colons followed by a hex digit: all but one right before x. */
    size_t inner = c > 0 && ring[(c - 1) % 16] + 1 == x ? c - 1 : c;
    if (inner >= 8) {
        /* The start after the colon inner-8 (counting from 0) is the last one with eight
         * inner colons ahead of it; the next start begins after colon inner-7. */
        size_t until = ring[(inner - 8) % 16];
        if (until > st->ip6_fail_until) {
            st->ip6_fail_until = until;
        }
        if (i < until) {
            return false;
        }
    }
    if (x - i >= IP6_MAX_TEXT || (x < n && (p[x] == ':' || p[x] == '.'))) {
        return ip6_colon_count(p, n, i, e, st);
    }
    /* The run ended at another byte (or the input's end) within reach: its colons are all
     * the colons the count would see. */
    if (c < 6) {
        st->ip6_fail_until = st->ip6_fail_until > x ? st->ip6_fail_until : x;
        return false;
    }
    return true;
}

/*
 * Can an address start with the "::" at i? Not when a third ':' and a hex digit or ':'
 * follow: it runs into more address at once (":::1", "::::").
 */
static inline bool dcolon_start(const char *p, size_t n, size_t i)
{
    return i + 1 < n && p[i] == ':' && p[i + 1] == ':' &&
           !(i + 3 < n && p[i + 2] == ':' &&
             (lsc_is_hex((unsigned char)p[i + 3]) || p[i + 3] == ':'));
}

/* (Inline: most digits that start a word are no address - a card, a count - and the gate
 * says so without a call.) */
static inline __attribute__((always_inline)) bool try_ip4(const char *p, size_t n, size_t i,
                                                          struct lsc_match *m)
{
    if (!ip4_gate(p, n, i)) {
        return false;
    }
    size_t l = lsc_ip4_parse(p + i, p + n, m->ip.bytes);
    if (l == 0) {
        return false;
    }
    m->ip.family = 4;
    m->ip.dotted_tail = false;
    m->off = i;
    m->len = l;
    m->cls = LSC_CLASS_IPV4;
    return true;
}

/* The IPv6 address at i, once a gate has let it through. */
static inline __attribute__((always_inline)) bool parse_ip6(const char *p, size_t n, size_t i,
                                                            struct lsc_match *m)
{
    size_t l = lsc_ip6_parse(p + i, p + n, &m->ip);
    if (l == 0) {
        return false;
    }
    m->off = i;
    m->len = l;
    m->cls = LSC_CLASS_IPV6;
    return true;
}

/*
 * An IPv6 address tried from the colon at i: one that starts with "::" starts here, any
 * other at the hex group of 1-4 digits before it - if that group starts a word (and, for a
 * digit, not inside a dotted number) and lies after the previous match (floor). The group
 * itself holds no other detector's start, so trying it here finds what trying it at the
 * group would have found.
 */
static bool try_ip6_at_colon(const char *p, size_t n, size_t i, size_t floor, struct lsc_match *m,
                             struct scan *st)
{
    if (i == 0 || !lsc_is_alnum((unsigned char)p[i - 1])) {
        return dcolon_start(p, n, i) && parse_ip6(p, n, i, m); /* ("::" needs no more gate) */
    }
    if (i < st->ip6_fail_until) {
        return false; /* the group before ends before i: it starts before the limit too */
    }
    size_t w = i;
    while (w > floor && i - w < 5 && lsc_is_hex((unsigned char)p[w - 1])) {
        w--;
    }
    if (w == i || i - w > 4 || w < st->ip6_fail_until ||
        (w > 0 && lsc_is_alnum((unsigned char)p[w - 1])) ||
        (lsc_is_digit((unsigned char)p[w]) && !digit_start(p, w))) {
        return false;
    }
    /* The group w..i is 1-4 hex digits and this colon its first: another group or a "::"
     * follows it in any address ("a:/", a URL's scheme, is none), then the run after it
     * decides. */
    return i + 1 < n && (lsc_is_hex((unsigned char)p[i + 1]) || p[i + 1] == ':') &&
           ip6_group_gate(p, n, w, i, st) && parse_ip6(p, n, w, m);
}

/*
 * The secret-name detector's own first tests, asked here before the call: most separators
 * (the colons of a time, "key=" of an ordinary name) end there. *ends is fetched at the
 * first separator of the scan.
 */
static inline __attribute__((always_inline)) bool
may_follow_secret(const char *p, size_t i, size_t floor, const unsigned char **ends, bool *paren)
{
    if (!lsc_may_follow_name(p, i, floor)) {
        if (paren != NULL) {
            /* (asked here, where a byte that can end no name came first: "Key (a)=(x)") */
            *paren = i >= 3 && p[i - 1] == ')';
        }
        /* A name in brackets, as forms name nested fields (user[password]=): the detector
         * decides, when a name byte comes before the ']'. */
        return i > floor + 1 && p[i - 1] == ']' && lsc_is_name_byte((unsigned char)p[i - 2]);
    }
    if (*ends == NULL) {
        *ends = lsc_secret_ends();
    }
    return lsc_secret_end_possible(*ends, p, i, floor);
}

/*
 * Can the colon at i (i >= 2) end the user name after a credentials flag? Asked before
 * lsc_detect_flag_credentials, which walks back over the name from a name byte to a blank
 * or a quote: the byte before the last is another byte of the name or that blank or quote.
 * A colon after a word inside a path or a URL ("a:\/\/") is turned away here, before the
 * detector's search for the flag's '-'.
 */
static inline bool user_may_end(const char *p, size_t i)
{
    unsigned char z = (unsigned char)p[i - 2];
    return lsc_is_name_byte((unsigned char)p[i - 1]) &&
           (lsc_is_user_name_byte(z) || z == ' ' || z == '\t' || z == '"' || z == '\'');
}

/* Is there a '-' in reach before the colon at i, after floor? Without one there is no
 * credentials flag: most colons ("rv:", a scheme's) end here, in one vector search. */
static inline bool flag_dash_in_reach(const char *p, size_t i, size_t floor)
{
    size_t lo = i - floor > LSC_FLAG_REACH ? i - LSC_FLAG_REACH : floor;
    return memrchr(p + lo, '-', i - lo) != NULL;
}

/*
 * The e-mail detector's own first tests, asked here before the call: a local-part byte
 * before the '@' (after the previous match) and a domain-label byte after it. Most '@'
 * that are no address's ("@@", "a@ b", "@user") end there.
 */
static inline bool email_may_start(const char *p, size_t n, size_t i, size_t floor)
{
    return i > floor && lsc_is_email_local((unsigned char)p[i - 1]) && i + 1 < n &&
           lsc_is_label_byte((unsigned char)p[i + 1]);
}

/* Detectors that start at a digit that starts a word (the previous byte is not a letter or
 * digit). */
static inline bool try_digit_word(const char *p, size_t n, size_t i, struct lsc_match *m,
                                  struct scan *st)
{
    return digit_start(p, i) &&
           (try_ip4(p, n, i, m) ||
            (i >= st->card_fail_until && lsc_detect_card(p, n, i, m, &st->card_fail_until)));
}

/*
 * The SQL detector's own first test (and the prose password's), asked here before the
 * call: the word is "by" and a blank or '+' follows, or it is eight bytes "pa....d" and a
 * blank, '+' or '(' follows. Most words that start with those letters (page=, path, Basic)
 * end there.
 */
static inline bool sql_word_may_start(const char *p, size_t n, size_t i)
{
    unsigned char c = (unsigned char)p[i] | 32;
    if (c == 'b') {
        return n - i > 3 && ((unsigned char)p[i + 1] | 32) == 'y' &&
               (p[i + 2] == ' ' || p[i + 2] == '\t' || p[i + 2] == '+');
    }
    return n - i > 9 && ((unsigned char)p[i + 1] | 32) == 'a' &&
           ((unsigned char)p[i + 7] | 32) == 'd' &&
           (p[i + 8] == ' ' || p[i + 8] == '\t' || p[i + 8] == '(' || p[i + 8] == '+');
}

/* The auth scheme detector's own first test, asked before the call: "Basic" or "Bearer"
 * and a blank take seven bytes at least, the second an 'a' or an 'e'. */
static inline bool auth_scheme_may_start(const char *p, size_t n, size_t i)
{
    return n - i > 6 &&
           (((unsigned char)p[i + 1] | 32) == 'a' || ((unsigned char)p[i + 1] | 32) == 'e');
}

/* A word of 'r' and 'a' or 'e' ((c | 4) == 'e' takes both): rabbitmqctl's password, or a
 * password reset's token after "reset" in a path. One call site for both: a test of its own
 * for "reset" in try_letter_word made GCC leave the key detector's gate out of line (+0.8 %
 * instructions on nginx, +2 % on the Apache log). */
static __attribute__((noinline)) bool r_word(const char *p, size_t n, size_t i,
                                             struct lsc_command_seen *seen, struct lsc_match *m)
{
    if (p[i + 1] == 'a') {
        return lsc_detect_rabbitmq_password(p, n, i, seen, m);
    }
    char b = i > 0 ? p[i - 1] : ' ';
    return (b == '/' || b == '-' || b == '_') && lsc_detect_reset_token(p, n, i, m);
}

/* Detectors that start at a letter that starts a word. */
static bool try_letter_word(const char *p, size_t n, size_t i, struct lsc_match *m, struct scan *st)
{
    unsigned char c = (unsigned char)p[i];
    switch (c) {
    case 'e':
        return i >= st->jwt_fail_until && lsc_detect_jwt(p, n, i, m, &st->jwt_fail_until);
    case 'b':
        if ((auth_scheme_may_start(p, n, i) && lsc_detect_auth_scheme(p, n, i, m)) ||
            (sql_word_may_start(p, n, i) && lsc_detect_sql_secret(p, n, i, m))) {
            return true;
        }
        /* the key detector: Buildkite's "bkua_" */
        goto key;
    case 'B': /* (an IBAN may start with B: BE, BG, ...) */
        if ((auth_scheme_may_start(p, n, i) && lsc_detect_auth_scheme(p, n, i, m)) ||
            (sql_word_may_start(p, n, i) && lsc_detect_sql_secret(p, n, i, m))) {
            return true;
        }
        break;
    case 'P':
        if (sql_word_may_start(p, n, i) &&
            (lsc_detect_sql_secret(p, n, i, m) || lsc_detect_prose_password(p, n, i, m))) {
            return true;
        }
        /* the key detector: Postman's "PMAK-" */
        goto key;
    case 'A':
    case 'E':
    case 'S':
    case 'd':
    case 'g':
    case 'h':
    case 'k':
    case 'l':
    case 'n':
    case 'o':
    case 'p':
    case 'r':
    case 's':
    case 't':
    case 'w':
    case 'x':
    case 'y':
    key: /* (one call site, so that GCC inlines the key detector here) */
        if (lsc_detect_token(p, n, i, m) ||
            (c == 'p' && sql_word_may_start(p, n, i) &&
             (lsc_detect_sql_secret(p, n, i, m) || lsc_detect_prose_password(p, n, i, m))) ||
            ((c == 'h' || c == 'd') && lsc_detect_service_host(p, n, i, m)) ||
            (c == 'r' && n - i > 12 && (p[i + 1] | 4) == 'e' && r_word(p, n, i, &st->seen, m))) {
            return true;
        }
        break;
    default:
        break;
    }
    return lsc_is_upper(c) && i >= st->iban_fail_until &&
           lsc_detect_iban(p, n, i, m, &st->iban_fail_until);
}

/* lsc_user_flag_before_quote for the quote at c - 1, asked only when the two bytes before
 * the quote may end a flag: a blank, after a flag's last byte ('u' of -u, 'r' of --user),
 * an argument list's ',' or another blank. An access log's quotes have a digit or a quote
 * there: a few compares a line. */
static inline bool user_flag_before_cut(const char *p, size_t n, size_t c)
{
    if (c < 4) {
        return false; /* ("-u", a blank and the quote take four bytes) */
    }
    unsigned char b = (unsigned char)p[c - 3];
    return (p[c - 2] == ' ' || p[c - 2] == '\t') &&
           (b == 'u' || b == 'r' || b == ',' || b == ' ' || b == '\t') &&
           lsc_user_flag_before_quote(p, n, c);
}

/* Can the scan be cut at c (after a quote)? Not where a look-back crosses the quote: a user
 * flag's, a short flag's in an argument list (lsc_list_quote). */
static inline bool may_cut(const char *p, size_t n, size_t c)
{
    return !user_flag_before_cut(p, n, c) && !lsc_list_quote(p, n, c - 1);
}

size_t lsc_detect_tail_cut_before(const char *p, size_t n, size_t c1)
{
    /* The field before: `"..." "` ends at c1 - 3. */
    const char *q2 =
        c1 >= 4 && p[c1 - 2] == ' ' && p[c1 - 3] == '"' ? memrchr(p, '"', c1 - 3) : NULL;
    if (q2 == NULL || !lsc_is_alpha((unsigned char)q2[1]) || !may_cut(p, n, (size_t)(q2 - p) + 1)) {
        return 0;
    }
    return (size_t)(q2 - p) + 1;
}

bool lsc_detect_tail_cut_holds(const char *p, size_t n, size_t c)
{
    return c >= 1 && c < n && p[c - 1] == '"' && may_cut(p, n, c);
}

size_t lsc_detect_tail_cuts(const char *p, size_t n, size_t cuts[2])
{
    if (n < 3 || p[n - 1] != '"') {
        return 0;
    }
    /* The last field's opening quote, then the one before it: `"..." "..."`. */
    const char *q1 = memrchr(p, '"', n - 1);
    if (q1 == NULL || !lsc_is_alpha((unsigned char)q1[1])) {
        return 0;
    }
    size_t c1 = (size_t)(q1 - p) + 1;
    size_t c2 = lsc_detect_tail_cut_before(p, n, c1), count = 0;
    if (c2 != 0) {
        cuts[count++] = c2;
    }
    if (may_cut(p, n, c1)) {
        cuts[count++] = c1;
    }
    return count;
}

/* Are the k bytes at p all digits? */
static bool digits(const char *p, size_t k)
{
    for (size_t j = 0; j < k; j++) {
        if (!lsc_is_digit((unsigned char)p[j])) {
            return false;
        }
    }
    return true;
}

/* Is each byte of p[0..len) (16 <= len <= 32) between its bounds lo[k] and hi[k]? With SSE2,
 * two overlapping 16-byte loads cover them: x is in bounds where max(x, lo) == x and
 * min(x, hi) == x. */
static inline bool within_bounds(const char *p, const char *lo, const char *hi, size_t len)
{
#ifdef __SSE2__
    unsigned ok = 0xffff;
    for (size_t k = 0; k <= len - 16; k += len - 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        __m128i l = _mm_loadu_si128((const __m128i *)(const void *)(lo + k));
        __m128i h = _mm_loadu_si128((const __m128i *)(const void *)(hi + k));
        ok &= (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, l), x),
                                                        _mm_cmpeq_epi8(_mm_min_epu8(x, h), x)));
        if (len == 16) {
            break;
        }
    }
    return ok == 0xffff;
#else
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)p[k];
        if (c < (unsigned char)lo[k] || c > (unsigned char)hi[k]) {
            return false;
        }
    }
    return true;
#endif
}

/* Is p[0..19) "YYYY-MM-DDThh:mm:ss" (T, t or a space between date and time)? */
static bool timestamp_head(const char *p)
{
    /* Digits '0'-'9' and the separators themselves; the byte between date and time any,
     * tested apart. */
    static const char lo[] = "0000-00-00\x00"
                             "00:00:00";
    static const char hi[] = "9999-99-99\xff"
                             "99:99:99";
    if (p[4] != '-' || !(p[10] == 'T' || p[10] == 't' || p[10] == ' ')) {
        return false; /* (most values that are no timestamp end here) */
    }
    return within_bounds(p, lo, hi, sizeof lo - 1);
}

bool lsc_detect_is_timestamp(const char *p, size_t n)
{
    /* YYYY-MM-DDThh:mm:ss is 19 bytes; the longest adds ".123456789+hh:mm". */
    if (n < LSC_TIMESTAMP_MIN || n > LSC_TIMESTAMP_MAX || !timestamp_head(p)) {
        return false;
    }
    size_t i = 19;
    if (i < n && p[i] == '.') {
        size_t f = ++i;
        while (i < n && i - f < 10 && lsc_is_digit((unsigned char)p[i])) {
            i++;
        }
        if (i == f || i - f > 9) {
            return false;
        }
    }
    if (i == n) {
        return true;
    }
    if (p[i] == 'Z' || p[i] == 'z') {
        return i + 1 == n;
    }
    if (p[i] != '+' && p[i] != '-') {
        return false;
    }
    size_t left = n - i - 1;
    return (left == 4 && digits(p + i + 1, 4)) ||
           (left == 5 && digits(p + i + 1, 2) && p[i + 3] == ':' && digits(p + i + 4, 2));
}

bool lsc_detect_is_short_number(const char *p, size_t n)
{
    size_t i = n > 0 && p[0] == '-', digits = 0;
    bool dot = false;
    if (i == n || n > LSC_SHORT_NUMBER_MAX) {
        return false;
    }
    for (; i < n; i++) {
        if (lsc_is_digit((unsigned char)p[i])) {
            digits++;
        } else if (p[i] == '.' && !dot && digits > 0 && i + 1 < n) {
            dot = true; /* (a digit must follow: the loop checks it) */
        } else {
            return false;
        }
    }
    return digits <= LSC_SHORT_NUMBER_DIGITS;
}

/* Is p[0..3) an English month's abbreviation, as access logs write it? */
static bool month(const char *p)
{
#define MON(a, b, c) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16)
    switch (MON((unsigned char)p[0], (unsigned char)p[1], (unsigned char)p[2])) {
    case MON('J', 'a', 'n'):
    case MON('F', 'e', 'b'):
    case MON('M', 'a', 'r'):
    case MON('A', 'p', 'r'):
    case MON('M', 'a', 'y'):
    case MON('J', 'u', 'n'):
    case MON('J', 'u', 'l'):
    case MON('A', 'u', 'g'):
    case MON('S', 'e', 'p'):
    case MON('O', 'c', 't'):
    case MON('N', 'o', 'v'):
    case MON('D', 'e', 'c'):
        return true;
    default:
        return false;
    }
#undef MON
}

/* Where the colon after the year stands in an access time: "[dd/Mon/yyyy:", and its length. */
#define ACCESS_TIME_COLON 12
#define ACCESS_TIME_LEN 28
/* The shortest access head: "1.2.3.4 - - " and a time. */
#define ACCESS_HEAD_MIN (12 + ACCESS_TIME_LEN)

/* (Kept out of the scan loop: it runs at most once an access line, and inlined there it
 * only made the loop bigger.) */
__attribute__((noinline)) size_t lsc_detect_access_time(const char *p, size_t n)
{
    /* Each byte between its bounds: digits '0'-'9', the separators themselves; the month
     * (any bytes here) and the zone's sign are tested apart. */
    static const char lo[] = "[00/\x00\x00\x00/0000:00:00:00 +0000]";
    static const char hi[] = "[99/\xff\xff\xff/9999:99:99:99 -9999]";
    enum { LEN = sizeof lo - 1 };
    _Static_assert(LEN == ACCESS_TIME_LEN, "the access head's bound counts a whole time");
    if (n < LEN || !within_bounds(p, lo, hi, LEN)) {
        return 0;
    }
    return p[22] != ',' && month(p + 4) ? LEN : 0;
}

int lsc_detect_text(const char *p, size_t n, lsc_match_fn fn, void *ctx)
{
    size_t reach;
    return lsc_detect_text_from(p, n, &LSC_KNOWN_NOTHING, &reach, fn, ctx);
}

/*
 * Encoded text ("q=pay%204111...", "ip=2001%3Adb8%3A%3A1", "%22DE89...%22", nginx's
 * "\\x224111...", JSON's "a\\n4111..."; lsc_escape_at lists the escapes): the escapes hide what
 * the detectors look for - a word's start, a card's separators, an address's colons. So a
 * stretch holding an escape the detectors do not read themselves (they read "%40" as '@'
 * and "%3D" as '=') is also scanned decoded, and its matches, mapped back onto the bytes
 * they were decoded from, wait in a queue (struct pending) while the scan goes on over the
 * bytes as they are. What is replaced is the union of both: a queued match goes out before
 * a match of the plain scan that comes after it, and those that overlap such a match are
 * joined with it into one (the class and value of the longest, the span grown to cover them
 * all) - the plain scan's matches are never cut short by the decoded ones
 * ("P7x%BC8pwd@example.com" is one address either way).
 *
 * The stretch: from the escape forward to the first STOP_BACK byte (below: '/', '?', '&',
 * '=', ...) after its last escape - the path segment, name or value that escape is in ends
 * there - before a STOP_END byte (white space, a control byte, a quote, '<', '>': where
 * URLs and form values end; a tail cut's quote too, so the tail rule of lsc_known
 * holds), at most DECODE_MAX bytes in all (cut, when longer, before its last '&': a query's
 * value is not split unless it is that long by itself, and no '&' ends the decoded text,
 * where nothing after it could tell a secret's value that it separates - secrets.c would
 * read it as the value's); and back from the escape to a
 * STOP_BACK byte, at most DECODE_BACK bytes and no further than the last match out. '+'
 * stays '+': decoded as a space it would cut "jane+tag%40example.com" short (a card's or an
 * IBAN's groups may be cut by '+', financial.c). Escapes decoded inside a decoded stretch
 * are not decoded again ("%2540" is scanned as "%40", which the e-mail detector reads). A
 * stretch is decoded once and scanned in turns of PENDING_MAX matches: when the queue is
 * full, the next escape after the last match it took starts the next turn, which goes on
 * from that match's end (or from the end of the last match out, when that is later) with
 * the scan's state as the last turn left it - one scan of the stretch, read out in parts.
 * (Decoding the stretch again for each turn made text dense with escapes and matches cost
 * twice the budget per MiB: "&amp;token=x" repeated decoded 4 KiB for every 384 bytes.)
 *
 * A character reference ("&quot;", "&#39;": lsc_entity_at) escapes text as HTML and XML do,
 * spaces and punctuation being that text's own: a stretch it starts reaches back and on to
 * STOP_TEXT bytes only (a raw quote, '<', '>', a control byte), so "{&quot;api_key&quot;:
 * &quot;x&quot;}" is read whole; cut, when longer, before its last '&'. A match followed by
 * a reference's '&' is held, not sent at once (settles): the look-back may reach it.
 *
 * A card's or an IBAN's groups are cut by spaces, which end a stretch and its look-back:
 * in "4111 11\u00311 1111 1111" the stretch is "11\u00311" alone. So a stretch that ends,
 * or whose look-back ends, at a space runs on over the groups that reach it (groups_after,
 * groups_before): letters, digits, escapes and spaces, '-' or '+', GROUP_REACH of them (an
 * escape counts one; the longest card or IBAN with its separators is 42), and back over as
 * many bytes as GROUP_REACH escapes of six bytes would take. An escape among the groups
 * after a stretch takes it on to the first separator after that escape, as its first did.
 */
#define DECODE_MAX 4096
#define DECODE_BACK 256
#define GROUP_REACH 48
#define GROUP_BACK (6 * GROUP_REACH)
#define PENDING_MAX 32
#define PENDING_FULL 0x7fff0001 /* (the decoded scan's callback: stop, the queue is full) */

/* Where a stretch ends (STOP_END): white space, control bytes, quotes, '<', '>'; where
 * its look-back ends (STOP_BACK): those, the separators of a URL's parts and of a query's
 * names and values ('/', '?', '&', '='), and punctuation no value holds (',', ';', brackets,
 * '|'): an escape after them hides nothing before them. Where both end for a character
 * reference's stretch (STOP_TEXT): STOP_END bytes but the space. Where a stretch in a
 * value ends (STOP_VALUE): STOP_END bytes and '&'. (GNU C ranges below, as gcc and clang
 * take them.) */
enum { STOP_END = 1, STOP_BACK = 2, STOP_TEXT = 4, STOP_VALUE = 8 };
static const unsigned char stop_class[256] = {
    [0 ... ' ' - 1] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    [' '] = STOP_END | STOP_BACK | STOP_VALUE,
    ['"'] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    ['\''] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    ['<'] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    ['>'] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    [0x7f] = STOP_END | STOP_BACK | STOP_TEXT | STOP_VALUE,
    ['/'] = STOP_BACK,
    ['?'] = STOP_BACK,
    ['&'] = STOP_BACK | STOP_VALUE,
    ['='] = STOP_BACK,
    [','] = STOP_BACK,
    [';'] = STOP_BACK,
    ['('] = STOP_BACK,
    [')'] = STOP_BACK,
    ['['] = STOP_BACK,
    [']'] = STOP_BACK,
    ['{'] = STOP_BACK,
    ['}'] = STOP_BACK,
    ['|'] = STOP_BACK,
};

/* Is the stretch that starts at s in a value (a query's, a form's, logfmt's), where '/' is
 * data? The nearest '=', '&' or '?' before it is a '=' - DECODE_BACK bytes at most, and no
 * STOP_END byte between (cmd=/usr/bin/x%20y; not a name: &api%5Fkey=). A wider answer
 * would find no less, only cost more: names taken for values (their values decoded with
 * them) cost nginx's default policy 0.95 % more instructions. */
static bool in_value(const char *p, size_t s)
{
    for (size_t k = s; k > 0 && s - k < DECODE_BACK; k--) {
        unsigned char c = (unsigned char)p[k - 1];
        if (c == '=') {
            return true;
        }
        if (c == '?' || (stop_class[c] & STOP_VALUE)) {
            return false;
        }
    }
    return false;
}

/* The first byte of p[e .. lim) whose class has a bit of at, or lim: eight bytes a step,
 * their classes or'd (a stretch may run on for DECODE_MAX bytes). */
static inline size_t stop_at(const char *p, size_t e, size_t lim, unsigned at)
{
    const unsigned char *u = (const unsigned char *)p;
    while (lim - e >= 8 && !((stop_class[u[e]] | stop_class[u[e + 1]] | stop_class[u[e + 2]] |
                              stop_class[u[e + 3]] | stop_class[u[e + 4]] | stop_class[u[e + 5]] |
                              stop_class[u[e + 6]] | stop_class[u[e + 7]]) &
                             at)) {
        e += 8;
    }
    while (e < lim && !(stop_class[u[e]] & at)) {
        e++;
    }
    return e;
}

/* The bytes of the word w that equal c, each as its top bit - exact up to and including the
 * first (a borrow may mark bytes after it): the first is ctz / 8. */
static inline uint64_t bytes_equal(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (0x0101010101010101u * c);
    return (x - 0x0101010101010101u) & ~x & 0x8080808080808080u;
}

static inline bool is_escape(const char *p, size_t n, size_t i)
{
    unsigned char b;
    return lsc_escape_at(p, n, i, &b) > 0;
}

/* The stretch last decoded (see above). */
struct decoded {
    size_t start, end;                 /* where it is in the scanned bytes */
    size_t len;                        /* the length of its decoded text */
    size_t next;                       /* where the next turn starts in it (NO_TURN: none) */
    size_t escapes;                    /* how many escapes it held */
    size_t cursor;                     /* (undecoded) */
    size_t from;                       /* where the turn being taken starts */
    struct scan st;                    /* the scan's state where the last turn stopped */
    uint16_t at[DECODE_MAX / 2 + 1];   /* where each escape's byte is in the decoded text */
    uint16_t took[DECODE_MAX / 2 + 1]; /* the bytes more escapes 0..e took, in all */
    char text[DECODE_MAX];
};
#define NO_TURN SIZE_MAX

/* Matches found decoded, in order, not yet out: m[head .. count). */
struct pending {
    size_t head, count;
    struct lsc_match m[PENDING_MAX];
    /* The last match taken, not yet out: later ones that overlap it are joined with it. */
    bool held;
    struct lsc_match group;
    size_t longest;    /* the length of the longest match joined into group */
    size_t sent;       /* where the last match out ends */
    size_t queued_end; /* where the last match queued ends in the decoded text */
    struct decoded stretch;
};

/* How many bytes more than one escapes before e took in the scanned bytes. */
static inline size_t took_before(const struct decoded *d, size_t e)
{
    return e > 0 ? d->took[e - 1] : 0;
}

/* How many of the stretch's escapes are decoded before offset k of the decoded text. */
static size_t escapes_before(const struct decoded *d, size_t k)
{
    size_t lo = 0, hi = d->escapes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->at[mid] < k) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The offset in the scanned bytes of offset k of the decoded text: each escape before k
 * took more bytes there. (Asked in order of k, as a scan finds its matches: d->cursor, how
 * many escapes are before the last k asked, moves on from there.) */
static size_t undecoded(struct decoded *d, size_t k)
{
    size_t c = d->cursor;
    if (c > 0 && d->at[c - 1] >= k) {
        c = escapes_before(d, k); /* (asked out of order: a guard, the scan never does) */
    }
    while (c < d->escapes && d->at[c] < k) {
        c++;
    }
    d->cursor = c;
    return d->start + k + took_before(d, c);
}

/* The first offset of the decoded text whose bytes start at or after offset x of the
 * scanned bytes (x inside an escape: the byte after it). */
static size_t decoded_at(const struct decoded *d, size_t x)
{
    if (x <= d->start) {
        return 0;
    }
    size_t lo = 0, hi = d->escapes; /* how many escapes start before x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->start + d->at[mid] + took_before(d, mid) < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    size_t k = x - d->start - took_before(d, lo);
    return lo > 0 && k <= d->at[lo - 1] ? d->at[lo - 1] + 1u : k;
}

static int queue_decoded(void *ctx, const struct lsc_match *m)
{
    struct pending *q = ctx;
    if (q->count == PENDING_MAX) {
        return PENDING_FULL;
    }
    struct lsc_match *o = &q->m[q->count++];
    *o = *m;
    o->off = undecoded(&q->stretch, m->off);
    o->len = undecoded(&q->stretch, m->off + m->len) - o->off;
    q->queued_end = m->off + m->len;
    return 0;
}

/* What a turn of a decoded stretch is scanned with: nothing known, and no stretch of it
 * decoded again. lsc_detect_text_from tells it by its address, and then takes its context
 * for the queue whose stretch it scans (queue_decoded's): where to start and in what state. */
static const struct lsc_known DECODED_STRETCH = {SIZE_MAX, false};

/* What a scan starts from: nothing seen; access times jumped over when times. */
static inline struct scan scan_start(bool times)
{
    return (struct scan){.times = times, .seen = {SIZE_MAX, NULL, 0, 0}};
}

/* A letter or a digit of a card's or an IBAN's groups, or a byte that separates them. */
static inline bool group_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == ' ' || c == '-' || c == '+';
}

/*
 * Where a stretch that ends at the space at e ends when it runs on over groups and escapes
 * (see above): at the first other byte, at lim, or after GROUP_REACH of them (an escape
 * counts one). *escaped is set to the end of the last escape among them (e when there is
 * none).
 */
static size_t groups_after(const char *p, size_t e, size_t lim, size_t *escaped)
{
    *escaped = e;
    for (unsigned units = 0; e < lim && units < GROUP_REACH; units++) {
        unsigned char c = (unsigned char)p[e];
        size_t len = lsc_escape_start(c) ? lsc_escape_at(p, lim, e, &c) : 1;
        if (len == 0 || (len == 1 && !group_byte(c))) {
            break;
        }
        e += len;
        *escaped = len > 1 ? e : *escaped;
    }
    return e;
}

/*
 * Where a stretch whose look-back ends at the space before s starts when it reaches back
 * over groups and escapes (see above): at the first other byte, at lo, or GROUP_BACK bytes
 * before s. (An escape read backwards is the one that ends where the walk is: "%HH",
 * "\xHH", "\uHHHH", "\UHHHHHHHH" or a two-byte one.)
 */
static size_t groups_before(const char *p, size_t s, size_t lo)
{
    static const unsigned char lengths[] = {3, 4, 6, 10, 2};
    size_t k = s;
    while (k > lo && s - k < GROUP_BACK) {
        unsigned char c = (unsigned char)p[k - 1], b;
        size_t len = 1;
        if (lsc_is_alnum(c) || c == '/') {
            for (size_t l = 0; l < sizeof lengths; l++) {
                size_t at = k - lengths[l];
                if (k - lo >= lengths[l] && (p[at] == '%' || p[at] == '\\') &&
                    lsc_escape_at(p, k, at, &b) == lengths[l]) {
                    len = lengths[l];
                    break;
                }
            }
        }
        if (len == 1 && !group_byte(c)) {
            break;
        }
        k -= len;
    }
    return k;
}

/*
 * The next turn of the scan of q's stretch (see above): from offset from of its decoded text,
 * into the empty queue. Returns where the stretch ends, or where the last match queued ends
 * when the queue filled.
 */
static size_t decoded_turn(struct pending *q, size_t from)
{
    struct decoded *d = &q->stretch;
    q->head = q->count = 0;
    size_t r;
    d->from = from;
    if (lsc_detect_text_from(d->text, d->len, &DECODED_STRETCH, &r, queue_decoded, q) ==
        PENDING_FULL) {
        d->next = q->queued_end;
        const struct lsc_match *last = &q->m[q->count - 1];
        return last->off + last->len;
    }
    d->next = NO_TURN;
    return d->end;
}

/*
 * Scans the stretch around the escape at i decoded (see above), from no earlier than lo,
 * into the empty queue q - or, when i is in the last stretch and that has a turn to come,
 * takes that turn. Returns where the stretch ends, or where its last queued match ends when
 * the queue filled.
 */
static __attribute__((noinline)) size_t scan_decoded(const char *p, size_t n, size_t i, size_t lo,
                                                     struct pending *q)
{
    struct decoded *d = &q->stretch;
    if (d->next != NO_TURN && i < d->end) {
        size_t from = decoded_at(d, lo);
        return decoded_turn(q, from > d->next ? from : d->next);
    }
    /* Text escaped as HTML runs over spaces and punctuation: STOP_TEXT bytes end it. */
    bool html = p[i] == '&';
    unsigned back_at = html ? STOP_TEXT : STOP_BACK, end_at = html ? STOP_TEXT : STOP_END;
    size_t s = i;
    while (s > lo && i - s < DECODE_BACK && !(stop_class[(unsigned char)p[s - 1]] & back_at)) {
        s--;
    }
    if (s > lo && p[s - 1] == ' ') {
        s = groups_before(p, s, lo);
    }
    unsigned char b;
    size_t lim = s + DECODE_MAX < n ? s + DECODE_MAX : n;
    size_t e = stop_at(p, i + lsc_escape_at(p, n, i, &b), lim, end_at);
    if (e == s + DECODE_MAX && e < n && !(stop_class[(unsigned char)p[e]] & end_at)) {
        /* Cut before the last '&': a query's, or a character reference's (which starts
         * the next stretch). */
        const char *amp = memrchr(p + i + 1, '&', e - i - 1);
        e = amp != NULL ? (size_t)(amp - p) : e;
    } else {
        /* The end of the last escape (i's at least), then the first separator after it -
         * and, at a space, the groups after that (which may hold escapes of their own). */
        size_t from = i;
        for (size_t c = e; c-- > i + 1;) {
            if (lsc_escape_start((unsigned char)p[c]) && lsc_escape_at(p, e, c, &b) > 0) {
                from = c;
                break;
            }
        }
        from += lsc_escape_at(p, e, from, &b);
        /* A stretch in a value (in_value) runs on to the value's end, '&' or a STOP_END
         * byte: '/', ';', ',' and brackets are its bytes there - an Oracle logon after an
         * encoded path or blank (cmd=%2Fbin%2Fsqlplus+u/x@db, cmd=/bin/sqlplus%20u/x@db).
         * Asked at the first such byte. */
        int value = -1;
        for (;;) {
            for (size_t c = from; c < e; c++) {
                unsigned k = stop_class[(unsigned char)p[c]];
                if (k != 0 && !(k & STOP_VALUE)) {
                    value = value < 0 ? in_value(p, s) : value;
                    if (value) {
                        continue;
                    }
                }
                if (k != 0) {
                    e = c;
                    break;
                }
            }
            if (e == lim || p[e] != ' ') {
                break;
            }
            size_t g = groups_after(p, e, lim, &from);
            if (from <= e) {
                e = g; /* (no escape among them) */
                break;
            }
            /* The escape's word runs on to the first separator after it. */
            for (e = g; e < lim && !(stop_class[(unsigned char)p[e]] & STOP_END);) {
                e++;
            }
        }
    }
    d->start = s;
    d->end = e;
    d->escapes = 0;
    size_t k = 0;
    bool amp = false; /* a '&' in the text: only the byte-at-a-time path below writes one */
    for (size_t j = s; j < e;) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (e - j >= 8) {
            /* Eight bytes at once, up to the first an escape may start at (the lowest byte
             * bytes_equal marks: the first in memory). */
            uint64_t w;
            memcpy(&w, p + j, 8);
            memcpy(d->text + k, &w, 8);
            uint64_t at = bytes_equal(w, '%') | bytes_equal(w, '\\') | bytes_equal(w, '&');
            size_t plain = at != 0 ? (size_t)__builtin_ctzll(at) / 8 : 8;
            k += plain;
            j += plain;
            if (plain == 8) {
                continue;
            }
        }
#endif
        size_t len = lsc_escape_start((unsigned char)p[j]) ? lsc_escape_at(p, e, j, &b) : 0;
        if (len > 0) {
            d->at[d->escapes] = (uint16_t)k;
            d->took[d->escapes] = (uint16_t)(took_before(d, d->escapes) + len - 1);
            d->escapes++;
            d->text[k++] = (char)b;
            amp |= b == '&';
            j += len;
        } else {
            amp |= p[j] == '&';
            d->text[k++] = p[j++];
        }
    }
    if (amp && e < n && p[e] == '=' && k < DECODE_MAX) {
        /* The '=' that cut the stretch is scanned with it: a '&' in a secret's value is
         * told from a query's by the '=' after the name that follows it (secrets.c). */
        d->text[k++] = '=';
    }
    d->len = k;
    d->cursor = 0;
    d->st = scan_start(false);
    return decoded_turn(q, 0);
}

static inline __attribute__((always_inline)) int
send_out(struct pending *q, const struct lsc_match *x, lsc_match_fn fn, void *ctx)
{
    q->sent = x->off + x->len; /* (the scan's *reach is set from it when it ends) */
    return fn(ctx, x);
}

/* take() for an x that overlaps the held match, or (decoded, its stretch reaching back past
 * the held match) comes wholly before it. */
static __attribute__((noinline)) int take_near(struct pending *q, const struct lsc_match *x,
                                               lsc_match_fn fn, void *ctx)
{
    size_t gs = q->group.off, ge = gs + q->group.len, xe = x->off + x->len;
    if (xe <= gs) {
        return send_out(q, x, fn, ctx);
    }
    if (x->len > q->longest) {
        q->group = *x; /* the longest names the class ("a%3A%3A1.2.3.4": IPv6) */
        q->longest = x->len;
    }
    q->group.off = x->off < gs ? x->off : gs;
    q->group.len = (xe > ge ? xe : ge) - q->group.off;
    return 0;
}

/*
 * Takes match x, found plainly or decoded, in order of offset (see take_near for the one
 * exception). One that overlaps the held match is joined with it; else the held match goes
 * out and x is held instead. (Inline: most lines hold no escape, and a match costs a copy.)
 */
static inline __attribute__((always_inline)) int take(struct pending *q, const struct lsc_match *x,
                                                      lsc_match_fn fn, void *ctx)
{
    if (q->held) {
        if (x->off < q->group.off + q->group.len || x->off + x->len <= q->group.off) {
            return take_near(q, x, fn, ctx);
        }
        int rc = send_out(q, &q->group, fn, ctx);
        if (rc != 0) {
            return rc;
        }
    }
    q->held = true;
    q->group = *x;
    q->longest = x->len;
    return 0;
}

/* Whether a character reference may start at the '&' at p[i] (lsc_entity_may_start; out of
 * line, as settles is on the scan's fast path and a '&' right after a match is rare). */
static __attribute__((noinline)) bool reference_may_start(const char *p, size_t n, size_t i)
{
    return lsc_entity_may_start(p, n, i);
}

/*
 * Most matches go out as they are found (the scan's fast path): while nothing is held or
 * queued, one followed by a byte that ends a stretch's look-back (a space, a quote, a '&'
 * that starts no character reference, ...) or by the end cannot be reached by a stretch
 * decoded later. Is m such a match?
 */
static inline bool settles(const char *p, size_t n, const struct lsc_match *m)
{
    size_t e = m->off + m->len;
    /* (A stretch from a character reference reads back over spaces and punctuation - no
     * further than the last match out, though: only one glued to m can reach it, as in
     * "fe80::&#x31;ff:...", one address decoded.) */
    return e >= n || ((stop_class[(unsigned char)p[e]] & STOP_BACK) &&
                      !(p[e] == '&' && reference_may_start(p, n, e)));
}

static int take_queued(struct pending *q, size_t limit, lsc_match_fn fn, void *ctx);

/* Takes match m of the scan of the bytes as they are, when it may not go out at once: after
 * the decoded matches before it, held (take). */
static __attribute__((noinline)) int take_plain(struct pending *q, const struct lsc_match *m,
                                                lsc_match_fn fn, void *ctx)
{
    int rc = q->head < q->count ? take_queued(q, m->off, fn, ctx) : 0;
    return rc != 0 ? rc : take(q, m, fn, ctx);
}

/*
 * Sends out (fast path) or takes match m of the scan of the bytes as they are. *settled and
 * floor are the scan's: the first match that may not go out at once ends the fast path, and
 * the last match out then ends at floor.
 */
static inline __attribute__((always_inline)) int plain_match(struct pending *q, bool *settled,
                                                             size_t floor, const char *p, size_t n,
                                                             const struct lsc_match *m,
                                                             lsc_match_fn fn, void *ctx)
{
    if (q == NULL || (*settled && settles(p, n, m))) {
        return fn(ctx, m);
    }
    if (*settled) {
        *settled = false;
        q->sent = floor;
    }
    return take_plain(q, m, fn, ctx);
}

/* Takes the queued decoded matches that start at or before limit. */
static __attribute__((noinline)) int take_queued(struct pending *q, size_t limit, lsc_match_fn fn,
                                                 void *ctx)
{
    for (; q->head < q->count && q->m[q->head].off <= limit; q->head++) {
        int rc = take(q, &q->m[q->head], fn, ctx);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * A list of pairs that ends the text (lists.c: Rails' SQL binds, Python's pairs), SQL
 * INSERTs with their values inline (inserts.c) or a failing row (details.c): no byte the
 * attention mask marks stands for a value whose name is written apart from it, so the
 * scan's matches pass through list_merge, which puts the list's secret values among them in
 * order - a value and a match that overlap go out as one match over both, a secret.
 */
struct list_merge {
    lsc_match_fn fn;
    void *ctx;
    struct lsc_list_spans list;
    size_t k;   /* the values sent or merged */
    size_t end; /* where the last match sent ended */
};

static int send_merged(struct list_merge *g, const struct lsc_match *m)
{
    g->end = m->off + m->len;
    return g->fn(g->ctx, m);
}

/* The list's values that end at or before limit, each as a match. */
static int send_values_before(struct list_merge *g, size_t limit)
{
    for (; g->k < g->list.count && g->list.off[g->k] + g->list.len[g->k] <= limit; g->k++) {
        struct lsc_match v = {.off = g->list.off[g->k], .len = g->list.len[g->k]};
        v.cls = LSC_CLASS_SECRET_PARAM;
        int rc = send_merged(g, &v);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int list_merge(void *ctx, const struct lsc_match *m)
{
    struct list_merge *g = ctx;
    struct lsc_match u = *m;
    if (u.off < g->end) {
        /* Inside a value sent merged with an earlier match ("a@b.co x@y.co" both in one
         * secret value): what is left of it past that goes out as a secret too. */
        if (u.off + u.len <= g->end) {
            return 0;
        }
        u.len = u.off + u.len - g->end;
        u.off = g->end;
        u.cls = LSC_CLASS_SECRET_PARAM;
        u.quote = false;
    }
    int rc = send_values_before(g, u.off);
    if (rc != 0) {
        return rc;
    }
    for (; g->k < g->list.count && g->list.off[g->k] < u.off + u.len; g->k++) {
        size_t vo = g->list.off[g->k], ve = vo + g->list.len[g->k], e = u.off + u.len;
        u.off = vo < u.off ? vo : u.off;
        u.len = (ve > e ? ve : e) - u.off;
        u.cls = LSC_CLASS_SECRET_PARAM;
        u.quote = false;
    }
    return send_merged(g, &u);
}

/* The last bytes of a text that may end in a list of pairs (its ']'), an SQL INSERT (its
 * ')' or ';') or a failing row (its ")." - '.' asks for the ')' before it), or a line break
 * after them. */
enum { LIST_END = 1, LIST_END_AFTER_PAREN = 2 };
static const unsigned char list_end[256] = {
    [']'] = LIST_END,  [')'] = LIST_END,  [';'] = LIST_END,
    ['\r'] = LIST_END, ['\n'] = LIST_END, ['.'] = LIST_END_AFTER_PAREN};

static __attribute__((noinline)) int scan_with_list(const char *p, size_t n,
                                                    const struct lsc_known *known, size_t *reach,
                                                    lsc_match_fn fn, void *ctx)
{
    /* (Field by field: an initialiser would clear the 2 KiB of spans, which the detectors
     * write before anything reads them.) */
    struct list_merge g;
    g.fn = fn;
    g.ctx = ctx;
    g.k = 0;
    g.end = 0;
    g.list.count = 0;
    size_t e = lsc_without_line_break(p, n);
    if (e > 0 && p[e - 1] == ']') {
        lsc_detect_list_pairs(p, n, &g.list);
    } else if (e > 0 && (p[e - 1] == ')' || p[e - 1] == ';')) {
        lsc_detect_insert_values(p, n, &g.list);
    } else if (e > 1 && p[e - 1] == '.' && p[e - 2] == ')') {
        lsc_detect_failing_row(p, n, &g.list);
    }
    int rc = lsc_detect_text_from(p, n, known, reach, list_merge, &g);
    rc = rc != 0 ? rc : send_values_before(&g, SIZE_MAX);
    *reach = g.end > *reach ? g.end : *reach;
    return rc;
}

/* The scan of the bytes as they are, with a queue for what stretches of them decoded hold -
 * or, known DECODED_STRETCH, a turn of the scan of a decoded stretch (decoded_turn). */
int lsc_detect_text_from(const char *p, size_t n, const struct lsc_known *known, size_t *reach,
                         lsc_match_fn fn, void *ctx)
{
    /* Text that ends in ']', ')', ';', ").", '\r' or '\n' (a value of Docker's JSON log:
     * "log":"...]]\n") may end in a list of pairs, an INSERT or a failing row. */
    unsigned char end = n >= 8 ? list_end[(unsigned char)p[n - 1]] : 0;
    if (end != 0 && (end == LIST_END || p[n - 2] == ')') && fn != list_merge &&
        known != &DECODED_STRETCH) {
        return scan_with_list(p, n, known, reach, fn, ctx);
    }
    struct pending pq;
    struct pending *q = NULL;
    struct scan start, *st = &start;
    size_t from = 0;
    if (known != &DECODED_STRETCH) {
        q = &pq;
        q->head = q->count = 0;
        q->held = false;
        q->sent = 0;
        q->stretch.next = NO_TURN;
        start = scan_start(known->times);
    } else {
        /* A turn goes on where the last stopped, after a match, in the state it left. */
        struct decoded *d = &((struct pending *)ctx)->stretch;
        st = &d->st;
        from = d->from;
    }
    const size_t tail = known->tail;
    /* Every match found has gone out (none is held or queued): the end of the last is floor. */
    bool settled = true;
    *reach = 0;
    size_t floor = from;
    size_t i = from;
    size_t decoded_until = 0; /* the end of the last stretch scanned decoded */
    /* The scan may stop at stop: the tail known to hold no match, while no match has run
     * into it (floor <= tail; floor only grows, so once it passes the tail, never). */
    size_t stop = tail;
    /* The attention mask covers p[base .. base + 64): i is covered when i - base < 64,
     * unsigned, which fails for i < base too - and for every i before the first mask,
     * since base starts past the end of the input. */
    size_t base = n + 64;
    uint64_t mask = 0;
    lsc_attention_fn attention = lsc_attention_pick();
    const unsigned char *ends = NULL; /* (may_follow_secret) */
    if (st->times && stop > 0 && n >= ACCESS_HEAD_MIN && lsc_is_digit((unsigned char)p[0])) {
        /*
         * The head of an access line, "1.2.3.4 - - [dd/Mon/yyyy:hh:mm:ss +hhmm]": the first
         * match the scan finds is the address at 0, and the next candidate it acts on is the
         * time, which it jumps over - nothing between them starts a match. Both are taken
         * here, before a first window is computed, so that the first one starts after the
         * time, where the request does: most heads then need one window, not two.
         * An IPv4 address at 0 is the scan's first candidate (the mask marks it, and it is
         * tried first at a digit that starts the input). An IPv6 one whose first group
         * starts with a digit is found from its first colon, and nothing before that colon
         * is a candidate (the group's other bytes follow a digit; no IPv4 address or card
         * starts with a hex group and a colon) - so it is taken here only when a known tail
         * does not start before its end, which would stop the scan at that colon (and
         * nothing is, when it starts at 0). A known tail starts at a quote, after the time;
         * were it inside the time, the scan would stop at its next candidate either way.
         */
        struct lsc_match m;
        m.quote = false;
        /* (No IPv6 address starting with a digit parses without a colon among p[1..4], which
         * ends its first group: most other lines that start with a digit - a date, a count -
         * are spared the parse.) */
        bool colon = p[1] == ':' || p[2] == ':' || p[3] == ':' || p[4] == ':';
        if (try_ip4(p, n, 0, &m) || (colon && parse_ip6(p, n, 0, &m) && m.len < stop)) {
            int rc = plain_match(q, &settled, floor, p, n, &m, fn, ctx);
            if (rc != 0) {
                return rc;
            }
            i = floor = *reach = m.len;
            stop = floor <= tail ? tail : SIZE_MAX;
            size_t t = i + 5;
            if (n - i > 5 && memcmp(p + i, " - - ", 5) == 0) {
                size_t tl = lsc_detect_access_time(p + t, n - t);
                i = tl > 0 ? t + tl : i;
            }
        }
    }
    while (i < n) {
        /* Skip to the next byte that needs work: the bytes in between only move the scan
         * on. The attention mask (scan.h, SIMD) finds it; in the last few bytes, and in
         * short spans, letters inside a word are skipped one by one instead. */
        if (i - base < 64 || n - i >= LSC_ATTENTION_MIN) {
            if (i - base >= 64) {
                base = i;
                mask = attention(p, n, i);
            }
            uint64_t ahead = mask >> (i - base);
            if (ahead == 0) {
                i = base + 64;
                continue;
            }
            i += (size_t)__builtin_ctzll(ahead);
        } else if (i > 0 && lsc_is_alnum((unsigned char)p[i - 1])) {
            while (i < n && lsc_is_alpha((unsigned char)p[i])) {
                i++;
            }
            if (i == n) {
                break;
            }
        }
        if (i >= stop) {
            break; /* the rest is a tail known to hold no match */
        }
        unsigned char c = (unsigned char)p[i];
        struct lsc_match m;
        m.quote = false;
        bool found = false;
        size_t esc = SIZE_MAX; /* an escape whose stretch is to be scanned decoded */
        if (lsc_is_alnum(c)) {
            if (i == 0 || !lsc_is_alnum((unsigned char)p[i - 1])) {
                if (!lsc_is_digit(c)) {
                    found = try_letter_word(p, n, i, &m, st);
                } else if (!(found = try_digit_word(p, n, i, &m, st)) &&
                           st->card_fail_until > i + 1) {
                    /* A group of a run of card groups, before the offset the card detector
                     * gave: up to there every byte is a digit, or a single space, '+' or
                     * dash before one. No card starts there, and no other detector starts at
                     * such bytes (an IPv4 address needs a '.' after its first digits, a PEM
                     * block five dashes, a flag a dash and a letter): the scan goes on at
                     * that offset. (A detector added
                     * later that can start at such bytes must be asked here first.) */
                    i = st->card_fail_until;
                    continue;
                }
            } else if (lsc_is_digit(c)) {
                /* "from1.2.3.4": an address glued to a word still counts. */
                found = digit_start(p, i) && try_ip4(p, n, i, &m);
            }
        } else {
            switch (c) {
            case '@':
                found = email_may_start(p, n, i, floor) && lsc_detect_email(p, n, i, 1, floor, &m);
                break;
            case '=':
                /* (name=value, and Ruby's and Perl's "name" => "value"; a key's values in a
                 * database's error: "Key (api_key)=(...)") */
                {
                    bool paren = false;
                    found = (may_follow_secret(p, i, floor, &ends, &paren) &&
                             lsc_detect_secret_param(p, n, i, 1 + (i + 1 < n && p[i + 1] == '>'),
                                                     floor, &m)) ||
                            (paren && lsc_detect_key_values(p, n, i, &m));
                    break;
                }
            case ':':
                if (i > 0 && p[i - 1] == ':' && n - i > 3 && p[i + 1] == ':' && p[i + 2] == ':' &&
                    p[i + 3] == ':') {
                    /* Inside a run of colons, a colon with another before it and three after
                     * it starts nothing: no "::" address (a third colon and a colon follow),
                     * no URL password (no '/'), no secret (no name before), no access time
                     * (no digit before). The scan goes on at the third colon from the end. */
                    size_t r = i + 4;
                    while (r < n && p[r] == ':') {
                        r++;
                    }
                    i = r - 3;
                    continue;
                }
                /* The first candidate in an access time is the colon after its year. */
                if (st->times && i >= floor + ACCESS_TIME_COLON &&
                    p[i - ACCESS_TIME_COLON] == '[') {
                    size_t at = i - ACCESS_TIME_COLON, t = lsc_detect_access_time(p + at, n - at);
                    if (t > 0) {
                        i = at + t; /* no match starts in there */
                        continue;
                    }
                }
                found = try_ip6_at_colon(p, n, i, floor, &m, st) ||
                        (i + 1 < n && p[i + 1] == '/' &&
                         (lsc_detect_secret_url(p, n, i, &m) ||
                          lsc_detect_url_password(p, n, i, &m))) ||
                        (may_follow_secret(p, i, floor, &ends, NULL) &&
                         lsc_detect_secret_param(p, n, i, 1, floor, &m)) ||
                        (i >= floor + 7 && p[i - 1] == '"' &&
                         ((p[i - 2] | 32) == 'e' || p[i - 2] == '\\') &&
                         lsc_detect_secret_pair(p, n, i, floor, &st->pairs, &m)) ||
                        (i >= floor + 4 && user_may_end(p, i) && flag_dash_in_reach(p, i, floor) &&
                         lsc_detect_flag_credentials(p, n, i, floor, &m)) ||
                        (n - i > 3 && p[i + 1] == 'A' && p[i + 2] == 'A' &&
                         lsc_detect_bot_token(p, n, i, &m));
                /* "https:\/\/user:password@host", as JSON may write a URL: the mask marks no
                 * '\\' before '/', so the stretch starts from here. */
                esc = !found && n - i > 4 && memcmp(p + i + 1, "\\/\\/", 4) == 0 ? i + 1 : SIZE_MAX;
                break;
            case '%':
                if (i + 2 < n && p[i + 1] == '4' && p[i + 2] == '0') {
                    found = lsc_detect_email(p, n, i, 3, floor, &m);
                } else if (i + 2 < n && p[i + 1] == '3' && (p[i + 2] | 32) == 'd') {
                    found = may_follow_secret(p, i, floor, &ends, NULL) &&
                            lsc_detect_secret_param(p, n, i, 3, floor, &m);
                }
                esc = found ? SIZE_MAX : i;
                break;
            case '\\':
                /* A stretch starts at an escape before a letter ("\xHH", "\u", "\n"): the
                 * bytes the mask marks. It also marks '\\' before other bytes at a window's end,
                 * and short spans visit every byte: starting a stretch there too would make
                 * what is found depend on where windows fall. ("\/" hides a URL's "://" only:
                 * the ':' before "\/\/" starts that stretch.) */
                esc = i + 1 < n && lsc_is_alpha((unsigned char)p[i + 1]) ? i : SIZE_MAX;
                break;
            case '&':
                /* A character reference ("&quot;", "&#39;") starts a stretch. */
                esc = lsc_entity_may_start(p, n, i) ? i : SIZE_MAX;
                break;
            case '<':
                found = lsc_detect_secret_element(p, n, i, &m);
                break;
            case '$':
                found = i >= st->hash_fail_until &&
                        lsc_detect_password_hash(p, n, i, &m, &st->hash_fail_until);
                break;
            case '-':
                found = lsc_detect_pem(p, n, i, &m) || lsc_detect_secret_flag(p, n, i, &m) ||
                        (i + 1 < n && lsc_short_flag_letter((unsigned char)p[i + 1]) &&
                         lsc_detect_short_flag(p, n, i, &st->seen, &m));
                break;
            default:
                break;
            }
        }
        if (esc != SIZE_MAX && q != NULL && esc >= decoded_until && is_escape(p, n, esc)) {
            /* What the last stretch queued ends before here: taken first. The stretch may
             * reach back over the held match ("fe80::%31ff:..."). */
            int rc = take_queued(q, SIZE_MAX, fn, ctx);
            if (rc != 0) {
                return rc;
            }
            decoded_until = scan_decoded(p, n, esc, settled ? floor : q->sent, q);
            if (settled && q->count > 0) {
                settled = false;
                q->sent = floor;
            }
        }
        if (found) {
            int rc = plain_match(q, &settled, floor, p, n, &m, fn, ctx);
            if (rc != 0) {
                return rc;
            }
            i = m.off + m.len;
            floor = i;
            stop = floor <= tail ? tail : SIZE_MAX;
            if (m.len == 0) {
                i++;
            }
            *reach = i;
            continue;
        }
        i++;
    }
    if (settled) {
        return 0;
    }
    int rc = q->head < q->count ? take_queued(q, SIZE_MAX, fn, ctx) : 0;
    rc = rc != 0 || !q->held ? rc : send_out(q, &q->group, fn, ctx);
    *reach = q->sent > *reach ? q->sent : *reach;
    return rc;
}
