/*
 * test_engine_tail.c - the tail memo: a text line's last quoted fields (an access log's
 * referrer and user agent) that held no match are not scanned again. Skipping them must
 * never change a line: every test compares against a scrubber with the memo off, or plants
 * a value the memo must not hide.
 */
#include "detect/detect.h"
#include "engine/engine.h"
#include "helpers.h"

static struct lsc_scrubber *scrubber(const struct lsc_policy *p, bool memo)
{
    struct lsc_scrubber *s;
    cr_assert_eq(lsc_scrubber_new(p, &s), LSC_OK);
    s->memo_off = !memo;
    return s;
}

/* Scrubs one line (no newline) with sc; returns a malloc'd NUL-terminated copy. */
static char *line_with(struct lsc_scrubber *s, const char *in)
{
    return scrub_by(s, in, strlen(in));
}

/* The default policy and a scrubber with the memo on, for the tests that need one. */
static struct lsc_policy *pol;
static struct lsc_scrubber *sc;

static void with_memo(void)
{
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    sc = scrubber(pol, true);
}

static void done(void)
{
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
}

static size_t cuts_of(const char *s, size_t cuts[2])
{
    return lsc_detect_tail_cuts(s, strlen(s), cuts);
}

Test(tail, cuts_are_the_last_two_quoted_fields_starting_with_a_letter)
{
    size_t c[2];
    const char *line = "1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 5 \"https://e.com/\" \"curl/8.4.0\"";
    cr_assert_eq(cuts_of(line, c), 2);
    cr_expect_eq(strncmp(line + c[0], "https://", 8), 0);
    cr_expect_eq(strncmp(line + c[1], "curl/", 5), 0);
    /* A referrer of "-" is no cut; the user agent still is. */
    line = "1.2.3.4 \"GET / HTTP/1.1\" 200 5 \"-\" \"curl/8.4.0\"";
    cr_assert_eq(cuts_of(line, c), 1);
    cr_expect_eq(strncmp(line + c[0], "curl/", 5), 0);
    /* No cut where the tail starts with a separator, a space, a digit or a quote: a
     * look-back from there could reach before the quote. */
    cr_expect_eq(cuts_of("a \"x\" \":hunter2\"", c), 0);
    cr_expect_eq(cuts_of("a \"x\" \" =y\"", c), 0);
    cr_expect_eq(cuts_of("a \"x\" \"1.2.3.4\"", c), 0);
    cr_expect_eq(cuts_of("a \"x\" \"\"", c), 0);
    /* Lines that do not end with a quoted field, and the shortest inputs. */
    cr_expect_eq(cuts_of("a \"x\" \"abc\" 5", c), 0);
    cr_expect_eq(cuts_of("\"", c), 0);
    cr_expect_eq(cuts_of("\"\"", c), 0);
    cr_expect_eq(cuts_of("", c), 0);
    cr_expect_eq(cuts_of("abc\"", c), 0);
    cr_expect_eq(cuts_of("\"b\"", c), 1); /* (the quote at 0: nothing before it is read) */
    cr_expect_eq(cuts_of("u \"b\"", c), 1);
}

/*
 * A remembered tail found at the end of a line is a cut there only where the line could be
 * cut: after a quote (a tail that ends a longer word is no field of its own), and not where
 * lsc_detect_tail_cuts' no-cut cases read before the quote. The earlier cut is the one
 * lsc_detect_tail_cuts finds.
 */
