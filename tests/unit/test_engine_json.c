/*
 * test_engine_json.c - JSON lines scrubbed as structures (src/engine/record.c): the
 * allow-list and drop list with valid JSON left behind, field actions, secret-named keys,
 * detectors inside (escaped) strings, and the fail-closed parse fallback.
 */
#include "engine/engine.h"
#include "helpers.h"

#include <stdio.h>

static char *run(const char *policy_body, const char *in, struct lsc_stats *st)
{
    return scrub_with_policy("input: {format: json}\n", policy_body, in, st);
}

#define EXPECT_JSON(policy, in, want)                                                              \
    do {                                                                                           \
        char *got_ = run(policy, in, NULL);                                                        \
        cr_expect_str_eq(got_, want, "in:   %s\nwant: %s\ngot:  %s", in, want, got_);              \
        free(got_);                                                                                \
    } while (0)

static const char KEEP_AB[] = "fields:\n  keep: [a, b]\n";

Test(json_fields, keep_removes_members_and_their_commas)
{
    EXPECT_JSON(KEEP_AB, "{\"a\":1,\"x\":2,\"b\":3}", "{\"a\":1,\"b\":3}");
    EXPECT_JSON(KEEP_AB, "{\"x\":0,\"a\":1,\"b\":3}", "{\"a\":1,\"b\":3}");
    EXPECT_JSON(KEEP_AB, "{\"a\":1,\"b\":3,\"x\":2,\"y\":{\"z\":1}}", "{\"a\":1,\"b\":3}");
    EXPECT_JSON(KEEP_AB, "{\"x\":2,\"y\":[1,2]}", "{}");
    EXPECT_JSON(KEEP_AB, "{ \"a\" : 1 , \"x\" : 2 , \"b\" : 3 }", "{ \"a\" : 1 , \"b\" : 3 }");
    EXPECT_JSON(KEEP_AB, "{}", "{}");
    EXPECT_JSON(KEEP_AB, "{\"a\":1,\"a\":2,\"x\":1}", "{\"a\":1,\"a\":2}");
}

Test(json_fields, nested_paths_and_arrays)
{
    const char *pol = "fields:\n  keep: [user.id, 'items[*].sku']\n";
    EXPECT_JSON(pol,
                "{\"user\":{\"id\":7,\"name\":\"Jo\"},\"items\":[{\"sku\":\"A\",\"p\":1},"
                "{\"p\":2},3],\"body\":\"x\"}",
                "{\"user\":{\"id\":7},\"items\":[{\"sku\":\"A\"},{}]}");
    EXPECT_JSON("fields:\n  keep: [req]\n  drop: [req.headers]\n",
                "{\"req\":{\"path\":\"/\",\"headers\":{\"cookie\":\"c\"}},\"x\":1}",
                "{\"req\":{\"path\":\"/\"}}");
    EXPECT_JSON("fields:\n  drop: [body, 'a[*]']\n", "{\"a\":[1,2],\"body\":\"x\",\"k\":1}",
                "{\"a\":[],\"k\":1}");
}

Test(json_fields, escaped_keys_match_their_decoded_name)
{
    EXPECT_JSON(KEEP_AB, "{\"\\u0061\":1,\"x\":2}", "{\"\\u0061\":1}");
}

Test(json_fields, field_actions_on_strings_numbers_and_escapes)
{
    const char *pol = "fields:\n"
                      "  ip: { ip: truncate, v4: 16 }\n"
                      "  uid: { action: mask, keep_last: 2 }\n"
                      "  n: { action: redact }\n"
                      "  s: { action: truncate, length: 2 }\n"
                      "  z: { action: redact }\n";
    EXPECT_JSON(pol,
                "{\"ip\":\"10.1.2.3\",\"uid\":\"u12345\",\"n\":42,\"s\":\"\\u00e9\\u00e9x\","
                "\"z\":null}",
                "{\"ip\":\"10.1.0.0\",\"uid\":\"****45\",\"n\":\"[n]\",\"s\":\"\xc3\xa9\","
                "\"z\":null}");
    EXPECT_JSON("fields:\n  ip: { ip: truncate }\n", "{\"ip\":\"unknown\"}", "{\"ip\":\"[ip]\"}");
    EXPECT_JSON("fields:\n  u: { url: { query_keep: [page, 'sort by'] } }\n",
                "{\"u\":\"https://me:pw@h/p?PAGE=1&token=t&sort+by=x&Sort%20By=y#frag\"}",
                "{\"u\":\"https://h/p?PAGE=1&sort+by=x&Sort%20By=y\"}");
    EXPECT_JSON("fields:\n  u: { url: { query_drop: [token] } }\n",
                "{\"u\":\"/p?a=1&to%6Ben=t&b\"}", "{\"u\":\"/p?a=1&b\"}");
    EXPECT_JSON("fields:\n  r: { action: replace, with: 'say \"hi\"' }\n", "{\"r\":\"x\"}",
                "{\"r\":\"say \\\"hi\\\"\"}");
}

