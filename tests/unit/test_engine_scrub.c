/*
 * test_engine_scrub.c - the scrubber (src/engine/scrub.c, stream.c): pattern rules, the
 * fail-closed path, on_error modes, accounting, and streaming through file descriptors.
 */
#include "engine/engine.h"
#include "helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static struct lsc_policy *policy_with_rule(const char *label, const char *pattern)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    char err[256];
    cr_assert_eq(lsc_policy_add_rule(pol, label, pattern, err, sizeof err), LSC_OK, "%s", err);
    return pol;
}

static void expect_accounting(const struct lsc_stats *st)
{
    cr_expect_eq(st->lines_in, st->emitted + st->dropped + st->quarantined,
                 "lines_in %lu != emitted %lu + dropped %lu + quarantined %lu",
                 (unsigned long)st->lines_in, (unsigned long)st->emitted,
                 (unsigned long)st->dropped, (unsigned long)st->quarantined);
}

Test(rules, custom_rule_replaces_matches)
{
    struct lsc_policy *pol = policy_with_rule("ticket", "TICKET-\\d{6}");
    const char *in = "see TICKET-123456 and TICKET-654321 from 1.2.3.4\nnothing here\n";
    struct lsc_stats st;
    char *out = scrub_with(pol, in, strlen(in), &st);
    cr_expect_str_eq(out, "see [ticket] and [ticket] from 1.2.3.0\nnothing here\n");
    cr_expect_eq(st.replacements[LSC_CLASS_RULE], 2);
    cr_expect_eq(st.replacements[LSC_CLASS_IPV4], 1);
    expect_accounting(&st);
    free(out);
    lsc_policy_free(pol);
}

Test(rules, overlapping_rule_and_detector_merge_to_the_rule_label)
{
    struct lsc_policy *pol = policy_with_rule("host", "host=\\S+");
    const char *in = "a host=10.1.2.3:80 b 10.9.8.7\n";
    char *out = scrub_with(pol, in, strlen(in), NULL);
    cr_expect_str_eq(out, "a [host] b 10.9.8.0\n");
    free(out);
    lsc_policy_free(pol);
}

Test(rules, caseless_rule_and_anchor_prefilter)
{
    struct lsc_policy *pol = policy_with_rule("order", "(?i)order-[0-9]+");
    const char *in = "ORDER-42 and order-7\nno anchor here\n";
    char *out = scrub_with(pol, in, strlen(in), NULL);
    cr_expect_str_eq(out, "[order] and [order]\nno anchor here\n");
    free(out);
    lsc_policy_free(pol);
}

Test(rules, empty_matches_do_not_loop)
{
    struct lsc_policy *pol = policy_with_rule("z", "x*");
    const char *in = "abxxc\n";
    char *out = scrub_with(pol, in, strlen(in), NULL);
    cr_expect_str_eq(out, "ab[z]c\n");
    free(out);
    lsc_policy_free(pol);
}

Test(rules, bad_regex_reports_pcre2_message_and_offset)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    char err[256] = "";
    cr_expect_eq(lsc_policy_add_rule(pol, "bad", "a(b", err, sizeof err), LSC_EREGEX);
    cr_expect(strstr(err, "missing closing parenthesis") != NULL, "%s", err);
    cr_expect(strstr(err, "offset 3") != NULL, "%s", err);
    lsc_policy_free(pol);
}

/* A ReDoS-shaped rule that exhausts PCRE2's match limit must never let the line out raw. */
static struct lsc_policy *redos_policy(lsc_on_error mode)
{
    struct lsc_policy *pol = policy_with_rule("redos", "(a+)+$");
    lsc_policy_set_match_limit(pol, 1000);
    lsc_policy_set_on_error(pol, mode);
    return pol;
}

static const char redos_line[] =
    "secret-ish aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab jane@example.com\nclean aaa\n";

