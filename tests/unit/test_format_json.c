/*
 * test_format_json.c - the JSON lines tokenizer (src/format/json.c): spans, nesting,
 * duplicate keys, escapes, limits, rejection of non-JSON, and reading no byte past the end.
 */
#include "format/json.h"
#include "helpers.h"

static struct lsc_json_node nodes[4096];

static enum lsc_json_status parse(const char *s, size_t *count)
{
    return lsc_json_parse(s, strlen(s), nodes, 4096, 64, count);
}

static void expect_span(const char *line, size_t off, size_t len, const char *want)
{
    cr_expect_eq(len, strlen(want), "span '%.*s' want '%s'", (int)len, line + off, want);
    cr_expect_eq(memcmp(line + off, want, len), 0, "span '%.*s' want '%s'", (int)len, line + off,
                 want);
}

Test(json, spans_point_into_the_line)
{
    const char *l = " {\"ts\": \"2026\", \"n\":-1.5e3,\"ok\":true,\"o\":{\"a\":[1, \"x\"]}} ";
    size_t count;
    cr_assert_eq(parse(l, &count), LSC_JSON_OK);
    cr_expect_eq(count, 8);
    cr_expect_eq(nodes[0].type, LSC_JSON_OBJECT);
    expect_span(l, nodes[1].key_off, nodes[1].key_len, "\"ts\"");
    expect_span(l, nodes[1].off, nodes[1].len, "\"2026\"");
    expect_span(l, nodes[2].off, nodes[2].len, "-1.5e3");
    expect_span(l, nodes[3].off, nodes[3].len, "true");
    expect_span(l, nodes[4].off, nodes[4].len, "{\"a\":[1, \"x\"]}");
    expect_span(l, nodes[5].off, nodes[5].len, "[1, \"x\"]");
    cr_expect_eq(nodes[6].parent, 5);
    cr_expect_eq(nodes[6].key_len, 0);
    cr_expect_eq(nodes[6].next, 7);
    cr_expect_eq(nodes[7].next, -1);
    cr_expect_eq(nodes[7].depth, 3);
    cr_expect_eq(nodes[0].first, 1);
}

Test(json, duplicate_keys_are_all_kept)
{
    size_t count;
    cr_assert_eq(parse("{\"a\":1,\"a\":2}", &count), LSC_JSON_OK);
    cr_expect_eq(count, 3);
    cr_expect_eq(nodes[1].next, 2);
}

Test(json, rejects_non_json)
{
    const char *bad[] = {
        "",
        "[]",
        "\"s\"",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":1 \"b\":2}",
        "{a:1}",
        "{\"a\":01}",
        "{\"a\":1.}",
        "{\"a\":tru}",
        "{\"a\":\"x}",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"tab\there\"}",
        "{\"a\":1} x",
        "{\"a\":[1,]}",
        "{\"a\":[1 2]}",
        "{\"a\":{\"b\":1}",
        "{} {}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t count;
        cr_expect_eq(parse(bad[i], &count), LSC_JSON_SYNTAX, "accepted: %s", bad[i]);
    }
}

Test(json, depth_and_size_are_bounded)
{
    size_t n = 1000000;
    char *deep = malloc(2 * n + 16);
    size_t k = 0;
    deep[k++] = '{';
    deep[k++] = '"';
    deep[k++] = 'a';
    deep[k++] = '"';
    deep[k++] = ':';
    for (size_t i = 0; i < n; i++) {
        deep[k++] = '[';
    }
    deep[k] = '\0';
    size_t count;
    cr_expect_eq(lsc_json_parse(deep, k, nodes, 4096, 64, &count), LSC_JSON_TOO_DEEP);
    free(deep);
    char big[20000] = "{\"a\":[";
    for (int i = 0; i < 5000; i++) {
        strcat(big, i ? ",1" : "1");
    }
    strcat(big, "]}");
    cr_expect_eq(parse(big, &count), LSC_JSON_TOO_BIG);
}

Test(json, unescape_and_escape)
{
    const char *s = "a\\\"b\\\\c\\/d\\n\\u0040\\u00e9\\ud83d\\ude00\\ud800x";
    char out[64];
    size_t l = lsc_json_unescape(s, strlen(s), out);
    const char want[] = "a\"b\\c/d\n@\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx";
    cr_expect_eq(l, sizeof want - 1);
    cr_expect_eq(memcmp(out, want, l), 0);
    /* A \u without four hex digits (possible in logfmt) stays as written, minus the \. */
    const char *odd = "a\\u@o\\u12";
    l = lsc_json_unescape(odd, strlen(odd), out);
    cr_expect_eq(l, 7);
    cr_expect_eq(memcmp(out, "au@ou12", 7), 0);
    char enc[128];
    size_t el = lsc_json_escape("q\"\\\n\x01z\t\r\b\f\x1f", 11, enc);
    const char *want_enc = "q\\\"\\\\\\n\\u0001z\\t\\r\\b\\f\\u001f";
    cr_expect_eq(el, strlen(want_enc));
    cr_expect_eq(memcmp(enc, want_enc, el), 0);
}