Test(json_text, detectors_run_on_remaining_values_and_keys)
{
    const char *pol = "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";
    EXPECT_JSON(pol, "{\"msg\":\"from 10.1.2.3 a@b.com\",\"n\":4111111111111111}",
                "{\"msg\":\"from 10.1.2.0 [email]\",\"n\":\"[card]\"}");
    EXPECT_JSON(pol, "{\"msg\":\"a\\u0040b.com\\n\"}", "{\"msg\":\"[email]\\n\"}");
    EXPECT_JSON(pol, "{\"jane@x.com\":1}", "{\"[email]\":1}");
    EXPECT_JSON(pol, "{\"Password\":\"hunter2\",\"api_key\":12345,\"token\":null}",
                "{\"Password\":\"[secret]\",\"api_key\":\"[secret]\",\"token\":null}");
    EXPECT_JSON(pol, "{\"q\":\"/x?token=abc&p=1\"}", "{\"q\":\"/x?token=[secret]&p=1\"}");
}

/*
 * A secret name's value is a secret whatever its shape or spelling: under an escaped key,
 * every value in an object or array the name names, the value of a name/value pair whose
 * name is one, and the argument after a secret-named flag in an array. A pair whose name is
 * no secret, a "name" that is no string, a "value" the name is not beside, and an argument
 * after a flag in another array, after one dash or after "--no-...", stay; a field action of
 * the member's own comes first.
 */