Test(fail_closed, match_limit_redacts_the_line)
{
    struct lsc_policy *pol = redos_policy(LSC_ON_ERROR_REDACT_LINE);
    struct lsc_stats st;
    char *out = scrub_with(pol, redos_line, strlen(redos_line), &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: rule-error]\nclean [redos]\n");
    cr_expect(strstr(out, "jane") == NULL);
    cr_expect(strstr(out, "aaaaaaaaaa") == NULL);
    cr_expect_eq(st.failed, 1);
    cr_expect_eq(st.fail_reason[LSC_FAIL_RULE_ERROR], 1);
    cr_expect_eq(st.emitted, 2);
    expect_accounting(&st);
    free(out);
    lsc_policy_free(pol);
}

Test(fail_closed, match_limit_drops_or_quarantines_per_on_error)
{
    struct lsc_policy *pol = redos_policy(LSC_ON_ERROR_DROP);
    struct lsc_stats st;
    char *out = scrub_with(pol, redos_line, strlen(redos_line), &st);
    cr_expect_str_eq(out, "clean [redos]\n");
    cr_expect_eq(st.dropped, 1);
    expect_accounting(&st);
    free(out);
    lsc_policy_free(pol);

    pol = redos_policy(LSC_ON_ERROR_QUARANTINE);
    out = scrub_with(pol, redos_line, strlen(redos_line), &st);
    cr_expect_str_eq(out, "clean [redos]\n");
    cr_expect_eq(st.quarantined, 1);
    expect_accounting(&st);
    free(out);
    lsc_policy_free(pol);
}

Test(engine, final_line_without_newline_gets_none)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    struct lsc_stats st;
    char *out = scrub_with(pol, "a 1.2.3.4\nb 5.6.7.8", 19, &st);
    cr_expect_str_eq(out, "a 1.2.3.0\nb 5.6.7.0");
    cr_expect_eq(st.lines_in, 2);
    cr_expect_eq(st.changed, 2);
    cr_expect_eq(st.bytes_in, 19);
    cr_expect_eq(st.bytes_out, 19);
    expect_accounting(&st);
    free(out);
    lsc_policy_free(pol);
}

Test(engine, crlf_is_preserved)
{
    EXPECT_SCRUB("ip 1.2.3.4\r\nx\r\n", "ip 1.2.3.0\r\nx\r\n");
}

Test(engine, ip_prefix_is_configurable)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    lsc_policy_set_ip_mask(pol, 16, 32);
    char *out = scrub_with(pol, "1.2.3.4 2001:db8:1:2::1\n", 24, NULL);
    cr_expect_str_eq(out, "1.2.0.0 2001:db8::\n");
    free(out);
    lsc_policy_free(pol);
}

/* The splice copies short gaps and labels inline (lsc_copy_short): labels of every length
 * from 1 to 40, between gaps of every length from 0 to 40, come out whole, with nothing of
 * the values left - and a bare JSON value's label is still written quoted. */
Test(engine, labels_and_gaps_of_every_length_are_spliced_whole)
{
    for (size_t ll = 1; ll <= 40; ll++) {
        char label[41], body[256];
        for (size_t k = 0; k < ll; k++) {
            label[k] = (char)('A' + k % 26);
        }
        label[ll] = '\0';
        snprintf(body, sizeof body,
                 "text:\n  - detector: secret_param\n    action: replace\n"
                 "    with: '%s'\n",
                 label);
        char in[4096], want[8192];
        size_t i = 0, w = 0;
        for (size_t gap = 0; gap <= 40; gap++) {
            /* a gap of gap bytes, then a name and a value the label replaces */
            for (size_t k = 0; k < gap; k++) {
                in[i++] = want[w++] = (char)('a' + (gap + k) % 26);
            }
            i += (size_t)snprintf(in + i, sizeof in - i, " token=v%zuVALUE", gap);
            w += (size_t)snprintf(want + w, sizeof want - w, " token=%s", label);
            in[i++] = want[w++] = ' ';
        }
        i += (size_t)snprintf(in + i, sizeof in - i, "{\"password\":hunter2}\n");
        w += (size_t)snprintf(want + w, sizeof want - w, "{\"password\":\"%s\"}\n", label);
        in[i] = want[w] = '\0';
        char *got = scrub_with_policy("", body, in, NULL);
        cr_expect_str_eq(got, want, "label of %zu bytes", ll);
        cr_expect(strstr(got, "VALUE") == NULL && strstr(got, "hunter2") == NULL);
        free(got);
    }
}

