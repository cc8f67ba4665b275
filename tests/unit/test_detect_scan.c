/*
 * test_detect_scan.c - the candidate mask (src/detect/scan.c): the SSE2, AVX2 and AVX-512 versions
 * give the scalar version's bits for every window of hostile and ordinary bytes, at every
 * offset and near both ends of the input; every value a detector finds is marked, from every
 * window that covers it; and the text scan finds the same values with each version.
 */
#include "detect/chars.h"
#include "detect/detect.h"
#include "detect/scan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every byte value, the classes' edges ('/' '0' '9' ':' '@' 'A' 'Z' '[' '`' 'a' 'z' '{'),
 * the trigger bytes, '<' and the set members P and Y, and bytes >= 0x80 (signed in a char),
 * mixed. */
static void fill_hostile(char *buf, size_t n, unsigned seed)
{
    static const char edges[] = "/09:@AZ[`az{=%&#;- .\"\\<PY\x7f\x80\xff";
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        int r = rand();
        buf[i] = (r & 3) == 0 ? (char)(r >> 8) : edges[(size_t)(r >> 4) % (sizeof edges - 1)];
    }
}

/* Digits, dots and a few separators: dotted numbers of every length and count, and digit
 * groups cut by a card's separators, which the hostile mix above rarely spells. */
static void fill_dotted(char *buf, size_t n, unsigned seed)
{
    static const char set[] = "0123456789....... :x+-";
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        buf[i] = set[(size_t)rand() % (sizeof set - 1)];
    }
}

static void compare_all(const char *impl)
{
    if (!lsc_attention_force(impl)) {
        cr_skip("this CPU or build has no %s", impl);
    }
    char buf[300];
    for (unsigned seed = 1; seed <= 260; seed++) {
        if (seed <= 200) {
            fill_hostile(buf, sizeof buf, seed);
        } else {
            fill_dotted(buf, sizeof buf, seed);
        }
        for (size_t n = 0; n <= sizeof buf; n += (n < 140 ? 1 : 37)) {
            for (size_t i = 0; i < n; i++) {
                uint64_t want = lsc_attention64_scalar(buf, n, i);
                uint64_t got = lsc_attention64(buf, n, i);
                if (got != want) {
                    cr_assert_eq(got, want, "%s: seed %u, n %zu, i %zu", impl, seed, n, i);
                }
            }
        }
    }
    lsc_attention_force("scalar");
}

Test(attention, sse2_matches_scalar)
{
    compare_all("sse2");
}

Test(attention, avx2_matches_scalar)
{
    compare_all("avx2");
}

Test(attention, avx512_matches_scalar)
{
    compare_all("avx512");
}

