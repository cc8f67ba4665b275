/*
 * test_detect_inserts.c - SQL INSERTs whose values are written inline (src/detect/inserts.c):
 * the values in the places of secret columns go, in every quoting and value form the grammar
 * reads, among the other detectors' matches and in order; statements that name no secret
 * column, name no columns or do not end the text stay; a text cut inside a tuple and more
 * secrets than spans fail closed; hostile lines cost a bounded read; and a leak check plants
 * values in random statements and looks for them in the output.
 */
#include "detect/detect.h"
#include "helpers.h"

Test(insert_values, mysql_general_log)
{
    EXPECT_SCRUB("2026-12-05T10:00:00.123456Z    12 Query\tINSERT INTO users (email, password, "
                 "api_key) VALUES ('a@b.co', 'S3cret!pw', 'k3yk3yk3y')",
                 "2026-12-05T10:00:00.123456Z    12 Query\tINSERT INTO users (email, password, "
                 "api_key) VALUES ('[email]', '[secret]', '[secret]')");
    /* Rails with mysql2: backticks, a hash, a token, a time */
    EXPECT_SCRUB("  User Create (0.4ms)  INSERT INTO `users` (`email`, `encrypted_password`, "
                 "`reset_password_token`, `created_at`) VALUES ('a@b.co', "
                 "'$2a$12$abcdefghijklmnopqrstuvABCDEFGHIJKLMNOPQRSTUVWXYZ012', 'f00dfeed', "
                 "'2017-01-11 15:07:01')",
                 "  User Create (0.4ms)  INSERT INTO `users` (`email`, `encrypted_password`, "
                 "`reset_password_token`, `created_at`) VALUES ('[email]', '[secret]', "
                 "'[secret]', '2017-01-11 15:07:01')");
    /* many rows, a ';' after them, a NULL */
    EXPECT_SCRUB("INSERT INTO keys (id, api_key) VALUES (1, 'k1'), (2, 'k2'),(3, NULL);",
                 "INSERT INTO keys (id, api_key) VALUES (1, '[secret]'), (2, '[secret]'),(3, "
                 "NULL);");
    /* any case, VALUE, no blanks, SQL Server's brackets and N'', a line break after it */
    EXPECT_SCRUB("insert into users (name, token) values ('bob', 'x1')",
                 "insert into users (name, token) values ('bob', '[secret]')");
    EXPECT_SCRUB("INSERT INTO users(name,token)VALUE('bob','x1');",
                 "INSERT INTO users(name,token)VALUE('bob','[secret]');");
    EXPECT_SCRUB("INSERT INTO [dbo].[Users] ([Name], [PasswordHash]) VALUES (N'bob', N'ab');\r",
                 "INSERT INTO [dbo].[Users] ([Name], [PasswordHash]) VALUES (N'bob', "
                 "N'[secret]');\r");
    /* two statements on one line; an update after the values */
    EXPECT_SCRUB("INSERT INTO a (token) VALUES ('t1'); INSERT INTO b (secret) VALUES ('t2');",
                 "INSERT INTO a (token) VALUES ('[secret]'); INSERT INTO b (secret) VALUES "
                 "('[secret]');");
    EXPECT_SCRUB("INSERT INTO u (id, token) VALUES (1, 't1') ON DUPLICATE KEY UPDATE id=VALUES(id)",
                 "INSERT INTO u (id, token) VALUES (1, '[secret]') ON DUPLICATE KEY UPDATE "
                 "id=VALUES(id)");
}