/* Truncated addresses are remembered per scrubber: the same bytes written another way
 * ("::1.2.3.4" keeps its IPv4 bits, "::102:304" is plain IPv6) or truncated by another
 * action must not share a result, on the first line or any later one. */
Test(engine, remembered_truncations_keep_form_and_action_apart)
{
    const char *line = "1.2.3.4 ::1.2.3.4 ::102:304 ::ffff:1.2.3.4 2001:db8:aa:bb::1 "
                       "1.2.3.4 ::102:304 ::1.2.3.4\n";
    const char *want = "1.2.0.0 ::1.2.3.0 :: ::ffff:1.2.3.0 2001:db8:: 1.2.0.0 :: ::1.2.3.0\n";
    char in[512], out_want[512];
    snprintf(in, sizeof in, "%s%s%s", line, line, line);
    snprintf(out_want, sizeof out_want, "%s%s%s", want, want, want);
    char *got = scrub_with_policy("",
                                  "text:\n"
                                  "  - detector: ipv4\n    action: truncate-ip\n    v4: 16\n"
                                  "  - detector: ipv6\n    action: truncate-ip\n    v4: 24\n"
                                  "    v6: 32\n",
                                  in, NULL);
    cr_expect_str_eq(got, out_want);
    free(got);
}

/* A line of addresses one every few bytes, the densest real matches: the splice takes a
 * remembered truncation without the calls into the renderer, and must write what the
 * renderer writes. Random lines of addresses in every form, repeated so that most are
 * remembered, come out as from a scrubber with every memo off. */
Test(engine, dense_addresses_come_out_as_without_the_memo)
{
    static const char *const addrs[] = {"::",
                                        "::1",
                                        "[::1]:80",
                                        "fe80::1%eth0",
                                        "2001:db8::1",
                                        "::ffff:1.2.3.4",
                                        "::1.2.3.4",
                                        "::102:304",
                                        "1.2.3.4",
                                        "10.0.0.255",
                                        "1:2:3:4:5:6:7:8",
                                        "1::8",
                                        "FE80::ABCD",
                                        "\"::1\"",
                                        "2001:db8:aa:bb::1",
                                        "2001:db8:85a3::8a2e:370:7334",
                                        "::ffff:10.0.0.1",
                                        "fe80::"};
    static const char *const seps[] = {" ", ",", "\t", "  ", "; ", "|"};
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    struct lsc_scrubber *on, *off;
    cr_assert_eq(lsc_scrubber_new(pol, &on), LSC_OK);
    cr_assert_eq(lsc_scrubber_new(pol, &off), LSC_OK);
    off->memo_off = true;
    uint32_t x = 12345;
    char line[4096];
    for (int k = 0; k < 400; k++) {
        size_t n = 0;
        x = x * 1103515245u + 12345u;
        int tokens = 1 + (int)(x >> 16) % 80;
        for (int t = 0; t < tokens; t++) {
            x = x * 1103515245u + 12345u;
            const char *a = addrs[(x >> 16) % (sizeof addrs / sizeof addrs[0])];
            const char *s = seps[(x >> 8) % (sizeof seps / sizeof seps[0])];
            if ((x >> 28) < 6) {
                /* Hundreds of addresses that differ only in their last eight bytes, or only
                 * in their first, so that many share a memo slot with another. */
                unsigned third = (x >> 4) & 0xff, fourth = x & 0xf;
                n += (size_t)snprintf(line + n, sizeof line - n,
                                      (x >> 28) < 3 ? "::ffff:10.%u.%u.1%s" : "2001:%x:%x::7%s",
                                      third, fourth, s);
                continue;
            }
            n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", a, s);
        }
        line[n++] = '\n';
        char *got = scrub_by(on, line, n), *want = scrub_by(off, line, n);
        cr_assert_str_eq(got, want, "line %d: %.*s", k, (int)n, line);
        free(got);
        free(want);
    }
    lsc_scrubber_free(on);
    lsc_scrubber_free(off);
    lsc_policy_free(pol);
}