Test(json_text, secret_names_reach_escaped_keys_containers_and_pairs)
{
    const char *pol = "text:\n  - use: secrets\n";
    EXPECT_JSON(pol, "{\"p\\u0061ssword\":\"hunter2\"}", "{\"p\\u0061ssword\":\"[secret]\"}");
    EXPECT_JSON(pol, "{\"h\":{\"Auth\\u006frization\":\"Basic x\"},\"k\":1}", "{\"h\":{},\"k\":1}");
    EXPECT_JSON(pol, "{\"password\":[\"a\",{\"b\":\"c\",\"d\":[1,true,null]}],\"n\":\"x\"}",
                "{\"password\":[\"[secret]\",{\"b\":\"[secret]\",\"d\":[\"[secret]\",true,null]}],"
                "\"n\":\"x\"}");
    EXPECT_JSON(pol, "{\"privateKey\":{\"pem\":\"abc\"},\"awsAccessKey\":\"abc\"}",
                "{\"privateKey\":{\"pem\":\"[secret]\"},\"awsAccessKey\":\"[secret]\"}");
    EXPECT_JSON(pol,
                "{\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"hunter2\"},"
                "{\"name\":\"HOME\",\"value\":\"/root\"}]}",
                "{\"env\":[{\"name\":\"DB_PASSWORD\",\"value\":\"[secret]\"},"
                "{\"name\":\"HOME\",\"value\":\"/root\"}]}");
    EXPECT_JSON(pol, "{\"VALUE\":[\"sid=1\"],\"Name\":\"Cookie\"}",
                "{\"VALUE\":[\"[secret]\"],\"Name\":\"Cookie\"}");
    EXPECT_JSON(pol, "{\"name\":\"http_cookie\",\"value\":\"a\"}",
                "{\"name\":\"http_cookie\",\"value\":\"[secret]\"}");
    EXPECT_JSON(pol, "{\"key\":\"api\\u005fkey\",\"value\":12345}",
                "{\"key\":\"api\\u005fkey\",\"value\":\"[secret]\"}");
    EXPECT_JSON(pol, "{\"n\\u0061me\":\"token\",\"v\\u0061lue\":\"abc\"}",
                "{\"n\\u0061me\":\"token\",\"v\\u0061lue\":\"[secret]\"}");
    EXPECT_JSON(pol, "{\"args\":[\"--password\",\"hunter2\",\"--port\",\"5\",[\"--token\"],\"x\"]}",
                "{\"args\":[\"--password\",\"[secret]\",\"--port\",\"5\",[\"--token\"],\"x\"]}");
    EXPECT_JSON(pol, "{\"a\":[\"--api-key\",12345,\"--pass=abc\"]}",
                "{\"a\":[\"--api-key\",\"[secret]\",\"--pass=[secret]\"]}");
    /* "PWD" in capitals before an absolute path is the environment's working directory
     * (lsc_working_directory); "pwd", or PWD before another value, is a password. */
    EXPECT_JSON(pol, "{\"env\":{\"PWD\":\"/home/bob\",\"pwd\":\"/x\",\"OLDPWD\":\"/y\"}}",
                "{\"env\":{\"PWD\":\"/home/bob\",\"pwd\":\"[secret]\",\"OLDPWD\":\"/y\"}}");
    EXPECT_JSON(pol, "{\"PWD\":\"hunter2\",\"P\\u0057D\":\"/z\"}",
                "{\"PWD\":\"[secret]\",\"P\\u0057D\":\"[secret]\"}");
    EXPECT_JSON(pol, "{\"password_hash\":\"$2y$10$x\",\"passwordDigest\":\"$2a$y\"}",
                "{\"password_hash\":\"[secret]\",\"passwordDigest\":\"[secret]\"}");
    /* Short flags (lsc_detect_short_flag): the command among the strings before them. */
    EXPECT_JSON(pol, "{\"argv\":[\"/usr/bin/mysql\",\"-u\",\"root\",\"-phunter2\",\"db\"]}",
                "{\"argv\":[\"/usr/bin/mysql\",\"-u\",\"root\",\"[secret]\",\"db\"]}");
    EXPECT_JSON(pol,
                "{\"a\":[\"sshpass\",\"-p\",\"x y\",\"ssh\"],\"b\":[\"redis-cli\",\"-a\",\"z\"]}",
                "{\"a\":[\"sshpass\",\"-p\",\"[secret]\",\"ssh\"],\"b\":[\"redis-cli\",\"-a\","
                "\"[secret]\"]}");
    /* One '-' before a secret name of three bytes or more (Go's flags, keytool's), and the
     * other commands' short flags. */
    EXPECT_JSON(pol, "{\"a\":[\"-password\",\"y\"],\"b\":[\"keytool\",\"-storepass\",\"z\"]}",
                "{\"a\":[\"-password\",\"[secret]\"],\"b\":[\"keytool\",\"-storepass\","
                "\"[secret]\"]}");
    EXPECT_JSON(pol,
                "{\"a\":[\"docker\",\"login\",\"-u\",\"u\",\"-p\",\"x\"],"
                "\"b\":[\"ldapsearch\",\"-wy\"],\"c\":[\"smbclient\",\"-U\",\"u%z\"]}",
                "{\"a\":[\"docker\",\"login\",\"-u\",\"u\",\"-p\",\"[secret]\"],"
                "\"b\":[\"ldapsearch\",\"[secret]\"],\"c\":[\"smbclient\",\"-U\",\"[secret]\"]}");
    /* htpasswd's password: the third argument after its flags, the second with -n. */
    EXPECT_JSON(pol,
                "{\"a\":[\"htpasswd\",\"-bB\",\"-C\",\"10\",\"f\",\"bob\",\"x\"],"
                "\"b\":[\"/usr/bin/htpasswd\",\"-n\",\"-b\",\"bob\",\"y\",\"z\"]}",
                "{\"a\":[\"htpasswd\",\"-bB\",\"-C\",\"10\",\"f\",\"bob\",\"[secret]\"],"
                "\"b\":[\"/usr/bin/htpasswd\",\"-n\",\"-b\",\"bob\",\"[secret]\",\"z\"]}");
    EXPECT_JSON(
        pol, "{\"a\":[\"htpasswd\",\"-b\",\"bob\",\"x\"],\"b\":[\"snmpget\",\"-cy\"]}",
        "{\"a\":[\"htpasswd\",\"-b\",\"bob\",\"[secret]\"],\"b\":[\"snmpget\",\"[secret]\"]}");
    EXPECT_JSON(
        pol,
        "{\"a\":[\"rabbitmqctl\",\"add_user\",\"bob\",\"x\"],"
        "\"b\":[\"/usr/sbin/rabbitmqctl\",\"-n\",\"r@h\",\"change_password\",\"bob\",\"y\",\"z\"]}",
        "{\"a\":[\"rabbitmqctl\",\"add_user\",\"bob\",\"[secret]\"],"
        "\"b\":[\"/usr/sbin/rabbitmqctl\",\"-n\",\"r@h\",\"change_password\",\"bob\","
        "\"[secret]\",\"z\"]}");
    /* Passwords given as plain arguments: net's, wpa_passphrase's, Oracle's logon (the whole
     * string goes); net's resource and a Windows path are escaped strings. */
    EXPECT_JSON(pol,
                "{\"a\":[\"net\",\"user\",\"/domain\",\"bob\",\"x\",\"/add\"],"
                "\"b\":[\"wpa_passphrase\",\"home\",\"y\"],"
                "\"c\":[\"/usr/bin/sqlplus\",\"-M\",\"HTML ON\",\"u/z@db\",\"@q.sql\"]}",
                "{\"a\":[\"net\",\"user\",\"/domain\",\"bob\",\"[secret]\",\"/add\"],"
                "\"b\":[\"wpa_passphrase\",\"home\",\"[secret]\"],"
                "\"c\":[\"/usr/bin/sqlplus\",\"-M\",\"HTML ON\",\"[secret]\",\"@q.sql\"]}");
    EXPECT_JSON(
        pol,
        "{\"a\":[\"C:\\\\Windows\\\\net.exe\",\"use\",\"Z:\",\"\\\\\\\\h\\\\s\",\"x\"],"
        "\"b\":[\"sqlldr\",\"control=a.ctl\",\"userid=u/y\"],"
        "\"d\":[\"sqlplus\",\"-s\",\"u/w@d\"]}",
        "{\"a\":[\"C:\\\\Windows\\\\net.exe\",\"use\",\"Z:\",\"\\\\\\\\h\\\\s\",\"[secret]\"],"
        "\"b\":[\"sqlldr\",\"control=a.ctl\",\"[secret]\"],"
        "\"d\":[\"sqlplus\",\"-s\",\"[secret]\"]}");
    const char *kept[] = {
        "{\"a\":[\"net\",\"user\",\"bob\"],\"b\":[\"net\",\"user\",\"bob\",\"*\"],"
        "\"c\":[\"net\",\"view\",\"a\",\"b\"]}",
        "{\"a\":[\"sqlplus\",\"/nolog\"],\"b\":[\"sqlplus\",\"-s\",\"scott\",\"x/y\"],"
        "\"c\":[\"wpa_passphrase\",\"home\"],\"d\":[\"user\",\"bob\",\"x\"]}",
        "{\"a\":[\"rabbitmqctl\",\"delete_user\",\"bob\",\"x\"],\"b\":[\"add_user\",\"bob\",\"y\"]"
        "}",
        "{\"a\":[1,\"add_user\",\"bob\",\"x\"],\"b\":[\"rabbitmqctl\",\"add_user\",\"bob\"]}",
        "{\"a\":[\"htpasswd\",\"-c\",\"f\",\"bob\",\"x\"],\"b\":[\"htpasswd\",\"-b\",\"f\"]}",
        "{\"a\":[\"sort\",\"-b\",\"f\",\"bob\",\"x\"],\"b\":[\"htpasswd\",\"-nb\",\"u\"]}",
        "{\"a\":[\"htpasswd\",[\"-b\"],\"f\",\"bob\",\"x\"],\"b\":[\"snmpd\",\"-c\",\"f\"]}",
        "{\"name\":\"tokens\",\"value\":\"abc\"}",
        "{\"name\":[\"password\"],\"value\":\"abc\"}",
        "{\"name\":\"password\",\"values\":\"abc\",\"val\":\"abc\"}",
        "{\"a\":{\"name\":\"password\"},\"value\":\"abc\"}",
        "{\"name\":\"password\",\"x\":{\"value\":\"abc\"}}",
        "{\"a\":[\"--password\"],\"b\":\"x\",\"c\":[\"-pw\",\"y\",\"--no-token\",\"z\"]}",
        "{\"a\":[\"-key\",\"k.pem\"],\"b\":[\"docker\",\"run\",\"-p\",\"80:80\"]}",
        "{\"a\":[\"smbclient\",\"-U\",\"bob\"],\"b\":[\"7z\",\"a\",\"-p\",\"x.7z\"]}",
        "{\"a\":[\"mysql\",\"-p\",\"db\"],\"b\":[\"ssh\",\"-p\",\"22\"],\"c\":[\"-pX\",\"mysql\"]}",
        "{\"a\":[\"mysql\"],\"b\":[\"-pX\"],\"c\":[\"redis-cli\",\"-p\",\"6379\",\"-a\"]}",
        "{\"mysql\":\"x\",\"a\":[\"sshpass\",[\"-p\"],\"y\"]}",
        "{\"c\":\"mysql\",\"p\":\"-pX\",\"r\":[\"redis-cli\",\"-p6379\"]}",
    };
    for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++) {
        EXPECT_JSON(pol, kept[k], kept[k]);
    }
    EXPECT_JSON("text:\n  - use: pii\n", "{\"password\":[\"abc\"]}", "{\"password\":[\"abc\"]}");
    EXPECT_JSON("fields:\n  password: { action: mask, keep_last: 1 }\ntext:\n  - use: secrets\n",
                "{\"password\":[\"abc\",{\"k\":\"de\"}]}",
                "{\"password\":[\"**c\",{\"k\":\"*e\"}]}");
}