Test(insert_values, value_forms)
{
    /* a call is a secret whole, nested calls and their commas too */
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('bob', PASSWORD('hunter2x'))",
                 "INSERT INTO u (name, password) VALUES ('bob', [secret])");
    EXPECT_SCRUB("INSERT INTO u (password, name) VALUES (crypt('pw', gen_salt('bf', 8)), 'bob');",
                 "INSERT INTO u (password, name) VALUES ([secret], 'bob');");
    /* quotes doubled and escaped; a standard SQL string ending in a backslash */
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('o''brien', 'it''s, a )s3cret')",
                 "INSERT INTO u (name, password) VALUES ('o''brien', '[secret]')");
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('o\\'brien', 'it\\'s a s3cret')",
                 "INSERT INTO u (name, password) VALUES ('o\\'brien', '[secret]')");
    EXPECT_SCRUB("INSERT INTO u (dir, password) VALUES ('C:\\', 'standard1')",
                 "INSERT INTO u (dir, password) VALUES ('C:\\', '[secret]')");
    /* (after one statement read as standard SQL, the next is read so too) */
    EXPECT_SCRUB("INSERT INTO u (dir, token) VALUES ('C:\\', 'a1'); INSERT INTO u (dir, token) "
                 "VALUES ('D:\\', 'b2');",
                 "INSERT INTO u (dir, token) VALUES ('C:\\', '[secret]'); INSERT INTO u (dir, "
                 "token) VALUES ('D:\\', '[secret]');");
    /* (a statement read with escapes keeps its values when the next is read as standard
     * SQL; when neither reading closes the next, the wider of the two stands) */
    EXPECT_SCRUB("INSERT INTO u (token) VALUES ('t1'); INSERT INTO u (dir, token) VALUES "
                 "('C:\\', 'a1');",
                 "INSERT INTO u (token) VALUES ('[secret]'); INSERT INTO u (dir, token) VALUES "
                 "('C:\\', '[secret]');");
    EXPECT_SCRUB("INSERT INTO u (token) VALUES ('t1'); INSERT INTO u (dir, token) VALUES "
                 "('C:\\', 'a1;",
                 "INSERT INTO u (token) VALUES ('[secret]'); INSERT INTO u (dir, token) VALUES "
                 "([secret]");
    /* a prefix before the string; a double-quoted string; a number; blanks around */
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('bob', _binary'raw')",
                 "INSERT INTO u (name, password) VALUES ('bob', _binary'[secret]')");
    EXPECT_SCRUB("INSERT INTO u (password, pin) VALUES (\"dq\" ,  4321 )",
                 "INSERT INTO u (password, pin) VALUES (\"[secret]\" ,  [secret] )");
    /* nothing to hide: NULL, DEFAULT, TRUE, '', placeholders */
    EXPECT_UNCHANGED("INSERT INTO u (name, password) VALUES (NULL, null)");
    EXPECT_UNCHANGED("INSERT INTO u (token, secret, password) VALUES (DEFAULT, TRUE, '')");
    EXPECT_UNCHANGED("INSERT INTO u (name, password) VALUES ($1, $2)");
    EXPECT_UNCHANGED("INSERT INTO u (name, password) VALUES (?, ?)");
    EXPECT_UNCHANGED("INSERT INTO u (name, password) VALUES (%s, %s)");
    EXPECT_UNCHANGED("INSERT INTO u (name, password) VALUES (:name, :password)");
    /* a JSON string's statement read as text: its quotes are \" */
    EXPECT_SCRUB("sql: INSERT INTO \\\"u\\\" (\\\"email\\\", \\\"password\\\") VALUES ('a', 'b1')",
                 "sql: INSERT INTO \\\"u\\\" (\\\"email\\\", \\\"password\\\") VALUES ('a', "
                 "'[secret]')");
    /* JSON and logfmt values */
    EXPECT_SCRUB("{\"sql\":\"INSERT INTO \\\"u\\\" (\\\"id\\\", \\\"token\\\") VALUES (1, 'j1')\"}",
                 "{\"sql\":\"INSERT INTO \\\"u\\\" (\\\"id\\\", \\\"token\\\") VALUES (1, "
                 "'[secret]')\"}");
    char *out = scrub_with_policy("input: {format: logfmt}\n", "text:\n  - use: secrets\n",
                                  "level=debug sql=\"INSERT INTO u (id, token) VALUES (1, 'l1');\" "
                                  "took=2ms\n",
                                  NULL);
    cr_expect_str_eq(
        out, "level=debug sql=\"INSERT INTO u (id, token) VALUES (1, '[secret]');\" took=2ms\n");
    free(out);
}

