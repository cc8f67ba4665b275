/*
 * test_detect_ip.c - the IPv4/IPv6 parsers (src/detect/ip.c) and the truncate action
 * (src/action/ip_truncate.c).
 */
#include "action/action.h"
#include "detect/chars.h"
#include "detect/detect.h"
#include "helpers.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static size_t p4(const char *s, uint8_t out[4])
{
    return lsc_ip4_parse(s, s + strlen(s), out);
}

static size_t p6(const char *s, struct lsc_ip *ip)
{
    return lsc_ip6_parse(s, s + strlen(s), ip);
}

Test(ip4, accepts_addresses_and_stops_at_their_end)
{
    uint8_t a[4];
    cr_expect_eq(p4("1.2.3.4", a), 7);
    cr_expect(a[0] == 1 && a[1] == 2 && a[2] == 3 && a[3] == 4);
    cr_expect_eq(p4("255.255.255.255", a), 15);
    cr_expect_eq(p4("0.0.0.0", a), 7);
    cr_expect_eq(p4("10.0.0.1:8080", a), 8);
    cr_expect_eq(p4("192.168.1.1/24", a), 11);
    cr_expect_eq(p4("1.2.3.4.", a), 7, "a full stop after an address is punctuation");
    cr_expect_eq(p4("1.2.3.4]", a), 7);
    /* The 16-byte path's edges: what follows a 15-byte address is its 16th byte and the
     * one after that, read apart. */
    cr_expect_eq(p4("255.255.255.255. the end", a), 15);
    cr_expect_eq(p4("255.255.255.255.x", a), 15);
    cr_expect_eq(p4("255.255.255.255.", a), 15);
    cr_expect_eq(p4("255.255.255.255.1", a), 0);
    cr_expect_eq(p4("255.255.255.255.12345678", a), 0);
    cr_expect_eq(p4("255.255.255.2551.2345678", a), 0);
    cr_expect_eq(p4("255.255.255.255 and more", a), 15);
    cr_expect(a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
    cr_expect_eq(p4("9.87.654.32 and more bytes", a), 0);
    cr_expect_eq(p4("9.87.054.32 and more bytes", a), 11);
    cr_expect(a[0] == 9 && a[1] == 87 && a[2] == 54 && a[3] == 32);
    cr_expect_eq(p4("1.2.3.4 ................", a), 7);
    cr_expect(a[0] == 1 && a[1] == 2 && a[2] == 3 && a[3] == 4);
}

Test(ip4, rejects_lookalikes)
{
    uint8_t a[4];
    const char *bad[] = {"256.1.1.1", "1.2.3",  "1.2.3.4.5", "1.2.3.4567",   "1..2.3",
                         "1.2.3.a",   "1.2.3.", ".1.2.3",    "6099.109.1.1", "1.2.3.256"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(p4(bad[i], a), 0, "%s must not parse", bad[i]);
    }
}

Test(ip4, never_reads_past_end)
{
    uint8_t a[4];
    const char *s = "1.2.3.45";
    cr_expect_eq(lsc_ip4_parse(s, s + 7, a), 7); /* "1.2.3.4" of a longer buffer */
    cr_expect_eq(a[3], 4);
}

struct v6case {
    const char *text;
    size_t len;
    const char *hex; /* 32 hex digits */
};

static void hex16(const struct lsc_ip *ip, char *out)
{
    for (int i = 0; i < 16; i++) {
        static const char d[] = "0123456789abcdef";
        out[2 * i] = d[ip->bytes[i] >> 4];
        out[2 * i + 1] = d[ip->bytes[i] & 15];
    }
    out[32] = '\0';
}

Test(ip6, accepts_every_rfc4291_form)
{
    const struct v6case cases[] = {
        {"2001:db8:85a3:8d3:1319:8a2e:370:7348", 36, "20010db885a308d313198a2e03707348"},
        {"2001:DB8::1", 11, "20010db8000000000000000000000001"},
        {"::", 2, "00000000000000000000000000000000"},
        {"::1", 3, "00000000000000000000000000000001"},
        {"1::", 3, "00010000000000000000000000000000"},
        {"fe80::1%eth0", 7, "fe800000000000000000000000000001"},
        {"::ffff:192.0.2.128", 18, "00000000000000000000ffffc0000280"},
        {"64:ff9b::192.0.2.33", 19, "0064ff9b0000000000000000c0000221"},
        {"1:2:3:4:5:6:1.2.3.4", 19, "00010002000300040005000601020304"},
        {"1:2:3:4:5:6:7::", 15, "00010002000300040005000600070000"},
        {"2001:db8::1]:443", 11, "20010db8000000000000000000000001"},
        {"2001:db8::1: connection closed", 11, "20010db8000000000000000000000001"},
        {"a:b:c:d:e:f:0:1,", 15, "000a000b000c000d000e000f00000001"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lsc_ip ip;
        size_t l = p6(cases[i].text, &ip);
        cr_expect_eq(l, cases[i].len, "%s: length %zu, want %zu", cases[i].text, l, cases[i].len);
        if (l != 0) {
            char h[33];
            hex16(&ip, h);
            cr_expect_str_eq(h, cases[i].hex, "%s", cases[i].text);
            cr_expect_eq(ip.family, 6);
        }
    }
}

Test(ip6, rejects_lookalikes)
{
    const char *bad[] = {
        "10:05:03",              /* a time */
        "00:1a:2b:3c:4d:5e",     /* a MAC address */
        "1::2::3",               /* two "::" */
        "12345::1",              /* group too long */
        "1:2:3:4:5:6:7:8:9",     /* nine groups */
        "1:2:3:4:5:6:7",         /* seven groups, no "::" */
        "Add::new",              /* a C++/Rust path */
        "fe80::1g",              /* runs into a letter */
        "::ffff:1.2.3.4.5",      /* runs into a version string */
        "::ffff:1.2.3",          /* short dotted tail */
        "1:2:3:4:5:6:7:1.2.3.4", /* dotted tail after seven groups */
        ":",
        "abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct lsc_ip ip;
        cr_expect_eq(p6(bad[i], &ip), 0, "%s must not parse", bad[i]);
    }
}

/*
 * Every prefix of address-like text, ending right before a protected page and, the same
 * bytes, followed by more digits the parsers must not look at: both parsers read nothing
 * past the end they are given (the IPv4 parser reads without bounds checks when 15 bytes
 * are there, the IPv6 one takes four hex digits at once when five are).
 */
Test(ip, parsers_never_read_past_the_end)
{
    const char *texts[] = {"255.255.255.255",
                           "1.2.3.4",
                           "123.123.123.1234",
                           "1.22.133.4.5",
                           "::ffff:192.0.2.128",
                           "1:2:3:4:5:6:1.2.3.4",
                           "abcd:ef01:2345:6789:abcd:ef01:2345:6789",
                           "fe80::1234:5678"};
    struct guard g = guard_new();
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        size_t len = strlen(texts[t]);
        for (size_t cut = 0; cut <= len; cut++) {
            char *p = guard_place(&g, texts[t], cut);
            char more[64];
            memcpy(more, texts[t], cut);
            memset(more + cut, '9', sizeof more - cut);
            uint8_t a[4], b[4];
            struct lsc_ip x, y;
            cr_expect_eq(lsc_ip4_parse(p, p + cut, a), lsc_ip4_parse(more, more + cut, b), "%.*s",
                         (int)cut, p);
            cr_expect_eq(lsc_ip6_parse(p, p + cut, &x), lsc_ip6_parse(more, more + cut, &y), "%.*s",
                         (int)cut, p);
        }
    }
    guard_free(&g);
}

/* A digit run touching a '.' that starts with '0' and has more digits: "01.2.3.4". */
static bool leading_zero_octet(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        bool start = i == 0 || !lsc_is_hex((unsigned char)s[i - 1]);
        size_t e = i;
        while (s[e] >= '0' && s[e] <= '9') {
            e++;
        }
        bool dotted = (e > i && s[e] == '.') || (i > 0 && s[i - 1] == '.');
        if (start && dotted && s[i] == '0' && e - i > 1) {
            return true;
        }
    }
    return false;
}

