/*
 * test_detect_scan.c - the attention mask (src/detect/scan.c): the SSE2 and AVX2 versions
 * give the scalar version's bits for every window of hostile and ordinary bytes, at every
 * offset and near both ends of the input, and the text scan finds the same values with
 * each of them.
 */
#include "detect/detect.h"
#include "detect/scan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every byte value, the classes' edges ('/' '0' '9' ':' '@' 'A' 'Z' '[' '`' 'a' 'z' '{'),
 * the trigger bytes and bytes >= 0x80 (signed in a char), mixed. */
static void fill_hostile(char *buf, size_t n, unsigned seed)
{
    static const char edges[] = "/09:@AZ[`az{=%- .\"\\\x7f\x80\xff";
    srand(seed);
    for (size_t i = 0; i < n; i++) {
        int r = rand();
        buf[i] = (r & 3) == 0 ? (char)(r >> 8) : edges[(size_t)(r >> 4) % (sizeof edges - 1)];
    }
}

static void compare_all(const char *impl)
{
    if (!lsc_attention_force(impl)) {
        cr_skip("this CPU or build has no %s", impl);
    }
    char buf[300];
    for (unsigned seed = 1; seed <= 200; seed++) {
        fill_hostile(buf, sizeof buf, seed);
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

Test(attention, marks_word_starts_glued_digits_and_triggers)
{
    lsc_attention_force("scalar");
    /*                 0123456789012345678 */
    const char *s = "ab cd1 x=y:z@w%-9.";
    uint64_t m = lsc_attention64(s, strlen(s), 0);
    /* a(0) c(3) 1(5, glued) x(7) =(8) y(9) :(10) z(11) @(12) w(13) %(14) -(15) 9(16) */
    uint64_t want = 1u << 0 | 1u << 3 | 1u << 5 | 1u << 7 | 1u << 8 | 1u << 9 | 1u << 10 |
                    1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 15 | 1u << 16;
    cr_expect_eq(m, want, "got %#llx want %#llx", (unsigned long long)m, (unsigned long long)want);
    /* From offset 1, 'b' follows 'a': not a word start. */
    cr_expect_eq(lsc_attention64(s, strlen(s), 1) & 1, 0);
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
    int counts[3] = {0};
    const char *impls[3] = {"scalar", "sse2", "avx2"};
    for (int k = 0; k < 3; k++) {
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
}