/*
 * The leak check for the shapes above: records with a planted value (no detector would find
 * it by its look) under a secret name spelt at random - case, escapes, camelCase - in an
 * object or array at a random depth, or in a name/value pair with other members around it.
 * None may come out, and every line must still be one JSON object.
 */
Test(json_text, no_planted_secret_survives_its_name)
{
    static const char *names[] = {"password",      "DB_PASSWORD",        "api_key",
                                  "X-Api-Key",     "Authorization",      "cookie",
                                  "client_secret", "privateKey",         "clientKey",
                                  "sessionid",     "awsSecretAccessKey", "refresh-token"};
    uint64_t seed = 0x5ec7e75;
    enum { LINES = 3000 };
    size_t cap = LINES * 400;
    char *in = malloc(cap), *planted = malloc(LINES * 16);
    cr_assert(in != NULL && planted != NULL);
    size_t o = 0;
    for (int l = 0; l < LINES; l++) {
        char *v = planted + l * 16;
        snprintf(v, 16, "Qz%06dvX", l);
        const char *nm = names[rnd(&seed) % (sizeof names / sizeof names[0])];
        char name[128];
        size_t w = 0;
        for (const char *c = nm; *c != '\0'; c++) { /* random case, random escapes */
            char ch = rnd(&seed) % 3 == 0 && *c >= 'a' && *c <= 'z' ? (char)(*c - 32) : *c;
            if (rnd(&seed) % 5 == 0) {
                w += (size_t)snprintf(name + w, sizeof name - w, "\\u00%02x", (unsigned char)ch);
            } else {
                name[w++] = ch;
            }
        }
        name[w] = '\0';
        char leaf[64];
        switch (rnd(&seed) % 3) {
        case 0:
            snprintf(leaf, sizeof leaf, "\"%s\"", v);
            break;
        case 1:
            snprintf(leaf, sizeof leaf, "[1,\"%s\"]", v);
            break;
        default:
            snprintf(leaf, sizeof leaf, "{\"a\":[{\"b\":\"%s\"}]}", v);
            break;
        }
        int depth = (int)(rnd(&seed) % 3);
        o += (size_t)snprintf(in + o, cap - o, "{\"t\":1");
        for (int d = 0; d < depth; d++) {
            o += (size_t)snprintf(in + o, cap - o, ",\"x%d\":[{\"s\":\"ok\"", d);
        }
        switch (rnd(&seed) % 3) {
        case 0:
            o += (size_t)snprintf(in + o, cap - o, ",\"%s\":%s", name, leaf);
            break;
        case 1:
            o += (size_t)snprintf(in + o, cap - o, ",\"%s\":\"%s\",\"x\":2,\"%s\":%s",
                                  rnd(&seed) % 2 ? "name" : "Key", name,
                                  rnd(&seed) % 2 ? "value" : "Val\\u0075e", leaf);
            break;
        default:
            o += (size_t)snprintf(in + o, cap - o, ",\"%s\":%s,\"z\":0,\"NAME\":\"%s\"",
                                  rnd(&seed) % 2 ? "value" : "VALUE", leaf, name);
            break;
        }
        for (int d = 0; d < depth; d++) {
            o += (size_t)snprintf(in + o, cap - o, "}]");
        }
        o += (size_t)snprintf(in + o, cap - o, "}\n");
        cr_assert(o < cap);
    }
    char *out = run("text:\n  - use: secrets\n", in, NULL);
    for (int l = 0; l < LINES; l++) {
        cr_expect(strstr(out, planted + l * 16) == NULL, "planted %s leaked", planted + l * 16);
    }
    struct lsc_json_node *nodes = malloc(4096 * sizeof *nodes);
    cr_assert(nodes != NULL);
    int lines = 0;
    for (char *line = out, *nl; (nl = strchr(line, '\n')) != NULL; line = nl + 1, lines++) {
        size_t count;
        cr_expect_eq(lsc_json_parse(line, (size_t)(nl - line), nodes, 4096, 64, &count),
                     LSC_JSON_OK, "not JSON: %.*s", (int)(nl - line), line);
    }
    cr_expect_eq(lines, LINES);
    free(nodes);
    free(out);
    free(planted);
    free(in);
}

