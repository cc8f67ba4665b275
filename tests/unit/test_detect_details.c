/*
 * test_detect_details.c - a database's error details (src/detect/details.c): the values of a
 * key whose columns name a secret, and the row of "Failing row contains (...).", go in every
 * form PostgreSQL, its JSON log and translated messages write them; keys of other columns,
 * look-alikes and rows that do not end the text stay; a text cut inside the values fails
 * closed; hostile lines come out whole; and a leak check plants values in random details.
 */
#include "detect/detect.h"
#include "helpers.h"

Test(key_values, postgres_messages)
{
    /* a unique key, a foreign key, an exclusion constraint; a line break after it */
    EXPECT_SCRUB("2026-12-05 10:00:00 UTC [77] DETAIL:  Key (reset_password_token)=(f00dfeed9) "
                 "already exists.\n",
                 "2026-12-05 10:00:00 UTC [77] DETAIL:  Key (reset_password_token)=([secret]) "
                 "already exists.\n");
    EXPECT_SCRUB("DETAIL:  Key (api_key)=(k3yk3y) is not present in table \"keys\".",
                 "DETAIL:  Key (api_key)=([secret]) is not present in table \"keys\".");
    EXPECT_SCRUB("DETAIL:  Key (token)=(t1) is still referenced from table \"sessions\".",
                 "DETAIL:  Key (token)=([secret]) is still referenced from table \"sessions\".");
    EXPECT_SCRUB("DETAIL:  Key (session_token)=(t1) conflicts with existing key "
                 "(session_token)=(t2).",
                 "DETAIL:  Key (session_token)=([secret]) conflicts with existing key "
                 "(session_token)=([secret]).");
    /* two columns: the values go together (one cannot be told from the next), an e-mail too */
    EXPECT_SCRUB("DETAIL:  Key (email, api_token)=(a@b.co, tk, with comma) already exists.",
                 "DETAIL:  Key (email, api_token)=([secret]) already exists.");
    /* a value holding ") already" ends at the first: what follows is no value's (a secret's
     * bytes past it are the rare loss of a key that holds the message's own words) */
    EXPECT_SCRUB("DETAIL:  Key (token)=(a) b) already exists.",
                 "DETAIL:  Key (token)=([secret]) already exists.");
    /* quoted names, an expression index, a translated message, a JSON log's escapes */
    EXPECT_SCRUB("DETAIL:  Key (\"ApiKey\")=(k1) already exists.",
                 "DETAIL:  Key (\"ApiKey\")=([secret]) already exists.");
    EXPECT_SCRUB("DETAIL:  Key (lower(api_key::text))=(k1) already exists.",
                 "DETAIL:  Key (lower(api_key:[secret]))=([secret]) already exists.");
    EXPECT_SCRUB("DETAIL:  Schlüssel »(api_key)=(k1)« existiert bereits.",
                 "DETAIL:  Schlüssel »(api_key)=([secret])« existiert bereits.");
    EXPECT_SCRUB("{\"error_severity\":\"ERROR\",\"detail\":\"Key (\\\"Auth_Token\\\")=(k1) "
                 "already exists.\",\"query\":\"x\"}",
                 "{\"error_severity\":\"ERROR\",\"detail\":\"Key (\\\"Auth_Token\\\")=([secret]) "
                 "already exists.\",\"query\":\"x\"}");
}

/* Columns whose nesting decides where the list opens: the secret is outside the inner '(' */
Test(key_values, nested_columns)
{
    EXPECT_SCRUB("DETAIL:  Key (token, lower(name))=(k1, bob) already exists.",
                 "DETAIL:  Key (token, lower(name))=([secret]) already exists.");
    EXPECT_UNCHANGED("DETAIL:  Key (id, lower(name))=(1, bob) already exists.");
}

/* The detectors read no byte outside the text: a protected page before it (the column list's
 * walk back) and after it (every cut of a message). */