/*
 * A random address-like text into t (at least 96 bytes), NUL-terminated; its length. 1 to 8
 * groups of 1-5 hex digits, a "::" or not, a dotted tail or not (or only a dotted quad),
 * octets 0-299 - now and then with a byte changed to a hostile one.
 */
static size_t random_address(uint64_t *s, char *t)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    static const char hostile[] = ":.0aG %]1";
    size_t n = 0;
    uint64_t r = rnd(s);
    bool v4 = r % 4 == 0;
    int groups = v4 ? 0 : 1 + (int)((r >> 2) % 8);
    int gap = (r >> 5) % 3 == 0 ? -1 : (int)((r >> 7) % (unsigned)(groups + 1));
    for (int g = 0; g < groups; g++) {
        if (g == gap) {
            n += (size_t)snprintf(t + n, 96 - n, "::");
        } else if (g > 0) {
            t[n++] = ':';
        }
        int digits = 1 + (int)(rnd(s) % 10 == 0 ? 4 : rnd(s) % 4);
        for (int d = 0; d < digits; d++) {
            t[n++] = hex[rnd(s) % (sizeof hex - 1)];
        }
    }
    if (gap == groups) {
        n += (size_t)snprintf(t + n, 96 - n, "::");
    }
    if (v4 || (r >> 10) % 4 == 0) {
        if (!v4 && n > 0 && t[n - 1] != ':') {
            t[n++] = ':';
        }
        for (int o = 0; o < 4; o++) {
            n += (size_t)snprintf(t + n, 96 - n, o ? ".%u" : "%u", (unsigned)(rnd(s) % 300));
        }
    }
    if ((r >> 12) % 4 == 0 && n > 0) {
        t[rnd(s) % n] = hostile[rnd(s) % (sizeof hostile - 1)];
    }
    t[n] = '\0';
    return n;
}

