/*
 * test_policy_keys.c - keys, subkeys and pseudonyms (src/policy/keys.c, src/action/
 * pseudonym.c, src/engine/pseudo.c) and GeoIP (src/action/geo.c): known-answer vectors,
 * every form of an address giving one pseudonym, periods, refusals, idempotence, and the
 * attack that breaks keyed XXH3 failing against the PRF.
 */
#include "engine/engine.h"
#include "helpers.h"
#include "policy/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static void hex(const unsigned char *b, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, b, n);
}

/*
 * Vectors from libsodium's test/default/kdf.exp, the BLAKE2 reference KAT (keyed) and the
 * SipHash reference vectors (vectors_sip128[0]: key 00..0f, empty message).
 */
Test(keys, known_answers_for_the_primitives)
{
    cr_assert_geq(sodium_init(), 0);
    unsigned char master[32], key64[64], out[64];
    char h[129];
    for (int i = 0; i < 32; i++) {
        master[i] = (unsigned char)i;
    }
    crypto_kdf_derive_from_key(out, 64, 0, "KDF test", master);
    hex(out, 64, h);
    cr_expect_str_eq(h, "a0c724404728c8bb95e5433eb6a9716171144d61efb23e74b873fcbeda51d807"
                        "1b5d70aae12066dfc94ce943f145aa176c055040c3dd73b0a15e36254d450614");
    crypto_kdf_derive_from_key(out, 16, 16, "KDF test", master);
    hex(out, 16, h);
    cr_expect_str_eq(h, "a529216624ef9161e4cf117272aafff2");
    for (int i = 0; i < 64; i++) {
        key64[i] = (unsigned char)i;
    }
    unsigned char key16[16];
    for (int i = 0; i < 16; i++) {
        key16[i] = (unsigned char)i;
    }
    crypto_shorthash_siphashx24(out, NULL, 0, key16);
    hex(out, 16, h);
    cr_expect_str_eq(h, "a3817f04ba25a8e66df67214c7550293");
    crypto_generichash(out, 64, NULL, 0, key64, 64);
    hex(out, 64, h);
    cr_expect_str_eq(h, "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
                        "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568");
}

/* Our composition, pinned: a change here changes every pseudonym ever written. */
Test(keys, prf_and_subkeys_are_pinned)
{
    struct lsc_key k;
    cr_assert(lsc_key_test(&k));
    cr_expect_str_eq(k.id, "911c38fb");
    unsigned char sub[LSC_SUBKEY_BYTES], out[16];
    char h[65];
    lsc_key_subkey(&k, LSC_ROTATE_DAILY, 20779, sub);
    hex(sub, LSC_SUBKEY_BYTES, h);
    cr_expect_str_eq(h, "5317fe97f20223d9d8f4e16db363764d");
    lsc_prf(sub, 'A', "0123456789abcdef", 16, out);
    hex(out, 16, h);
    cr_expect_str_eq(h, "242695244d102cb61f8fbf701f4e0c20");
    lsc_key_free(&k);
    lsc_key_free(&k); /* twice is harmless */
}

