/*
 * test_format_access.c - nginx log_format / Apache LogFormat compilation and parsing
 * (src/format/access.c) and access-log records through the structured engine: names,
 * the request split, escaped quotes, removal to "-", actions, round trips and fallback.
 */
#include "format/access.h"
#include "helpers.h"

#include <stdio.h>

static struct lsc_json_node nodes[256];

static struct lsc_access_format *compile(const char *fmt, bool apache)
{
    char err[256] = "";
    struct lsc_access_format *f = lsc_access_compile(fmt, strlen(fmt), apache, err, sizeof err);
    cr_assert_not_null(f, "%s: %s", fmt, err);
    return f;
}

static const char *member(const char *line, size_t count, const char *name, char *buf)
{
    return node_text(line, nodes, count, name, buf);
}

static const char *const combined_line =
    "203.0.113.7 - bob [22/Nov/2026:10:00:00 +0000] \"GET /a/b?x=1&y=2 HTTP/1.1\" 200 512 "
    "\"https://ref.example/\" \"Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0\"";

Test(access, nginx_combined_names_and_request_split)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", false), false);
    size_t count;
    const char *l = combined_line;
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l, count, "remote_addr", b), "203.0.113.7");
    cr_expect_str_eq(member(l, count, "remote_user", b), "bob");
    cr_expect_str_eq(member(l, count, "time_local", b), "22/Nov/2026:10:00:00 +0000");
    cr_expect_str_eq(member(l, count, "method", b), "GET");
    cr_expect_str_eq(member(l, count, "path", b), "/a/b");
    cr_expect_str_eq(member(l, count, "query", b), "x=1&y=2");
    cr_expect_str_eq(member(l, count, "protocol", b), "HTTP/1.1");
    cr_expect_str_eq(member(l, count, "status", b), "200");
    cr_expect_str_eq(member(l, count, "http_referer", b), "https://ref.example/");
    cr_expect_str_eq(member(l, count, "http_user_agent", b),
                     "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0");
    lsc_access_free(f);
}

Test(access, apache_directives_by_name_and_as_written)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", true), true);
    size_t count;
    const char *l = combined_line;
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l, count, "%h", b), "203.0.113.7");
    cr_expect_str_eq(member(l, count, "remote_logname", b), "-");
    cr_expect_str_eq(member(l, count, "%t", b), "22/Nov/2026:10:00:00 +0000");
    cr_expect_str_eq(member(l, count, "%>s", b), "200");
    cr_expect_str_eq(member(l, count, "%{Referer}i", b), "https://ref.example/");
    cr_expect_str_eq(member(l, count, "http_user_agent", b),
                     "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0");
    lsc_access_free(f);
}

Test(access, vhost_combined_and_custom_formats)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("vhost_combined", true), true);
    const char *l = "www.example.com:443 10.0.0.1 - - [22/Nov/2026:10:00:00 +0000] \"GET / "
                    "HTTP/2.0\" 200 10 \"-\" \"curl/8.4.0\"";
    size_t count;
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l, count, "server_name", b), "www.example.com");
    cr_expect_str_eq(member(l, count, "server_port", b), "443");
    cr_expect_str_eq(member(l, count, "bytes_sent", b), "10");
    lsc_access_free(f);

    f = compile("${remote_addr}|$request_time|\"$http_x_forwarded_for\"|$upstream_addr", false);
    l = "10.0.0.1|0.012|\"1.2.3.4, 5.6.7.8\"|127.0.0.1:8080";
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    cr_expect_str_eq(member(l, count, "http_x_forwarded_for", b), "1.2.3.4, 5.6.7.8");
    cr_expect_str_eq(member(l, count, "upstream_addr", b), "127.0.0.1:8080");
    lsc_access_free(f);
}

/* A LogFormat pasted from httpd.conf keeps its \" escapes; %% is a percent sign. */
Test(access, pasted_apache_logformat)
{
    struct lsc_access_format *f =
        compile("%a %{X-Forwarded-For}i \\\"%r\\\" %>s 100%% %D\\t%{%d/%b}t", true);
    const char *l = "10.0.0.1 1.2.3.4, 5.6.7.8 \"GET /x HTTP/1.1\" 200 100% 1234\t22/Nov";
    size_t count;
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK);
    char b[256];
    cr_expect_str_eq(member(l, count, "http_x_forwarded_for", b), "1.2.3.4, 5.6.7.8");
    cr_expect_str_eq(member(l, count, "request_time_us", b), "1234");
    cr_expect_str_eq(member(l, count, "time", b), "22/Nov");
    cr_expect_str_eq(member(l, count, "%{%d/%b}t", b), "22/Nov");
    lsc_access_free(f);
}