/*
 * Times and short numbers are not scanned (no detector finds anything in one), but a
 * pattern rule still sees them, and a number one digit longer is scanned: a card.
 */
Test(json_text, times_and_short_numbers_skip_only_the_detectors)
{
    const char *pol = "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";
    EXPECT_JSON(pol, "{\"ts\":\"2026-07-20T22:13:20.145Z\",\"ms\":147.3,\"n\":422222222222}",
                "{\"ts\":\"2026-07-20T22:13:20.145Z\",\"ms\":147.3,\"n\":422222222222}");
    EXPECT_JSON(pol, "{\"n\":4222222222222,\"s\":\"-4222222222222\"}",
                "{\"n\":\"[card]\",\"s\":\"-[card]\"}");
    const char *rules = "text:\n  - {name: ms, pattern: '\\d{3}\\.\\d'}\n"
                        "  - {name: day, pattern: '2026-07-20'}\n  - use: pii\n";
    EXPECT_JSON(rules, "{\"ts\":\"2026-07-20T22:13:20Z\",\"ms\":147.3,\"k\":\"147.3\"}",
                "{\"ts\":\"[day]T22:13:20Z\",\"ms\":\"[ms]\",\"k\":\"[ms]\"}");
}

Test(json_text, removed_values_are_not_scanned_and_rules_apply)
{
    struct lsc_stats st;
    char *out = run("fields:\n  keep: [a]\ntext:\n  - {name: t, pattern: 'T-\\d+'}\n  - use: pii\n",
                    "{\"a\":\"T-1 x@y.com\",\"b\":\"T-2 z@y.com\"}\n", &st);
    cr_expect_str_eq(out, "{\"a\":\"[t] [email]\"}\n");
    cr_expect_eq(st.replacements[LSC_CLASS_EMAIL], 1);
    cr_expect_eq(st.fields_removed, 1);
    free(out);
}

/*
 * Keys are remembered by text across lines (their field-rule facts, and that scanning them
 * found nothing): the same text must get the same treatment on every line, a key that
 * holds something must be scrubbed every time, and the same text at another depth, or a
 * key that only hashes alike, must not borrow another key's facts.
 */
Test(json_memo, keys_are_treated_the_same_on_every_line)
{
    /* A key holding an e-mail address, three times through one scrubber. */
    char *got = run("text:\n  - use: pii\n",
                    "{\"jo@example.com\":1,\"ok\":2}\n{\"jo@example.com\":1,\"ok\":2}\n"
                    "{\"ok\":2,\"jo@example.com\":3}\n",
                    NULL);
    cr_expect_str_eq(got, "{\"[email]\":1,\"ok\":2}\n{\"[email]\":1,\"ok\":2}\n"
                          "{\"ok\":2,\"[email]\":3}\n");
    free(got);
    /* "b" kept at a.b, not at the top; the same after the memo has seen both. */
    const char *pol = "fields:\n  keep: [a.b, c]\n";
    got = run(pol, "{\"b\":1,\"a\":{\"b\":2,\"x\":3},\"c\":4}\n{\"a\":{\"b\":5},\"b\":6}\n", NULL);
    cr_expect_str_eq(got, "{\"a\":{\"b\":2},\"c\":4}\n{\"a\":{\"b\":5}}\n");
    free(got);
}

/* Values that scanned clean are remembered too: a value that holds something must be
 * scrubbed on every line, however often clean values come and go around it. */