Test(keys, periods_and_their_names)
{
    /* 2026-11-22 10:00 UTC is a Sunday: day 20779, ISO week 2026-W47. */
    int64_t t = 1795341600;
    char name[16];
    cr_expect_eq(lsc_key_period(LSC_ROTATE_NONE, t), 0);
    cr_expect_eq(lsc_key_period(LSC_ROTATE_DAILY, t), 20779);
    lsc_key_period_name(LSC_ROTATE_DAILY, 20779, name);
    cr_expect_str_eq(name, "2026-11-22");
    lsc_key_period_name(LSC_ROTATE_WEEKLY, lsc_key_period(LSC_ROTATE_WEEKLY, t), name);
    cr_expect_str_eq(name, "2026-W47");
    /* Monday 2024-12-30 is in ISO week 2025-W01; Thursday 2026-01-01 in 2026-W01. */
    lsc_key_period_name(LSC_ROTATE_WEEKLY, lsc_key_period(LSC_ROTATE_WEEKLY, 1735516800), name);
    cr_expect_str_eq(name, "2025-W01");
    lsc_key_period_name(LSC_ROTATE_WEEKLY, lsc_key_period(LSC_ROTATE_WEEKLY, 1767225600), name);
    cr_expect_str_eq(name, "2026-W01");
    /* A week runs Monday to Sunday. */
    cr_expect_eq(lsc_key_period(LSC_ROTATE_WEEKLY, t),
                 lsc_key_period(LSC_ROTATE_WEEKLY, t - 6 * 86400));
    cr_expect_neq(lsc_key_period(LSC_ROTATE_WEEKLY, t),
                  lsc_key_period(LSC_ROTATE_WEEKLY, t + 86400));
    lsc_key_period_name(LSC_ROTATE_MONTHLY, lsc_key_period(LSC_ROTATE_MONTHLY, t), name);
    cr_expect_str_eq(name, "2026-11");
    lsc_key_period_name(LSC_ROTATE_NONE, 0, name);
    cr_expect_str_eq(name, "all");
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char p[128];
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/lsc-keys-XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir));
    }
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

/* Removes what tmp_path made, so a run leaves no key files in /tmp. */
static void remove_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        return;
    }
    static const char *const names[] = {"k1", "open", "short", "nothex", "raw"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unlink(tmp_path(names[i]));
    }
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

static void write_file(const char *path, const char *data, size_t n, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, n), (ssize_t)n);
    fchmod(fd, mode);
    close(fd);
}

Test(keys, keygen_and_the_refusals, .fini = remove_tmpdir)
{
    char err[512];
    const char *p = tmp_path("k1");
    unlink(p);
    cr_assert(lsc_keygen(p, -1, err, sizeof err), "%s", err);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600);
    cr_expect_eq(st.st_size, 65);
    cr_expect_not(lsc_keygen(p, -1, err, sizeof err));
    cr_expect(strstr(err, "never overwritten") != NULL, "%s", err);
    struct lsc_key k;
    cr_assert(lsc_key_load(p, &k, err, sizeof err), "%s", err);
    cr_expect_eq(strlen(k.id), 8);
    lsc_key_free(&k);

    p = tmp_path("open");
    write_file(p, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 65, 0644);
    cr_expect_not(lsc_key_load(p, &k, err, sizeof err));
    cr_expect(strstr(err, "mode 0644") && strstr(err, "chmod 600"), "%s", err);
    p = tmp_path("short");
    write_file(p, "0123456789abcdef\n", 17, 0600);
    cr_expect_not(lsc_key_load(p, &k, err, sizeof err));
    cr_expect(strstr(err, "holds 17 bytes") && strstr(err, "logscrub keygen"), "%s", err);
    p = tmp_path("nothex");
    write_file(p, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\n", 65, 0600);
    cr_expect_not(lsc_key_load(p, &k, err, sizeof err));
    p = tmp_path("raw");
    write_file(p, "0123456789abcdef0123456789abcdef", 32, 0600);
    cr_expect(lsc_key_load(p, &k, err, sizeof err), "%s", err);
    lsc_key_free(&k);
    cr_expect_not(lsc_key_load(tmp_path("missing"), &k, err, sizeof err));
    cr_expect(strstr(err, "No such file") != NULL, "%s", err);
    cr_expect_not(lsc_key_load(tmpdir, &k, err, sizeof err));
}

/* A policy of body that uses the public test key (as logscrub test does). */
static struct lsc_policy *test_key_policy(const char *body)
{
    char text[2048];
    snprintf(text, sizeof text, "version: 1\nname: t\n%s", body);
    struct lsc_load_opts lo = {.key_mode = LSC_KEY_TEST};
    struct lsc_policy *pol = NULL;
    char err[1024];
    cr_assert_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), &lo, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    return pol;
}

/* Scrubs with test_key_policy(body). */
static char *pseudo(const char *body, const char *in)
{
    struct lsc_policy *pol = test_key_policy(body);
    char *out = scrub_with(pol, in, strlen(in), NULL);
    lsc_policy_free(pol);
    return out;
}