Test(access, escaped_quotes_stay_inside_fields)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", false), false);
    const char *l =
        "1.2.3.4 - - [t] \"GET /\\\"x HTTP/1.1\" 200 1 \"-\" \"a \\x22quoted\\x22\\\" b\"";
    size_t count;
    cr_assert_eq(lsc_access_parse(f, l, strlen(l), nodes, 256, &count), LSC_JSON_OK, "%s", l);
    char b[256];
    cr_expect_str_eq(member(l, count, "http_user_agent", b), "a \\x22quoted\\x22\\\" b");
    cr_expect_str_eq(member(l, count, "path", b), "/\\\"x");
    /* A raw quote inside a quoted field is not what nginx or Apache write: not this format
     * (where the field ends would be a guess, and a scrubbed line could read otherwise). */
    const char *raw[] = {
        "1.2.3.4 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua \" with raw quote\"",
        "1.2.3.4 - - [t] \"GET /\"?q HTTP/1.1\" 200 1 \"-\" \"ua\"",
    };
    for (size_t i = 0; i < 2; i++) {
        cr_expect_eq(lsc_access_parse(f, raw[i], strlen(raw[i]), nodes, 256, &count),
                     LSC_JSON_SYNTAX, "accepted: %s", raw[i]);
    }
    lsc_access_free(f);
}

/* The part of r[0..len) from s to e as a C string in buf, or NULL when s == NONE. */
#define NONE ((size_t)-1)
static const char *part(const char *r, size_t s, size_t e, char *buf)
{
    if (s == NONE) {
        return NULL;
    }
    memcpy(buf, r + s, e - s);
    buf[e - s] = '\0';
    return buf;
}

static void expect_part(const char *got, const char *want, const char *name, const char *r)
{
    if (want == NULL) {
        cr_expect_null(got, "%s: no %s expected, got '%s'", r, name, got);
    } else {
        cr_expect(got != NULL && strcmp(got, want) == 0, "%s: %s '%s', want '%s'", r, name,
                  got ? got : "(none)", want);
    }
}

/*
 * The request split (method, path, query, protocol) against a byte-at-a-time model, for
 * requests of 1-48 bytes made of letters, spaces, '?' and backslashes in every order: the
 * splitter finds separators 16 bytes at a time, the last partial block as the 16 bytes
 * before the request's end, and must stop at each one (a backslash hides the byte after it).
 */
Test(access, request_split_against_a_byte_at_a_time_model)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", false), false);
    static const char alphabet[] = "Ga/ ? \\";
    uint64_t seed = 0x9e3779b97f4a7c15u;
    char r[64], line[160], b[160], w[64];
    for (size_t len = 1; len <= 48; len++) {
        for (int round = 0; round < 300; round++) {
            for (size_t k = 0; k < len; k++) {
                r[k] = alphabet[rnd(&seed) % (sizeof alphabet - 1)];
            }
            if (r[len - 1] == '\\') {
                r[len - 1] = 'a'; /* (a last backslash would escape the closing quote) */
            }
            r[len] = '\0';
            size_t a = len, z = len, q = len;
            for (size_t i = 0; i < len; i++) {
                if (r[i] == '\\') {
                    i++;
                } else if (r[i] == ' ') {
                    a = a == len ? i : a;
                    z = i;
                } else if (r[i] == '?' && a != len && q == len && z == a) {
                    q = i;
                }
            }
            size_t uri_end = z > a ? z : len, path_end = q < uri_end ? q : uri_end;
            int l = snprintf(line, sizeof line, "1.2.3.4 - - [t] \"%s\" 200 1 \"-\" \"ua\"", r);
            size_t count;
            cr_assert_eq(lsc_access_parse(f, line, (size_t)l, nodes, 256, &count), LSC_JSON_OK,
                         "%s", line);
            if (a == len) {
                expect_part(member(line, count, "request", b), r, "request", r);
                expect_part(member(line, count, "method", b), NULL, "method", r);
                continue;
            }
            expect_part(member(line, count, "method", b), part(r, 0, a, w), "method", r);
            expect_part(member(line, count, "path", b), part(r, a + 1, path_end, w), "path", r);
            expect_part(member(line, count, "query", b),
                        part(r, q < uri_end ? path_end + 1 : NONE, uri_end, w), "query", r);
            expect_part(member(line, count, "protocol", b),
                        part(r, uri_end < len ? uri_end + 1 : NONE, len, w), "protocol", r);
        }
    }
    lsc_access_free(f);
}