Test(insert_values, what_is_no_insert)
{
    /* no secret column; no column list; no VALUES; a column list that is no list */
    EXPECT_UNCHANGED("INSERT INTO u (id, name) VALUES (1, 'bob')");
    EXPECT_UNCHANGED("INSERT INTO u VALUES (1, 'bob', 'pw')");
    EXPECT_UNCHANGED("INSERT INTO u (id, password) SELECT id, pw FROM v;");
    EXPECT_UNCHANGED("call f(a b, password) VALUES ('x');");
    EXPECT_UNCHANGED("INSERT INTO u (id, password) VALUESX ('x')");
    /* text after the statement that ends in neither ')' nor ';' */
    EXPECT_UNCHANGED("INSERT INTO u (id, secret) VALUES (1, 'x1') RETURNING id");
    /* a column name longer than 64 bytes is no name */
    EXPECT_UNCHANGED("INSERT INTO u (a123456789a123456789a123456789a123456789a123456789a12345678"
                     "9a123456789, password) VALUES (1, 'x')");
    /* values past the columns are no column's */
    EXPECT_SCRUB("INSERT INTO u (password) VALUES ('a1', 'b2')",
                 "INSERT INTO u (password) VALUES ('[secret]', 'b2')");
}

Test(insert_values, among_other_matches)
{
    EXPECT_SCRUB("from 10.1.2.3 INSERT INTO u (ip, password) VALUES ('10.9.8.7', 'x@example.com')",
                 "from 10.1.2.0 INSERT INTO u (ip, password) VALUES ('10.9.8.0', '[secret]')");
    /* a name's own detector inside a value */
    EXPECT_SCRUB("INSERT INTO u (token, note) VALUES ('a token=zz b', 'to j@example.com');",
                 "INSERT INTO u (token, note) VALUES ('[secret]', 'to [email]');");
}

/* A text that ends inside a tuple: the value it ends in, and all after it, are a secret when
 * a secret column lies there; tuples closed before it keep their own spans. */
Test(insert_values, a_text_cut_inside_a_tuple_fails_closed)
{
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('bob', 'ab;",
                 "INSERT INTO u (name, password) VALUES ('bob', [secret]");
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('bo;",
                 "INSERT INTO u (name, password) VALUES ([secret]");
    EXPECT_SCRUB("INSERT INTO u (name, password) VALUES ('a', 'p1'), ('b', 'p2'), ('c;",
                 "INSERT INTO u (name, password) VALUES ('a', '[secret]'), ('b', '[secret]'), "
                 "([secret]");
    /* past the secret column: nothing left to hide */
    EXPECT_UNCHANGED("INSERT INTO u (password, name) VALUES (NULL, 'bo;");
    /* a ',' and the end: no tuple follows */
    EXPECT_SCRUB("INSERT INTO u (password) VALUES ('p1'), )",
                 "INSERT INTO u (password) VALUES ('[secret]'), )");
}

/* A batch of rows, each with two secrets among other matches: all found, one by one. */
Test(insert_values, a_batch_of_rows)
{
    enum { ROWS = 60 }; /* (a batch a general log shows: 120 secrets, LSC_LIST_SPANS 128) */
    char in[ROWS * 64 + 64], want[ROWS * 64 + 64];
    size_t i = (size_t)snprintf(in, sizeof in,
                                "INSERT INTO users (email, password, otp_secret) VALUES "),
           w = (size_t)snprintf(want, sizeof want,
                                "INSERT INTO users (email, password, otp_secret) VALUES ");
    for (int k = 0; k < ROWS; k++) {
        const char *sep = k > 0 ? "," : "";
        i += (size_t)snprintf(in + i, sizeof in - i, "%s('u%d@example.com','pw%dX','otp%dY')", sep,
                              k, k, k);
        w +=
            (size_t)snprintf(want + w, sizeof want - w, "%s('[email]','[secret]','[secret]')", sep);
    }
    snprintf(in + i, sizeof in - i, ";");
    snprintf(want + w, sizeof want - w, ";");
    char *out = scrub_default(in);
    cr_expect_str_eq(out, want);
    free(out);
}