/* ---- streaming through file descriptors ---- */

static int empty_tmp_fd(void)
{
    FILE *f = tmpfile();
    int fd = dup(fileno(f));
    fclose(f);
    return fd;
}

Test(stream, oversize_line_is_redacted_and_counted)
{
    size_t big = 3u << 20;
    char *data = malloc(big + 64);
    size_t len = (size_t)sprintf(data, "first 1.2.3.4\n");
    for (size_t i = 0; i < big; i += 8) {
        memcpy(data + len + i, "9.8.7.6 ", 8);
    }
    len += big;
    len += (size_t)sprintf(data + len, "\nlast jane@example.com");
    int in = tmp_fd_with(data, len), out = empty_tmp_fd();

    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    struct lsc_stream_opts so = {.max_line = 1 << 20, .quarantine_fd = -1};
    cr_assert_eq(lsc_scrub_fd(sc, in, out, &so), LSC_OK);
    size_t olen;
    char *o = read_whole_fd(out, &olen);
    cr_expect_str_eq(o, "first 1.2.3.0\n[logscrub: line redacted: oversize]\nlast [email]");
    const struct lsc_stats *st = lsc_scrubber_stats(sc);
    cr_expect_eq(st->lines_in, 3);
    cr_expect_eq(st->fail_reason[LSC_FAIL_OVERSIZE], 1);
    cr_expect_eq(st->bytes_in, len);
    expect_accounting(st);
    free(o);
    lsc_scrubber_free(sc);

    /* With max_line above the line's size it is scrubbed in full. */
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    lseek(in, 0, SEEK_SET);
    int out2 = empty_tmp_fd();
    so.max_line = 4u << 20;
    cr_assert_eq(lsc_scrub_fd(sc, in, out2, &so), LSC_OK);
    o = read_whole_fd(out2, &olen);
    cr_expect_eq(olen, len - strlen("jane@example.com") + strlen("[email]"));
    cr_expect(strstr(o, "9.8.7.6") == NULL);
    cr_expect_eq(lsc_scrubber_stats(sc)->replacements[LSC_CLASS_IPV4], 1 + big / 8);
    free(o);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
    free(data);
    close(in);
    close(out);
    close(out2);
}

Test(stream, quarantine_gets_raw_lines_in_full)
{
    size_t big = 2u << 20;
    char *data = malloc(big + 64);
    memset(data, 'q', big);
    size_t len = big;
    len += (size_t)sprintf(data + len, "\nok 1.2.3.4\n");
    int in = tmp_fd_with(data, len), out = empty_tmp_fd(), q = empty_tmp_fd();

    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    lsc_policy_set_on_error(pol, LSC_ON_ERROR_QUARANTINE);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    struct lsc_stream_opts so = {.max_line = 1 << 20, .quarantine_fd = q};
    cr_assert_eq(lsc_scrub_fd(sc, in, out, &so), LSC_OK);
    size_t olen, qlen;
    char *o = read_whole_fd(out, &olen);
    char *qd = read_whole_fd(q, &qlen);
    cr_expect_str_eq(o, "ok 1.2.3.0\n");
    cr_expect_eq(qlen, big + 1);
    cr_expect_eq(memcmp(qd, data, big + 1), 0);
    cr_expect_eq(lsc_scrubber_stats(sc)->quarantined, 1);
    expect_accounting(lsc_scrubber_stats(sc));
    free(o);
    free(qd);
    free(data);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
    close(in);
    close(out);
    close(q);
}

Test(stream, write_error_and_broken_pipe_are_reported)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    struct lsc_stream_opts so = {.max_line = 1 << 20, .quarantine_fd = -1};

    int in = tmp_fd_with("a\n", 2);
    int ro = open("/dev/null", O_RDONLY);
    cr_expect_eq(lsc_scrub_fd(sc, in, ro, &so), LSC_EWRITE);
    close(ro);
    close(in);

    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    close(fds[0]);
    in = tmp_fd_with("a\n", 2);
    cr_expect_eq(lsc_scrub_fd(sc, in, fds[1], &so), LSC_EPIPE);
    close(fds[1]);
    close(in);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
}