/*
 * The C library's inet_pton as the model: random addresses (random_address), taken whole by
 * our parser exactly when inet_pton takes them, to the same bytes. (We also take an octet
 * with a leading zero, which inet_pton refuses: those are left out.)
 */
Test(ip, parsers_agree_with_inet_pton)
{
    uint64_t s = 88172645463325252u;
    size_t whole6 = 0, whole4 = 0;
    for (int k = 0; k < 200000; k++) {
        char t[96];
        size_t n = random_address(&s, t);
        if (leading_zero_octet(t)) {
            continue;
        }
        unsigned char want[16];
        struct lsc_ip ip;
        bool ok6 = inet_pton(AF_INET6, t, want) == 1;
        bool ours6 = lsc_ip6_parse(t, t + n, &ip) == n;
        cr_assert_eq(ours6, ok6, "%s: ours %d, inet_pton %d", t, ours6, ok6);
        if (ok6) {
            cr_assert(memcmp(ip.bytes, want, 16) == 0, "%s: other bytes", t);
            whole6++;
        }
        uint8_t a[4];
        bool ok4 = inet_pton(AF_INET, t, want) == 1;
        bool ours4 = lsc_ip4_parse(t, t + n, a) == n;
        cr_assert_eq(ours4, ok4, "%s: ours %d, inet_pton %d", t, ours4, ok4);
        if (ok4) {
            cr_assert(memcmp(a, want, 4) == 0, "%s: other bytes", t);
            whole4++;
        }
    }
    cr_expect_gt(whole6, 20000);
    cr_expect_gt(whole4, 5000);
}

/*
 * The IPv6 parser's model for an address followed by other bytes, t[0..len): the longest
 * prefix inet_pton takes, unless what follows it makes it part of something longer - a
 * letter or digit, '.' and a digit (a version string), ':' and a hex digit or ':'. Then
 * none: a shorter prefix is always followed by more of the longer one. Its length, or 0.
 */
static size_t ip6_model(const char *t, size_t len, unsigned char out[16])
{
    for (size_t l = len; l > 0; l--) {
        char pre[96];
        memcpy(pre, t, l);
        pre[l] = '\0';
        if (inet_pton(AF_INET6, pre, out) != 1) {
            continue;
        }
        unsigned char c = l < len ? (unsigned char)t[l] : 0;
        unsigned char d = l + 1 < len ? (unsigned char)t[l + 1] : 0;
        bool longer = (l < len && isalnum(c)) || (c == '.' && isdigit(d)) ||
                      (c == ':' && (isxdigit(d) || d == ':'));
        return longer ? 0 : l;
    }
    return 0;
}