Test(tail, a_remembered_tail_holds_only_where_the_line_could_be_cut)
{
    const char *line = "1.2.3.4 \"GET / HTTP/1.1\" 200 5 \"https://e.com/\" \"curl/8.4.0\"";
    size_t n = strlen(line), c[2];
    cr_assert_eq(lsc_detect_tail_cuts(line, n, c), 2);
    cr_expect(lsc_detect_tail_cut_holds(line, n, c[0]));
    cr_expect(lsc_detect_tail_cut_holds(line, n, c[1]));
    cr_expect_eq(lsc_detect_tail_cut_before(line, n, c[1]), c[0]);
    cr_expect_not(lsc_detect_tail_cut_holds(line, n, c[1] + 1), "no quote before");
    cr_expect_not(lsc_detect_tail_cut_holds(line, n, n), "no tail");
    cr_expect_not(lsc_detect_tail_cut_holds(line, n, 0));
    /* No referrer of its own ("-" starts no cut), a number before: no earlier cut. */
    const char *dash = "1.2.3.4 \"GET /\" 200 5 \"-\" \"curl/8.4.0\"";
    cr_expect_eq(lsc_detect_tail_cut_before(dash, strlen(dash), strlen(dash) - 11), 0);
    const char *num = "1.2.3.4 \"GET /\" 200 \"curl/8.4.0\"";
    cr_expect_eq(lsc_detect_tail_cut_before(num, strlen(num), strlen(num) - 11), 0);
    /* The no-cut cases before the quote: a user flag, an argument list. */
    const char *user = "x curl -u \"bob:pwpwpwpwpwpwpwpwpw\"";
    cr_assert_eq(user[10], '"');
    cr_expect_not(lsc_detect_tail_cut_holds(user, strlen(user), 11));
    const char *list = "x [\"mysql\", \"x -pabcdefghijklmn\"";
    cr_assert_eq(list[12], '"');
    cr_expect_not(lsc_detect_tail_cut_holds(list, strlen(list), 13));
    cr_expect(lsc_detect_tail_cut_holds(list, strlen(list), 4)); /* ("mysql" itself) */
}

/*
 * "ession=..." is clean as a field of its own and remembered; the same bytes at the end of
 * "session=..." are a secret's value. The tail is found there by its last bytes, but no
 * quote comes before it: the line must be scanned, not skipped.
 */
Test(tail, a_remembered_tail_inside_a_longer_field_is_scanned, .init = with_memo, .fini = done)
{
    const char *head = "1.2.3.4 - - [x] \"GET / HTTP/1.1\" 200 5 \"-\" \"";
    char in[160]; /* (below, "%session=..." is "%s", then "ession=...") */
    for (int k = 0; k < 3; k++) {
        snprintf(in, sizeof in, "%session=abcdefghij0123456789\"", head);
        char *o = line_with(sc, in);
        cr_expect_not_null(strstr(o, "abcdefghij0123456789"), "clean by itself: %s", o);
        free(o);
    }
    const char *before[] = {"s", "x s", "S"};
    for (size_t k = 0; k < sizeof before / sizeof before[0]; k++) {
        snprintf(in, sizeof in, "%s%session=abcdefghij0123456789\"", head, before[k]);
        char *o = line_with(sc, in);
        cr_expect_null(strstr(o, "abcdefghij0123456789"), "leaked: %s", o);
        free(o);
    }
}

/*
 * One user agent after many referrers: its tails share their last bytes and so one bucket
 * of the memo, more of them than it holds, and the older are given up as new ones come.
 * Referrers with secrets among them, and each line against a scrubber without the memo.
 */
Test(tail, one_user_agent_after_many_referrers, .init = with_memo, .fini = done)
{
    struct lsc_scrubber *off = scrubber(pol, false);
    const char *ua = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
    for (int k = 0; k < 400; k++) {
        char ref[96], in[256];
        int r = (k * 7) % 23;
        if (k % 11 == 10) {
            snprintf(ref, sizeof ref, "https://e.com/p%d?password=hunter2hunter2", r);
        } else if (k % 13 == 12) {
            snprintf(ref, sizeof ref, "https://e.com/p%d admin@example.com", r);
        } else {
            snprintf(ref, sizeof ref, "https://e.com/p%d", r);
        }
        snprintf(in, sizeof in, "10.0.0.%d - - [x] \"GET / HTTP/1.1\" 200 5 \"%s\" \"%s\"", k % 250,
                 ref, ua);
        char *x = line_with(sc, in), *y = line_with(off, in);
        cr_assert_str_eq(x, y, "input: %s", in);
        cr_expect_null(strstr(x, "hunter2"), "leaked: %s", x);
        cr_expect_null(strstr(x, "admin@"), "leaked: %s", x);
        free(x);
        free(y);
    }
    lsc_scrubber_free(off);
}