Test(json_memo, values_are_scanned_the_same_on_every_line)
{
    static char in[96 * 1024];
    size_t n = 0;
    for (int k = 0; k < 700; k++) {
        /* a recurring clean value, a one-off clean value, and every 7th line a dirty one */
        n += (size_t)snprintf(in + n, sizeof in - n,
                              "{\"level\":\"info\",\"t\":\"v%d\",\"u\":\"%s\"}\n", k,
                              k % 7 == 0 ? "jo@example.com" : "ok");
    }
    char *got = run("text:\n  - use: pii\n", in, NULL);
    int emails = 0, oks = 0;
    for (const char *q = got; (q = strstr(q, "\"u\":\"")) != NULL; q += 5) {
        emails += strncmp(q + 5, "[email]\"", 8) == 0;
        oks += strncmp(q + 5, "ok\"", 3) == 0;
    }
    cr_expect_eq(emails, 100, "every e-mail scrubbed: %d of 100", emails);
    cr_expect_eq(oks, 600);
    cr_expect_null(strstr(got, "jo@example.com"));
    free(got);
}

Test(json_memo, a_full_memo_still_scrubs)
{
    /* More distinct keys than the memo holds, then the dirty key and a kept one again. */
    static char in[64 * 1024];
    size_t n = 0;
    for (int k = 0; k < 600; k++) {
        n += (size_t)snprintf(in + n, sizeof in - n, "{\"k%d\":1,\"a\":2}\n", k);
    }
    n += (size_t)snprintf(in + n, sizeof in - n, "{\"4111111111111111\":1,\"a\":2,\"k599\":3}\n");
    char *got = run("fields:\n  keep: ['4111111111111111', a]\n"
                    "text:\n  - use: network\n  - use: pii\n  - use: secrets\n",
                    in, NULL);
    const char *last = strrchr(got, '{');
    cr_assert_not_null(last);
    cr_expect_str_eq(last, "{\"[card]\":1,\"a\":2}\n");
    cr_expect_null(strstr(got, "k5"), "a removed key survived");
    free(got);
}

/* Scrubs in with load_test_policy(head, body), the memos on or off. */
static char *run_memo(const char *head, const char *body, const char *in, bool memo,
                      struct lsc_stats *st)
{
    struct lsc_policy *pol = load_test_policy(head, body);
    char *out = scrub_with_memo(pol, in, strlen(in), st, memo);
    lsc_policy_free(pol);
    return out;
}

/* Runs in with the memos on and off: the same bytes and the same counts, or the test fails. */
static void expect_memo_changes_nothing(const char *head, const char *body, const char *in)
{
    struct lsc_stats on, off;
    char *a = run_memo(head, body, in, true, &on);
    char *b = run_memo(head, body, in, false, &off);
    cr_expect_str_eq(a, b, "memo on:\n%s\nmemo off:\n%s", a, b);
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        cr_expect_eq(on.replacements[c], off.replacements[c],
                     "class %d: %llu with the memo, %llu "
                     "without",
                     c, (unsigned long long)on.replacements[c],
                     (unsigned long long)off.replacements[c]);
    }
    cr_expect_eq(on.changed, off.changed);
    free(a);
    free(b);
}

/*
 * The url action's results are remembered by action and input, when what the action kept
 * scanned clean. Every path comes back four times, among paths the detectors change after
 * the action (an e-mail, a card, an address, a token in a kept query value), through two
 * fields whose url actions keep different query keys: each line must come out as it does
 * without the memo, and each field must keep its own keys.
 */
Test(json_memo, url_results_are_the_same_on_every_line)
{
    static const char *paths[] = {
        "/",
        "/search?page=2&token=abc",
        "/u/jo@example.com?page=1",
        "/s?q=jo@example.com",
        "/s?q=4111111111111111&page=3",
        "/s?q=10.1.2.3",
        "/s?q=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "/api/v1/items/1234?q=x&limit=5",
        "/a\\\\b?q=%22x",
        "",
        "/a%20b?page=1#frag",
        "https://bob:pw@h.example/x?q=1",
    };
    static char in[16 * 1024];
    size_t n = 0;
    for (int round = 0; round < 4; round++) {
        for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
            n += (size_t)snprintf(in + n, sizeof in - n, "{\"u\":\"%s\",\"v\":\"%s\",\"n\":%d}\n",
                                  paths[k], paths[k], round);
        }
    }
    const char *body = "fields:\n  keep: [u, v]\n"
                       "  u: {url: {query_keep: [page, q]}}\n  v: {url: {query_keep: [page]}}\n"
                       "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";
    expect_memo_changes_nothing("input: {format: json}\n", body, in);
    struct lsc_stats st;
    char *got = run_memo("input: {format: json}\n", body, in, true, &st);
    /* The fourth round, line 2: u keeps q's neighbour page, v drops the query's q. */
    const char *want = "{\"u\":\"/s?q=[card]&page=3\",\"v\":\"/s?page=3\"}\n"
                       "{\"u\":\"/s?q=10.1.2.0\",\"v\":\"/s\"}\n";
    cr_expect_not_null(strstr(got, want), "got:\n%s", got);
    cr_expect_null(strstr(got, "jo@example.com"));
    cr_expect_null(strstr(got, "4111111111111111"));
    cr_expect_null(strstr(got, "10.1.2.3"));
    cr_expect_null(strstr(got, "token"));
    free(got);
}

