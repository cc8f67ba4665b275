/*
 * test_policy_load.c - policy files (src/policy/load.c, yaml_doc.c, explain.c): every error
 * class with its exact message and position, every action, packs and their overrides, and
 * the policy hash.
 */
#include "helpers.h"

#include "policy/policy.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Loads text as policy "p.yaml"; on failure returns NULL and copies the message to err. */
static struct lsc_policy *load(const char *text, char *err, size_t errlen)
{
    struct lsc_policy *pol = NULL;
    lsc_error rc = lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, errlen);
    return rc == LSC_OK ? pol : NULL;
}

/* The policy must be refused with an error whose first line is exactly want. */
static void expect_error(const char *text, const char *want)
{
    char err[2048] = "";
    struct lsc_policy *pol = load(text, err, sizeof err);
    cr_expect_null(pol, "policy was accepted:\n%s", text);
    lsc_policy_free(pol);
    char *nl = strchr(err, '\n');
    if (nl != NULL) {
        *nl = '\0';
    }
    cr_expect_str_eq(err, want, "policy:\n%s", text);
}

static struct lsc_policy *load_ok(const char *text)
{
    char err[2048] = "";
    struct lsc_policy *pol = load(text, err, sizeof err);
    cr_assert_not_null(pol, "%s", err);
    return pol;
}

static char *scrub_text(const char *policy, const char *in)
{
    struct lsc_policy *pol = load_ok(policy);
    char *out = scrub_with(pol, in, strlen(in), NULL);
    lsc_policy_free(pol);
    return out;
}

#define HEAD "version: 1\nname: t\n"

Test(policy_errors, yaml_syntax)
{
    expect_error(HEAD "text: [\n", "p.yaml:4:1: not valid YAML: did not find expected node "
                                   "content while parsing a flow node");
    expect_error("", "p.yaml:1:1: the file is empty; a policy starts with 'version: 1'");
}

Test(policy_errors, unknown_keys_with_did_you_mean)
{
    expect_error(HEAD "txet: []\n",
                 "p.yaml:3:1: unknown key 'txet' in a policy; did you mean 'text'?");
    expect_error(HEAD "text:\n  - name: x\n    pattern: a\n    acton: redact\n",
                 "p.yaml:6:5: unknown key 'acton' in a text rule; did you mean 'action'?");
    expect_error(HEAD "zzz: 1\n",
                 "p.yaml:3:1: unknown key 'zzz' in a policy; expected one of: version, name, "
                 "description, input, text, on_error, limits, tests, fields, keys, retention");
    expect_error(HEAD "name: again\n", "p.yaml:3:1: duplicate key 'name' in a policy (first on "
                                       "line 2)");
}

Test(policy_errors, required_and_types)
{
    expect_error("name: t\n", "p.yaml:1:1: a policy starts with 'version: 1'");
    expect_error("version: 2\nname: t\n",
                 "p.yaml:1:10: unsupported policy version; this logscrub reads version 1");
    expect_error("version: 1\n", "p.yaml:1:1: a policy needs a 'name' (it appears in --stats "
                                 "and reports)");
    expect_error(HEAD "text: secrets\n", "p.yaml:3:7: text must be a list (- item), not a "
                                         "single value");
    expect_error(HEAD "text:\n  - name: x\n    pattern: [a]\n",
                 "p.yaml:5:14: pattern must be a string, not a list");
    expect_error(HEAD "text:\n  - detector: card\n    action: mask\n    keep_last: many\n",
                 "p.yaml:6:16: keep_last must be a whole number from 0 to 64, not 'many'");
}

Test(policy_errors, bad_regex_points_into_the_pattern)
{
    char err[2048];
    struct lsc_policy *pol =
        load(HEAD "text:\n  - name: t\n    pattern: 'ab(c'\n", err, sizeof err);
    cr_assert_null(pol);
    cr_expect_str_eq(err, "p.yaml:5:19: bad regular expression in rule 't': missing closing "
                          "parenthesis at offset 4\n"
                          "      5 |     pattern: 'ab(c'\n"
                          "        |                   ^");
}