/*
 * Random addresses followed by bytes that end an address or continue it - a full stop at the
 * end of a sentence, a zone, a port, a bracket, more groups - cut at every length: the
 * parser against ip6_model on both of its paths (four hex digits taken at once when five
 * bytes are there to read, one by one near the end).
 */
Test(ip6, agrees_with_a_model_when_bytes_follow)
{
    static const char after[] = ". .,:;)]%/1a-x:.9";
    uint64_t s = 0x9e3779b97f4a7c15u;
    size_t found = 0, stopped = 0, found48 = 0;
    for (int k = 0; k < 60000; k++) {
        char t[128];
        size_t n = random_address(&s, t);
        /* (half of them with 48 bytes or more to read) */
        size_t tail = 1 + (size_t)(rnd(&s) % 4) + (k % 2 == 0 && n < 48 ? 48 - n : 0);
        for (size_t x = 0; x < tail; x++) {
            t[n++] = after[rnd(&s) % (sizeof after - 1)];
        }
        t[n] = '\0';
        if (leading_zero_octet(t)) {
            continue;
        }
        size_t len = n - (size_t)(rnd(&s) % 3 == 0 ? rnd(&s) % (n + 1) : 0);
        unsigned char want[16];
        struct lsc_ip ip;
        size_t expect = ip6_model(t, len, want);
        size_t got = lsc_ip6_parse(t, t + len, &ip);
        cr_assert_eq(got, expect, "%.*s: %zu, model %zu", (int)len, t, got, expect);
        if (expect > 0) {
            cr_assert(memcmp(ip.bytes, want, 16) == 0, "%.*s: other bytes", (int)len, t);
            found++;
            found48 += len >= 48;
            stopped += expect < len && t[expect] == '.';
        }
    }
    cr_expect_gt(found, 8000, "%zu", found);
    cr_expect_gt(found48, 4000, "%zu with 48 bytes to read", found48);
    cr_expect_gt(stopped, 500, "%zu addresses before a full stop", stopped);
}

/*
 * The full form (eight groups, no "::") with 48 bytes or more to read against the model: groups of
 * 1-5 digits in both cases, now and then a group broken (a 'g', a '.', an empty group, a ninth
 * group), then bytes that may or may not end an address, then padding.
 */
Test(ip6, the_full_form_agrees_with_the_model)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    static const char after[] = " .,:;)]%/1a-xg:.9\xb1";
    static const char breakers[] = "g.:z";
    uint64_t s = 0x2d358dccaa6c78a5u;
    size_t found = 0;
    for (int k = 0; k < 100000; k++) {
        char t[128];
        size_t n = 0;
        int groups = 8 + (rnd(&s) % 16 == 0);
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                t[n++] = ':';
            }
            int digits = 1 + (int)(rnd(&s) % 32 == 0 ? 4 : rnd(&s) % 4);
            for (int d = 0; d < digits; d++) {
                t[n++] = hex[rnd(&s) % (sizeof hex - 1)];
            }
        }
        if (rnd(&s) % 8 == 0) {
            t[rnd(&s) % n] = breakers[rnd(&s) % (sizeof breakers - 1)];
        }
        size_t tail = (size_t)(rnd(&s) % 3);
        for (size_t x = 0; x < tail; x++) {
            t[n++] = after[rnd(&s) % (sizeof after - 1)];
        }
        while (n < 48 + rnd(&s) % 8) {
            t[n++] = ' ';
        }
        t[n] = '\0';
        unsigned char want[16];
        struct lsc_ip ip;
        size_t expect = ip6_model(t, n, want);
        size_t got = lsc_ip6_parse(t, t + n, &ip);
        cr_assert_eq(got, expect, "%s: %zu, model %zu", t, got, expect);
        if (expect > 0) {
            cr_assert(memcmp(ip.bytes, want, 16) == 0, "%s: other bytes", t);
            cr_assert(!ip.dotted_tail && ip.family == 6, "%s", t);
            found++;
        }
    }
    cr_expect_gt(found, 50000, "%zu", found);
}

/* The IPv4 grammar as a POSIX regular expression (leftmost-longest: the fourth octet takes as
 * many digits as it can) plus the rules around it: each octet at most 255, no digit after
 * the address and no '.' followed by one. Returns the address's length, 0 for none. */