/*
 * The tail ":hunter2hunter2hunter2" is clean after "foo" but a secret after "password": the walk
 * back from its separator crosses the quote. Had the cut been taken there (no letter rule), the
 * lines with "foo" would have put it in the memo and the last line would have leaked.
 */
Test(tail, a_tail_whose_meaning_depends_on_the_field_before_is_not_cut, .init = with_memo,
     .fini = done)
{
    for (int k = 0; k < 5; k++) {
        char *o = line_with(sc, "1.2.3.4 \"x\" \"foo\":hunter2hunter2hunter2\"");
        cr_expect_str_eq(o, "1.2.3.0 \"x\" \"foo\":hunter2hunter2hunter2\"");
        free(o);
    }
    char *o = line_with(sc, "1.2.3.4 \"x\" \"password\":hunter2hunter2hunter2\"");
    cr_expect_null(strstr(o, "hunter2hunter2hunter2"), "leaked: %s", o);
    free(o);
}

/*
 * The one look-back that does cross the quote: the password after a user flag's colon
 * (curl -u "bob:x", an argument list's "-u", "bob:x"). "bob:..." is clean after a field
 * and a secret after the flag; a tail starting with a user name and a colon after a flag
 * is no cut, so the lines with the field cannot hide it.
 */
Test(tail, a_user_flag_before_the_quote_keeps_its_tail_from_the_memo, .init = with_memo,
     .fini = done)
{
    size_t c[2];
    cr_expect_eq(cuts_of("x curl -u \"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("x [\"curl\", \"--user\", \"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("x \"a b\" --user \"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("x -u  \"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("x -u\t\"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("x -u\t \"bob:pw\"", c), 0);
    cr_expect_eq(cuts_of("-u \"bob:pw\"", c), 0);
    const char *ua = "x -u \"bob:pw\" \"curl/8\"";
    size_t got = cuts_of(ua, c);
    cr_expect_eq(got, 1); /* (the user agent still is) */
    cr_expect(got == 1 && strncmp(ua + c[0], "curl/8", 6) == 0);
    cr_expect_eq(cuts_of("x --users \"bob:pw\"", c), 1);
    cr_expect_eq(cuts_of("x -u \"bob pw\"", c), 1);
    /* Each shape before the password, and after it. */
    const char *shapes[][2] = {{"1.2.3.4 curl -u \"bob:", "\""},
                               {"1.2.3.4 [\"-u\", \"bob:", "\""},
                               {"1.2.3.4 --user \"bob:", "\" \"Mozilla/5.0\""}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        for (int j = 0; j < 5; j++) {
            char *o = line_with(sc, "1.2.3.4 \"x\" \"bob:hunter2hunter2\" \"Mozilla/5.0\"");
            cr_expect_not_null(strstr(o, "hunter2hunter2"), "clean by itself: %s", o);
            free(o);
            o = line_with(sc, "1.2.3.4 \"x\" \"bob:hunter2hunter2\"");
            free(o);
        }
        char in[128];
        snprintf(in, sizeof in, "%shunter2hunter2%s", shapes[k][0], shapes[k][1]);
        char *o = line_with(sc, in);
        cr_expect_null(strstr(o, "hunter2"), "leaked: %s", o);
        free(o);
    }
}

/*
 * A short flag's look-back for its command crosses an argument list's quotes ("mysql",
 * "x -p..."): no cut at a quote with a comma (and a space) before it, so a line that names
 * the command cannot lose its flag's password to the memo of the same tail after another
 * command. An access log's fields are cut as before.
 */
Test(tail, an_argument_list_quote_is_no_cut, .init = with_memo, .fini = done)
{
    size_t c[2];
    cr_expect_eq(cuts_of("x [\"mysql\",\"x -pab\"", c), 0);
    cr_expect_eq(cuts_of("x [\"mysql\", \"x -pab\"", c), 0);
    cr_expect_eq(cuts_of("x [\"mysql\",\t\"x -pab\"", c), 1); /* (nor is it crossed) */
    cr_expect_eq(cuts_of(",\"x -pab\"", c), 0);
    cr_expect_eq(cuts_of("1.2.3.4 \"GET /\" 200 5 \"mysql\" \"x -pab\"", c), 2);
    const char *lists[] = {"x [\"ls\",\"", "x [\"ls\", \""};
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        char clean[96], leak[96];
        snprintf(clean, sizeof clean, "%sx -phunter2hunter2\"", lists[k]);
        snprintf(leak, sizeof leak, "x [\"mysql\"%s", strchr(lists[k], ','));
        strncat(leak, "x -phunter2hunter2\"", sizeof leak - strlen(leak) - 1);
        for (int j = 0; j < 3; j++) {
            char *o = line_with(sc, clean);
            cr_expect_not_null(strstr(o, "hunter2hunter2"), "clean by itself: %s", o);
            free(o);
        }
        char *o = line_with(sc, leak);
        cr_expect_null(strstr(o, "hunter2"), "leaked: %s", o);
        free(o);
    }
}

