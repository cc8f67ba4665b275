/*
 * test_format_logfmt.c - the logfmt tokenizer (src/format/logfmt.c) and logfmt records
 * through the structured engine: spans, bare keys, quoting, removal, actions, fallback.
 */
#include "format/logfmt.h"
#include "helpers.h"

#include <stdio.h>

static struct lsc_json_node nodes[256];

Test(logfmt, pairs_bare_keys_and_quotes)
{
    const char *l = "  ts=1 msg=\"a \\\"b\\\" c\" flag empty= k=v  ";
    size_t count;
    cr_assert_eq(lsc_logfmt_parse(l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    cr_assert_eq(count, 6);
    cr_expect_eq(nodes[1].key_off, 2);
    cr_expect_eq(nodes[1].key_len, 2);
    cr_expect_eq(nodes[1].type, LSC_JSON_BARE);
    cr_expect_eq(nodes[2].type, LSC_JSON_STRING);
    cr_expect(nodes[2].escaped);
    cr_expect_eq(memcmp(l + nodes[2].off, "\"a \\\"b\\\" c\"", nodes[2].len), 0);
    cr_expect_eq(nodes[3].type, LSC_JSON_LITERAL);
    cr_expect_eq(nodes[4].type, LSC_JSON_BARE);
    cr_expect_eq(nodes[4].len, 0);
    cr_expect_eq(nodes[5].next, -1);
    cr_expect(nodes[5].key_bare);
}

Test(logfmt, rejects_broken_quotes)
{
    const char *bad[] = {"a=\"open", "a\"b=1", "a=x\"y", "a=\"q\"x", "\"k\"=1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t count;
        cr_expect_eq(lsc_logfmt_parse(bad[i], strlen(bad[i]), nodes, 256, &count), LSC_JSON_SYNTAX,
                     "accepted: %s", bad[i]);
    }
    size_t count;
    cr_expect_eq(lsc_logfmt_parse("", 0, nodes, 256, &count), LSC_JSON_OK);
    cr_expect_eq(count, 1);
}

Test(logfmt, guard_page)
{
    struct guard g = guard_new();
    const char *full = "a=1 b=\"x \\\" y\\\\\" c d= e=\"\"";
    size_t n = strlen(full);
    for (size_t cut = 0; cut <= n; cut++) {
        char *p = guard_place(&g, full, cut);
        size_t count;
        lsc_logfmt_parse(p, cut, nodes, 256, &count);
    }
    guard_free(&g);
}

static char *run(const char *body, const char *in, struct lsc_stats *st)
{
    return scrub_with_policy("input: {format: logfmt}\n", body, in, st);
}

#define EXPECT_LOGFMT(policy, in, want)                                                            \
    do {                                                                                           \
        char *got_ = run(policy, in, NULL);                                                        \
        cr_expect_str_eq(got_, want, "in:   %s\nwant: %s\ngot:  %s", in, want, got_);              \
        free(got_);                                                                                \
    } while (0)

Test(logfmt_fields, keep_removes_pairs_with_one_space)
{
    const char *pol = "fields:\n  keep: [ts, status]\n";
    EXPECT_LOGFMT(pol, "ts=1 body=\"x y\" status=200 user=bob\n", "ts=1 status=200\n");
    EXPECT_LOGFMT(pol, "body=x ts=1 flag status=200\n", "ts=1 status=200\n");
    EXPECT_LOGFMT(pol, "a=1 b=2\n", "\n");
}

Test(logfmt_fields, actions_keep_values_bare_when_they_can)
{
    const char *pol = "fields:\n  ip: {ip: truncate}\n  who: {action: replace, with: 'a b'}\n"
                      "  n: {action: mask, keep_last: 1}\n";
    EXPECT_LOGFMT(pol, "ip=10.1.2.3 who=bob n=\"1234\" x=1\n",
                  "ip=10.1.2.0 who=\"a b\" n=\"***4\" x=1\n");
}

Test(logfmt_text, detectors_secret_names_and_fallback)
{
    struct lsc_stats st;
    char *out =
        run("text:\n  - use: network\n  - use: pii\n  - use: secrets\n",
            "user=a@b.com api_key=k1 msg=\"from 10.1.2.3\" 10.9.9.9\nbad \"q 10.1.1.1\n", &st);
    cr_expect_str_eq(out, "user=[email] api_key=[secret] msg=\"from 10.1.2.0\" 10.9.9.0\n"
                          "bad \"q 10.1.1.0\n");
    cr_expect_eq(st.parse_fallback, 1);
    free(out);
    out = run("fields:\n  keep: [a]\n", "a=1 b=\"unterminated\n", &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: parse-error]\n");
    free(out);
}