/* The same through an access log's request (kept raw, a lone trailing backslash dropped). */
Test(json_memo, request_url_results_are_the_same_on_every_line)
{
    static const char *targets[] = {
        "/",
        "/x?page=2&token=abc",
        "/u/jo@example.com",
        "/a\\\\",
        "/a\\\\\\\\?page=1",
        "/s?q=jo@example.com&page=1",
        "/p\\\\x22q?page=9",
        "/i/12345678?limit=1",
    };
    static char in[16 * 1024];
    size_t n = 0;
    for (int round = 0; round < 4; round++) {
        for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
            n += (size_t)snprintf(in + n, sizeof in - n,
                                  "203.0.113.%d - - [22/Nov/2026:10:00:00 +0000] \"GET %s "
                                  "HTTP/1.1\" 200 5 \"-\" \"curl/8\"\n",
                                  round, targets[k]);
        }
    }
    const char *body = "fields:\n  request: {url: {query_keep: [page]}}\n"
                       "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";
    expect_memo_changes_nothing("input: {format: nginx}\n", body, in);
    struct lsc_stats st;
    char *got = run_memo("input: {format: nginx}\n", body, in, true, &st);
    cr_expect_null(strstr(got, "jo@example.com"));
    cr_expect_null(strstr(got, "token"));
    cr_expect_null(strstr(got, "limit"));
    free(got);
}

/*
 * A key is first compared with the one its member index had on the last record, a word or
 * two at a time: a key one byte away from it, at any position of any length, must not
 * borrow the kept key's facts; nor may a key one level down, or one in another member slot.
 */
Test(json_memo, a_key_one_byte_from_the_last_records_is_its_own)
{
    char body[2048] = "fields:\n  keep: [";
    for (size_t len = 1; len <= 20; len++) {
        char k[24];
        memset(k, 'k', len);
        k[len] = '\0';
        strcat(body, k);
        strcat(body, len < 20 ? ", " : "]\n");
    }
    static char in[64 * 1024], want[64 * 1024];
    size_t n = 0, w = 0;
    for (size_t len = 1; len <= 20; len++) {
        for (size_t at = 0; at < len; at++) {
            char k[24], other[24];
            memset(k, 'k', len);
            k[len] = '\0';
            memcpy(other, k, len + 1);
            other[at] = 'j';
            n += (size_t)snprintf(in + n, sizeof in - n,
                                  "{\"%s\":1,\"z\":2}\n{\"%s\":3,\"z\":4}\n{\"z\":5,\"%s\":6}\n"
                                  "{\"%s\":{\"%s\":7}}\n",
                                  k, other, k, other, k);
            w += (size_t)snprintf(want + w, sizeof want - w, "{\"%s\":1}\n{}\n{\"%s\":6}\n{}\n", k,
                                  k);
        }
    }
    struct lsc_stats st;
    char *got = run_memo("input: {format: json}\n", body, in, true, &st);
    cr_expect_str_eq(got, want);
    free(got);
    expect_memo_changes_nothing("input: {format: json}\n", body, in);
}

/* Whether a member is a secret for what sits beside it (a name/value pair) is decided each
 * time, not remembered with its key: the same keys on other lines hold other names. */
Test(json_memo, secret_pairs_are_decided_on_every_line)
{
    const char *pol = "text:\n  - use: secrets\n";
    expect_memo_changes_nothing("input: {format: json}\n", pol,
                                "{\"name\":\"token\",\"value\":\"a\"}\n"
                                "{\"name\":\"user\",\"value\":\"b\"}\n"
                                "{\"name\":\"token\",\"value\":\"c\"}\n"
                                "{\"password\":[\"d\"],\"value\":\"e\"}\n"
                                "{\"password\":\"f\",\"value\":[\"g\"]}\n");
}

Test(json_fallback, non_json_lines)
{
    struct lsc_stats st;
    /* Without field rules a line that is not JSON is scrubbed as text. */
    char *out = run("text:\n  - use: network\n", "plain 10.1.2.3\n{\"a\":\"10.9.9.9\"}\n", &st);
    cr_expect_str_eq(out, "plain 10.1.2.0\n{\"a\":\"10.9.9.0\"}\n");
    cr_expect_eq(st.parse_fallback, 1);
    free(out);
    /* With an allow-list it fails closed: text scanning cannot honour it. */
    out = run("fields:\n  keep: [a]\n", "{\"a\":1,\"body\":\"raw\" broken\n[1]\n{\"a\":1}\n", &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: parse-error]\n"
                          "[logscrub: line redacted: parse-error]\n{\"a\":1}\n");
    cr_expect_eq(st.parse_fallback, 2);
    cr_expect_eq(st.fail_reason[LSC_FAIL_PARSE], 2);
    cr_expect_eq(st.lines_in, st.emitted + st.dropped + st.quarantined);
    free(out);
}

Test(json_fallback, drop_line_and_rule_errors_in_values)
{
    struct lsc_stats st;
    char *out =
        run("text:\n  - {name: h, pattern: 'healthz', action: drop-line}\n"
            "  - {name: r, pattern: '(a+)+$'}\nlimits: {match_limit: 1000}\n",
            "{\"p\":\"/healthz\"}\n{\"m\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"}\n{}\n", &st);
    cr_expect_str_eq(out, "[logscrub: line redacted: rule-error]\n{}\n");
    cr_expect_eq(st.dropped, 1);
    cr_expect_eq(st.fail_reason[LSC_FAIL_RULE_ERROR], 1);
    free(out);
}