Test(access, rejects_lines_of_another_layout)
{
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", false), false);
    const char *bad[] = {
        "",
        "1.2.3.4 - - [t] \"GET / HTTP/1.1\" 200 1",
        "1.2.3.4 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\" extra",
        "{\"json\":true}",
        "1.2.3.4 - - [t \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t count;
        cr_expect_eq(lsc_access_parse(f, bad[i], strlen(bad[i]), nodes, 256, &count),
                     LSC_JSON_SYNTAX, "accepted: %s", bad[i]);
    }
    lsc_access_free(f);
}

Test(access, compile_errors_say_what_and_where)
{
    const struct {
        const char *fmt;
        bool apache;
        const char *err;
    } cases[] = {
        {"$a$b", false, "at offset 2: field 'b' follows 'a' with nothing between them"},
        {"$", false, "at offset 0: '$' must start a variable name"},
        {"${a", false, "at offset 0: '$' must start a variable name"},
        {"%h %{Referer", true, "at offset 4: '%{' has no closing '}'"},
        {"%h %", true, "at offset 3: '%' at the end of the format"},
        {"%h %i", true, "at offset 3: '%i' needs a name, like %{Referer}i"},
        {"plain", false, "the format has no fields"},
        {"%%", true, "the format has no fields"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        struct lsc_access_format *f = lsc_access_compile(cases[i].fmt, strlen(cases[i].fmt),
                                                         cases[i].apache, err, sizeof err);
        cr_expect_null(f, "compiled: %s", cases[i].fmt);
        cr_expect(strstr(err, cases[i].err) != NULL, "%s: got '%s'", cases[i].fmt, err);
        lsc_access_free(f);
    }
}

Test(access, guard_page)
{
    struct guard g = guard_new();
    struct lsc_access_format *fs[] = {
        compile(lsc_access_builtin("combined", false), false),
        compile(lsc_access_builtin("combined", true), true),
        compile("$a \"$b\" [$c]", false),
    };
    const char *full = "1.2.3.4 - - [22/Nov/2026:10:00:00 +0000] \"GET /x?y HTTP/1.1\" 200 1 "
                       "\"-\" \"ua \\\"q\\\\\"";
    size_t n = strlen(full);
    for (size_t k = 0; k < 3; k++) {
        for (size_t cut = 0; cut <= n; cut++) {
            char *p = guard_place(&g, full, cut);
            size_t count;
            lsc_access_parse(fs[k], p, cut, nodes, 256, &count);
        }
        lsc_access_free(fs[k]);
    }
    guard_free(&g);
}

#define NGINX_HEAD "input: {format: nginx}\n"

/* Scrubs with head + body + the network, pii and secrets packs. */
static char *run(const char *head, const char *body, const char *in, struct lsc_stats *st)
{
    char text[2048];
    snprintf(text, sizeof text, "%stext:\n  - use: network\n  - use: pii\n  - use: secrets\n",
             body);
    return scrub_with_policy(head, text, in, st);
}

#define EXPECT_RUN(head, body, in, want)                                                           \
    do {                                                                                           \
        char *got_ = run(head, body, in, NULL);                                                    \
        cr_expect_str_eq(got_, want, "in:   %s\nwant: %s\ngot:  %s", in, want, got_);              \
        free(got_);                                                                                \
    } while (0)

Test(access_records, keep_list_turns_the_rest_into_dashes)
{
    struct lsc_stats st;
    char *out = run(NGINX_HEAD, "fields:\n  keep: [remote_addr, time_local, request, status]\n",
                    combined_line, &st);
    cr_expect_str_eq(out, "203.0.113.0 - - [22/Nov/2026:10:00:00 +0000] \"GET /a/b?x=1&y=2 "
                          "HTTP/1.1\" 200 - \"-\" \"-\"");
    cr_expect_eq(st.fields_removed, 4);
    free(out);
}

Test(access_records, request_parts_and_url_action)
{
    EXPECT_RUN(NGINX_HEAD, "fields:\n  keep: [request.method, request.path]\n", combined_line,
               "- - - [-] \"GET /a/b -\" - - \"-\" \"-\"");
    EXPECT_RUN(NGINX_HEAD, "fields:\n  request: { url: { query_keep: [y] } }\n",
               "1.2.3.4 - - [t] \"GET /u/jane@example.com/x?token=abc&y=2#frag HTTP/1.1\" 200 1 "
               "\"-\" \"ua\"",
               "1.2.3.0 - - [t] \"GET /u/:email/x?y=2 HTTP/1.1\" 200 1 \"-\" \"ua\"");
    EXPECT_RUN(NGINX_HEAD, "fields:\n  keep: [request]\n  drop: [request.query]\n", combined_line,
               "- - - [-] \"GET /a/b HTTP/1.1\" - - \"-\" \"-\"");
}

Test(access_records, values_are_scanned_and_reescaped)
{
    /* A quote written as \x22 is decoded before the detectors and written back escaped. */
    EXPECT_RUN(NGINX_HEAD, "",
               "1.2.3.4 - jane@example.com [t] \"GET /?q=\\x22a@b.co\\x22 HTTP/1.1\" 200 1 "
               "\"-\" \"ua \\x22x\\x22\"",
               "1.2.3.0 - [email] [t] \"GET /?q=\\x22[email]\\x22 HTTP/1.1\" 200 1 \"-\" "
               "\"ua \\x22x\\x22\"");
    EXPECT_RUN("input: {format: apache}\n", "fields:\n  '%{User-agent}i': { action: redact }\n",
               "1.2.3.4 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua \\\"q\\\"\"",
               "1.2.3.0 - - [t] \"GET / HTTP/1.1\" 200 1 \"-\" \"[%{User-agent}i]\"");
}

Test(access_records, credential_headers_go_unless_kept_by_name)
{
    const char *head = "input:\n  format: nginx\n  log_format: '$remote_addr \"$http_cookie\" "
                       "\"$http_authorization\" $cookie_session'\n";
    const char *in = "1.2.3.4 \"sid=abc; theme=dark\" \"Basic dXNlcjpwYXNz\" s3cr3t";
    EXPECT_RUN(head, "", in, "1.2.3.0 \"-\" \"-\" -");
    EXPECT_RUN(head, "fields:\n  keep: [remote_addr, http_cookie]\n", in,
               "1.2.3.0 \"sid=[secret]; theme=dark\" \"-\" -");
}

Test(access_records, user_agent_and_ip_actions)
{
    EXPECT_RUN(NGINX_HEAD,
               "fields:\n  http_user_agent: { action: user-agent }\n"
               "  remote_addr: { ip: truncate, v4: 16 }\n",
               combined_line,
               "203.0.0.0 - bob [22/Nov/2026:10:00:00 +0000] \"GET /a/b?x=1&y=2 HTTP/1.1\" 200 "
               "512 \"https://ref.example/\" \"Firefox/121 (Linux)\"");
}

Test(access_records, unparsable_lines_fail_closed_with_field_rules)
{
    struct lsc_stats st;
    char *out = run(NGINX_HEAD, "fields:\n  keep: [status]\n", "not an access line 1.2.3.4\n", &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: parse-error]\n");
    cr_expect_eq(st.parse_fallback, 1);
    free(out);
    out = run(NGINX_HEAD, "", "not an access line 1.2.3.4\n", &st);
    cr_expect_str_eq(out, "not an access line 1.2.3.0\n");
    cr_expect_eq(st.parse_fallback, 1);
    free(out);
}

/* Round trip: every scrubbed line parses with the same format into as many members. */
Test(access_records, output_parses_with_the_same_format)
{
    const char *in[] = {
        combined_line,
        "10.0.0.1 - a@b.co [t] \"POST /login?password=x&email=c@d.org HTTP/1.1\" 302 0 \"-\" "
        "\"ua \\\" \\x22\"",
        "10.0.0.1 - - [t] \"\\x16\\x03\\x01\" 400 0 \"-\" \"-\"",
        "2001:db8::1 - - [t] \"GET /?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc HTTP/1.1\" "
        "200 1 \"https://u:p@x.example/\" \"x\"",
    };
    const char *bodies[] = {"", "fields:\n  keep: [status, request.path]\n",
                            "fields:\n  drop: [http_referer]\n  request: { url: { query_drop: "
                            "[email] } }\n  http_user_agent: { action: user-agent }\n"};
    struct lsc_access_format *f = compile(lsc_access_builtin("combined", false), false);
    for (size_t b = 0; b < 3; b++) {
        for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
            size_t c_in, c_out;
            cr_assert_eq(lsc_access_parse(f, in[i], strlen(in[i]), nodes, 256, &c_in), LSC_JSON_OK);
            char *out = run(NGINX_HEAD, bodies[b], in[i], NULL);
            cr_expect_eq(lsc_access_parse(f, out, strlen(out), nodes, 256, &c_out), LSC_JSON_OK,
                         "does not parse: %s", out);
            size_t top_in = 0, top_out = 0;
            (void)c_in;
            for (size_t k = 1; k < c_out; k++) {
                top_out += nodes[k].depth == 1;
            }
            cr_assert_eq(lsc_access_parse(f, in[i], strlen(in[i]), nodes, 256, &c_in), LSC_JSON_OK);
            for (size_t k = 1; k < c_in; k++) {
                top_in += nodes[k].depth == 1;
            }
            cr_expect_eq(top_in, top_out, "field count differs: %s", out);
            free(out);
        }
    }
    lsc_access_free(f);
}

