/*
 * test_detect_hashes.c - stored passwords' hashes (src/detect/hashes.c): every crypt(3),
 * PHC, phpass and Django form is replaced whole wherever a log writes one (a shadow line,
 * an htpasswd entry, SQL binds, JSON with "\/", percent-encoded in a query); prices, shell
 * variables and short or unknown forms stay; a run of segments is read once; the class is
 * counted and left to the policy; and a leak check plants values inside hashes of every ID
 * in every context and looks for them in the output.
 */
#include "detect/chars.h"
#include "detect/detect.h"
#include "helpers.h"

#define SHA512 "Xq1dG8x5mWvY3bU7nN2pKc9LrT0sHfJ4aE6iO8uQ1wZ3yB5vC7xD9eF2gH4jK6lM8nP0qR2s"
#define BCRYPT "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"

Test(password_hash, crypt_forms)
{
    EXPECT_SCRUB("root:$6$rounds=5000$saltsalt$" SHA512 ":19000:0:99999:7:::",
                 "root:[secret]:19000:0:99999:7:::");
    EXPECT_SCRUB("h $6$saltsalt$" SHA512 " x", "h [secret] x");
    EXPECT_SCRUB("h $5$saltsalt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF5T5fWq/ x", "h [secret] x");
    EXPECT_SCRUB("h $1$saltsalt$qjXMvbEw8oaL.CzflDugX/ x", "h [secret] x");
    EXPECT_SCRUB("bob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "bob:[secret]");
    EXPECT_SCRUB("h $2a$11$" BCRYPT " x", "h [secret] x");
    EXPECT_SCRUB("h $2b$12$" BCRYPT " x", "h [secret] x");
    EXPECT_SCRUB("h $2x$05$" BCRYPT " x", "h [secret] x");
    EXPECT_SCRUB("h $2y$10$" BCRYPT " x", "h [secret] x");
    EXPECT_SCRUB("root:$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7:"
                 "19000::",
                 "root:[secret]:19000::");
    EXPECT_SCRUB("h $gy$j9T$saltsaltsalt$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd x", "h [secret] x");
    EXPECT_SCRUB("h $7$CU..../....2jA8pYNg9PrnR3Vc5fK4c/$FwcNx9ql6O1sRLDtbnj5Ls.FK7pYpZ8F x",
                 "h [secret] x");
    EXPECT_SCRUB("h $3$$8846f7eaee8fb117ad06bdd830b7586c x", "h [secret] x");
    EXPECT_SCRUB("h $sha1$40000$jtNX3nZ2$hBNaIXkt4wBI2o5rsi8KejSjNqIq x", "h [secret] x");
    EXPECT_SCRUB("h $md5$saltsalt$mSwgIswdjlTY0YxV7HBVm0 x", "h [secret] x");
    EXPECT_SCRUB("h $sm3$saltsalt$mSwgIswdjlTY0YxV7HBVm0aaaa x", "h [secret] x");
}

Test(password_hash, phc_php_and_django_forms)
{
    EXPECT_SCRUB("h $argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG x",
                 "h [secret] x");
    EXPECT_SCRUB("h $argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6U x",
                 "h [secret] x");
    EXPECT_SCRUB("h $argon2d$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6U x",
                 "h [secret] x");
    EXPECT_SCRUB(
        "h $scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBs x",
        "h [secret] x");
    EXPECT_SCRUB("h $pbkdf2-sha256$29000$N2bMOUeTgmRWqhxlLSqpJQ$cdcqOCMNKLDoR1z2j.MaBr6aQoZ x",
                 "h [secret] x");
    EXPECT_SCRUB("h $pbkdf2-sha512$25000$LyWE0HrP2RsjZCxlDGFMKQ$1vC5Ohk2mCS9b6akqsEfgeb x",
                 "h [secret] x");
    EXPECT_SCRUB("h $pbkdf2$1212$OB.dtnSEXZK8U5cgxU/GYQ$y5LKPOplRmok7CZp/aqVDVg8zGI x",
                 "h [secret] x");
    EXPECT_SCRUB("h $bcrypt-sha256$v=2,t=2b,r=12$n79VH.0Q2TMWmt3Oqt9uku$Kq4Noyk3094Y2QlB8NdRT8 x",
                 "h [secret] x");
    /* phpass (WordPress, phpBB), Drupal 7, WordPress 6.8's bcrypt */
    EXPECT_SCRUB("h $P$BZzvVWxcOjwJpQzDgq8ZTbNLsDvjh.1 x", "h [secret] x");
    EXPECT_SCRUB("h $H$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0 x", "h [secret] x");
    EXPECT_SCRUB("h $S$DnAUzqDhXrMSe2/ZMQr8WnQhUX7qBJkAZgGGSHVQOZrbzhm2l7mN x", "h [secret] x");
    EXPECT_SCRUB("h $wp$2y$10$" BCRYPT " x", "h [secret] x");
    /* Django: its ID before the first '$' stays, what follows goes */
    EXPECT_SCRUB("h pbkdf2_sha256$600000$c3VwZXJzYWx0$Xm9vYmFyYmF6cXV4cXV1eHh4eHh4eHh4eA= x",
                 "h pbkdf2_sha256[secret] x");
    EXPECT_SCRUB("h pbkdf2_sha1$260000$c2FsdA$Xm9vYmFyYmF6cXV4cXV1eHh4eA= x",
                 "h pbkdf2_sha1[secret] x");
    EXPECT_SCRUB("h argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$qGvVeLqGxjwdYTxiNFZg3B5Q x",
                 "h argon2[secret] x");
    EXPECT_SCRUB("h bcrypt_sha256$$2b$12$" BCRYPT " x", "h bcrypt_sha256$[secret] x");
}

Test(password_hash, where_logs_write_them)
{
    /* an ORM's SQL binds, an htpasswd entry, a user record, cloud-init's YAML */
    EXPECT_SCRUB("INSERT INTO \"users\" (\"email\", \"encrypted_password\") VALUES ($1, $2)  "
                 "[[\"encrypted_password\", \"$2a$12$" BCRYPT "\"]]",
                 "INSERT INTO \"users\" (\"email\", \"encrypted_password\") VALUES ($1, $2)  "
                 "[[\"encrypted_password\", \"[secret]\"]]");
    EXPECT_SCRUB("#<User id: 1, digest: \"$2a$12$" BCRYPT "\">",
                 "#<User id: 1, digest: \"[secret]\">");
    EXPECT_SCRUB("users: [{name: bob, hashed: '$6$saltsalt$" SHA512 "'}]",
                 "users: [{name: bob, hashed: '[secret]'}]");
    /* JSON writes '/' as "\/" (PHP does): the hash runs on over it */
    EXPECT_SCRUB(
        "{\"user\":\"bob\",\"h\":\"$2y$10$abcdefghijklmnopqrstu.\\/ABCDEFGHIJKLMNOPQRSTUVWXY\"}",
        "{\"user\":\"bob\",\"h\":\"[secret]\"}");
    /* percent-encoded in a query: the decoded scan finds it */
    EXPECT_SCRUB("GET /r?h=%242y%2410%24" BCRYPT "&x=1 HTTP/1.1", "GET /r?h=[secret]&x=1 HTTP/1.1");
    /* a parameter list's ',' or a sentence's end after the last segment */
    EXPECT_SCRUB("h $6$saltsalt$" SHA512 ", next", "h [secret], next");
    EXPECT_SCRUB("set to $1$saltsalt$qjXMvbEw8oaL.CzflDugX/.", "set to [secret]");
}

Test(password_hash, what_is_no_hash)
{
    EXPECT_UNCHANGED("price $5 and $10$ each, $5$ off, shell $HOME$PATH, perl $a$b, php $x$y");
    EXPECT_UNCHANGED("short $1$salt$abc and $6$$ and $$$$ and $2y$10$ and $y$ $5$x$y");
    /* an unknown ID, a last segment too short for its ID (phpass 31, Drupal 52) */
    EXPECT_UNCHANGED("h $x$abcdefghijklmnopqrstuvwxyz0123 $HOME$abcdefghijklmnopqrstuvwxyz");
    EXPECT_UNCHANGED("h $P$BZzvVWxcOjwJpQzDgq8ZTbNLsDv x $S$DnAUzqDhXrMSe2/ZMQr8WnQhUX7qBJkA");
    /* the last segment's base64 ends at a parameter list's ',' */
    EXPECT_UNCHANGED("h $6$rounds=5000$abcdefghijklmnopqrs,t=1 x");
    EXPECT_UNCHANGED("h pbkdf2_sha512$600000$c2FsdA$Xm9vYmFyYmF6cXV4cXV1eHh4eA= x");
}

/* A run of segments is read once: a '$' that starts no hash there tells how far the next
 * start may be skipped, and a hash after a '-' (an ID's byte) is still found. */
Test(password_hash, a_run_is_read_once)
{
    static const char run[] = "$6$a$b$c,d$efghij-$x";
    struct lsc_match m;
    size_t fail = 0;
    cr_expect(!lsc_detect_password_hash(run, sizeof run - 1, 0, &m, &fail));
    cr_expect_eq(fail, 10); /* the run's last '$', before "efghij" */
    fail = 0;
    cr_expect(!lsc_detect_password_hash(run, sizeof run - 1, 18, &m, &fail));
    cr_expect_eq(fail, 0); /* an unknown ID skips nothing */
    /* a last segment too short for phpass but long enough for another ID skips nothing */
    static const char php[] = "$P$abcdefghijklmnopqrstuvwxyz";
    fail = 0;
    cr_expect(!lsc_detect_password_hash(php, sizeof php - 1, 0, &m, &fail));
    cr_expect_eq(fail, 0);
    EXPECT_SCRUB("h $6$pbkdf2-sha256$29000$N2bMOUeTgmRWqhxlLSqpJQ$cdcqOCMNKLDoR1z2j.MaBr6aQoZ x",
                 "h $6[secret] x");
    /* a long line of starts comes out as it went in */
    char *line = malloc(3 * 40000 + 2);
    cr_assert_not_null(line);
    for (size_t k = 0; k < 40000; k++) {
        memcpy(line + 3 * k, k % 3 == 2 ? "$1-" : "$6$", 3);
    }
    memcpy(line + 3 * 40000, "\n", 2);
    char *out = scrub_default(line);
    cr_expect_str_eq(out, line);
    free(out);
    free(line);
}

Test(password_hash, counted_and_left_to_the_policy)
{
    const char *in = "u bob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/ password=x\n";
    struct lsc_stats st;
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    char *out = scrub_with(pol, in, strlen(in), &st);
    lsc_policy_free(pol);
    cr_expect_str_eq(out, "u bob:[secret] password=[secret]\n");
    cr_expect_eq(st.replacements[LSC_CLASS_PASSWORD_HASH], 1);
    cr_expect_eq(st.replacements[LSC_CLASS_SECRET_PARAM], 1);
    free(out);
    out = scrub_with_policy("", "text:\n  - detector: secret_param\n", in, NULL);
    cr_expect_str_eq(out, "u bob:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/ password=[secret]\n");
    free(out);
    out = scrub_with_policy("", "text:\n  - detector: password_hash\n    label: hash\n", in, NULL);
    cr_expect_str_eq(out, "u bob:[hash] password=x\n");
    free(out);
}

/* A hash of a random ID whose last segment holds v, written in a random context. */
static size_t plant_hash(char *out, size_t room, const char *v, unsigned r)
{
    static const char *const heads[] = {
        "$1$saltsalt$",
        "$apr1$r31.....$",
        "$5$rounds=5000$salt$",
        "$6$saltsalt$",
        "$2a$10$",
        "$2b$12$",
        "$2y$10$",
        "$y$j9T$F5Jx5fExrKuPp$",
        "$gy$j9T$salt$",
        "$7$CU..../....2jA8$",
        "$3$$",
        "$sha1$40000$jtNX3nZ2$",
        "$argon2id$v=19$m=65536,t=3,p=4$c29tZQ$",
        "$scrypt$ln=16,r=8,p=1$aM15$",
        "$pbkdf2-sha256$29000$N2bMOUeTgm$",
        "$bcrypt-sha256$v=2,t=2b,r=12$n79V$",
        "$P$B",
        "$H$9",
        "$S$D",
        "$wp$2y$10$",
        "pbkdf2_sha256$600000$c2FsdA$",
    };
    /* what comes before and after the hash */
    static const char *const contexts[][2] = {
        {"root:", ":19000:0:99999:7:::"},
        {"h ", " x"},
        {"h '", "' x"},
        {"{\"h\":\"", "\"}"},
        {"[[\"digest\", \"", "\"]]"},
        {"bob:", ""},
        {"h=", "&x=1"},
        {"(", ")"},
        {"hash ", ", next"},
        {"set ", "."},
        {"x\t", "\tx"},
        {"<h>", "</h>"},
    };
    char hash[160];
    const char *head = heads[r % (sizeof heads / sizeof heads[0])];
    r /= sizeof heads / sizeof heads[0];
    /* the last segment: v among base64 bytes, long enough for Drupal's 52 */
    size_t h = (size_t)snprintf(hash, sizeof hash, "%s%s", head, "aZ0./+=");
    h += (size_t)snprintf(hash + h, sizeof hash - h, "%s", v);
    h += (size_t)snprintf(hash + h, sizeof hash - h, "%.*s", (int)(40 + r % 20),
                          "Xq1dG8x5mWvY3bU7nN2pKc9LrT0sHfJ4aE6iO8uQ1wZ3yB5vC7xD9eF2gH4jK");
    r /= 20;
    if (r % 4 == 0) { /* JSON's "\/" inside the hash */
        memmove(hash + h - 8, hash + h - 10, 11);
        hash[h - 10] = '\\';
        hash[h - 9] = '/';
        h += 2;
    }
    r /= 4;
    char encoded[480];
    const char *put = hash;
    if (r % 5 == 0) { /* percent-encoded, as in a query */
        size_t e = 0;
        for (size_t k = 0; k < h; k++) {
            unsigned char c = (unsigned char)hash[k];
            e += (size_t)(lsc_is_alnum(c) ? snprintf(encoded + e, sizeof encoded - e, "%c", c)
                                          : snprintf(encoded + e, sizeof encoded - e, "%%%02X", c));
        }
        put = encoded;
    }
    r /= 5;
    const char *const *around = contexts[r % (sizeof contexts / sizeof contexts[0])];
    return (size_t)snprintf(out, room, "%s%s%s", around[0], put, around[1]);
}

Test(password_hash, no_planted_value_in_a_hash)
{
    expect_none_leaked_from(plant_hash, "HqZx", 0x4a5b1e, 640);
}
