/*
 * test_detect_lists.c - names and values written as a list of pairs at the end of a line
 * (src/detect/lists.c): Rails' SQL binds and Python's pairs lose the values of secret names,
 * in every quoting the grammar allows, among the other detectors' matches and in order;
 * lists that are not pairs, or do not end the text, stay; more secrets than spans fail
 * closed; and a leak check plants values in random lists and looks for them in the output.
 */
#include "detect/detect.h"
#include "helpers.h"

Test(list_pairs, rails_binds)
{
    EXPECT_SCRUB("  User Load (0.6ms)  SELECT \"users\".* FROM \"users\" WHERE "
                 "\"users\".\"reset_password_token\" = $1 LIMIT $2  "
                 "[[\"reset_password_token\", \"3f2a9c81bb0d4e7a\"], [\"LIMIT\", 1]]",
                 "  User Load (0.6ms)  SELECT \"users\".* FROM \"users\" WHERE "
                 "\"users\".\"reset_password_token\" = $1 LIMIT $2  "
                 "[[\"reset_password_token\", \"[secret]\"], [\"LIMIT\", 1]]");
    EXPECT_SCRUB("SQL (0.4ms)  INSERT INTO \"users\" (\"email\", \"password\", \"otp_secret\", "
                 "\"pin\") VALUES (?, ?, ?, ?)  [[\"email\", \"a@example.com\"], [\"password\", "
                 "\"hunter2\"], [\"otp_secret\", \"JBSWY3DPEHPK3PXP\"], [\"pin\", 1234]]",
                 "SQL (0.4ms)  INSERT INTO \"users\" (\"email\", \"password\", \"otp_secret\", "
                 "\"pin\") VALUES (?, ?, ?, ?)  [[\"email\", \"[email]\"], [\"password\", "
                 "\"[secret]\"], [\"otp_secret\", \"[secret]\"], [\"pin\", [secret]]]");
    /* Rails 5 writes times bare, with blanks */
    EXPECT_SCRUB(
        "SQL (0.5ms)  INSERT INTO \"users\" (\"email\", \"encrypted_password\", "
        "\"created_at\", \"confirmation_token\") VALUES ($1, $2, $3, $4) RETURNING \"id\"  "
        "[[\"email\", \"a@example.com\"], [\"encrypted_password\", \"pw-in-clear\"], "
        "[\"created_at\", 2017-01-11 15:07:01 UTC], [\"confirmation_token\", \"ct9\"]]",
        "SQL (0.5ms)  INSERT INTO \"users\" (\"email\", \"encrypted_password\", "
        "\"created_at\", \"confirmation_token\") VALUES ($1, $2, $3, $4) RETURNING \"id\"  "
        "[[\"email\", \"[email]\"], [\"encrypted_password\", \"[secret]\"], "
        "[\"created_at\", 2017-01-11 15:07:01 UTC], [\"confirmation_token\", \"[secret]\"]]");
    /* a name of any bytes */
    EXPECT_SCRUB("[('user name', 'bob'), ('password', 'x y')]",
                 "[('user name', 'bob'), ('password', '[secret]')]");
    /* a value holding quotes, ']' and ','; unnamed binds; a CRLF line's '\\r' */
    EXPECT_SCRUB("x [[\"token\", \"a\\\"b], c\"], [nil, \"x\"], [\"api_key\", 'k']]\r",
                 "x [[\"token\", \"[secret]\"], [nil, \"x\"], [\"api_key\", '[secret]']]\r");
    /* a value of Docker's JSON log ends with the line's "\n" */
    EXPECT_SCRUB(
        "{\"log\":\"User Load [[\\\"token\\\", \\\"t9\\\"]]\\n\",\"stream\":\"stdout\"}\n"
        "{\"log\":\"x [[\\\"token\\\", \\\"t8\\\"]]\\r\\n\",\"stream\":\"stdout\"}",
        "{\"log\":\"User Load [[\\\"token\\\", \\\"[secret]\\\"]]\\n\",\"stream\":\"stdout\"}\n"
        "{\"log\":\"x [[\\\"token\\\", \\\"[secret]\\\"]]\\r\\n\",\"stream\":\"stdout\"}");
    /* blanks after the list: it does not end the line */
    EXPECT_UNCHANGED("x [[\"token\", \"t\"]] ");
    EXPECT_SCRUB("x [[\"token\",\"t1\"],[\"secret\",\"s1\"]]\r",
                 "x [[\"token\",\"[secret]\"],[\"secret\",\"[secret]\"]]\r");
}