Test(key_values, reads_stay_inside_the_text)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(mem, MAP_FAILED);
    cr_assert_eq(mprotect(mem, page, PROT_NONE), 0);
    static const char first[] = "token)=(x) already exists.";
    memcpy(mem + page, first, sizeof first - 1);
    struct lsc_match m;
    cr_expect(!lsc_detect_key_values(mem + page, sizeof first - 1, 6, &m));
    struct lsc_list_spans spans;
    spans.count = 0;
    cr_expect_eq(lsc_detect_failing_row(mem + page, 0, &spans), 0);
    munmap(mem, page * 2);

    static const char full[] = "(token)=(x) already exists.";
    struct guard g = guard_new();
    for (size_t cut = 8; cut <= sizeof full - 1; cut++) {
        char *p = guard_place(&g, full, cut);
        bool found = lsc_detect_key_values(p, cut, 7, &m);
        cr_expect(found == (cut > 9), "cut %zu", cut);
        cr_expect(!found || (m.off == 9 && m.len == 1), "cut %zu", cut);
    }
    guard_free(&g);
}

Test(failing_row, only_a_row_that_ends_the_text)
{
    static const char *const texts[] = {"Failing row contains (x))", "Failing row contains (x).",
                                        "Failing row contains (x)\n",
                                        "DETAIL: Failing row contains ()."};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        struct lsc_list_spans spans;
        spans.count = 0;
        size_t got = lsc_detect_failing_row(texts[t], strlen(texts[t]), &spans);
        cr_expect_eq(got, t == 1, "%s", texts[t]);
        cr_expect(t != 1 || (spans.off[0] == 22 && spans.len[0] == 1));
    }
}

Test(key_values, what_stays)
{
    /* no column names a secret: the values stay, other detectors' matches aside */
    EXPECT_UNCHANGED("DETAIL:  Key (user_id)=(42) is not present in table \"users\".");
    EXPECT_SCRUB("DETAIL:  Key (email)=(a@b.co) already exists.",
                 "DETAIL:  Key (email)=([email]) already exists.");
    EXPECT_UNCHANGED("DETAIL:  Key (token_type, id)=(bearer, 1) already exists.");
    /* no values, no column list, bytes no column list holds, a list that never opens */
    EXPECT_UNCHANGED("DETAIL:  Key (token)=() already exists.");
    EXPECT_UNCHANGED("f(x)=(y) and a=(b) and x)=(y)");
    EXPECT_UNCHANGED("(a=token)=(x) (a;token)=(x) (a'token)=(x)");
    EXPECT_UNCHANGED("token)=(x)");
}

Test(key_values, cut_values_fail_closed)
{
    /* no ')' after the values: to the end of the text (its line break kept) */
    EXPECT_SCRUB("DETAIL:  Key (api_key)=(k3yk3y", "DETAIL:  Key (api_key)=([secret]");
    EXPECT_SCRUB("DETAIL:  Key (api_key)=(k3yk3y\r\n", "DETAIL:  Key (api_key)=([secret]\r\n");
    /* no English words after them: to the last ')' */
    EXPECT_SCRUB("DETAIL:  Key (token)=(a) (b) c) d", "DETAIL:  Key (token)=([secret]) d");
}

/* A column list as long as the read back allows is read; a longer one is no column list. */
Test(key_values, longest_column_list)
{
    for (int extra = 0; extra < 2; extra++) {
        /* 4096 bytes back from the '=': "(" + "a, " ... + "token)" */
        size_t fill = 4096 - strlen("(token)") + (size_t)extra;
        char *in = malloc(fill + 64);
        cr_assert_not_null(in);
        size_t i = (size_t)sprintf(in, "Key (");
        memset(in + i, ' ', fill);
        sprintf(in + i + fill, "token)=(k9) already exists.");
        char *out = scrub_default(in);
        cr_expect((strstr(out, "=([secret])") != NULL) == (extra == 0), "extra %d: %.60s", extra,
                  out + i + fill);
        free(out);
        free(in);
    }
}