Test(attention, marks_candidates_not_ordinary_words)
{
    lsc_attention_force("scalar");
    /*                 0         1         2         3         4         5
     *                 012345678901234567890123456789012345678901234567890123456 */
    const char *s = "GET /x HTTP/1.1 a1.2 x=y:z@w%-----BEGIN 4111 DE89 eyJ sk-";
    uint64_t m = lsc_attention64(s, strlen(s), 0);
    /* '=' (22), ':' (24), '@' (26), '%' (28), "-----" (29), "--B" (32, as a flag would
     * start), "-B" (33, as a short flag would), "BE" (34, as "Bearer" would start), "DE89" (45),
     * "eyJ" (50), "sk-" (54). Not: GET, x, HTTP, a, y, z, w; not "1.1" (12) or the glued "1.2"
     * (17), as an address has three numbers each followed by a dot; nor "4111" (40), which a card's
     * next digit or separator and digit would follow. */
    uint64_t want = 1ull << 22 | 1ull << 24 | 1ull << 26 | 1ull << 28 | 1ull << 29 | 1ull << 32 |
                    1ull << 33 | 1ull << 34 | 1ull << 45 | 1ull << 50 | 1ull << 54;
    cr_expect_eq(m, want, "got %#llx want %#llx", (unsigned long long)m, (unsigned long long)want);
    /* '<' before a letter (an element), and the SQL words BY and PASSWORD in either case;
     * not '<' before another byte, nor other words of those first letters.
     *                  0         1         2         3         4
     *                  01234567890123456789012345678901234567890123 */
    const char *xml = "<a < <1 BY by PASSWORD Password PO Bx <<b";
    cr_expect_eq(lsc_attention64(xml, strlen(xml), 0),
                 1ull << 0 | 1ull << 8 | 1ull << 11 | 1ull << 14 | 1ull << 23 | 1ull << 39);
    /*                 0123456789012345678901 */
    const char *ips = "9.8.7.6 x10.2.3.4 1.22";
    cr_expect_eq(lsc_attention64(ips, strlen(ips), 0), 1ull << 0 | 1ull << 9);
    /* Version numbers stop before a third dot; an address does not. */
    /*                     0         1         2         3
     *                     0123456789012345678901234567890123456 */
    const char *vers = "Requests/2.31.0 Chrome/605.1.15 1.2.3.4 ";
    cr_expect_eq(lsc_attention64(vers, strlen(vers), 0), 1ull << 32);
    /* A card's first group, then a separator - ' ', '-', or '+' as a query string writes a
     * space - and a digit; not another byte. */
    /*                     0         1         2
     *                     012345678901234567890123456 */
    const char *cards = "4111 1 4111-1 4111+1 4111/1";
    cr_expect_eq(lsc_attention64(cards, strlen(cards), 0), 1ull << 0 | 1ull << 7 | 1ull << 14);
    /* Five digits are a card's start only if a sixth, or a separator and a digit, follow: an
     * access log's byte count ("18796 \"") is none.
     *                      0         1         2         3
     *                      0123456789012345678901234567890 */
    const char *counts = "18796 \"x 28796 1 387961 48796-x";
    cr_expect_eq(lsc_attention64(counts, strlen(counts), 0), 1ull << 9 | 1ull << 17);
    /* A flag of one '-': starting a word, before a letter ("-p", "-a", "-x", "-storepass");
     * not glued to a word ("x-p"), nor before another byte ("-1", "- ").
     *                     0         1
     *                     0123456789012345678 */
    const char *flags = "-p \"-a x-p -x -1 -";
    cr_expect_eq(lsc_attention64(flags, strlen(flags), 0), 1ull << 0 | 1ull << 4 | 1ull << 11);
    /* '&', before anything: a character reference ("&lt;", "&#39;") starts a stretch.
     *                    0123456789012 */
    const char *refs = "a&b &lt; &#3&";
    cr_expect_eq(lsc_attention64(refs, strlen(refs), 0),
                 1ull << 1 | 1ull << 4 | 1ull << 9 | 1ull << 12);
    /* Lookahead stops at the window: from 0 of a long input, "12" at 62-63 may go on to a '.'
     * past it and is marked; the same digits seen from 40 are followed by ' ' and are not. */
    char buf[200];
    memset(buf, 'x', sizeof buf);
    buf[61] = ' ';
    buf[62] = '1';
    buf[63] = '2';
    buf[64] = ' ';
    cr_expect_neq(lsc_attention64(buf, sizeof buf, 0) >> 62 & 1, 0);
    cr_expect_eq(lsc_attention64(buf, sizeof buf, 40) >> 22 & 1, 0);
}

/*
 * The mask is only useful if it is a superset: wherever a detector finds a value, the
 * position must be marked, seen from every window that covers it. Known values are planted
 * at every offset of hostile filler and each detector is run at every position.
 */
static bool word_start_at(const char *p, size_t k)
{
    return k == 0 || !lsc_is_alnum((unsigned char)p[k - 1]);
}

static bool found_at(const char *p, size_t n, size_t k)
{
    struct lsc_match m;
    size_t fail = 0;
    unsigned char c = (unsigned char)p[k], b = k > 0 ? (unsigned char)p[k - 1] : ' ';
    bool digit_start = lsc_is_digit(c) && !lsc_is_digit(b) &&
                       !(b == '.' && k >= 2 && lsc_is_digit((unsigned char)p[k - 2]));
    uint8_t ip4[4];
    if (digit_start && lsc_ip4_parse(p + k, p + n, ip4) > 0) {
        return true;
    }
    if (lsc_detect_pem(p, n, k, &m) || lsc_detect_secret_flag(p, n, k, &m) ||
        lsc_detect_secret_element(p, n, k, &m) ||
        (p[k] == '$' && lsc_detect_password_hash(p, n, k, &m, &fail))) {
        return true;
    }
    if (!word_start_at(p, k)) {
        return false;
    }
    return (digit_start && lsc_detect_card(p, n, k, &m, &fail)) ||
           lsc_detect_iban(p, n, k, &m, &fail) || lsc_detect_token(p, n, k, &m) ||
           lsc_detect_jwt(p, n, k, &m, &fail) || lsc_detect_auth_scheme(p, n, k, &m) ||
           lsc_detect_sql_secret(p, n, k, &m);
}