Test(pseudonyms, every_form_of_an_address_gives_one_pseudonym)
{
    const char *body = "input: {format: json}\nkeys: {rotate: daily, tag: false}\n"
                       "fields:\n  a: {ip: pseudonym}\n";
    const char *forms[] = {"1.2.3.4",        "::ffff:1.2.3.4",   "1.2.3.4:443",
                           "::ffff:102:304", "64:ff9b::1.2.3.4", "[::ffff:1.2.3.4]:80"};
    char *first = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char in[128];
        snprintf(in, sizeof in, "{\"ts\":\"2026-11-22T10:00:00Z\",\"a\":\"%s\"}\n", forms[i]);
        char *out = pseudo(body, in);
        cr_expect(strstr(out, "\"a\":\"ip_") != NULL, "%s -> %s", forms[i], out);
        if (first == NULL) {
            first = out;
        } else {
            cr_expect_str_eq(out, first, "%s", forms[i]);
            free(out);
        }
    }
    free(first);
}

Test(pseudonyms, periods_do_not_link_and_time_comes_from_the_record)
{
    const char *body = "input: {format: json}\nkeys: {rotate: daily}\n"
                       "fields:\n  a: {ip: pseudonym}\n";
    char *out = pseudo(body, "{\"ts\":\"2026-11-22T00:00:01Z\",\"a\":\"1.2.3.4\"}\n"
                             "{\"ts\":\"2026-11-22T23:59:59+00:00\",\"a\":\"1.2.3.4\"}\n"
                             "{\"ts\":\"2026-11-23T00:00:00Z\",\"a\":\"1.2.3.4\"}\n"
                             "{\"ts\":1795391999,\"a\":\"1.2.3.4\"}\n");
    char tok[4][40];
    const char *p = out;
    for (int i = 0; i < 4; i++) {
        p = strstr(p, "ip_");
        cr_assert_not_null(p);
        memcpy(tok[i], p, 19);
        tok[i][19] = '\0';
        p += 19;
    }
    cr_expect_str_eq(tok[0], tok[1]);
    cr_expect_str_neq(tok[1], tok[2]);
    cr_expect_str_eq(tok[0], tok[3]); /* epoch seconds, same day */
    cr_expect(strstr(out, "\"_key_epoch\":\"2026-11-22/911c38fb\"") != NULL, "%s", out);
    cr_expect(strstr(out, "\"_key_epoch\":\"2026-11-23/911c38fb\"") != NULL, "%s", out);
    free(out);
}

/*
 * The pseudonym memo answers only for the same action, period and value. Its slots were
 * found by XXH3 with the period in the seed and a hit taken on the hash alone - and for
 * inputs of 1-3 bytes XXH3 adds the seed to a key and XORs the bytes in, so "ua0" one day
 * and "ua3" the day before could have one hash: -j 2 gave a user the pseudonym of another
 * user's previous day, now and then, by which worker had scrubbed what. Here every 3-byte
 * value "uaX" (X printable) on four days in turn, in two fields whose pseudonyms differ by
 * their prefix, and an address with it, must come out as without the memo.
 */
