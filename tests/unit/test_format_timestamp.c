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

static const char *iso(int64_t t)
{
    static char buf[21];
    lsc_time_iso(t, buf);
    buf[20] = '\0';
    return buf;
}

/* Expiry arithmetic is done in UTC on absolute times: zones and DST cannot shift it. */
Test(expiry, durations_and_calendar_months)
{
    cr_expect_str_eq(iso(T), "2026-11-22T10:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(T, 0, 90 * 86400)), "2027-02-20T10:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(T, 3, 0)), "2027-02-22T10:00:00Z");
    /* Month ends clamp; leap years count. */
    int64_t jan31 = parse("2026-01-31T12:00:00Z", T);
    cr_expect_str_eq(iso(lsc_time_add(jan31, 1, 0)), "2026-02-28T12:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(parse("2028-01-31T00:00:00Z", T), 1, 0)),
                     "2028-02-29T00:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(parse("2024-02-29T08:00:00Z", T), 12, 0)),
                     "2025-02-28T08:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(parse("2026-10-31T00:00:00Z", T), 4, 0)),
                     "2027-02-28T00:00:00Z");
    /* The same instant written in two zones expires at the same instant. */
    int64_t a = parse("22/Nov/2026:11:00:00 +0100", T), b = parse("2026-11-22T05:00:00-05:00", T);
    cr_expect_eq(lsc_time_add(a, 1, 0), lsc_time_add(b, 1, 0));
    /* Across a DST change (Europe, 2026-03-29): 30 days are 30 * 86400 s of UTC. */
    int64_t before = parse("2026-03-28T12:00:00+01:00", T);
    cr_expect_str_eq(iso(lsc_time_add(before, 0, 30 * 86400)), "2026-04-27T11:00:00Z");
    cr_expect_str_eq(iso(0), "1970-01-01T00:00:00Z");
    cr_expect_str_eq(iso(lsc_time_add(parse("2026-12-31T23:59:59Z", T), 0, 1)),
                     "2027-01-01T00:00:00Z");
}

/* input.timestamp.layout: one form only, nothing else taken for a time. */
Test(timestamp, one_layout_only)
{
    int64_t t;
    cr_expect_eq(lsc_time_layout_by_name("epoch_ms", 8), LSC_LAYOUT_EPOCH_MS);
    cr_expect_eq(lsc_time_layout_by_name("iso", 3), -1);
    cr_expect(lsc_time_parse_as(LSC_LAYOUT_EPOCH, "1795341600", 10, T, &t) && t == T);
    cr_expect_not(lsc_time_parse_as(LSC_LAYOUT_EPOCH, "1795341600000", 13, T, &t));
    cr_expect(lsc_time_parse_as(LSC_LAYOUT_EPOCH_MS, "1795341600000", 13, T, &t) && t == T);
    cr_expect_not(lsc_time_parse_as(LSC_LAYOUT_RFC3339, "1795341600", 10, T, &t));
    cr_expect(lsc_time_parse_as(LSC_LAYOUT_ACCESS, "[22/Nov/2026:10:00:00 +0000]", 28, T, &t) &&
              t == T);
    cr_expect_not(lsc_time_parse_as(LSC_LAYOUT_BSD, "2026-11-22T10:00:00Z", 20, T, &t));
    cr_expect(lsc_time_parse_as(LSC_LAYOUT_BSD, "Nov 22 10:00:00", 15, T, &t) && t == T);
}