/* Plants value v at every third offset of hostile filler and checks, with each
 * implementation, that every position a detector finds a value at is marked from every
 * window that covers it; the number of positions checked. */
static int check_plant(const char *plant, size_t len, unsigned v)
{
    const char *impls[4] = {"scalar", "sse2", "avx2", "avx512"};
    char buf[256];
    int checked = 0;
    for (size_t at = 0; at + len < 140; at += 3) {
        fill_hostile(buf, sizeof buf, v * 1000 + (unsigned)at);
        buf[at > 0 ? at - 1 : 0] = at > 0 ? ' ' : buf[0];
        memcpy(buf + at, plant, len);
        buf[at + len] = ' ';
        size_t n = at + len + 1 + (at % 7) * 9;
        for (int impl = 0; impl < 4; impl++) {
            if (!lsc_attention_force(impls[impl])) {
                continue;
            }
            for (size_t k = 0; k < n; k++) {
                if (!found_at(buf, n, k)) {
                    continue;
                }
                checked++;
                for (size_t i = k >= 63 ? k - 63 : 0; i <= k; i++) {
                    if (!(lsc_attention64(buf, n, i) >> (k - i) & 1)) {
                        cr_assert_fail("%s: plant %u at %zu: a value at %zu is not marked from %zu",
                                       impls[impl], v, at, k, i);
                    }
                }
            }
        }
    }
    return checked;
}

Test(attention, marks_every_value_a_detector_finds)
{
    static const char *plants[] = {
        "10.1.2.3",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "xoxb-1234567890-abcdefghij",
        "sk-abcdefghijklmnopqrstuvwxyz",
        "hf_abcdefghijklmnopqrstuvwxyz0123456789",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        "Bearer abcdefgh12345678",
        "basic dXNlcjpwYXNzd29yZA==",
        "-----BEGIN RSA PRIVATE KEY-----abc-----END RSA PRIVATE KEY-----",
        "--password hunter2",
        "<password>hunter2</password>",
        "<wsse:Password a='1'>x",
        "IDENTIFIED BY 'hunter2'",
        "identified with sha256_password bY tiger",
        "PASSWORD 'hunter2'",
        "Password('hunter2')",
        "$6$saltsalt$Xq1dG8x5mWvY3bU7nN2pKc9LrT0sHfJ4aE6iO8uQ1wZ",
        "$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        "pbkdf2_sha256$600000$c2FsdA$Xm9vYmFyYmF6cXV4cXV1eHh4eHg=",
    };
    int checked = 0;
    for (size_t v = 0; v < sizeof plants / sizeof plants[0]; v++) {
        checked += check_plant(plants[v], strlen(plants[v]), (unsigned)v);
    }
    /* Every key prefix of the token table at its shortest (tokens.c). */
    char key[140];
    size_t len;
    size_t kinds = 0;
    for (size_t k = 0; (len = lsc_token_sample(k, SIZE_MAX, key, sizeof key)) > 0; k++) {
        kinds++;
        if (len < sizeof key) { /* (a plant longer than the filler's span is not planted) */
            checked += check_plant(key, len, (unsigned)(100 + k));
        }
    }
    cr_expect_geq(kinds, 90);
    lsc_attention_force("scalar");
    cr_expect_gt(checked, 1000);
}

static int count_match(void *ctx, const struct lsc_match *m)
{
    (void)m;
    (*(int *)ctx)++;
    return 0;
}

/* The same long line through the text scan with each implementation: the same finds. */
Test(attention, text_scan_finds_the_same_with_each)
{
    char line[4096];
    size_t n = 0;
    for (int k = 0; n + 120 < sizeof line; k++) {
        n += (size_t)snprintf(line + n, sizeof line - n,
                              "from%d.2.3.%d user%d@example.com token=abc%d "
                              "2001:db8::%x 4111111111111111 x ",
                              k % 250, k % 199, k, k, k);
    }
    int counts[4] = {0};
    const char *impls[4] = {"scalar", "sse2", "avx2", "avx512"};
    for (int k = 0; k < 4; k++) {
        if (!lsc_attention_force(impls[k])) {
            counts[k] = counts[0];
            continue;
        }
        lsc_detect_text(line, n, count_match, &counts[k]);
    }
    lsc_attention_force("scalar");
    cr_expect_gt(counts[0], 100);
    cr_expect_eq(counts[1], counts[0]);
    cr_expect_eq(counts[2], counts[0]);
    cr_expect_eq(counts[3], counts[0]);
}