Test(pseudonyms, the_memo_never_answers_for_another_value_or_day)
{
    struct lsc_policy *pol = test_key_policy("input: {format: json}\nkeys: {rotate: daily}\n"
                                             "fields:\n  u: {action: pseudonym, prefix: usr_}\n"
                                             "  w: {action: pseudonym, prefix: acc_}\n"
                                             "  a: {ip: pseudonym}\n");
    size_t cap = 4 * 2 * 95 * 160 + 256, len = 0;
    char *in = malloc(cap);
    cr_assert_not_null(in);
    for (int round = 0; round < 2; round++) {
        for (int day = 20; day <= 23; day++) {
            for (int x = 0x20; x < 0x7f; x++) {
                char v[8];
                if (x == '"' || x == '\\') {
                    snprintf(v, sizeof v, "ua\\%c", x);
                } else {
                    snprintf(v, sizeof v, "ua%c", x);
                }
                len += (size_t)snprintf(in + len, cap - len,
                                        "{\"ts\":\"2026-07-%dT10:00:00Z\",\"u\":\"%s\",\"w\":"
                                        "\"%s\",\"a\":\"10.0.%d.%d\"}\n",
                                        day, v, v, x & 3, x);
            }
        }
    }
    /* A value and a longer one that starts with it, in one slot (the slot is XXH3 of the
     * value: found here by trying suffixes), the longer first: the shorter is its own. */
    char longer[32];
    for (unsigned k = 0;; k++) {
        int l = snprintf(longer, sizeof longer, "ua0%u", k);
        if (XXH3_64bits(longer, (size_t)l) % LSC_VALUE_MEMO_SLOTS ==
            XXH3_64bits("ua0", 3) % LSC_VALUE_MEMO_SLOTS) {
            break;
        }
    }
    len += (size_t)snprintf(in + len, cap - len,
                            "{\"ts\":\"2026-07-24T10:00:00Z\",\"u\":\"%s\"}\n"
                            "{\"ts\":\"2026-07-24T10:00:00Z\",\"u\":\"ua0\"}\n",
                            longer);
    char *with = scrub_with_memo(pol, in, len, NULL, true);
    char *without = scrub_with_memo(pol, in, len, NULL, false);
    cr_expect_str_eq(with, without);
    free(with);
    free(without);
    free(in);
    lsc_policy_free(pol);
}

Test(pseudonyms, text_detectors_emails_values_and_idempotence)
{
    const char *body = "keys: {rotate: none}\ntext:\n  - detector: ipv4\n    action: pseudonym\n"
                       "  - detector: email\n    action: pseudonym\n";
    char *a = pseudo(body, "from 1.2.3.4 by Jane@Example.COM\n");
    char *b = pseudo(body, "from 1.2.3.4 by jane@example.com\n");
    cr_expect_str_eq(a, b);
    cr_expect(strstr(a, "from ip_") != NULL && strstr(a, " by em_") != NULL, "%s", a);
    cr_expect(strstr(a, " key_epoch=all/911c38fb\n") != NULL, "%s", a);
    /* Fed back in, the tokens stay as they are. */
    char *line = strndup(a, strstr(a, " key_epoch") - a);
    char *again = pseudo(body, line);
    cr_expect(strncmp(again, line, strlen(line)) == 0, "%s -> %s", line, again);
    free(line);
    free(again);
    free(a);
    free(b);
    /* render: address writes reserved addresses, and leaves them alone when seen again. */
    const char *addr = "keys: {rotate: none, tag: false}\ntext:\n  - detector: ipv4\n"
                       "    action: pseudonym\n    render: address\n"
                       "  - detector: ipv6\n    action: pseudonym\n    render: address\n";
    a = pseudo(addr, "1.2.3.4 2001:db8::1 240.1.2.3 100::1:2:3:4\n");
    cr_expect(strncmp(a, "24", 2) == 0 || strncmp(a, "25", 2) == 0, "%s", a);
    cr_expect(strstr(a, " 100::") != NULL, "%s", a);
    cr_expect(strstr(a, " 240.1.2.3 100::1:2:3:4\n") != NULL, "%s", a);
    free(a);
    /* A rule match and a field get a generic pseudonym with their own prefix. */
    a = pseudo("input: {format: logfmt}\nkeys: {tag: false}\nfields:\n"
               "  user: {action: pseudonym, prefix: 'u-', length: 24}\n",
               "user=bob user=u-0123456789abcdef01234567\n");
    cr_expect(strncmp(a, "user=u-", 7) == 0 && a[7 + 24] == ' ', "%s", a);
    cr_expect(strstr(a, " user=u-0123456789abcdef01234567\n") != NULL, "%s", a);
    free(a);
}