static size_t ip4_model(const char *t, uint8_t out[4])
{
    static regex_t re;
    static bool compiled;
    if (!compiled) {
        cr_assert_eq(regcomp(&re, "^([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})",
                             REG_EXTENDED),
                     0);
        compiled = true;
    }
    regmatch_t m[5];
    if (regexec(&re, t, 5, m, 0) != 0) {
        return 0;
    }
    for (int k = 0; k < 4; k++) {
        unsigned v = (unsigned)strtoul(t + m[k + 1].rm_so, NULL, 10);
        if (v > 255) {
            return 0;
        }
        out[k] = (uint8_t)v;
    }
    size_t e = (size_t)m[0].rm_eo;
    bool digit_after = t[e] >= '0' && t[e] <= '9';
    bool dot_digit_after = t[e] == '.' && t[e + 1] >= '0' && t[e + 1] <= '9';
    return digit_after || dot_digit_after ? 0 : e;
}

/*
 * Dotted numbers (octets of 1-4 digits up to 999, now and then another separator or one
 * octet too few or too many) followed by hostile bytes, in buffers of every length up to
 * 40: the parser against the model on its three paths - fewer than 15 bytes to read, each
 * read checked against the end; 15, read without checks; 16 or more, as masks of the 16
 * bytes (ip4_parse16). Among the bytes after: those beside the digits ('/' and ':') and
 * digits and a dot with the top bit set.
 */
Test(ip4, agrees_with_a_model_at_every_buffer_length)
{
    static const char after[] = "0123456789.. :a]/\xb0\xb9\xae";
    static const char seps[] = "..........-: ";
    uint64_t s = 0x2545f4914f6cdd1du;
    size_t found = 0, found16 = 0;
    for (int k = 0; k < 300000; k++) {
        char t[64];
        size_t n = 0;
        int octets = 3 + (int)(rnd(&s) % 8 == 0 ? rnd(&s) % 3 : 1);
        for (int o = 0; o < octets; o++) {
            if (o > 0) {
                t[n++] = seps[rnd(&s) % (sizeof seps - 1)];
            }
            unsigned v = (unsigned)(rnd(&s) % 4 == 0 ? rnd(&s) % 1000 : rnd(&s) % 256);
            n += (size_t)snprintf(t + n, sizeof t - n, rnd(&s) % 16 == 0 ? "%04u" : "%u", v);
        }
        if (rnd(&s) % 2 == 0) {
            t[n++] = ' '; /* (an address ends here more often than not) */
        }
        while (n < 40) {
            t[n++] = after[rnd(&s) % (sizeof after - 1)];
        }
        size_t len = (size_t)(rnd(&s) % 41);
        t[len] = '\0';
        uint8_t a[4], b[4];
        size_t want = ip4_model(t, b);
        size_t got = lsc_ip4_parse(t, t + len, a);
        cr_assert_eq(got, want, "%s: %zu, model %zu", t, got, want);
        if (want > 0) {
            cr_assert(memcmp(a, b, 4) == 0, "%s: other bytes", t);
            found += len == 15; /* (found by the unchecked path) */
            found16 += len >= 16;
        }
    }
    cr_expect_gt(found, 500, "%zu", found);
    cr_expect_gt(found16, 10000, "%zu", found16);
}

static void expect_trunc(const char *in, unsigned v4, unsigned v6, const char *want)
{
    struct lsc_ip ip;
    memset(&ip, 0, sizeof ip);
    if (strchr(in, ':') == NULL) {
        cr_assert_neq(p4(in, ip.bytes), 0, "%s", in);
        ip.family = 4;
    } else {
        cr_assert_neq(p6(in, &ip), 0, "%s", in);
    }
    char out[LSC_IP_TEXT_MAX];
    size_t l = lsc_ip_truncate(&ip, v4, v6, out);
    cr_expect_eq(l, strlen(want), "%s -> %s (want %s)", in, out, want);
    cr_expect_str_eq(out, want, "%s /%u /%u", in, v4, v6);
}

Test(truncate, default_prefixes)
{
    expect_trunc("1.2.3.4", 24, 48, "1.2.3.0");
    expect_trunc("255.255.255.255", 24, 48, "255.255.255.0");
    expect_trunc("2001:db8:85a3:8d3:1319:8a2e:370:7348", 24, 48, "2001:db8:85a3::");
    expect_trunc("2001:db8::1", 24, 48, "2001:db8::");
    expect_trunc("fe80::1", 24, 48, "fe80::");
    expect_trunc("::1", 24, 48, "::");
}