/* What each escape style writes for one byte c (the header of src/format/escape.c). */
static size_t model_escape(enum lsc_field_esc esc, unsigned char c, char term, char *o)
{
    bool ctl = c < 0x20 || c == 0x7f || (term != 0 && c == (unsigned char)term);
    switch (esc) {
    case LSC_ESC_NGINX:
        if (ctl || c == '"' || c == '\\') {
            return (size_t)sprintf(o, "\\x%02X", c);
        }
        break;
    case LSC_ESC_APACHE:
        if (c == '"' || c == '\\') {
            return (size_t)sprintf(o, "\\%c", c);
        }
        if (ctl) {
            return (size_t)sprintf(o, "\\x%02X", c);
        }
        break;
    case LSC_ESC_SD:
        if (c == '"' || c == '\\' || c == ']') {
            return (size_t)sprintf(o, "\\%c", c);
        }
        break;
    case LSC_ESC_TAG:
        if (c == ' ' || c == ':' || c == '[' || c == ']') {
            c = '_';
        }
        /* fall through */
    case LSC_ESC_WORD:
        if (ctl || c == '"' || c == '\\') {
            c = '_';
        }
        break;
    case LSC_ESC_RAW:
        c = c == '\n' ? ' ' : c;
        break;
    case LSC_ESC_JSON:
    case LSC_ESC_NUMBER:
        break;
    }
    o[0] = (char)c;
    return 1;
}

