/*
 * test_format_syslog.c - RFC 5424 and RFC 3164 lines (src/format/syslog.c) and syslog
 * records through the structured engine: headers, structured data, removal, round trips.
 */
#include "format/syslog.h"
#include "helpers.h"

#include <stdio.h>

static struct lsc_json_node nodes[256];

static const char *member(const char *line, size_t count, const char *name, char *buf)
{
    return node_text(line, nodes, count, name, buf);
}

static const char *const l5424 =
    "<34>1 2026-11-22T10:00:00.003Z mymachine.example.com su 123 ID47 [exampleSDID@32473 "
    "iut=\"3\" eventSource=\"App \\\"x\\\" \\]\"][meta ip=\"1.2.3.4\"] BOM'su root' failed";

Test(syslog, rfc5424_headers_and_structured_data)
{
    size_t count;
    cr_assert_eq(lsc_syslog_parse(l5424, strlen(l5424), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l5424, count, "pri", b), "34");
    cr_expect_str_eq(member(l5424, count, "version", b), "1");
    cr_expect_str_eq(member(l5424, count, "timestamp", b), "2026-11-22T10:00:00.003Z");
    cr_expect_str_eq(member(l5424, count, "hostname", b), "mymachine.example.com");
    cr_expect_str_eq(member(l5424, count, "app_name", b), "su");
    cr_expect_str_eq(member(l5424, count, "procid", b), "123");
    cr_expect_str_eq(member(l5424, count, "msgid", b), "ID47");
    cr_expect_str_eq(member(l5424, count, "iut", b), "3");
    cr_expect_str_eq(member(l5424, count, "eventSource", b), "App \\\"x\\\" \\]");
    cr_expect_str_eq(member(l5424, count, "ip", b), "1.2.3.4");
    cr_expect_str_eq(member(l5424, count, "message", b), "BOM'su root' failed");
    cr_expect_str_eq(member(l5424, count, "exampleSDID@32473", b),
                     "[exampleSDID@32473 iut=\"3\" eventSource=\"App \\\"x\\\" \\]\"]");
}