Test(policy_errors, rules_and_actions)
{
    expect_error(HEAD "text:\n  - detector: emial\n",
                 "p.yaml:4:15: unknown detector 'emial' (did you mean 'email'?); the built-in "
                 "detectors are ipv4, ipv6, email, card, iban, jwt, auth_header, api_key, "
                 "private_key, url_password, secret_param, password_hash");
    expect_error(HEAD "text:\n  - name: a\n", "p.yaml:4:5: a text rule needs 'detector: CLASS' "
                                              "or 'pattern: REGEX' (or is '- use: PACK')");
    expect_error(HEAD "text:\n  - pattern: x\n", "p.yaml:4:5: a pattern rule needs a 'name'");
    expect_error(HEAD "text:\n  - {name: a, pattern: x}\n  - {name: a, pattern: y}\n",
                 "p.yaml:5:12: duplicate rule name 'a'");
    expect_error(
        HEAD "text:\n  - {name: a, pattern: x, action: redcat}\n",
        "p.yaml:4:35: unknown action 'redcat' (did you mean 'redact'?); expected "
        "redact, replace, mask, truncate, truncate-ip, pseudonym, user-agent, drop-line or "
        "keep");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, action: replace}\n",
                 "p.yaml:4:35: action replace needs 'with: TEXT'");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, with: y}\n",
                 "p.yaml:4:33: 'with' only goes with action: replace");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, action: truncate-ip}\n",
                 "p.yaml:4:35: truncate-ip needs addresses: use it with detector ipv4 or ipv6, "
                 "or with validator: ip");
    unsetenv("LOGSCRUB_KEY_FILE");
    unsetenv("CREDENTIALS_DIRECTORY");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, action: pseudonym}\n",
                 "p.yaml:1:1: this policy makes pseudonyms, so it needs a key: create one with "
                 "'logscrub keygen /etc/logscrub/key', then name it in the policy (keys: { "
                 "file: /etc/logscrub/key }) or in $LOGSCRUB_KEY_FILE");
    expect_error(HEAD "keys: {file: /nonexistent/k}\ntext:\n  - {name: a, pattern: x, action: "
                      "pseudonym}\n",
                 "p.yaml:3:7: key file /nonexistent/k: No such file or directory (make one "
                 "with: logscrub keygen /nonexistent/k)");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, action: drop-field}\n",
                 "p.yaml:4:35: drop-field applies to fields, not to text rules; use drop-line, "
                 "redact or replace");
    expect_error(HEAD "text:\n  - {name: a, pattern: x, validator: lunh}\n",
                 "p.yaml:4:38: unknown validator 'lunh'; expected luhn, iban or ip");
    expect_error(HEAD "text:\n  - {detector: card, pattern: x}\n",
                 "p.yaml:4:16: a rule has either 'detector' or 'pattern', not both");
}

Test(policy_errors, packs)
{
    expect_error(HEAD "text:\n  - use: secrts\n",
                 "p.yaml:4:10: unknown pack 'secrts' (did you mean 'secrets'?); built-in packs: "
                 "network, pii, secrets");
    expect_error(HEAD "text:\n  - use: pii\n    except: [phone]\n",
                 "p.yaml:5:14: pack pii has no rule 'phone'");
    expect_error(HEAD "text:\n  - use: ./missing-pack.yaml\n",
                 "p.yaml:4:10: cannot use pack: ./missing-pack.yaml: cannot open: No such file "
                 "or directory");
}

Test(policy_errors, later_sections_are_validated_then_refused)
{
    expect_error(HEAD "fields:\n  keep: [ts]\n",
                 "p.yaml:4:3: field rules need a structure: set input.format to auto, nginx, "
                 "apache, json, logfmt or syslog (text is one value per line)");
    expect_error(HEAD "input: {format: json, log_format: combined}\n",
                 "p.yaml:3:35: log_format goes with format: nginx or format: apache (it is the "
                 "log_format or LogFormat line of their configuration)");
    expect_error(HEAD "input: {format: nginx, log_format: '$remote_addr$remote_user'}\n",
                 "p.yaml:3:36: at offset 12: field 'remote_user' follows 'remote_addr' with "
                 "nothing between them, so a line cannot be split between the two");
    expect_error(HEAD "input: {format: apache, log_format: '%h %Z'}\n",
                 "p.yaml:3:37: at offset 3: unknown Apache directive '%Z' (see mod_log_config's "
                 "\"Custom Log Formats\")");
    expect_error(HEAD "input: {format: nginx, log_format: 'static text'}\n",
                 "p.yaml:3:36: the format has no fields (nginx fields look like $remote_addr)");
    expect_error(HEAD "input: {format: nginx, log_format: '$ x'}\n",
                 "p.yaml:3:36: at offset 0: '$' must start a variable name like $remote_addr or "
                 "${remote_addr}");
    expect_error(HEAD "input: {format: sislog}\n",
                 "p.yaml:3:17: unknown format 'sislog' (did you mean 'syslog'?); expected auto, "
                 "text, nginx, apache, json, logfmt or syslog");
    expect_error(HEAD "input: {format: xml}\n",
                 "p.yaml:3:17: unknown format 'xml'; expected auto, text, nginx, apache, json, "
                 "logfmt or syslog");
    expect_error(HEAD "retention: 30 days\n",
                 "p.yaml:3:12: retention must be a positive number and a unit (s, m, h, d, w; "
                 "mo and y for calendar months and years), like 30d or 3mo");
    expect_error(HEAD "retention: {keep: 30d}\n",
                 "p.yaml:3:13: unknown key 'keep' in retention; expected one of: for, tag, name");
    expect_error(HEAD "retention: 0d\n",
                 "p.yaml:3:12: retention must be a positive number and a unit (s, m, h, d, w; "
                 "mo and y for calendar months and years), like 30d or 3mo");
    expect_error(HEAD "fields:\n  keep: [ts, ip]\n  drop: [ip]\n",
                 "p.yaml:5:10: field 'ip' is both kept (line 4) and dropped; a field is either "
                 "in fields.keep or in fields.drop");
}