Test(truncate, embedded_ipv4_uses_the_ipv4_mask)
{
    expect_trunc("::ffff:192.0.2.128", 24, 48, "::ffff:192.0.2.0");
    expect_trunc("::ffff:c000:280", 24, 48, "::ffff:192.0.2.0");
    expect_trunc("64:ff9b::192.0.2.33", 24, 48, "64:ff9b::192.0.2.0");
    expect_trunc("64:ff9b::c000:221", 24, 48, "64:ff9b::c000:200");
    expect_trunc("::192.0.2.33", 24, 48, "::192.0.2.0");
}

Test(truncate, other_prefix_lengths)
{
    expect_trunc("1.2.3.4", 16, 48, "1.2.0.0");
    expect_trunc("1.2.3.4", 0, 48, "0.0.0.0");
    expect_trunc("1.2.3.4", 32, 48, "1.2.3.4");
    expect_trunc("1.2.255.4", 20, 48, "1.2.240.0");
    expect_trunc("2001:db8:1:2:3:4:5:6", 24, 64, "2001:db8:1:2::");
    expect_trunc("2001:db8:ffff::", 24, 36, "2001:db8:f000::");
    expect_trunc("2001:db8:1:2:3:4:5:6", 24, 128, "2001:db8:1:2:3:4:5:6");
}

/* Every IPv4 prefix length, on random addresses (and the ones with all bits set), against a
 * model that keeps the bits one by one and inet_ntop; the embedded address of a v4-mapped
 * IPv6 one takes the same mask. */
Test(truncate, every_ipv4_prefix_length_against_a_model)
{
    uint64_t seed = 0x1b873593u;
    for (unsigned bits = 0; bits <= 32; bits++) {
        for (int k = 0; k < 64; k++) {
            uint32_t v = k == 0 ? UINT32_MAX : (uint32_t)rnd(&seed);
            uint32_t kept = 0;
            for (unsigned b = 0; b < bits; b++) {
                kept |= v & (UINT32_C(0x80000000) >> b);
            }
            struct lsc_ip ip;
            memset(&ip, 0, sizeof ip);
            ip.family = 4;
            uint8_t want_bytes[4] = {(uint8_t)(kept >> 24), (uint8_t)(kept >> 16),
                                     (uint8_t)(kept >> 8), (uint8_t)kept};
            uint8_t in_bytes[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8),
                                   (uint8_t)v};
            memcpy(ip.bytes, in_bytes, 4);
            char want[INET6_ADDRSTRLEN], out[LSC_IP_TEXT_MAX];
            cr_assert_not_null(inet_ntop(AF_INET, want_bytes, want, sizeof want));
            size_t l = lsc_ip_truncate(&ip, bits, 48, out);
            cr_assert(l == strlen(want) && memcmp(out, want, l) == 0, "%08x /%u: %.*s, want %s", v,
                      bits, (int)l, out, want);
            /* ::ffff:a.b.c.d */
            memset(ip.bytes, 0, 10);
            ip.bytes[10] = ip.bytes[11] = 0xff;
            memcpy(ip.bytes + 12, in_bytes, 4);
            ip.family = 6;
            char want6[64];
            snprintf(want6, sizeof want6, "::ffff:%s", want);
            l = lsc_ip_truncate(&ip, bits, 48, out);
            cr_assert(l == strlen(want6) && memcmp(out, want6, l) == 0, "::ffff:%08x /%u: %.*s", v,
                      bits, (int)l, out);
        }
    }
}

/*
 * lsc_ip4_truncate24_text against lsc_ip_truncate at /24: random addresses written in their
 * shortest form, with leading zeros, with escapes where a decoded scan reports raw bytes
 * (%2E, %3x, &#46;), with each octet's text at every length. Whenever it answers, it answers
 * the same; it answers for every shortest form and for nothing longer up to the last dot.
 */