/* The count of name in sc's per-field table, or -1 if it has no entry. */
static long field_count(const struct lsc_scrubber *sc, const char *name)
{
    for (size_t i = 0; i < sc->nfield_counts; i++) {
        if (strcmp(sc->field_counts[i].name, name) == 0) {
            return (long)sc->field_counts[i].n;
        }
    }
    return -1;
}

/*
 * Replacements per field name (the report's "fields"): a name counts as the C string it
 * reads as - up to a NUL, at most 47 bytes - so "user\0x" is "user", names that differ only
 * past byte 47 share an entry and a name that is another's prefix does not; past 127 names,
 * the rest go under "(other)"; and a worker's table merged into another
 * (lsc_scrubber_merge_counts) adds up, "(other)" included.
 */
Test(engine, replacements_are_counted_by_field_name)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    lsc_count_field(sc, "user", 4, 1);
    lsc_count_field(sc, "user\0x", 6, 1);
    lsc_count_field(sc, "use", 3, 1);
    lsc_count_field(sc, "users", 5, 1);
    lsc_count_field(sc, "userid", 4, 2); /* (len 4: "user") */
    cr_expect_eq(field_count(sc, "user"), 4);
    cr_expect_eq(field_count(sc, "use"), 1);
    cr_expect_eq(field_count(sc, "users"), 1);
    char a[80], b[80];
    memset(a, 'k', sizeof a);
    memcpy(b, a, sizeof b);
    b[60] = 'z';
    lsc_count_field(sc, a, sizeof a, 1);
    lsc_count_field(sc, b, sizeof b, 1);
    a[47] = '\0';
    cr_expect_eq(field_count(sc, a), 2, "names differing past byte 47 share an entry");
    cr_expect_eq(sc->nfield_counts, 4);
    for (int i = sc->nfield_counts; i < LSC_FIELD_COUNTS + 10; i++) {
        char name[16];
        int l = snprintf(name, sizeof name, "f%d", i);
        lsc_count_field(sc, name, (size_t)l, 1);
    }
    cr_expect_eq(sc->nfield_counts, LSC_FIELD_COUNTS);
    cr_expect_eq(field_count(sc, "(other)"), 11); /* f127 .. f137 */
    cr_expect_eq(field_count(sc, "f126"), 1);
    cr_expect_eq(field_count(sc, "f127"), -1);
    lsc_count_field(sc, "f126", 4, 5); /* a known name still finds its entry */
    cr_expect_eq(field_count(sc, "f126"), 6);
    cr_expect_eq(field_count(sc, "user"), 4);

    struct lsc_scrubber *to;
    cr_assert_eq(lsc_scrubber_new(pol, &to), LSC_OK);
    lsc_count_field(to, "use", 3, 2);
    lsc_scrubber_merge_counts(to, sc);
    lsc_scrubber_merge_counts(to, sc);
    cr_expect_eq(to->nfield_counts, LSC_FIELD_COUNTS);
    cr_expect_eq(field_count(to, "use"), 4);
    cr_expect_eq(field_count(to, "user"), 8);
    cr_expect_eq(field_count(to, "f126"), 12);
    cr_expect_eq(field_count(to, "(other)"), 22);
    lsc_scrubber_free(to);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
}

/* True when [p, p + len) and [q, q + qlen) touch a common LSC_UNSHARED-byte block. */
static bool same_block(const void *p, size_t len, const void *q, size_t qlen)
{
    uintptr_t a0 = (uintptr_t)p / LSC_UNSHARED, a1 = ((uintptr_t)p + len - 1) / LSC_UNSHARED;
    uintptr_t b0 = (uintptr_t)q / LSC_UNSHARED, b1 = ((uintptr_t)q + qlen - 1) / LSC_UNSHARED;
    return a0 <= b1 && b0 <= a1;
}