/* Past LSC_LIST_SPANS secret values the last span runs on to the last one. */
Test(insert_values, a_reading_rolled_back_past_the_last_span)
{
    /* The spans full, the second statement's first reading (with escapes) runs the text out
     * and lengthens the last span; read as standard SQL, it holds no secret: its text
     * stays. */
    char in[LSC_LIST_SPANS * 16 + 128];
    size_t i = (size_t)snprintf(in, sizeof in, "INSERT INTO u (token) VALUES ");
    for (int k = 0; k < LSC_LIST_SPANS + 2; k++) {
        i += (size_t)snprintf(in + i, sizeof in - i, "%s('t%d')", k > 0 ? "," : "", k);
    }
    snprintf(in + i, sizeof in - i, "; INSERT INTO u (dir, token) VALUES ('C:\\', NULL);");
    char *out = scrub_default(in);
    const char *tail = "[secret]'); INSERT INTO u (dir, token) VALUES ('C:\\', NULL);";
    cr_expect(strlen(out) > strlen(tail) && strcmp(out + strlen(out) - strlen(tail), tail) == 0,
              "got ...%s", out + (strlen(out) > 80 ? strlen(out) - 80 : 0));
    free(out);
}

/* Past LSC_LIST_SPANS secret values the last span runs on to the last one. */
Test(insert_values, more_secrets_than_spans_fail_closed)
{
    char in[LSC_LIST_SPANS * 40], want[LSC_LIST_SPANS * 40];
    size_t i = (size_t)snprintf(in, sizeof in, "INSERT INTO u (id, token) VALUES "),
           w = (size_t)snprintf(want, sizeof want, "INSERT INTO u (id, token) VALUES ");
    for (int k = 0; k < LSC_LIST_SPANS + 4; k++) {
        const char *sep = k > 0 ? ", " : "";
        i += (size_t)snprintf(in + i, sizeof in - i, "%s(%d, 'v%02dSECRET')", sep, k, k);
        if (k < LSC_LIST_SPANS - 1) {
            w += (size_t)snprintf(want + w, sizeof want - w, "%s(%d, '[secret]')", sep, k);
        }
    }
    snprintf(in + i, sizeof in - i, ";");
    snprintf(want + w, sizeof want - w, ", (%d, '[secret]');", LSC_LIST_SPANS - 1);
    char *out = scrub_default(in);
    cr_expect_str_eq(out, want);
    cr_expect(strstr(out, "SECRET") == NULL);
    free(out);
}

/* As many columns as MySQL allows: the last a secret. One more, and it is no column list. */
Test(insert_values, the_most_columns)
{
    for (int extra = 0; extra < 2; extra++) {
        size_t cols = LSC_INSERT_COLUMNS + (size_t)extra;
        char *in = malloc(cols * 10 + 64);
        cr_assert_not_null(in);
        size_t i = (size_t)sprintf(in, "INSERT INTO u (");
        for (size_t c = 0; c + 1 < cols; c++) {
            i += (size_t)sprintf(in + i, "c%zu,", c);
        }
        i += (size_t)sprintf(in + i, "token) VALUES (");
        for (size_t c = 0; c + 1 < cols; c++) {
            i += (size_t)sprintf(in + i, "0,");
        }
        sprintf(in + i, "'t9')");
        char *out = scrub_default(in);
        cr_expect((strstr(out, "'[secret]'") != NULL) == (extra == 0), "%zu columns", cols);
        free(out);
        free(in);
    }
}

/* Long lines of statement-like units come out as they went in, but for the values of
 * secret columns (each byte is read a bounded number of times: bench/hostile.sh times them). */