Test(pseudonyms, policy_errors)
{
    char text[1024];
    struct lsc_policy *pol = NULL;
    char err[1024];
    unsetenv("LOGSCRUB_KEY_FILE");
    unsetenv("CREDENTIALS_DIRECTORY");
    snprintf(text, sizeof text,
             "version: 1\nname: t\ntext:\n  - detector: ipv4\n"
             "    action: pseudonym\n");
    cr_expect_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
                 LSC_EPOLICY);
    cr_expect(strstr(err, "needs a key") && strstr(err, "logscrub keygen"), "%s", err);
    struct lsc_load_opts none = {.key_mode = LSC_KEY_NONE};
    cr_expect_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), &none, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    lsc_policy_free(pol);
    const char *bad[][2] = {
        {"keys: {rotate: hourly}\n", "rotate must be none, daily, weekly or monthly"},
        {"text:\n  - detector: email\n    action: pseudonym\n    render: address\n",
         "render: address needs addresses"},
        {"text:\n  - detector: ipv4\n    action: pseudonym\n    length: 8\n", "from 16 to 32"},
        {"input: {format: json}\nfields:\n  a: {ip: pseudonym, v4: 8}\n",
         "v4 bits kept go with render: address"},
        {"text:\n  - detector: ipv4\n    action: pseudonym\n    prefix: 'a b'\n",
         "prefix may hold"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "version: 1\nname: t\n%s", bad[i][0]);
        cr_expect_eq(
            lsc_policy_load_buffer("p.yaml", text, strlen(text), &none, &pol, err, sizeof err),
            LSC_EPOLICY, "accepted: %s", bad[i][0]);
        cr_expect(strstr(err, bad[i][1]) != NULL, "%s\ngot: %s", bad[i][1], err);
    }
}

/* ---- the attack that makes keyed XXH3 unfit for pseudonyms of short inputs ---- */

#define MX2 0x9FB21C651E98DF25ULL