Test(syslog, rfc5424_nil_values_and_no_message)
{
    const char *l = "<13>1 - - - - - -";
    size_t count;
    cr_assert_eq(lsc_syslog_parse(l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[64];
    cr_expect_str_eq(member(l, count, "structured_data", b), "-");
    cr_expect_null(member(l, count, "message", b));
}

Test(syslog, rfc3164_as_files_hold_it)
{
    const char *l = "Nov  2 06:25:01 host sshd[1234]: Accepted password for bob from 10.1.2.3";
    size_t count;
    cr_assert_eq(lsc_syslog_parse(l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l, count, "timestamp", b), "Nov  2 06:25:01");
    cr_expect_str_eq(member(l, count, "hostname", b), "host");
    cr_expect_str_eq(member(l, count, "app_name", b), "sshd");
    cr_expect_str_eq(member(l, count, "procid", b), "1234");
    cr_expect_str_eq(member(l, count, "message", b), "Accepted password for bob from 10.1.2.3");
    l = "<86>2026-11-22T06:25:01.123+01:00 host CRON: (root) CMD (run)";
    cr_assert_eq(lsc_syslog_parse(l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    cr_expect_str_eq(member(l, count, "pri", b), "86");
    cr_expect_str_eq(member(l, count, "timestamp", b), "2026-11-22T06:25:01.123+01:00");
    cr_expect_str_eq(member(l, count, "app_name", b), "CRON");
    cr_expect_null(member(l, count, "procid", b));
    l = "Nov 22 06:25:01 host last message repeated 2 times";
    cr_assert_eq(lsc_syslog_parse(l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    cr_expect_null(member(l, count, "app_name", b));
    cr_expect_str_eq(member(l, count, "message", b), "last message repeated 2 times");
}

Test(syslog, rejects_other_lines)
{
    const char *bad[] = {
        "",
        "hello world",
        "<34>1 2026-11-22T10:00:00Z host app",
        "<34>1 - - - - - [unterminated x=\"1\"",
        "<34>1 - - - - - [id x=1]",
        "<34>1 - - - - - [id x=\"1]",
        "<1234>1 - - - - - -",
        "Nov 22 06:25:01",
        "{\"json\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t count;
        cr_expect_eq(lsc_syslog_parse(bad[i], strlen(bad[i]), nodes, 256, &count), LSC_JSON_SYNTAX,
                     "accepted: %s", bad[i]);
    }
}

Test(syslog, many_params_fail_not_overflow)
{
    char line[8192] = "<34>1 - - - - - [id";
    for (int i = 0; i < 300; i++) {
        strcat(line, " a=\"1\"");
    }
    strcat(line, "] msg");
    size_t count;
    cr_expect_eq(lsc_syslog_parse(line, strlen(line), nodes, 256, &count), LSC_JSON_TOO_BIG);
}

Test(syslog, guard_page)
{
    struct guard g = guard_new();
    const char *lines[] = {l5424, "<86>Nov  2 06:25:01 host sshd[12]: msg"};
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(lines[k]);
        for (size_t cut = 0; cut <= n; cut++) {
            char *p = guard_place(&g, lines[k], cut);
            size_t count;
            lsc_syslog_parse(p, cut, nodes, 256, &count);
        }
    }
    guard_free(&g);
}

static char *run(const char *body, const char *in, struct lsc_stats *st)
{
    char text[2048];
    snprintf(text, sizeof text, "%stext:\n  - use: network\n  - use: pii\n  - use: secrets\n",
             body);
    return scrub_with_policy("input: {format: syslog}\n", text, in, st);
}

#define EXPECT_RUN(body, in, want)                                                                 \
    do {                                                                                           \
        char *got_ = run(body, in, NULL);                                                          \
        cr_expect_str_eq(got_, want, "in:   %s\nwant: %s\ngot:  %s", in, want, got_);              \
        free(got_);                                                                                \
    } while (0)

Test(syslog_records, removal_keeps_the_line_syslog)
{
    EXPECT_RUN("fields:\n  keep: [timestamp, app_name, message]\n",
               "<34>1 2026-11-22T10:00:00Z host.example su 123 ID47 [a x=\"1\"] hi 10.0.0.9",
               "<34>1 2026-11-22T10:00:00Z - su - - - hi 10.0.0.0");
    EXPECT_RUN("fields:\n  keep: [structured_data.meta.ip, structured_data.b]\n",
               "<34>1 - - - - - [a x=\"1\"][meta ip=\"1.2.3.4\" user=\"bob\"][b k=\"v\"] m",
               "<34>1 - - - - - [meta ip=\"1.2.3.0\"][b k=\"v\"] -");
    EXPECT_RUN("fields:\n  drop: [structured_data.meta.ip, structured_data.meta.user]\n",
               "<34>1 - - - - - [meta ip=\"1.2.3.4\" user=\"bob\"] m", "<34>1 - - - - - [meta] m");
    EXPECT_RUN("fields:\n  drop: [message, hostname]\n",
               "Nov 22 06:25:01 host sshd[1]: Accepted for bob from 10.1.2.3",
               "Nov 22 06:25:01 - sshd[1]: -");
    EXPECT_RUN("fields:\n  keep: [message]\n", "Nov 22 06:25:01 host sshd[1]: hi",
               "Nov 22 06:25:01 - -[-]: hi");
}

Test(syslog_records, values_are_scanned_and_reescaped)
{
    /* ']' must be escaped in a value; a raw one is read leniently and written escaped. */
    EXPECT_RUN("", "<34>1 - - - - - [u email=\"a@b.co\" password=\"x\\\"y\" note=\"c@d.org]\"] m",
               "<34>1 - - - - - [u email=\"[email\\]\" password=\"[secret\\]\" "
               "note=\"[email\\]\\]\"] m");
    /* A structured-data name cannot hold ']': a label there ends in '_'. */
    EXPECT_RUN("", "<34>1 - - - - - [u jane@example.com=\"1\"] m",
               "<34>1 - - - - - [u [email_=\"1\"] m");
    EXPECT_RUN("", "Nov 22 06:25:01 host sshd[1]: password=hunter2 from 2001:db8::1",
               "Nov 22 06:25:01 host sshd[1]: password=[secret] from 2001:db8::");
}

Test(syslog_records, output_parses_with_the_same_format)
{
    const char *in[] = {
        l5424,
        "<34>1 - host - - - [meta ip=\"1.2.3.4\" e=\"a@b.co\"] token=abc a@b.co",
        "Nov 22 06:25:01 host sshd[1234]: Accepted password for bob from 10.1.2.3 port 22",
        "<13>Nov 22 06:25:01 host app: card 4111 1111 1111 1111",
    };
    const char *bodies[] = {"", "fields:\n  keep: [message, structured_data.meta]\n",
                            "fields:\n  drop: [structured_data]\n  message: { action: redact }\n"};
    for (size_t b = 0; b < 3; b++) {
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
            size_t c_in, c_out;
            cr_assert_eq(lsc_syslog_parse(in[i], strlen(in[i]), nodes, 256, &c_in), LSC_JSON_OK);
            size_t top_in = 0, top_out = 0;
            for (size_t k = 1; k < c_in; k++) {
                top_in += nodes[k].depth == 1;
            }
            char *out = run(bodies[b], in[i], NULL);
            cr_expect_eq(lsc_syslog_parse(out, strlen(out), nodes, 256, &c_out), LSC_JSON_OK,
                         "does not parse: %s", out);
            for (size_t k = 1; k < c_out; k++) {
                top_out += nodes[k].depth == 1;
            }
            cr_expect_eq(top_in, top_out, "field count differs: %s -> %s", in[i], out);
            free(out);
        }
    }
}