Test(truncate, the_text_shortcut_at_24_agrees)
{
    uint64_t seed = 0x5bd1e995u;
    size_t taken = 0;
    for (int k = 0; k < 200000; k++) {
        uint8_t b[4];
        for (int o = 0; o < 4; o++) {
            unsigned r = (unsigned)rnd(&seed);
            b[o] = (uint8_t)(r % 4 == 0 ? r % 10 : r % 4 == 1 ? r % 100 : r >> 8);
        }
        char t[128];
        size_t n = 0;
        bool shortest = true; /* the text up to the last dot is the shortest form */
        for (int o = 0; o < 4; o++) {
            unsigned r = (unsigned)rnd(&seed);
            if (o > 0) {
                bool escaped = r % 16 == 0;
                shortest &= !escaped;
                n += (size_t)snprintf(t + n, sizeof t - n, "%s",
                                      !escaped      ? "."
                                      : r % 32 == 0 ? "%2E"
                                                    : "&#46;");
                r >>= 5;
            }
            if (r % 8 == 0) { /* leading zeros */
                n += (size_t)snprintf(t + n, sizeof t - n, "%03u", b[o]);
                shortest &= o == 3 || b[o] >= 100;
            } else if (r % 8 == 1) { /* a digit escaped */
                b[o] = (uint8_t)(b[o] % 10);
                n += (size_t)snprintf(t + n, sizeof t - n, "%%3%u", b[o]);
                shortest &= o == 3;
            } else {
                n += (size_t)snprintf(t + n, sizeof t - n, "%u", b[o]);
            }
        }
        struct lsc_ip ip;
        memset(&ip, 0, sizeof ip);
        ip.family = 4;
        memcpy(ip.bytes, b, 4);
        char want[LSC_IP_TEXT_MAX], got[LSC_IP_TEXT_MAX];
        size_t wl = lsc_ip_truncate(&ip, 24, 48, want);
        size_t gl = lsc_ip4_truncate24_text(&ip, t, n, got);
        if (gl > 0) {
            cr_assert(gl == wl && memcmp(got, want, wl) == 0, "%s: %.*s, want %.*s", t, (int)gl,
                      got, (int)wl, want);
            taken++;
        }
        cr_assert_eq(gl > 0, shortest, "%s: %s", t, gl > 0 ? "taken" : "not taken");
    }
    cr_expect_gt(taken, 50000, "%zu", taken);
    /* the examples */
    struct lsc_ip ip = {.family = 4, .bytes = {10, 1, 2, 3}};
    char out[LSC_IP_TEXT_MAX];
    cr_expect_eq(lsc_ip4_truncate24_text(&ip, "10.1.2.3", 8, out), 8);
    cr_expect(memcmp(out, "10.1.2.0", 8) == 0);
    cr_expect_eq(lsc_ip4_truncate24_text(&ip, "010.1.2.3", 9, out), 0);
    cr_expect_eq(lsc_ip4_truncate24_text(&ip, "10%2E1.2.3", 10, out), 0);
    cr_expect_eq(lsc_ip4_truncate24_text(&ip, "10.1.2.%33", 10, out), 8);
    cr_expect_eq(lsc_ip4_truncate24_text(&ip, "10.1.2.3%33", 11, out), 0);
}

/* Through the scan and the default policy: the address's own text where it is the shortest
 * form, rendered where it is not (leading zeros, escapes a decoded scan reports raw). */
Test(truncate, addresses_in_lines_with_and_without_the_shortcut)
{
    EXPECT_SCRUB("a 10.1.2.3 b", "a 10.1.2.0 b");
    EXPECT_SCRUB("q=10%2E1%2E2%2E3&r=1", "q=10.1.2.0&r=1");
    EXPECT_SCRUB("q=10.1.2.%33&x", "q=10.1.2.0&x");
    EXPECT_SCRUB("q=010.001.002.003 z", "q=10.1.2.0 z");
    EXPECT_SCRUB("v=&#49;0.1.2.3 w", "v=10.1.2.0 w");
    EXPECT_SCRUB("x 255.255.255.255. y", "x 255.255.255.0. y");
    EXPECT_SCRUB("u=http%3A%2F%2F10.1.2.3%2Fx", "u=http%3A%2F%2F10.1.2.0%2Fx");
    EXPECT_UNCHANGED("1.2.3.0 ok 0.0.0.0");
}