static uint64_t rotl(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

static uint64_t mix(uint64_t h, uint64_t len) /* XXH3's rrmxmx */
{
    h ^= rotl(h, 49) ^ rotl(h, 24);
    h *= MX2;
    h ^= (h >> 35) + len;
    h *= MX2;
    return h ^ (h >> 28);
}

static uint64_t unmix(uint64_t h, uint64_t len)
{
    uint64_t inv = MX2; /* Newton's iteration for the inverse modulo 2^64 */
    for (int i = 0; i < 6; i++) {
        inv *= 2 - MX2 * inv;
    }
    h ^= (h >> 28) ^ (h >> 56);
    h *= inv;
    h ^= (h >> 35) + len; /* bits 35 and up are untouched by this step */
    h *= inv;
    /* x ^ rotl(x,49) ^ rotl(x,24) is a linear map L with L^64 = identity: L^-1 = L^63. */
    for (int i = 0; i < 63; i++) {
        h ^= rotl(h, 49) ^ rotl(h, 24);
    }
    return h;
}

/* XXH3's 4-byte path: the hash is mix(input64 ^ bitflip), bitflip depending only on the key. */
static uint64_t input64(const unsigned char ip[4])
{
    uint32_t x;
    memcpy(&x, ip, 4);
    return (uint64_t)x + ((uint64_t)x << 32);
}

static uint64_t predict(const unsigned char known_ip[4], uint64_t known_hash,
                        const unsigned char ip[4])
{
    uint64_t bitflip = unmix(known_hash, 4) ^ input64(known_ip);
    return mix(input64(ip) ^ bitflip, 4);
}

Test(pseudonyms, one_known_pair_breaks_keyed_xxh3_but_not_the_prf)
{
    cr_assert_eq(unmix(mix(0x0123456789abcdefULL, 4), 4), 0x0123456789abcdefULL);
    unsigned char ip1[4] = {203, 0, 113, 7}, ip2[4];
    uint64_t seed;
    randombytes_buf(&seed, sizeof seed); /* the secret key */
    uint64_t h1 = XXH3_64bits_withSeed(ip1, 4, seed);
    int xxh_broken = 0, prf_broken = 0;
    struct lsc_key k;
    cr_assert(lsc_key_test(&k));
    unsigned char sub[LSC_SUBKEY_BYTES], out[16];
    lsc_key_subkey(&k, LSC_ROTATE_NONE, 0, sub);
    lsc_prf(sub, 'A', ip1, 4, out);
    uint64_t p1;
    memcpy(&p1, out, 8);
    for (int i = 0; i < 1000; i++) {
        randombytes_buf(ip2, 4);
        /* Keyed XXH3: every other address's hash, from one (address, hash) pair. */
        xxh_broken += predict(ip1, h1, ip2) == XXH3_64bits_withSeed(ip2, 4, seed);
        /* The same attack on the PRF's output predicts nothing. */
        lsc_prf(sub, 'A', ip2, 4, out);
        uint64_t p2;
        memcpy(&p2, out, 8);
        prf_broken += predict(ip1, p1, ip2) == p2;
    }
    cr_expect_eq(xxh_broken, 1000, "the attack on keyed XXH3 should always work");
    cr_expect_eq(prf_broken, 0);
    lsc_key_free(&k);
}

/* ---- GeoIP with MaxMind's test databases (tests/data/geoip, MIT) ---- */

Test(geo, country_asn_city_for_ipv4_and_ipv6)
{
    char body[1024];
    snprintf(
        body, sizeof body,
        "input: {format: json}\nfields:\n  ip: {ip: geo, db: [%s/geoip/GeoLite2-City-Test.mmdb, "
        "%s/geoip/GeoLite2-ASN-Test.mmdb], geo: [continent, country, asn, city], unknown: "
        "'?'}\n",
        LSC_TEST_DATA, LSC_TEST_DATA);
    char *out = pseudo(body, "{\"ip\":\"81.2.69.142\"}\n{\"ip\":\"89.160.20.112:443\"}\n"
                             "{\"ip\":\"2001:480::1\"}\n{\"ip\":\"::ffff:81.2.69.142\"}\n"
                             "{\"ip\":\"10.0.0.1\"}\n{\"ip\":\"not an address\"}\n");
    cr_expect_str_eq(out, "{\"ip\":\"EU/GB/?/London\"}\n"
                          "{\"ip\":\"EU/SE/AS29518/Link\xc3\xb6ping\"}\n"
                          "{\"ip\":\"NA/US/?/San Diego\"}\n"
                          "{\"ip\":\"EU/GB/?/London\"}\n"
                          "{\"ip\":\"?\"}\n"
                          "{\"ip\":\"?\"}\n");
    free(out);
}

Test(geo, a_missing_or_broken_database_is_a_load_error)
{
    const char *bad[][2] = {
        {"fields:\n  ip: {ip: geo, db: /nonexistent.mmdb}\n", "/nonexistent.mmdb"},
        {"fields:\n  ip: {ip: geo}\n", "ip: geo needs 'db: FILE.mmdb'"},
        {"fields:\n  ip: {ip: geo, db: x.mmdb, geo: [planet]}\n", "unknown geo field 'planet'"},
        {"fields:\n  ip: {ip: truncate, db: x.mmdb}\n", "'db' only goes with ip: geo"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512], err[1024];
        snprintf(text, sizeof text, "version: 1\nname: t\ninput: {format: json}\n%s", bad[i][0]);
        struct lsc_policy *pol = NULL;
        cr_expect_eq(
            lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
            LSC_EPOLICY, "accepted: %s", bad[i][0]);
        cr_expect(strstr(err, bad[i][1]) != NULL, "%s\ngot: %s", bad[i][1], err);
    }
    /* A file that is not a database. */
    char text[512], err[1024];
    snprintf(text, sizeof text,
             "version: 1\nname: t\ninput: {format: json}\nfields:\n  ip: {ip: geo, db: %s/geoip/"
             "LICENSE-MIT}\n",
             LSC_TEST_DATA);
    struct lsc_policy *pol = NULL;
    cr_expect_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
                 LSC_EPOLICY);
    cr_expect(strstr(err, "GeoIP database") != NULL, "%s", err);
}