Test(policy_errors, on_error_and_tests)
{
    expect_error(HEAD "on_error: quarantine\n",
                 "p.yaml:3:11: quarantine needs a file: on_error: { quarantine: "
                 "/var/lib/logscrub/quarantine.log }");
    expect_error(HEAD "on_error: explode\n",
                 "p.yaml:3:11: on_error must be redact-line, drop, or { quarantine: FILE }");
    expect_error(HEAD "tests:\n  - in: x\n", "p.yaml:4:5: a test needs either 'out: LINE' or "
                                             "'dropped: true'");
    expect_error(HEAD "tests:\n  - {out: x}\n", "p.yaml:4:5: a test needs 'in: LINE'");
    expect_error(HEAD "text:\n  - {detector: card, action: mask, mask_char: '7'}\n",
                 "p.yaml:4:47: mask_char must be one character that is not a digit, like '*' "
                 "or 'x'");
}

/* ---- what a valid policy does ---- */

Test(policy_actions, every_action)
{
    const char *pol = HEAD "text:\n"
                           "  - {detector: card, action: mask, keep_last: 4}\n"
                           "  - {detector: email, action: replace, with: 'someone@example'}\n"
                           "  - {detector: ipv4, action: truncate-ip, v4: 16}\n"
                           "  - {name: uid, pattern: 'uid=\\w+', action: truncate, length: 5}\n"
                           "  - {name: t, pattern: 'TICKET-\\d+', label: ticket}\n"
                           "  - {name: dbg, pattern: 'DEBUG', action: keep}\n";
    char *out = scrub_text(pol, "c 4111 1111 1111 1111 m a@b.com ip 10.1.2.3 uid=alice "
                                "TICKET-42 DEBUG\n");
    cr_expect_str_eq(out, "c **** **** **** 1111 m someone@example ip 10.1.0.0 uid=a [ticket] "
                          "DEBUG\n");
    free(out);
}

Test(policy_actions, only_listed_detectors_run)
{
    char *out = scrub_text(HEAD "text:\n  - use: pii\n", "ip 10.1.2.3 a@b.com token=x\n");
    cr_expect_str_eq(out, "ip 10.1.2.3 [email] token=x\n");
    free(out);
}

Test(policy_actions, drop_line_drops_and_counts)
{
    struct lsc_policy *pol = load_ok(HEAD "text:\n  - use: network\n"
                                          "  - {name: health, pattern: 'GET /health', "
                                          "action: drop-line}\n"
                                          "  - {detector: private_key, action: drop-line}\n");
    struct lsc_stats st;
    const char *in = "1.2.3.4 GET /health\n1.2.3.4 GET /x\nk -----BEGIN PRIVATE KEY-----x\n";
    char *out = scrub_with(pol, in, strlen(in), &st);
    cr_expect_str_eq(out, "1.2.3.0 GET /x\n");
    cr_expect_eq(st.dropped, 2);
    cr_expect_eq(st.lines_in, st.emitted + st.dropped + st.quarantined);
    free(out);
    lsc_policy_free(pol);
}

Test(policy_actions, validators_and_hints)
{
    const char *pol = HEAD "text:\n"
                           "  - {name: acct, pattern: '\\d[\\d ]{11,22}\\d', validator: luhn}\n"
                           "  - {name: addr, pattern: '[0-9a-f:.]{7,}', validator: ip, "
                           "action: truncate-ip, v4: 8}\n"
                           "  - {name: ord, pattern: 'ORD-\\d+', hint: 'ORD-'}\n";
    char *out = scrub_text(pol, "a 4111 1111 1111 1111 b 4111 1111 1111 1112 c 9.8.7.6 "
                                "d 1.2.3 ORD-7\n");
    cr_expect_str_eq(out, "a [acct] b 4111 1111 1111 1112 c 9.0.0.0 d 1.2.3 [ord]\n");
    free(out);
}