/* IPv6 addresses kept to every prefix length from 0 to 64 (to 48 written straight, by the
 * rule that the zeros after the kept groups are the longest run; past 48 by render_v6),
 * against inet_ntop of the masked bytes. Groups of every width, zero half the time. */
Test(truncate, every_short_ipv6_prefix_against_inet_ntop)
{
    uint64_t seed = 0xcc9e2d51u;
    for (unsigned bits = 0; bits <= 64; bits++) {
        for (int k = 0; k < 2000; k++) {
            uint8_t b[16];
            uint64_t r = rnd(&seed);
            for (int i = 0; i < 8; i++, r >>= 3) {
                unsigned width = (unsigned)(r & 7), v = (unsigned)rnd(&seed) & 0xffff;
                v = width < 4 ? 0 : v >> 4 * (7 - width);
                b[2 * i] = (uint8_t)(v >> 8);
                b[2 * i + 1] = (uint8_t)v;
            }
            b[0] |= 0x20; /* (never an address that embeds an IPv4 one) */
            struct lsc_ip ip;
            memset(&ip, 0, sizeof ip);
            ip.family = 6;
            memcpy(ip.bytes, b, 16);
            uint8_t masked[16] = {0};
            for (unsigned bit = 0; bit < bits; bit++) {
                masked[bit / 8] |= (uint8_t)(b[bit / 8] & (0x80u >> (bit % 8)));
            }
            char want[INET6_ADDRSTRLEN], out[LSC_IP_TEXT_MAX];
            cr_assert_not_null(inet_ntop(AF_INET6, masked, want, sizeof want));
            memset(out, 'x', sizeof out);
            size_t l = lsc_ip_truncate(&ip, 24, bits, out);
            cr_assert(l == strlen(want) && memcmp(out, want, l + 1) == 0, "/%u: %s, want %s", bits,
                      out, want);
        }
    }
    expect_trunc("2001:db8:1234:5678::1", 24, 48, "2001:db8:1234::");
    expect_trunc("2001:0:1234:5678::1", 24, 48, "2001:0:1234::");
    expect_trunc("2001:db8:0:5678::1", 24, 48, "2001:db8::");
    expect_trunc("0:0:1:5678::1", 24, 48, "0:0:1::");
    expect_trunc("0:0:0:5678::1", 24, 48, "::");
}

Test(truncate, rfc5952_output)
{
    /* Longest zero run wins; a single zero group is not compressed; lower case. */
    expect_trunc("2001:DB8:0:0:1:0:0:0", 24, 128, "2001:db8:0:0:1::");
    expect_trunc("2001:db8:0:0:1:0:0:1", 24, 128, "2001:db8::1:0:0:1");
    expect_trunc("2001:db8:0:1:1:1:1:1", 24, 128, "2001:db8:0:1:1:1:1:1");
    expect_trunc("0:0:1:0:0:0:0:2", 24, 128, "0:0:1::2");
}

/* Random addresses, half their groups zero and the rest of every width, rendered as glibc's
 * inet_ntop renders them (RFC 5952: the first longest zero run, lower case, no leading
 * zeros) - except where inet_ntop writes a dotted tail (the first five groups zero), which
 * lsc_ip_render does not. */
Test(truncate, rendered_addresses_match_inet_ntop)
{
    uint64_t seed = 0x85ebca6bu;
    for (int k = 0; k < 200000; k++) {
        uint8_t b[16];
        uint64_t r = rnd(&seed);
        for (int i = 0; i < 8; i++, r >>= 3) {
            unsigned width = (unsigned)(r & 7), v = (unsigned)rnd(&seed) & 0xffff;
            v = width < 4 ? 0 : v >> 4 * (7 - width); /* 0, or 1-4 hex digits */
            b[2 * i] = (uint8_t)(v >> 8);
            b[2 * i + 1] = (uint8_t)v;
        }
        static const uint8_t zero[10];
        if (memcmp(b, zero, sizeof zero) == 0) {
            continue;
        }
        char want[INET6_ADDRSTRLEN], out[LSC_IP_TEXT_MAX];
        cr_assert_not_null(inet_ntop(AF_INET6, b, want, sizeof want));
        memset(out, 'x', sizeof out);
        size_t l = lsc_ip_render(b, true, out);
        cr_assert(l == strlen(want) && memcmp(out, want, l + 1) == 0, "%s, want %s", out, want);
    }
}
