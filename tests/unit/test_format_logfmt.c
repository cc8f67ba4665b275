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
    /* PWD before an absolute path, bare or quoted, is the working directory. */
    EXPECT_LOGFMT("text:\n  - use: secrets\n", "PWD=/home/bob pwd=/x PWD=\"/srv\" PWD=y\n",
                  "PWD=/home/bob pwd=[secret] PWD=\"/srv\" PWD=[secret]\n");
    out = run("fields:\n  keep: [a]\n", "a=1 b=\"unterminated\n", &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: parse-error]\n");
    free(out);
}

/* A quoted value is read as Go's strconv.Quote writes it: "\xHH", "\UHHHHHHHH", "\a" and "\v"
 * stand for what they encode, so nothing hides behind them; a bare key stays one word. */
Test(logfmt_text, go_quoting_hides_nothing)
{
    const char *pol = "text:\n  - use: network\n  - use: pii\n";
    EXPECT_LOGFMT(pol, "q=\"a \\x34111111111111111\" n=1\n", "q=\"a [card]\" n=1\n");
    EXPECT_LOGFMT(pol, "q=\"a\\a4111111111111111\"\n", "q=\"a\\u0007[card]\"\n");
    EXPECT_LOGFMT(pol, "q=\"\\U0001F600 10.1.2.3\"\n", "q=\"\xf0\x9f\x98\x80 10.1.2.0\"\n");
    EXPECT_LOGFMT(pol, "q=\"\\U0000002210.1.2.3\"\n", "q=\"\\\"10.1.2.0\"\n");
    EXPECT_LOGFMT(pol, "jane@example.com flag\n", "[email] flag\n");
}

/* Free text in a logfmt line is bare keys, a word each: a run of them, with the bare value
 * before it, is scanned as one span, so a value written with spaces is found whole. */
Test(logfmt_text, free_words_are_scanned_as_one_span)
{
    const char *pol = "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";
    EXPECT_LOGFMT(pol, "level=info msg=paid 4111 1111 1111 1111 user=bob\n",
                  "level=info msg=paid [card] user=bob\n");
    EXPECT_LOGFMT(pol, "iban=DE89 3704 0044 0532 0130 00 a=1 b=2\n", "iban=[iban] a=1 b=2\n");
    EXPECT_LOGFMT(pol, "a=1 Authorization: Bearer abcdefghij0123456789 n=1\n",
                  "a=1 Authorization: [secret] n=1\n");
    EXPECT_LOGFMT(pol, "msg=login password: hunter2 b=2\n", "msg=login password: [secret] b=2\n");
    EXPECT_LOGFMT(pol, "a=1 flag other b=2\n", "a=1 flag other b=2\n");
    EXPECT_LOGFMT(pol, "ip=10.1.2.3 from home\n", "ip=10.1.2.0 from home\n");
    EXPECT_LOGFMT(pol, "a@b.co=paid 4111 1111 1111 1111\n", "[email]=paid [card]\n");
    EXPECT_LOGFMT(pol, "m=a=b 4111 1111 1111 1111 z=1\n", "m=a=b [card] z=1\n");
    /* A quoted value stands alone; so does a pair with a field action. */
    EXPECT_LOGFMT(pol, "q=\"4111\" 1111 1111 1111\n", "q=\"4111\" 1111 1111 1111\n");
    EXPECT_LOGFMT("fields:\n  q: {action: keep}\n", "q=4111 1111 1111 1111\n",
                  "q=4111 1111 1111 1111\n");
    /* Removed words stay removed, and cut the run. */
    EXPECT_LOGFMT("fields:\n  drop: ['1111']\ntext:\n  - use: pii\n", "a=1 4111 1111 x\n",
                  "a=1 4111 x\n");
    /* A replacement holding '=' or '"' leaves words, not a new pair. */
    EXPECT_LOGFMT("text:\n  - name: t\n    pattern: 'tok [0-9]+'\n    action: replace\n"
                  "    with: 'a=\"b\"'\n",
                  "a=1 tok 42 b=2\n", "a=1 a__b_ b=2\n");
}

/* The leak check for free words: values of every class, written with their spaces, among
 * free words and pairs of a logfmt line under a policy with field rules. */
Test(logfmt_text, no_value_with_spaces_survives)
{
    static const char *const values[] = {
        "4111 1111 1111 1111",        "5500-0000-0000-0004", "DE89 3704 0044 0532 0130 00",
        "Bearer abcdef0123456789XYZ", "password: hunter2x",  "Basic dXNlcjpwYXNzd29yZA==",
        "jane.doe@example.com",       "10.20.30.40"};
    static const char *const before[] = {"", "paid ", "a b ", "msg=x ", "msg=card "};
    static const char *const after[] = {"", " now", " k=v", " x y=z"};
    static const char *const secret[] = {"4111 1111 1111 1111",
                                         "5500-0000-0000-0004",
                                         "DE89 3704 0044 0532 0130 00",
                                         "abcdef0123456789XYZ",
                                         "hunter2x",
                                         "dXNlcjpwYXNzd29yZA",
                                         "jane.doe@example.com",
                                         "10.20.30.40"};
    struct lsc_policy *pol =
        load_test_policy("input: {format: logfmt}\n", "fields:\n  drop: [body]\ntext:\n"
                                                      "  - use: network\n  - use: pii\n"
                                                      "  - use: secrets\n");
    uint64_t s = 0x517cc1b727220a95u;
    for (int t = 0; t < 4000; t++) {
        size_t v = rnd(&s) % (sizeof values / sizeof values[0]);
        char line[300];
        snprintf(line, sizeof line, "level=info %s%s%s body=b ts=1\n",
                 before[rnd(&s) % (sizeof before / sizeof before[0])], values[v],
                 after[rnd(&s) % (sizeof after / sizeof after[0])]);
        char *out = scrub_with(pol, line, strlen(line), NULL);
        cr_assert(strstr(out, secret[v]) == NULL, "%s leaks from \"%s\": \"%s\"", secret[v], line,
                  out);
        cr_assert(strstr(out, "body=") == NULL, "\"%s\": \"%s\"", line, out);
        free(out);
    }
    lsc_policy_free(pol);
}
