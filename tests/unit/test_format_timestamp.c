/*
 * test_format_timestamp.c - record times (src/format/timestamp.c): every format, zones,
 * the BSD year inference, strictness, and a guard page.
 */
#include "format/timestamp.h"
#include "helpers.h"

/* 2026-11-22 10:00:00 UTC */
#define T 1795341600

static int64_t parse(const char *s, int64_t now)
{
    int64_t t = -1;
    cr_assert(lsc_time_parse(s, strlen(s), now, &t), "not a time: %s", s);
    return t;
}

Test(timestamp, the_formats_logs_use)
{
    cr_expect_eq(parse("22/Nov/2026:10:00:00 +0000", T), T);
    cr_expect_eq(parse("[22/Nov/2026:11:30:00 +0130]", T), T);
    cr_expect_eq(parse("22/Nov/2026:05:00:00 -0500", T), T);
    cr_expect_eq(parse("2026-11-22T10:00:00Z", T), T);
    cr_expect_eq(parse("2026-11-22T10:00:00.123456Z", T), T);
    cr_expect_eq(parse("2026-11-22T11:00:00+01:00", T), T);
    cr_expect_eq(parse("2026-11-22 10:00:00", T), T);
    cr_expect_eq(parse("2026-11-22t10:00:00,5z", T), T);
    cr_expect_eq(parse("1795341600", T), T);
    cr_expect_eq(parse("1795341600.250", T), T);
    cr_expect_eq(parse("1795341600999", T), T);
    cr_expect_eq(parse("Nov 22 10:00:00", T), T);
    cr_expect_eq(parse("Nov  2 10:00:00", T), T - 20 * 86400);
    cr_expect_eq(parse("2024-02-29T00:00:00Z", T), 1709164800);
}

Test(timestamp, bsd_years_are_inferred_from_now)
{
    /* In January, a December line is last year's. */
    int64_t jan2 = 1767312000;                                /* 2026-01-02 00:00 UTC */
    cr_expect_eq(parse("Dec 31 23:00:00", jan2), 1767222000); /* 2025-12-31 23:00 */
    cr_expect_eq(parse("Jan  1 12:00:00", jan2), 1767268800);
    /* Up to a month ahead (clock skew) stays this year. */
    cr_expect_eq(parse("Jan 20 00:00:00", jan2), 1768867200);
    /* Feb 29 takes the nearest leap year before. */
    cr_expect_eq(parse("Feb 29 00:00:00", T), 1709164800);
}

Test(timestamp, almost_times_are_not_times)
{
    const char *bad[] = {
        "",
        "22/Nov/2026:10:00:00",
        "22/Nox/2026:10:00:00 +0000",
        "32/Nov/2026:10:00:00 +0000",
        "22/Nov/2026:24:00:00 +0000",
        "2026-13-01T00:00:00Z",
        "2026-02-30T00:00:00Z",
        "2026-11-22T10:00:00+2500",
        "2026-11-22T10:00:00.Z",
        "2026-11-22T10:00:00 extra",
        "179534160",
        "17953416001",
        "1795341600.x",
        "Nov 22 10:00",
        "Foo 22 10:00:00",
        "1969-12-31T23:59:59Z",
        "abc",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t;
        cr_expect_not(lsc_time_parse(bad[i], strlen(bad[i]), T, &t), "accepted: '%s'", bad[i]);
    }
}

Test(timestamp, found_in_text_lines)
{
    int64_t t;
    const char *l1 = "Nov 22 10:00:00 host sshd[1]: msg";
    cr_expect(lsc_time_in_text(l1, strlen(l1), T, &t) && t == T);
    const char *l2 = "2026-11-22T10:00:00Z host app: msg";
    cr_expect(lsc_time_in_text(l2, strlen(l2), T, &t) && t == T);
    const char *l3 = "1.2.3.4 - - [22/Nov/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1";
    cr_expect(lsc_time_in_text(l3, strlen(l3), T, &t) && t == T);
    const char *l4 = "no time [here] at all";
    cr_expect_not(lsc_time_in_text(l4, strlen(l4), T, &t));
}

Test(timestamp, guard_page)
{
    struct guard g = guard_new();
    const char *all[] = {"22/Nov/2026:10:00:00 +0000", "2026-11-22T10:00:00.123+01:00",
                         "1795341600.123", "Nov 22 10:00:00",
                         "1.2.3.4 - - [22/Nov/2026:10:00:00 +0000]"};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        size_t n = strlen(all[k]);
        for (size_t cut = 0; cut <= n; cut++) {
            char *p = guard_place(&g, all[k], cut);
            int64_t t;
            lsc_time_parse(p, cut, T, &t);
            lsc_time_in_text(p, cut, T, &t);
        }
    }
    guard_free(&g);
}