Test(list_pairs, python_pairs)
{
    EXPECT_SCRUB("DEBUG form: [('username', 'bob'), ('password', 'hunter2'), ('next', '/h')]",
                 "DEBUG form: [('username', 'bob'), ('password', '[secret]'), ('next', '/h')]");
    EXPECT_SCRUB("[(\"client_secret\", \"cs\"), (\"grant_type\", \"password\")]",
                 "[(\"client_secret\", \"[secret]\"), (\"grant_type\", \"password\")]");
}

Test(list_pairs, what_is_no_list_of_pairs)
{
    /* not at the end of the text; a list of names; a triple; a pair alone; no secret name */
    EXPECT_UNCHANGED("x [[\"password\", \"p1\"]] and more text");
    EXPECT_UNCHANGED("fields [\"password\", \"email\"]");
    EXPECT_UNCHANGED("x [[\"password\", \"p1\", \"extra\"]]");
    EXPECT_UNCHANGED("x [\"password\", \"notapair\"]");
    EXPECT_UNCHANGED("x [[\"name\", \"bob\"], [\"id\", 7]]");
    /* broken lists: an unterminated value, a name of no name bytes, a ']' missing */
    EXPECT_UNCHANGED("x [[\"password\", \"p1]]");
    EXPECT_UNCHANGED("x [[\"pass word\", \"p1\"]]");
    EXPECT_UNCHANGED("x [[\"password\", \"p1\"]");
    EXPECT_UNCHANGED("x [[\"password\", \"p1\"]] a]]");
    EXPECT_UNCHANGED("x [[\"password\", \"p1\"x, [\"a\", 1]]");
    /* the last list that reaches the end is the one: an earlier one is text */
    EXPECT_SCRUB("y [[\"password\", \"a\"]] and [[\"password\", \"b\"]]",
                 "y [[\"password\", \"a\"]] and [[\"password\", \"[secret]\"]]");
    /* a value holding "[[" is read over */
    EXPECT_SCRUB("x [[\"password\", \"p1\"], [\"email\", \"[[a]]\"], [\"api_key\", \"k2\"]]",
                 "x [[\"password\", \"[secret]\"], [\"email\", \"[[a]]\"], [\"api_key\", "
                 "\"[secret]\"]]");
}

/* A value and another detector's match that overlap go out as one secret; matches before,
 * between and after the values keep their order and their own labels. */
Test(list_pairs, among_other_matches)
{
    EXPECT_SCRUB("from 10.1.2.3 [[\"password\", \"x@example.com\"], [\"ip\", \"10.9.8.7\"]]",
                 "from 10.1.2.0 [[\"password\", \"[secret]\"], [\"ip\", \"10.9.8.0\"]]");
    EXPECT_SCRUB("q [[\"token\", \"a token=zz b\"], [\"to\", \"j@example.com\"]]",
                 "q [[\"token\", \"[secret]\"], [\"to\", \"[email]\"]]");
    /* more than one match inside one value: the first takes the value, the others are in it */
    EXPECT_SCRUB("x [[\"password\", \"a@b.co 10.1.2.3 x@y.co\"], [\"to\", \"q@r.co\"]]",
                 "x [[\"password\", \"[secret]\"], [\"to\", \"[email]\"]]");
    /* a match that starts inside a value sent already and runs past it: the rest of it goes
     * (a key block without its end runs to the end of the line) */
    EXPECT_SCRUB("x [[\"password\", \"a@b.co -----BEGIN RSA PRIVATE KEY-----MIIE\"], [\"k\", 1]]",
                 "x [[\"password\", \"[secret][secret]");
    /* through a policy with a pattern rule (the scrubber collects, then merges) */
    char *out =
        scrub_with_policy("",
                          "text:\n  - use: secrets\n  - name: order\n"
                          "    pattern: 'ORD-[0-9]+'\n    action: redact\n",
                          "ORD-12 [[\"password\", \"ORD-34\"], [\"n\", \"ORD-56\"]]\n", NULL);
    /* (where a rule and a detector overlap, the rule's replacement wins: docs/policy.md) */
    cr_expect_str_eq(out, "[order] [[\"password\", \"[order]\"], [\"n\", \"[order]\"]]\n");
    free(out);
}