Test(json, guard_page)
{
    struct guard g = guard_new();
    const char *full = "{\"a\":\"x\\u00e9\",\"b\":[1,-2.5e+3,true,null,{\"c\":false}]}";
    size_t n = strlen(full);
    for (size_t cut = 0; cut <= n; cut++) {
        char *p = guard_place(&g, full, cut);
        size_t count;
        enum lsc_json_status st = lsc_json_parse(p, cut, nodes, 4096, 64, &count);
        cr_expect_eq(st, cut == n ? LSC_JSON_OK : LSC_JSON_SYNTAX, "cut %zu", cut);
    }
    guard_free(&g);
}

/*
 * Strings of every length from 0 to 40, at the end of the buffer (a guard page after it)
 * and with white space after: plain ones parse with exact spans; a quote, a control byte
 * or a bad escape at any position is refused; a good escape at any position is accepted
 * and flagged. (The tokenizer finds most string ends with one 16-byte compare, and falls
 * back to a byte-by-byte scan for the rest: every length crosses that boundary.)
 */
Test(json, strings_of_every_length_with_a_stop_at_every_position)
{
    struct guard g = guard_new();
    char buf[128], body[64];
    for (size_t len = 0; len <= 40; len++) {
        for (size_t pad = 0; pad <= 17; pad += 17) {
            for (int what = 0; what < 5; what++) {
                for (size_t at = 0; at < (what == 0 ? 1 : len); at++) {
                    memset(body, 'a', len);
                    body[len] = '\0';
                    enum lsc_json_status want = LSC_JSON_OK;
                    if (what == 1) {
                        body[at] = '"'; /* ends the string early: what follows is not JSON */
                        want = LSC_JSON_SYNTAX;
                    } else if (what == 2) {
                        body[at] = (char)(at % 2 ? 0x1f : 0x01);
                        want = LSC_JSON_SYNTAX;
                    } else if (what == 3 && at + 1 < len) {
                        body[at] = '\\';
                        body[at + 1] = 'q';
                        want = LSC_JSON_SYNTAX;
                    } else if (what == 4 && at + 1 < len) {
                        body[at] = '\\';
                        body[at + 1] = 'n';
                    } else if (what >= 3) {
                        continue;
                    }
                    int bl = snprintf(buf, sizeof buf, "{\"k\":\"%s\"}%*s", body, (int)pad, "");
                    char *p = guard_place(&g, buf, (size_t)bl);
                    size_t count = 0;
                    enum lsc_json_status st =
                        lsc_json_parse(p, (size_t)bl, nodes, 4096, 64, &count);
                    cr_expect_eq(st, want, "len %zu pad %zu what %d at %zu: %s", len, pad, what, at,
                                 buf);
                    if (st == LSC_JSON_OK && want == LSC_JSON_OK) {
                        cr_expect_eq(count, 2);
                        cr_expect_eq(nodes[1].off, 5);
                        cr_expect_eq(nodes[1].len, len + 2, "len %zu what %d", len, what);
                        cr_expect_eq(nodes[1].escaped, what == 4);
                    }
                }
            }
        }
    }
    guard_free(&g);
}

/* The escaper against a byte-at-a-time model, with a byte that needs escaping at every
 * position of strings up to 40 bytes long. */
Test(json, escape_matches_a_byte_at_a_time_model)
{
    static const char specials[] = {'"', '\\', '\n', '\t', '\r', '\b', '\f', 0x01, 0x1f, 'x'};
    char in[48], got[300], want[300];
    for (size_t len = 0; len <= 40; len++) {
        for (size_t s = 0; s < sizeof specials; s++) {
            for (size_t at = 0; at < len || (len == 0 && at == 0); at++) {
                memset(in, 'b', len);
                if (len > 0) {
                    in[at] = specials[s];
                }
                size_t w = 0;
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)in[i];
                    if (c == '"' || c == '\\') {
                        want[w++] = '\\';
                        want[w++] = (char)c;
                    } else if (c != 0 && strchr("\b\t\n\f\r", c) != NULL) {
                        want[w++] = '\\';
                        want[w++] = "btnfr"[strchr("\b\t\n\f\r", c) - "\b\t\n\f\r"];
                    } else if (c < 0x20) {
                        w += (size_t)snprintf(want + w, 7, "\\u%04x", c);
                    } else {
                        want[w++] = (char)c;
                    }
                }
                size_t gl = lsc_json_escape(in, len, got);
                cr_expect_eq(gl, w, "len %zu special %zu at %zu", len, s, at);
                cr_expect_eq(memcmp(got, want, w), 0, "len %zu special %zu at %zu", len, s, at);
                if (len == 0) {
                    break;
                }
            }
        }
    }
}