Test(failing_row, postgres_messages)
{
    EXPECT_SCRUB("2026-12-05 10:00:00 UTC [77] DETAIL:  Failing row contains (5, bob, null, "
                 "f00dfeed9, 2026-12-05 10:00:00).",
                 "2026-12-05 10:00:00 UTC [77] DETAIL:  Failing row contains ([secret]).");
    /* a line break after it; an e-mail and a hash in it go with the row */
    EXPECT_SCRUB("DETAIL:  Failing row contains (5, a@b.co, "
                 "$2a$12$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ012).\r\n",
                 "DETAIL:  Failing row contains ([secret]).\r\n");
    /* Rails' exception, a JSON log's detail member (its own text) */
    EXPECT_SCRUB("PG::NotNullViolation: ERROR:  null value in column \"name\" of relation "
                 "\"users\" violates not-null constraint DETAIL:  Failing row contains (1, x).",
                 "PG::NotNullViolation: ERROR:  null value in column \"name\" of relation "
                 "\"users\" violates not-null constraint DETAIL:  Failing row contains "
                 "([secret]).");
    EXPECT_SCRUB("{\"detail\":\"Failing row contains (5, null, k1).\"}",
                 "{\"detail\":\"Failing row contains ([secret]).\"}");
}

Test(failing_row, what_stays)
{
    /* not at the end of the text; no lead; an empty row */
    EXPECT_UNCHANGED("DETAIL:  Failing row contains (5, k1). : INSERT INTO x");
    EXPECT_UNCHANGED("a row (5, k1).");
    EXPECT_UNCHANGED("Failing row contains ().");
    EXPECT_UNCHANGED("failing row contains (5, k1).");
}

/* Long lines of detail-like units come out whole (bounded reads: bench/hostile.sh times
 * them), or as the grammar says. */
Test(key_values, hostile_lines)
{
    static const char *const same[] = {")=(", "(a)=(", "(id)=(1) already exists. ",
                                       "Failing row contains ("};
    expect_repeated_unchanged(same, sizeof same / sizeof same[0], 300000);
    /* a secret column's key at each unit: each one's values */
    const char *unit = "(token)=(k) already exists. ";
    char *line = repeated_line(unit, 300000, "");
    char *out = scrub_default(line);
    cr_expect(strstr(out, "=(k)") == NULL && strstr(out, "=([secret]) already") != NULL);
    free(out);
    free(line);
    /* keys whose values end in no English words: the first key's run to the last ')' */
    expect_repeated_scrubs_to("(token)=(", 300000, "", "(token)=([secret])=(");
    /* a row of rows: the first lead to the end */
    expect_repeated_scrubs_to("Failing row contains (", 300000, "x).",
                              "Failing row contains ([secret]).");
}

/* A key of random columns (one secret) and values, or a failing row, the planted value
 * among its values; the message as PostgreSQL, its JSON log or a translation writes it. */
static size_t plant_detail(char *out, size_t room, const char *v, unsigned r)
{
    static const char *const secrets[] = {"reset_password_token", "api_key", "\"AccessToken\"",
                                          "lower((client_secret)::text)", "otp_secret"};
    static const char *const plain[] = {"email", "id", "tenant_id", "created_at"};
    static const char *const after[] = {" already exists.", " is not present in table \"u\".",
                                        " is still referenced from table \"s\".", "« existiert."};
    if (r % 4 == 0) {
        r /= 4;
        return (size_t)snprintf(out, room, "DETAIL:  Failing row contains (%u, %s, null%s).",
                                r % 100, r & 128 ? "a@b.co" : "x", v);
    }
    r /= 4;
    int cols = 1 + (int)(r % 3), secret_at = (int)((r / 3) % (unsigned)cols);
    r /= 9;
    size_t o = (size_t)snprintf(out, room, "DETAIL:  Key (");
    for (int c = 0; c < cols; c++) {
        const char *name = c == secret_at ? secrets[r % 5] : plain[(r + (unsigned)c) % 4];
        o += (size_t)snprintf(out + o, room - o, "%s%s", c > 0 ? ", " : "", name);
    }
    o += (size_t)snprintf(out + o, room - o, ")=(");
    for (int c = 0; c < cols; c++) {
        o += (size_t)snprintf(out + o, room - o, "%s%s", c > 0 ? ", " : "",
                              c == secret_at ? v : "v, (x)");
    }
    return o + (size_t)snprintf(out + o, room - o, ")%s", after[(r / 5) % 4]);
}

Test(key_values, no_planted_value_in_a_detail)
{
    /* (a failing row must end its line) */
    expect_none_leaked_ending(plant_detail, "QdWx", 0x5eed77, 512, "\n");
}