Test(policy_actions, later_detector_rule_refines_a_pack)
{
    char *out = scrub_text(HEAD "text:\n  - use: pii\n"
                                "  - {detector: card, action: mask, keep_last: 4, mask_char: x}\n",
                           "card 4111111111111111 mail a@b.com\n");
    cr_expect_str_eq(out, "card xxxxxxxxxxxx1111 mail [email]\n");
    free(out);
}

Test(policy_actions, except_skips_pack_rules)
{
    char *out =
        scrub_text(HEAD "text:\n  - use: pii\n    except: [email]\n", "a@b.com 4111111111111111\n");
    cr_expect_str_eq(out, "a@b.com [card]\n");
    free(out);
}

Test(policy_actions, on_error_from_policy)
{
    struct lsc_policy *pol = load_ok(HEAD "text:\n  - {name: r, pattern: '(a+)+$'}\n"
                                          "on_error: drop\nlimits: {match_limit: 1000}\n");
    struct lsc_stats st;
    const char *in = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab\nok\n";
    char *out = scrub_with(pol, in, strlen(in), &st);
    cr_expect_str_eq(out, "ok\n");
    cr_expect_eq(st.fail_reason[LSC_FAIL_RULE_ERROR], 1);
    cr_expect_eq(st.dropped, 1);
    free(out);
    lsc_policy_free(pol);
    pol = load_ok(HEAD "on_error: {quarantine: /tmp/q.log}\n");
    cr_expect_eq(lsc_policy_on_error(pol), LSC_ON_ERROR_QUARANTINE);
    cr_expect_str_eq(lsc_policy_quarantine_path(pol), "/tmp/q.log");
    lsc_policy_free(pol);
}

/* ---- packs from files, the default policy as YAML, the hash ---- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(policy_packs, patterns_dir_and_policy_local_packs_override)
{
    char dir[] = "/tmp/lsc-packs-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256], pdir[300];
    snprintf(path, sizeof path, "%s/pii.yaml", dir);
    write_file(path, "pack: pii\nrules:\n  - {detector: email, label: mail}\n");
    struct lsc_load_opts lo = {.patterns_dir = dir};
    struct lsc_policy *pol;
    char err[1024];
    const char *text = HEAD "text:\n  - use: pii\n";
    cr_assert_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), &lo, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    char *out = scrub_with(pol, "a@b.com 4111111111111111\n", 25, NULL);
    cr_expect_str_eq(out, "[mail] 4111111111111111\n",
                     "the directory's pii replaced the "
                     "built-in one");
    free(out);
    lsc_policy_free(pol);

    /* A pack next to the policy file, by relative path. */
    snprintf(pdir, sizeof pdir, "%s/policy.yaml", dir);
    snprintf(path, sizeof path, "%s/mine.yaml", dir);
    write_file(path, "pack: mine\nrules:\n  - {name: x, pattern: 'X-\\d+'}\n");
    write_file(pdir, HEAD "text:\n  - use: ./mine.yaml\n");
    cr_assert_eq(lsc_policy_load(pdir, NULL, &pol, err, sizeof err), LSC_OK, "%s", err);
    out = scrub_with(pol, "id X-42\n", 8, NULL);
    cr_expect_str_eq(out, "id [x]\n");
    free(out);
    lsc_policy_free(pol);

    /* An error inside a pack names the pack's file. */
    write_file(path, "pack: mine\nrules:\n  - {name: x, patern: 'X'}\n");
    cr_expect_eq(lsc_policy_load(pdir, NULL, &pol, err, sizeof err), LSC_EPOLICY);
    cr_expect(strstr(err, "mine.yaml:3:15: unknown key 'patern' in a text rule; did you mean "
                          "'pattern'?") != NULL,
              "%s", err);
    unlink(path);
    unlink(pdir);
    snprintf(path, sizeof path, "%s/pii.yaml", dir);
    unlink(path);
    rmdir(dir);
}

