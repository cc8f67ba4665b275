/*
 * test_action_fields.c - field actions that understand their values (src/action/url.c path
 * segments, src/action/user_agent.c), credential headers in JSON, actions on containers,
 * and format auto (src/engine/record.c) recognising each format per line.
 */
#include "action/action.h"
#include "helpers.h"

#include <stdio.h>

Test(url_segments, labels_what_looks_like_an_id)
{
    const struct {
        const char *seg;
        const char *label;
    } cases[] = {
        {"550e8400-e29b-41d4-a716-446655440000", ":uuid"},
        {"jane.doe@example.com", ":email"},
        {"jane%40example.com", ":email"},
        {"0123456789abcdef0123", ":hex"},
        {"d41d8cd98f00b204e9800998ecf8427e", ":hex"},
        {"aZ3kP9qL0mN7xT2vB8wRcD", ":token"},
        {"a1b2c3d4e5f6g7h8i9j0", ":token"},
        {"introduction-to-rust-2024", NULL},
        {"GetUserProfileSettings", NULL},
        {"users", NULL},
        {"12345", NULL},
        {"v1.2.3", NULL},
        {"deadbeefcafebabe", NULL}, /* no digit: a word as likely as an id */
        {"index.html", NULL},
        {"@scope", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = lsc_url_segment_label(cases[i].seg, strlen(cases[i].seg));
        if (cases[i].label == NULL) {
            cr_expect_null(got, "%s labelled %s", cases[i].seg, got);
        } else {
            cr_expect(got && strcmp(got, cases[i].label) == 0, "%s: %s", cases[i].seg,
                      got ? got : "(none)");
        }
    }
}

static char *url(const char *v, bool keep_segments)
{
    char *names[] = {"page"};
    struct lsc_action a = {.kind = LSC_ACT_URL,
                           .query = names,
                           .nquery = 1,
                           .query_keep = true,
                           .keep_segments = keep_segments};
    char *out = malloc(2 * strlen(v) + 8);
    size_t n = lsc_url_filter(&a, v, strlen(v), out);
    out[n] = '\0';
    return out;
}

Test(url_segments, the_url_stays_a_url)
{
    char *o = url("https://u:pw@h0123456789abcdef0123.example/a/550e8400-e29b-41d4-a716-"
                  "446655440000/a@b.co?page=1&token=x#f",
                  false);
    cr_expect_str_eq(o, "https://h0123456789abcdef0123.example/a/:uuid/:email?page=1");
    free(o);
    o = url("/a/550e8400-e29b-41d4-a716-446655440000/?page=1", true);
    cr_expect_str_eq(o, "/a/550e8400-e29b-41d4-a716-446655440000/?page=1");
    free(o);
    /* Short e-mail segments get a longer label: the output may outgrow the input. */
    o = url("/a@b.c/a@b.c/a@b.c/a@b.c", false);
    cr_expect_str_eq(o, "/:email/:email/:email/:email");
    free(o);
}

/*
 * The query filter against a model, for queries of up to 16 parameters drawn from kept,
 * dropped and empty ones, split by '&' and ';': the filter finds separators 16 bytes at a
 * time (the last partial block as the value's last 16 bytes) and must stop at each one.
 */
Test(url_segments, query_parameters_against_a_model)
{
    static const char *const pieces[] = {"page=1", "page",  "x=2",   "",  "pagex=3",
                                         "pag=4",  "page=", "a=b=c", "q", "page=12345678901"};
    uint64_t seed = 0x2545f4914f6cdd1du;
    char v[400], want[400];
    for (int round = 0; round < 5000; round++) {
        size_t n = (size_t)sprintf(v, "/a?"), w = (size_t)sprintf(want, "/a");
        size_t count = rnd(&seed) % 17;
        for (size_t k = 0; k < count; k++) {
            const char *piece = pieces[rnd(&seed) % (sizeof pieces / sizeof pieces[0])];
            if (k > 0) {
                v[n++] = rnd(&seed) % 3 == 0 ? ';' : '&';
            }
            n += (size_t)sprintf(v + n, "%s", piece);
            if (strncmp(piece, "page", 4) == 0 && (piece[4] == '\0' || piece[4] == '=')) {
                w += (size_t)sprintf(want + w, "%c%s", w == 2 ? '?' : '&', piece);
            }
        }
        v[n] = '\0';
        want[w] = '\0';
        char *o = url(v, true);
        cr_expect_str_eq(o, want, "%s", v);
        free(o);
    }
}

Test(user_agent, families_and_systems)
{
    const struct {
        const char *ua;
        const char *want;
    } cases[] = {
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.6099.130 Safari/537.36",
         "Chrome/120 (Windows)"},
        {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
         "Edge/120 (Windows)"},
        {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
         "Firefox/121 (Linux)"},
        {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
         "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
         "Safari/17 (iOS)"},
        {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Mobile Safari/537.36",
         "Chrome/119 (Android)"},
        {"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, "
         "like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
         "+http://www.google.com/bot.html)",
         "Googlebot/2 (Android)"},
        {"Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", "IE/11 (Windows)"},
        {"curl/8.4.0", "curl/8"},
        {"python-requests/2.31.0", "python-requests/2"},
        {"Mozilla/5.0 (compatible; weird)", "Other"},
        {"", "Other"},
        {"-", "-"}, /* "no user agent" stays what it was */
        {"nutch-1.4/Nutch-1.4", "Other"},
        {"name with spaces/1.0", "Other"},
        {"Chrome/32 (macOS)", "Chrome/32 (macOS)"},
        {"Samsung Internet/23 (Android)", "Samsung Internet/23 (Android)"},
        {"Safari/17 (iOS)", "Safari/17 (iOS)"},
        {"curl/8", "curl/8"},
        {"Other", "Other"},
        {"Chrome/32 (mac OS 1)", "Chrome/32"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[LSC_UA_MAX + 1];
        size_t n = lsc_user_agent_coarsen(cases[i].ua, strlen(cases[i].ua), out);
        cr_assert_leq(n, LSC_UA_MAX);
        out[n] = '\0';
        cr_expect_str_eq(out, cases[i].want, "%s", cases[i].ua);
    }
}

static char *json(const char *body, const char *in)
{
    return scrub_with_policy("input: {format: json}\n", body, in, NULL);
}

#define EXPECT_JSON(body, in, want)                                                                \
    do {                                                                                           \
        char *got_ = json(body, in);                                                               \
        cr_expect_str_eq(got_, want, "in:   %s\nwant: %s\ngot:  %s", in, want, got_);              \
        free(got_);                                                                                \
    } while (0)

/* A label as long as the segment it replaces ("a@b.co" and ":email") is still written. */
Test(url_segments, a_same_length_label_is_still_written)
{
    char *out =
        scrub_with_policy("input: {format: json}\n", "fields:\n  p: { url: { query_keep: [] } }\n",
                          "{\"p\":\"/u/a@b.co/x\"}", NULL);
    cr_expect_str_eq(out, "{\"p\":\"/u/:email/x\"}");
    free(out);
}

Test(json_headers, credential_headers_are_removed_unless_kept_by_name)
{
    const char *in = "{\"headers\":{\"Authorization\":\"Bearer x\",\"Cookie\":\"a=b\","
                     "\"Set-Cookie\":\"s=1\",\"X-Api-Key\":\"k\",\"Accept\":\"*/*\"},\"n\":1}";
    EXPECT_JSON("", in, "{\"headers\":{\"Accept\":\"*/*\"},\"n\":1}");
    EXPECT_JSON("fields:\n  keep: [headers]\n", in, "{\"headers\":{\"Accept\":\"*/*\"}}");
    EXPECT_JSON("fields:\n  keep: [headers.Cookie, n]\n", in,
                "{\"headers\":{\"Cookie\":\"a=b\"},\"n\":1}");
    EXPECT_JSON("fields:\n  keep: ['headers[*]']\n", "{\"headers\":[{\"cookie\":\"x\"}]}",
                "{\"headers\":[{}]}");
}

Test(json_containers, an_action_on_an_object_reaches_every_value)
{
    EXPECT_JSON("fields:\n  user: { action: redact }\n",
                "{\"user\":{\"name\":\"Jane\",\"tags\":[\"a\",7],\"ok\":true},\"n\":1}",
                "{\"user\":{\"name\":\"[user]\",\"tags\":[\"[user]\",\"[user]\"],\"ok\":true},"
                "\"n\":1}");
    EXPECT_JSON("fields:\n  user: { action: redact }\n  user.id: { action: keep }\n",
                "{\"user\":{\"name\":\"Jane\",\"id\":\"u1\"}}",
                "{\"user\":{\"name\":\"[user]\",\"id\":\"u1\"}}");
    char *out = json("fields:\n  body: { action: drop-line }\n", "{\"body\":{}}\n{\"x\":1}\n");
    cr_expect_str_eq(out, "{\"x\":1}\n");
    free(out);
}

/* format auto, with an allow-list that names members of every format. */
Test(format_auto, each_line_is_read_as_what_it_is)
{
    const char *body = "fields:\n  keep: [ts, remote_addr, request, status, message, msg]\n"
                       "text:\n  - use: network\n  - use: pii\n";
    const char *in = "{\"ts\":1,\"ip\":\"1.2.3.4\",\"msg\":\"hi a@b.co\"}\n"
                     "1.2.3.4 - bob [t] \"GET / HTTP/1.1\" 200 5 \"-\" \"ua\"\n"
                     "1.2.3.4 - bob [t] \"GET / HTTP/1.1\" 200 5\n"
                     "<34>1 - host app - - - hello a@b.co\n"
                     "Nov 22 06:25:01 host sshd[1]: from 10.1.2.3\n"
                     "ts=2 msg=\"x y\" user=bob status=200\n"
                     "{\"ts\":3,\"user\":\"bob\"}\n"
                     "plain text from 10.1.2.3\n";
    const char *want = "{\"ts\":1,\"msg\":\"hi [email]\"}\n"
                       "1.2.3.0 - - [-] \"GET / HTTP/1.1\" 200 - \"-\" \"-\"\n"
                       "1.2.3.0 - - [-] \"GET / HTTP/1.1\" 200 -\n"
                       "<34>1 - - - - - - hello [email]\n"
                       "Nov 22 06:25:01 - -[-]: from 10.1.2.0\n"
                       "ts=2 msg=\"x y\" status=200\n"
                       "{\"ts\":3}\n"
                       "[logscrub: line redacted: parse-error]\n";
    struct lsc_stats st;
    char *out = scrub_with_policy("input: {format: auto}\n", body, in, &st);
    cr_expect_str_eq(out, want, "got:\n%s", out);
    cr_expect_eq(st.parse_fallback, 1);
    free(out);
}

/* retention: every kept record says when it must be gone, in its own format. */
Test(retention, every_format_is_tagged_with_its_expiry)
{
    const char *in =
        "{\"ts\":\"2026-11-30T10:00:00Z\",\"a\":1,\"b\":2}\n"
        "ts=2026-01-31T00:00:00Z msg=hi\n"
        "1.2.3.4 - - [31/Dec/2026:23:59:59 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"\n"
        "<34>1 2024-11-30T10:00:00Z h a - - - msg\n";
    const char *want =
        "{\"ts\":\"2026-11-30T10:00:00Z\",\"a\":1,\"_expires\":\"2027-02-28T10:00:00Z\"}\n"
        "ts=2026-01-31T00:00:00Z msg=hi _expires=2026-04-30T00:00:00Z\n"
        "1.2.3.4 - - [31/Dec/2026:23:59:59 +0100] \"GET / HTTP/1.1\" 200 1 \"-\" "
        "\"ua\" expires=2027-03-31T22:59:59Z\n"
        "<34>1 2024-11-30T10:00:00Z h a - - - msg expires=2025-02-28T10:00:00Z\n";
    char *out = scrub_with_policy("input: {format: auto}\n",
                                  "retention: 3mo\nfields:\n  drop: [b]\n", in, NULL);
    cr_expect_str_eq(out, want, "got:\n%s", out);
    free(out);
    out =
        scrub_with_policy("input: {format: json}\n", "retention: {for: 36h, name: delete_after}\n",
                          "{\"time\":1795341600}\n", NULL);
    cr_expect_str_eq(out, "{\"time\":1795341600,\"delete_after\":\"2026-11-23T22:00:00Z\"}\n");
    free(out);
    out = scrub_with_policy("input: {format: json}\n", "retention: {for: 1y, tag: false}\n",
                            "{\"time\":1795341600}\n", NULL);
    cr_expect_str_eq(out, "{\"time\":1795341600}\n");
    free(out);
}

Test(retention, the_time_member_and_its_layout_are_the_policy_s)
{
    /* With layout epoch_ms, "at" (milliseconds) is the time; "ts" is not consulted. */
    char *out = scrub_with_policy(
        "input:\n  format: json\n  timestamp: {field: at, layout: epoch_ms}\n", "retention: 1d\n",
        "{\"ts\":\"2020-01-01T00:00:00Z\",\"at\":1795341600000}\n", NULL);
    cr_expect_str_eq(out, "{\"ts\":\"2020-01-01T00:00:00Z\",\"at\":1795341600000,"
                          "\"_expires\":\"2026-11-23T10:00:00Z\"}\n");
    free(out);
}

/* ---- mask: a value found in encoded text ---- */

/*
 * A card or an IBAN found in encoded text ("4111%201111...", "\u0034111 ...", "&#52;111")
 * is masked an escape at a time: what the masked text decodes to is the decoded value masked
 * - the same letters and digits kept, the others one mask character each - and no escape is
 * broken.
 */
Test(mask, an_escape_is_one_character)
{
    static const char *const values[] = {"4111 1111 1111 1111", "5500-0000-0000-0004",
                                         "DE89 3704 0044 0532 0130 00", "378282246310005",
                                         "GB82WEST12345698765432"};
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int t = 0; t < 20000; t++) {
        const char *v = values[rnd(&s) % (sizeof values / sizeof values[0])];
        char enc[256];
        size_t n = 0;
        for (const char *c = v; *c != '\0'; c++) {
            unsigned char b = (unsigned char)*c;
            if (rnd(&s) % 3 != 0) {
                enc[n++] = *c;
                continue;
            }
            switch (rnd(&s) % 6) {
            case 0:
                n += (size_t)sprintf(enc + n, "%%%02X", b);
                break;
            case 1:
                n += (size_t)sprintf(enc + n, "%%%02x", b);
                break;
            case 2:
                n += (size_t)sprintf(enc + n, "\\x%02x", b);
                break;
            case 3:
                n += (size_t)sprintf(enc + n, "\\u00%02x", b);
                break;
            case 4:
                n += (size_t)sprintf(enc + n, "&#%d;", b);
                break;
            default:
                n += (size_t)sprintf(enc + n, "&#x%02X;", b);
                break;
            }
        }
        enc[n] = '\0';
        struct lsc_action a = {.kind = LSC_ACT_MASK,
                               .mask_char = '*',
                               .keep_first = (unsigned)(rnd(&s) % 5),
                               .keep_last = (unsigned)(rnd(&s) % 5)};
        char out[256], got[256], plain[256], want[256];
        size_t o = lsc_action_render(&a, enc, n, NULL, out);
        cr_assert_leq(o, n);
        out[o] = '\0';
        strcpy(got, out);
        decode_escapes(got);
        strcpy(plain, enc);
        decode_escapes(plain);
        size_t w = lsc_action_render(&a, plain, strlen(plain), NULL, want);
        want[w] = '\0';
        cr_assert_str_eq(got, want, "\"%s\" keep %u+%u: \"%s\"", enc, a.keep_first, a.keep_last,
                         out);
    }
}

/* In a text log of JSON lines, a masked card leaves the line JSON. */
Test(mask, the_line_still_decodes)
{
    char *out = scrub_with_policy("input: {format: text}\n",
                                  "text:\n  - detector: card\n    action: mask\n    keep_last: 4\n",
                                  "{\"m\":\"\\u0034111 1111 1111 11\\u00311\"}\n"
                                  "GET /p?c=4111%201111%201111%20111%31 HTTP/1.1\n",
                                  NULL);
    cr_expect_str_eq(out, "{\"m\":\"**** **** **** 11\\u00311\"}\n"
                          "GET /p?c=****%20****%20****%20111%31 HTTP/1.1\n");
    free(out);
}