/*
 * lsc_alloc_unshared's blocks share no LSC_UNSHARED-byte block with any other allocation
 * (ordinary ones made between them, of sizes that pack side by side), are zeroed, and
 * refuse an n * size that overflows.
 */
Test(engine, unshared_blocks_keep_their_lines_to_themselves)
{
    enum { N = 64 };
    void *u[N], *m[N];
    size_t ulen[N], mlen[N];
    for (size_t i = 0; i < N; i++) {
        ulen[i] = i * 37 % 300 + 1;
        mlen[i] = i * 13 % 100 + 1;
        u[i] = lsc_alloc_unshared(1, ulen[i]);
        m[i] = malloc(mlen[i]);
        cr_assert(u[i] != NULL && m[i] != NULL);
        memset(m[i], 0xff, mlen[i]);
        cr_expect_eq((uintptr_t)u[i] % LSC_UNSHARED, 0);
        for (size_t k = 0; k < ulen[i]; k++) {
            cr_assert_eq(((unsigned char *)u[i])[k], 0, "byte %zu of block %zu", k, i);
        }
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t k = 0; k < N; k++) {
            cr_expect(!same_block(u[i], ulen[i], m[k], mlen[k]), "block %zu, allocation %zu", i, k);
            cr_expect(k == i || !same_block(u[i], ulen[i], u[k], ulen[k]), "blocks %zu, %zu", i, k);
        }
    }
    for (size_t i = 0; i < N; i++) {
        free(u[i]);
        free(m[i]);
    }
    void *z = lsc_alloc_unshared(0, 8);
    cr_expect(z != NULL); /* (like calloc: something to free) */
    free(z);
    cr_expect_null(lsc_alloc_unshared(((size_t)1 << 60) + 1, 16)); /* (2^64 + 16: 16) */
    cr_expect_null(lsc_alloc_unshared(1, SIZE_MAX - 100));         /* (rounded up: 0) */
}

/*
 * What a worker writes at every line lies in lines of its own: the workers' scrubbers are
 * made one after the other by one thread (parallel.c), and two side by side put one's
 * counters and the other's last members on one line - -j 2 then spent its time passing it
 * between cores. The scrubber, its rule counters and its PCRE2 match data are checked.
 */
Test(engine, scrubbers_made_together_share_no_cache_line)
{
    struct lsc_policy *pol = policy_with_rule("ticket", "TICKET-\\d{6}");
    enum { N = 6 };
    struct lsc_scrubber *sc[N];
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(lsc_scrubber_new(pol, &sc[i]), LSC_OK);
    }
    for (size_t i = 0; i < N; i++) {
        cr_expect_eq((uintptr_t)sc[i] % LSC_UNSHARED, 0);
        cr_expect_eq((uintptr_t)sc[i]->rule_hits % LSC_UNSHARED, 0);
        cr_expect_eq((uintptr_t)sc[i]->rs.md % LSC_UNSHARED, 0);
        for (size_t k = 0; k < N; k++) {
            cr_expect(k == i || !same_block(sc[i], sizeof *sc[i], sc[k], sizeof *sc[k]),
                      "scrubbers %zu and %zu", i, k);
        }
    }
    /* And they still scrub: the match data made through the new allocator is used. */
    const char *in = "TICKET-123456 at 10.1.2.3\n";
    enum lsc_verdict v;
    cr_assert_eq(lsc_engine_line(sc[N - 1], in, strlen(in) - 1, true, &v), LSC_OK);
    cr_expect_eq(sc[N - 1]->out.len, strlen("[ticket] at 10.1.2.0\n"));
    cr_expect_eq(memcmp(sc[N - 1]->out.p, "[ticket] at 10.1.2.0\n", sc[N - 1]->out.len), 0);
    cr_expect_eq(sc[N - 1]->rule_hits[0], 1);
    for (size_t i = 0; i < N; i++) {
        lsc_scrubber_free(sc[i]);
    }
    lsc_policy_free(pol);
}