Test(insert_values, hostile_statements_come_out_whole)
{
    static const char *const units[] = {")", ") VALUES ()", "(id) VALUES (1)",
                                        "(token) VALUES (\\'),)"};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        char *line = repeated_line(units[u], 300000, "");
        char *out = scrub_default(line);
        if (u < 3) {
            cr_expect_str_eq(out, line, "unit %zu", u);
        } else { /* read as standard SQL, a string opens at each value's '\'': all secret */
            cr_expect(strstr(out, "\\'") == NULL && strstr(out, "VALUES ([secret]),)") != NULL);
        }
        free(out);
        free(line);
    }
    /* a string that holds the next unit's column list: the units go by twos, and past
     * LSC_LIST_SPANS values the last runs on to the end (an odd count: the last is cut) */
    const char *unit = "(password) VALUES ('))";
    char *line = repeated_line(unit, 300000 / (2 * strlen(unit)) * 2 * strlen(unit), unit),
         want[LSC_LIST_SPANS * 40];
    size_t w = 0;
    for (int k = 0; k + 1 < LSC_LIST_SPANS; k++) {
        w += (size_t)sprintf(want + w, "(password) VALUES ('[secret]'))");
    }
    sprintf(want + w, "(password) VALUES ('[secret]");
    char *out = scrub_default(line);
    cr_expect(strcmp(out, want) == 0, "got %.80s", out);
    free(out);
    free(line);
    /* parentheses that never close: from the first value on */
    expect_repeated_scrubs_to("(password) VALUES ((((((((()", 300000, "",
                              "(password) VALUES ([secret]");
}

/* An INSERT of random columns (some secret), quoting, value forms, rows and spacing; the
 * secret values hold the planted ones. */
static size_t plant_insert(char *out, size_t room, const char *v, unsigned r)
{
    static const char *const secrets[] = {"password",     "reset_password_token", "api_key",
                                          "token",        "client_secret",        "otp_secret",
                                          "access_token", "encrypted_password",   "passwd"};
    static const char *const plain[] = {"email", "id", "name", "created_at", "note"};
    static const char *const quotes[] = {"", "`", "\"", "["};
    const char *q = quotes[r % 4], *qc = r % 4 == 3 ? "]" : q;
    const char *sep = r & 4 ? ", " : ",";
    r >>= 3;
    int cols = 1 + (int)(r % 5), rows = 1 + (int)((r / 5) % 3);
    r /= 15;
    int secret_at = (int)(r % (unsigned)cols);
    r /= 5;
    size_t o =
        (size_t)snprintf(out, room, "%sINSERT INTO %susers%s (", r & 1 ? "" : "Query\t", q, qc);
    r >>= 1;
    for (int c = 0; c < cols; c++) {
        const char *name = c == secret_at ? secrets[r % 9] : plain[(r + (unsigned)c) % 5];
        o += (size_t)snprintf(out + o, room - o, "%s%s%s%s", c > 0 ? sep : "", q, name, qc);
    }
    r /= 9;
    o += (size_t)snprintf(out + o, room - o, ") %s ", r & 1 ? "VALUES" : "values");
    r >>= 1;
    for (int w = 0; w < rows; w++) {
        o += (size_t)snprintf(out + o, room - o, "%s(", w > 0 ? sep : "");
        for (int c = 0; c < cols; c++) {
            const char *s = c > 0 ? sep : "";
            if (c != secret_at) {
                o += (size_t)snprintf(out + o, room - o, "%s'p''l\\'n'", s);
            } else if (r % 4 == 0) {
                o += (size_t)snprintf(out + o, room - o, "%sPASSWORD('%s')", s, v);
            } else if (r % 4 == 1) {
                o += (size_t)snprintf(out + o, room - o, "%s_binary'a''%s'", s, v);
            } else {
                o +=
                    (size_t)snprintf(out + o, room - o, "%s'%s%s'", s, r % 4 == 2 ? "x\\'" : "", v);
            }
        }
        o += (size_t)snprintf(out + o, room - o, ")");
    }
    return o + (size_t)snprintf(out + o, room - o, "%s", r & 4 ? ";" : "");
}

Test(insert_values, no_planted_value_in_an_insert)
{
    /* (the statement must end its line) */
    expect_none_leaked_ending(plant_insert, "IqVz", 0x1235e7, 768, "\n");
}