/*
 * Scrubs in with the policy text through a scrubber set up as tests of engine internals
 * need: extra members appended to every record, and "now" fixed (0: the clock).
 */
static char *scrub_engine(const char *text, const char *in, const struct lsc_extra_member *extra,
                          size_t nextra, int64_t now)
{
    struct lsc_policy *pol = NULL;
    char err[512];
    cr_assert_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    sc->extra = extra;
    sc->nextra = nextra;
    sc->now_fixed = now;
    const char *out;
    size_t n;
    cr_assert_eq(lsc_scrub_buffer(sc, in, strlen(in), &out, &n), LSC_OK);
    char *copy = strndup(out, n);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
    return copy;
}

/* Members appended to every record (the mechanism expiry tags and key epochs use). */
static char *with_extra(const char *head, const char *body, const char *in)
{
    char text[1024];
    snprintf(text, sizeof text, "version: 1\nname: t\n%s%s", head, body);
    static const struct lsc_extra_member extra[] = {
        {"_expires", 8, "2026-12-22T10:00:00Z", 20},
        {"k\"ey", 4, "a b", 3},
    };
    return scrub_engine(text, in, extra, 2, 0);
}

Test(json_records, extra_members_are_appended_validly)
{
    const char *json = "input: {format: json}\n";
    char *out = with_extra(json, "fields:\n  keep: [a]\n",
                           "{\"a\":1 }\n{\"b\":2}\n{}\n  { \"a\" : [1] , \"b\":{} }  \nnot json\n");
    cr_expect_str_eq(out, "{\"a\":1 ,\"_expires\":\"2026-12-22T10:00:00Z\",\"k\\\"ey\":\"a b\"}\n"
                          "{\"_expires\":\"2026-12-22T10:00:00Z\",\"k\\\"ey\":\"a b\"}\n"
                          "{\"_expires\":\"2026-12-22T10:00:00Z\",\"k\\\"ey\":\"a b\"}\n"
                          "  { \"a\" : [1] ,\"_expires\":\"2026-12-22T10:00:00Z\",\"k\\\"ey\":\"a "
                          "b\"}  \n"
                          "[logscrub: line redacted: parse-error]\n");
    free(out);
    out = with_extra("input: {format: logfmt}\n", "", "ts=1 msg=hi\n");
    cr_expect_str_eq(out, "ts=1 msg=hi _expires=2026-12-22T10:00:00Z k_ey=\"a b\"\n");
    free(out);
}

/* Staged retention: what a field gets depends on the record's age when it is scrubbed. */
static char *staged_at(const char *in, int64_t now)
{
    const char *text = "version: 1\nname: t\ninput: {format: auto}\nretention: 90d\nfields:\n"
                       "  client_ip: [{for: 7d, keep: true}, {for: 30d, ip: truncate}, "
                       "{then: drop}]\n"
                       "  remote_addr: [{for: 7d, keep: true}, {then: drop}]\n";
    return scrub_engine(text, in, NULL, 0, now);
}

Test(staged, each_age_gets_its_stage_and_the_tags_are_rewritten)
{
    const char *in = "{\"ts\":\"2026-11-01T00:00:00Z\",\"client_ip\":\"203.0.113.7\"}\n";
    int64_t nov1 = 1793491200; /* 2026-11-01T00:00:00Z */
    char *a = staged_at(in, nov1 + 86400);
    cr_expect_str_eq(a, "{\"ts\":\"2026-11-01T00:00:00Z\",\"client_ip\":\"203.0.113.7\","
                        "\"_expires\":\"2027-01-30T00:00:00Z\","
                        "\"_next_stage\":\"2026-11-08T00:00:00Z\"}\n");
    /* The tagged record, run again ten days on: truncated, tags replaced, not repeated. */
    char *b = staged_at(a, nov1 + 10 * 86400);
    cr_expect_str_eq(b, "{\"ts\":\"2026-11-01T00:00:00Z\",\"client_ip\":\"203.0.113.0\","
                        "\"_expires\":\"2027-01-30T00:00:00Z\","
                        "\"_next_stage\":\"2026-12-01T00:00:00Z\"}\n");
    char *c = staged_at(b, nov1 + 40 * 86400);
    cr_expect_str_eq(c, "{\"ts\":\"2026-11-01T00:00:00Z\","
                        "\"_expires\":\"2027-01-30T00:00:00Z\"}\n");
    free(a);
    free(b);
    free(c);
    /* Text lines (an access log read by auto) get and lose their tags the same way. */
    const char *line = "203.0.113.7 - - [01/Nov/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1\n";
    char *t1 = staged_at(line, nov1 + 86400);
    cr_expect_str_eq(t1, "203.0.113.7 - - [01/Nov/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 "
                         "expires=2027-01-30T00:00:00Z next_stage=2026-11-08T00:00:00Z\n");
    char *t15 = staged_at(t1, nov1 + 2 * 86400);
    cr_expect_str_eq(t15, t1, "run again in the same stage, the line is the same");
    free(t15);
    char *t2 = staged_at(t1, nov1 + 40 * 86400);
    cr_expect_str_eq(t2, "- - - [01/Nov/2026:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1 "
                         "expires=2027-01-30T00:00:00Z\n");
    free(t1);
    free(t2);
}