/* A tail that held a match is never remembered; one that a match ran into is not either. */
Test(tail, matches_in_a_recurring_tail_are_found_on_every_line, .init = with_memo, .fini = done)
{
    for (int k = 0; k < 50; k++) {
        /* The user agent alone is clean and recurs; every 5th line's referrer runs a
         * secret to the end of the line (an unterminated quoted value fails closed). */
        char in[256];
        snprintf(in, sizeof in, "10.0.0.%d \"%s\" \"Mozilla/5.0 (X11; rv:121.0) admin%s\"", k,
                 k % 5 == 4 ? "https://a/?password=\\\"abc" : "https://e.com/",
                 k % 7 == 6 ? "@example.com" : "");
        char *o = line_with(sc, in);
        cr_expect_eq(strncmp(o, "10.0.0.0 ", 9), 0, "%s", o);
        cr_expect_null(strstr(o, "@example.com"), "leaked: %s", o);
        if (k % 5 == 4) {
            cr_expect_null(strstr(o, "Mozilla"), "the secret runs to the end: %s", o);
        }
        free(o);
    }
}

/*
 * A match that runs from before the cut into a known tail (a PEM block from the referrer
 * to the user agent) moves the look-back limit into the tail: after it, "sid" is a name
 * of its own, where the tail alone had "KEY-----sid". The scan must go on to find it.
 */
Test(tail, a_match_running_into_a_known_tail_does_not_end_the_scan, .init = with_memo, .fini = done)
{
    const char *tail = "\"Mozilla -----END RSA PRIVATE KEY-----sid=hunter2hunter2\"";
    char in[256];
    for (int k = 0; k < 3; k++) {
        snprintf(in, sizeof in, "1.2.3.4 \"https://e.com/\" %s", tail);
        char *o = line_with(sc, in);
        cr_expect_not_null(strstr(o, "hunter2hunter2"), "clean by itself: %s", o);
        free(o);
    }
    snprintf(in, sizeof in, "1.2.3.4 \"-----BEGIN RSA PRIVATE KEY-----\" %s", tail);
    char *o = line_with(sc, in);
    cr_expect_null(strstr(o, "hunter2"), "leaked: %s", o);
    free(o);
}

static const char *pick(uint64_t *s, const char *const *v, size_t n)
{
    return v[rnd(s) % n];
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Random bytes from the alphabet every detector cares about. */
static void junk(uint64_t *s, char *out, size_t cap)
{
    static const char alphabet[] = "aZx09.:@=%-\"' \\/eyJ_AKIApassword";
    size_t len = rnd(s) % (cap - 1);
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[rnd(s) % (sizeof alphabet - 1)];
    }
    out[len] = '\0';
}

/*
 * Lines of a prefix, a referrer and a user agent from small pools (so tails recur and hit
 * the memo) with hostile fields among them - secret names right before the quote, values
 * that run to the end of the line, separators, addresses, e-mail halves - and random bytes:
 * the memo must give the bytes and counts the scrubber gives without it, line by line.
 * (User flags before a user name's quote too: the one look-back that crosses it; and
 * short flags, whose look-back for their command crosses an argument list's quotes.)
 */