Test(policy_packs, hash_follows_meaning_not_formatting)
{
    struct lsc_policy *a = load_ok(HEAD "text:\n  - use: pii\n");
    struct lsc_policy *b = load_ok("# a comment\nname: t\nversion: 1\ntext: [{use: pii}]\n");
    struct lsc_policy *c = load_ok(HEAD "text:\n  - use: pii\n    except: [iban]\n");
    char ha[65], hb[65], hc[65];
    cr_assert_eq(lsc_policy_hash(a, ha), LSC_OK);
    cr_assert_eq(lsc_policy_hash(b, hb), LSC_OK);
    cr_assert_eq(lsc_policy_hash(c, hc), LSC_OK);
    cr_expect_str_eq(ha, hb);
    cr_expect_str_neq(ha, hc);
    cr_expect_eq(strlen(ha), 64);
    lsc_policy_free(a);
    lsc_policy_free(b);
    lsc_policy_free(c);
}

/* Every part of a staged field and the time source of retention are in the hash. */
Test(policy_packs, hash_covers_stages_and_the_retention_time)
{
    const char *base = HEAD "input: {format: json}\nretention: 90d\nfields:\n  ip: ";
    const char *variants[] = {
        "[{for: 7d, keep: true}, {then: drop}]\n",   "[{for: 8d, keep: true}, {then: drop}]\n",
        "[{for: 7d, keep: true}, {then: keep}]\n",   "[{for: 7d, ip: truncate}, {then: drop}]\n",
        "[{for: 7d, action: keep}, {then: drop}]\n",
    };
    char hashes[5][65];
    for (size_t i = 0; i < 5; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s", base, variants[i]);
        struct lsc_policy *p = load_ok(text);
        cr_assert_eq(lsc_policy_hash(p, hashes[i]), LSC_OK);
        lsc_policy_free(p);
        for (size_t k = 0; k < i; k++) {
            cr_expect_str_neq(hashes[i], hashes[k], "variants %zu and %zu hash alike", k, i);
        }
    }
    char h1[65], h2[65];
    struct lsc_policy *a = load_ok(HEAD "input: {format: json}\nretention: 90d\n");
    struct lsc_policy *b =
        load_ok(HEAD "input: {format: json, timestamp: {field: when}}\nretention: 90d\n");
    cr_assert_eq(lsc_policy_hash(a, h1), LSC_OK);
    cr_assert_eq(lsc_policy_hash(b, h2), LSC_OK);
    cr_expect_str_neq(h1, h2, "the record's time field changes what retention does");
    lsc_policy_free(a);
    lsc_policy_free(b);
}

/* A test's now: is an RFC 3339 time; anything else is an error at its place. */
Test(policy_errors, test_now)
{
    expect_error(HEAD "tests:\n  - in: a\n    out: a\n    now: yesterday\n",
                 "p.yaml:6:10: 'now' wants an RFC 3339 time like 2026-11-22T10:00:00Z");
    struct lsc_policy *p = load_ok(HEAD "tests:\n  - in: a\n    out: a\n    now: "
                                        "'2026-11-22T10:00:00Z'\n");
    cr_expect_eq(p->tests[0].now, 1795341600);
    lsc_policy_free(p);
}

Test(policy_errors, timestamp_layouts)
{
    expect_error(HEAD "input: {format: json, timestamp: {field: ts, layout: iso}}\n",
                 "p.yaml:3:54: layout must be access (22/Nov/2026:10:00:00 +0000), rfc3339, "
                 "epoch, epoch_ms or bsd (Nov 22 10:00:00)");
}

Test(policy_errors, staged_retention)
{
    expect_error(HEAD "input: {format: json}\nfields:\n  ip: [{for: 7d, keep: true}]\n",
                 "p.yaml:5:7: stages are a list of 2 to 8: {for: 7d, keep: true}, {for: 30d, "
                 "ip: truncate}, ..., {then: drop}");
    expect_error(HEAD "input: {format: json}\nfields:\n  ip: [{for: 30d, keep: true}, {for: 7d, "
                      "ip: truncate}, {then: drop}]\n",
                 "p.yaml:5:38: stage ends must increase (each 'for' counts from the record's "
                 "time)");
    expect_error(HEAD "input: {format: json}\nfields:\n  ip: [{for: 7d, keep: true}, {for: 30d, "
                      "ip: truncate}]\n",
                 "p.yaml:5:31: the last stage is {then: drop} or {then: keep}");
    expect_error(HEAD "input: {format: json}\nfields:\n  ip: [{for: 7d}, {then: drop}]\n",
                 "p.yaml:5:8: a stage needs 'keep: true' or an action");
    expect_error(HEAD "input: {format: json}\nfields:\n  ip: [{for: 7d, keep: true}, {then: "
                      "burn}]\n",
                 "p.yaml:5:38: then must be drop or keep");
}