/*
 * Every escape style against the byte-at-a-time model, for strings of 0-72 bytes with a
 * byte that may need escaping at every position (the escaper finds runs of plain bytes 16 at
 * a time, the last partial block as the string's last 16 bytes, and must still stop at each
 * of these), with and without a terminator.
 */
Test(escape, every_style_against_a_byte_at_a_time_model)
{
    static const enum lsc_field_esc styles[] = {LSC_ESC_NGINX, LSC_ESC_APACHE, LSC_ESC_SD,
                                                LSC_ESC_WORD,  LSC_ESC_TAG,    LSC_ESC_RAW};
    static const char specials[] = {'"', '\\', '\n', 0x01, 0x7f, ' ', ']', ':', 'x', '\xe9'};
    static const char terms[] = {0, ' ', ']'};
    char in[72], got[300], want[300];
    for (size_t st = 0; st < sizeof styles / sizeof styles[0]; st++) {
        for (size_t t = 0; t < sizeof terms; t++) {
            for (size_t len = 0; len <= sizeof in; len++) {
                for (size_t sp = 0; sp < sizeof specials; sp++) {
                    for (size_t at = 0; at < len || at == 0; at++) {
                        memset(in, 'b', len);
                        if (len > 0) {
                            in[at] = specials[sp];
                            in[len - 1] = specials[(sp + 3) % sizeof specials];
                        }
                        size_t w = 0;
                        for (size_t i = 0; i < len; i++) {
                            w += model_escape(styles[st], (unsigned char)in[i], terms[t], want + w);
                        }
                        size_t gl = lsc_field_escape(styles[st], in, len, terms[t], got);
                        cr_assert_eq(gl, w, "style %d term %d len %zu special %zu at %zu",
                                     (int)styles[st], terms[t], len, sp, at);
                        cr_assert_eq(memcmp(got, want, w), 0, "style %d term %d len %zu at %zu",
                                     (int)styles[st], terms[t], len, at);
                        if (len == 0) {
                            break;
                        }
                    }
                }
            }
        }
    }
    /* A number stays a number, or becomes "-". */
    cr_expect_eq(lsc_field_escape(LSC_ESC_NUMBER, "-12.5", 5, 0, got), 5);
    cr_expect_eq(lsc_field_escape(LSC_ESC_NUMBER, "[card]", 6, 0, got), 1);
    cr_expect_eq(got[0], '-');
}