Test(tail, same_output_as_without_the_memo_on_random_access_lines, .init = with_memo, .fini = done)
{
    static const char *const prefixes[] = {
        "1.2.3.4 - - [20/Jul/2026:22:13:20 +0000] \"GET /a HTTP/1.1\" 200 5 ",
        "2001:db8::1 - - [20/Jul/2026:22:13:20 +0000] \"GET /?password=x HTTP/1.1\" 200 5 ",
        "x \"GET /?token",
        "admin",
        "",
        "\"password\" ",
        "key=",
        "\"a\":",
        "ab:cd:",
        "curl -u ",
        "x [\"--user\", ",
        "mysql -u root ",
        "x [\"mysql\", ",
    };
    static const char *const fields[] = {
        "https://www.example.com/",
        "-",
        "https://user:pa55word@db.example.net/",
        "https://a/?password=\\\"abc",
        "https://a/?password=abc",
        "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0.6099.109",
        "python-requests/2.31.0",
        "curl/8.4.0 admin@example.com",
        "mail me at",
        "secret: hunter2hunter2",
        "Bearer abcdefghijklmnopqrstuvwxyz012345",
        "db8::1 and fe80::2",
        "token",
        "password",
        "x=1&api_key=AKIAIOSFODNN7EXAMPLE",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        "bob:hunter2hunter2",
        "x -phunter2hunter2",
        "mysql -phunter2hunter2",
        "sshpass -p hunter2hunter2",
        "htpasswd -b f bob hunter2hunter2",
        "htpasswd -nb bob 'hunter2 hunter2'",
        "htpasswd -b f",
        "ipmitool -P hunter2hunter2",
        "rabbitmqctl add_user bob hunter2hunter2",
        "rabbitmqctl -n r@h change_password",
    };
    static const char *const joins[] = {"\" \"", "\" \"", "\" \"", "\":\"",
                                        "\"\"",  " \"",   "\"=",   "\", \""};
    struct lsc_scrubber *off = scrubber(pol, false); /* (sc has the memo on) */
    uint64_t s = 0x9e3779b97f4a7c15u;
    size_t hits_possible = 0;
    for (int k = 0; k < 20000; k++) {
        char f1[48], f2[48];
        const char *a = pick(&s, fields, COUNT(fields)), *b = pick(&s, fields, COUNT(fields));
        if (rnd(&s) % 8 == 0) {
            junk(&s, f1, sizeof f1);
            a = f1;
        }
        if (rnd(&s) % 8 == 0) {
            junk(&s, f2, sizeof f2);
            b = f2;
        }
        char in[512];
        snprintf(in, sizeof in, "%s\"%s%s%s\"", pick(&s, prefixes, COUNT(prefixes)), a,
                 pick(&s, joins, COUNT(joins)), b);
        size_t c[2];
        hits_possible += lsc_detect_tail_cuts(in, strlen(in), c) > 0;
        char *x = line_with(sc, in), *y = line_with(off, in);
        cr_assert_str_eq(x, y, "input: %s", in);
        free(x);
        free(y);
    }
    cr_expect_gt(hits_possible, 10000, "the lines should mostly have cuts");
    cr_expect_arr_eq(lsc_scrubber_stats(sc)->replacements, lsc_scrubber_stats(off)->replacements,
                     sizeof lsc_scrubber_stats(sc)->replacements);
    lsc_scrubber_free(off);
}

/* With a pattern rule that may match, the detectors still skip known tails; the rule
 * still sees the whole line. */
Test(tail, rules_still_see_a_skipped_tail)
{
    const char *body = "text:\n  - {name: ua-build, pattern: 'build-[0-9]+'}\n";
    char in[4096] = "";
    for (int k = 0; k < 20; k++) {
        strcat(in, "1.2.3.4 \"https://e.com/\" \"Mozilla/5.0 build-42 (X11)\"\n");
    }
    struct lsc_stats st;
    char *o = scrub_with_policy("", body, in, &st);
    cr_expect_null(strstr(o, "build-42"), "%s", o);
    free(o);
}