/* Past LSC_LIST_SPANS secret values the last span runs on to the last one: what lies
 * between is replaced too, nothing secret stays. */
Test(list_pairs, more_secrets_than_spans_fail_closed)
{
    char in[LSC_LIST_SPANS * 40], want[LSC_LIST_SPANS * 40];
    size_t i = (size_t)snprintf(in, sizeof in, "x ["),
           w = (size_t)snprintf(want, sizeof want, "x [");
    for (int k = 0; k < LSC_LIST_SPANS + 4; k++) {
        const char *sep = k > 0 ? ", " : "";
        i += (size_t)snprintf(in + i, sizeof in - i, "%s[\"token\", \"v%02dSECRET\"]", sep, k);
        if (k < LSC_LIST_SPANS - 1) {
            w += (size_t)snprintf(want + w, sizeof want - w, "%s[\"token\", \"[secret]\"]", sep);
        }
    }
    snprintf(in + i, sizeof in - i, "]");
    snprintf(want + w, sizeof want - w, ", [\"token\", \"[secret]\"]]");
    char *out = scrub_default(in);
    cr_expect_str_eq(out, want);
    cr_expect(strstr(out, "SECRET") == NULL);
    free(out);
}

/* Long lines of list-like units: a list is looked for from the end a few times only, and
 * each try reads forward once; only a list that reaches the end loses its value. */
Test(list_pairs, hostile_lists_come_out_whole)
{
    static const char *const units[] = {"[[", "[[\"token\", \"x\"]]", "[(\"a\", 1), ",
                                        "[[\"token\", \"x\\"};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t len = strlen(units[u]);
        char *line = repeated_line(units[u], 300000, u == 1 ? "" : "]]");
        char *out = scrub_default(line);
        if (u == 1) { /* the last unit is a list that ends the line */
            size_t o = strlen(out), tl = strlen("[[\"token\", \"[secret]\"]]");
            cr_expect(o == strlen(line) + 7 &&
                      strcmp(out + o - tl, "[[\"token\", \"[secret]\"]]") == 0);
            cr_expect(strncmp(out, line, strlen(line) - len) == 0);
        } else {
            cr_expect_str_eq(out, line, "unit %zu", u);
        }
        free(out);
        free(line);
    }
}

/* A list of pairs of random names (some secret), quotes, value forms and spacing; the
 * secret values hold the planted ones. */
static size_t plant_list(char *out, size_t room, const char *v, unsigned r)
{
    static const char *const secrets[] = {
        "password",      "reset_password_token", "api_key", "token",
        "client_secret", "otp_secret",           "pin",     "passwd",
        "access_token"};
    static const char *const plain[] = {"email", "id", "LIMIT", "user name", "created_at"};
    const char *open = r & 1 ? "[" : "(", *close = r & 1 ? "]" : ")";
    char q = r & 2 ? '"' : '\'';
    const char *sep = r & 4 ? ", " : ",";
    r >>= 3;
    size_t o = (size_t)snprintf(out, room, "SQL (0.4ms)  SELECT 1  [");
    int pairs = 1 + (int)(r % 5);
    r /= 5;
    for (int k = 0; k < pairs; k++) {
        bool secret = k == pairs - 1 || r % 2 == 0;
        const char *name = secret ? secrets[r % 9] : plain[r % 5];
        r /= 18;
        o += (size_t)snprintf(out + o, room - o, "%s%s%c%s%c%s", k > 0 ? sep : "", open, q, name, q,
                              sep);
        if (secret && r % 3 == 0) { /* a bare value */
            o += (size_t)snprintf(out + o, room - o, "%s%s", v, close);
        } else if (secret) {
            o += (size_t)snprintf(out + o, room - o, "%c%s%s%c%s", q, r % 3 == 1 ? "a\\" : "", v, q,
                                  close);
        } else if (r % 3 == 0) { /* Rails 5's bare time */
            o += (size_t)snprintf(out + o, room - o, "2017-01-11 15:07:01 UTC%s", close);
        } else {
            o += (size_t)snprintf(out + o, room - o, "%cplain%c%s", q, q, close);
        }
        r /= 3;
    }
    return o + (size_t)snprintf(out + o, room - o, "]");
}

Test(list_pairs, no_planted_value_in_a_list)
{
    /* (the list must end its line) */
    expect_none_leaked_ending(plant_list, "LpQz", 0x1157ab, 512, "\n");
}
