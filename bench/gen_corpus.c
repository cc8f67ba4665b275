/*
 * gen_corpus.c - writes a realistic nginx combined or JSON-lines API log of a given size,
 * deterministic by seed, with personal data and secrets planted in it.
 *
 *   lsc_gen_corpus [--format nginx|json|logfmt|syslog] [--size SIZE] [--seed N] [--plant-rate R]
 *                  [--planted FILE]
 *
 * Every planted value is also written, one per line, to --planted FILE, so a leak check
 * can grep the scrubbed output for each of them (grep -F -w -f FILE must find nothing).
 * The first word of each planted line is its class, then a tab, then the value.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next_u64() % n);
}

static void rand_chars(char *out, size_t n, const char *alphabet)
{
    size_t a = strlen(alphabet);
    for (size_t i = 0; i < n; i++) {
        out[i] = alphabet[pick((unsigned)a)];
    }
    out[n] = '\0';
}

static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char UPNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char DIGITS[] = "0123456789";

static FILE *planted_fp;

static void plant(const char *cls, const char *value)
{
    if (planted_fp != NULL) {
        fprintf(planted_fp, "%s\t%s\n", cls, value);
    }
}

/* Client addresses come from a pool, as in real traffic: the same visitor on many lines. */
#define POOL 4096
static char ip_pool[POOL][48];

static void make_pool(void)
{
    for (int i = 0; i < POOL; i++) {
        unsigned kind = pick(10);
        if (kind < 8) {
            snprintf(ip_pool[i], sizeof ip_pool[i], "%u.%u.%u.%u", 1 + pick(223), pick(256),
                     pick(256), 1 + pick(254));
        } else {
            snprintf(ip_pool[i], sizeof ip_pool[i], "2001:db8:%x:%x:%x:%x:%x:%x", pick(65536),
                     pick(65536), pick(65536), 1 + pick(65535), pick(65536), 1 + pick(65535));
        }
    }
}

static void card(char *out, size_t cap)
{
    static const char *const prefixes[] = {"4", "51", "55", "2221", "34", "37", "6011", "35"};
    char d[20];
    const char *pf = prefixes[pick(8)];
    size_t len = pf[0] == '3' && (pf[1] == '4' || pf[1] == '7') ? 15 : 16;
    size_t pl = strlen(pf);
    memcpy(d, pf, pl);
    for (size_t i = pl; i < len - 1; i++) {
        d[i] = (char)('0' + pick(10));
    }
    unsigned sum = 0;
    for (size_t i = 0; i < len - 1; i++) {
        unsigned v = (unsigned)(d[len - 2 - i] - '0');
        if (i % 2 == 0) {
            v *= 2;
            if (v > 9) {
                v -= 9;
            }
        }
        sum += v;
    }
    d[len - 1] = (char)('0' + (10 - sum % 10) % 10);
    d[len] = '\0';
    unsigned style = pick(3);
    if (style == 0 || len != 16) {
        snprintf(out, cap, "%s", d);
    } else {
        char sep = style == 1 ? ' ' : '-';
        snprintf(out, cap, "%.4s%c%.4s%c%.4s%c%.4s", d, sep, d + 4, sep, d + 8, sep, d + 12);
    }
}

static void iban(char *out, size_t cap)
{
    char bban[19];
    rand_chars(bban, 18, DIGITS);
    /* check digits: 98 - (BBAN + "DE00" as numbers) mod 97; D=13, E=14 */
    char num[64];
    snprintf(num, sizeof num, "%s131400", bban);
    unsigned rem = 0;
    for (const char *c = num; *c; c++) {
        rem = (rem * 10 + (unsigned)(*c - '0')) % 97;
    }
    unsigned check = 98 - rem;
    if (pick(2)) {
        snprintf(out, cap, "DE%02u%s", check, bban);
    } else {
        snprintf(out, cap, "DE%02u %.4s %.4s %.4s %.4s %.2s", check, bban, bban + 4, bban + 8,
                 bban + 12, bban + 16);
    }
}

/* Writes one planted secret or identifier into buf; returns the text to put in the line. */
static void planted_value(char *buf, size_t cap, char *ctx, size_t ctxcap)
{
    char r[160];
    unsigned k = pick(20);
    switch (k) {
    case 0:
        snprintf(r, sizeof r, "%s.%s%u@example%u.com", "jane", "doe", pick(100000), pick(100));
        snprintf(buf, cap, "%s", r);
        snprintf(ctx, ctxcap, "email=%s", r);
        plant("email", r);
        return;
    case 1: {
        unsigned n = pick(100000);
        snprintf(r, sizeof r, "user%u%%40mail.example.org", n);
        snprintf(ctx, ctxcap, "to=%s", r);
        snprintf(buf, cap, "user%u%%40mail.example.org", n);
        plant("email", buf);
        return;
    }
    case 2:
        card(r, sizeof r);
        snprintf(ctx, ctxcap, "cc=%s", r);
        break;
    case 3:
        iban(r, sizeof r);
        snprintf(ctx, ctxcap, "iban=%s", r);
        break;
    case 4: {
        char p1[40], p2[44];
        rand_chars(p1, 30, B64URL);
        rand_chars(p2, 43, B64URL);
        snprintf(r, sizeof r, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ%s.%s", p1, p2);
        snprintf(ctx, ctxcap, "jwt=%s", r);
        break;
    }
    case 5: {
        char t[33];
        rand_chars(t, 32, ALNUM);
        snprintf(r, sizeof r, "%s", t);
        snprintf(ctx, ctxcap, "access_token=%s", r);
        break;
    }
    case 6: {
        char t[17];
        rand_chars(t, 16, UPNUM);
        snprintf(r, sizeof r, "AKIA%s", t);
        snprintf(ctx, ctxcap, "k=%s", r);
        break;
    }
    case 7: {
        char t[37];
        rand_chars(t, 36, ALNUM);
        snprintf(r, sizeof r, "ghp_%s", t);
        snprintf(ctx, ctxcap, "gh=%s", r);
        break;
    }
    case 8: {
        char t[21];
        rand_chars(t, 20, B64URL);
        snprintf(r, sizeof r, "glpat-%s", t);
        snprintf(ctx, ctxcap, "gl=%s", r);
        break;
    }
    case 9: {
        char t[25];
        rand_chars(t, 24, ALNUM);
        snprintf(r, sizeof r, "xoxb-1234567890-%s", t);
        snprintf(ctx, ctxcap, "slack=%s", r);
        break;
    }
    case 10: {
        char t[25];
        rand_chars(t, 24, ALNUM);
        snprintf(r, sizeof r, "sk_live_%s", t);
        snprintf(ctx, ctxcap, "stripe=%s", r);
        break;
    }
    case 11: {
        char t[36];
        rand_chars(t, 35, B64URL);
        snprintf(r, sizeof r, "AIza%s", t);
        snprintf(ctx, ctxcap, "key=%s", r);
        break;
    }
    case 12: {
        char t[49];
        rand_chars(t, 48, B64URL);
        snprintf(r, sizeof r, "sk-proj-%s", t);
        snprintf(ctx, ctxcap, "openai=%s", r);
        break;
    }
    case 13: {
        char t[13];
        rand_chars(t, 12, ALNUM);
        snprintf(r, sizeof r, "Pw%s9", t);
        snprintf(ctx, ctxcap, "password=%s", r);
        break;
    }
    case 14: {
        char t[13];
        rand_chars(t, 12, ALNUM);
        snprintf(r, sizeof r, "S3%s", t);
        snprintf(ctx, ctxcap, "api%%5Fkey=%s", r);
        break;
    }
    case 15: {
        char t[11];
        rand_chars(t, 10, ALNUM);
        snprintf(r, sizeof r, "Hunter%s", t);
        snprintf(ctx, ctxcap, "next=https://svc:%s@db.example.net/x", r);
        break;
    }
    case 16: {
        char t[41];
        rand_chars(t, 40, B64URL);
        snprintf(r, sizeof r, "%s", t);
        snprintf(ctx, ctxcap, "auth=Bearer+%s", r);
        break;
    }
    case 17:
        snprintf(r, sizeof r, "%u.%u.%u.%u", 10 + pick(100), pick(256), pick(256), 1 + pick(254));
        snprintf(ctx, ctxcap, "fwd=%s", r);
        break;
    case 18:
        snprintf(r, sizeof r, "::ffff:%u.%u.%u.%u", 1 + pick(223), pick(256), pick(256),
                 1 + pick(254));
        snprintf(ctx, ctxcap, "peer=%s", r);
        break;
    default:
        snprintf(r, sizeof r, "fe80::%x:%x:%x", 1 + pick(65535), pick(65536), 1 + pick(65535));
        snprintf(ctx, ctxcap, "ll=%s%%25eth0", r);
        break;
    }
    static const char *const names[] = {
        "card",         "iban",         "jwt",     "secret_param", "api_key", "api_key",
        "api_key",      "api_key",      "api_key", "api_key",      "api_key", "secret_param",
        "secret_param", "url_password", "auth",    "ipv4",         "ipv6",    "ipv6"};
    plant(names[k - 2], r);
    snprintf(buf, cap, "%s", r);
}

static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
};
static const char *const paths[] = {
    "/",
    "/index.html",
    "/api/v1/items",
    "/api/v1/items/1234",
    "/static/app.3f9a1c.js",
    "/static/style.css",
    "/login",
    "/search",
    "/api/v2/orders",
    "/images/logo.png",
};
static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
static const unsigned statuses[] = {200, 200, 200, 304, 404, 500, 201, 302};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int main(int argc, char **argv)
{
    const char *format = "nginx";
    unsigned long long size = 10ull << 20;
    unsigned long long seed = 42;
    double rate = 0.3;
    const char *planted = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: lsc_gen_corpus [--format nginx|json|logfmt|syslog] [--size SIZE[K|M|G]] "
                   "[--seed N] [--plant-rate 0..1] [--planted FILE]\n");
            return 0;
        }
        if (v == NULL) {
            fprintf(stderr, "lsc_gen_corpus: %s needs a value\n", a);
            return 1;
        }
        i++;
        if (strcmp(a, "--format") == 0) {
            format = v;
        } else if (strcmp(a, "--size") == 0) {
            char *end;
            size = strtoull(v, &end, 10);
            if (*end == 'K' || *end == 'k') {
                size <<= 10;
            } else if (*end == 'M' || *end == 'm') {
                size <<= 20;
            } else if (*end == 'G' || *end == 'g') {
                size <<= 30;
            }
        } else if (strcmp(a, "--seed") == 0) {
            seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--plant-rate") == 0) {
            rate = strtod(v, NULL);
        } else if (strcmp(a, "--planted") == 0) {
            planted = v;
        } else {
            fprintf(stderr, "lsc_gen_corpus: unknown option %s\n", a);
            return 1;
        }
    }

    if (strcmp(format, "nginx") != 0 && strcmp(format, "json") != 0 &&
        strcmp(format, "logfmt") != 0 && strcmp(format, "syslog") != 0) {
        fprintf(stderr, "lsc_gen_corpus: --format must be nginx, json, logfmt or syslog\n");
        return 1;
    }
    if (planted != NULL && (planted_fp = fopen(planted, "w")) == NULL) {
        fprintf(stderr, "lsc_gen_corpus: %s: %s\n", planted, strerror(errno));
        return 1;
    }
    rng_state = seed;
    make_pool();
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    unsigned long long written = 0;
    unsigned long long t = 1700000000ull;
    bool json = strcmp(format, "json") == 0;
    bool logfmt = strcmp(format, "logfmt") == 0;
    bool syslog = strcmp(format, "syslog") == 0;
    while (written < size) {
        t += pick(3);
        const char *ip = ip_pool[pick(POOL)];
        const char *m = methods[pick(6)];
        const char *path = paths[pick(10)];
        unsigned st = statuses[pick(8)];
        const char *ua = agents[pick(6)];
        char value[256] = "", query[400] = "";
        bool planted_line = (double)(next_u64() % 1000000) / 1e6 < rate;
        if (planted_line) {
            planted_value(value, sizeof value, query, sizeof query);
            plant(strchr(ip, ':') ? "ipv6" : "ipv4", ip);
        }
        char q[420];
        snprintf(q, sizeof q, "%s%s", planted_line ? "?page=2&" : (pick(3) == 0 ? "?page=1" : ""),
                 planted_line ? query : "");
        unsigned day = 1 + (unsigned)(t / 86400 % 28);
        unsigned hh = (unsigned)(t / 3600 % 24), mm = (unsigned)(t / 60 % 60),
                 ss = (unsigned)(t % 60);
        int n;
        if (json) {
            n = printf("{\"ts\":\"2026-%02u-%02uT%02u:%02u:%02u.%03uZ\",\"level\":\"info\","
                       "\"client_ip\":\"%s\",\"method\":\"%s\",\"path\":\"%s%s\",\"status\":%u,"
                       "\"latency_ms\":%u.%u,\"user_agent\":\"%s\",\"user_id\":\"u%u\","
                       "\"msg\":\"request completed\"}\n",
                       1 + (unsigned)(t / 2419200 % 12), day, hh, mm, ss, pick(1000), ip, m, path,
                       q, st, pick(500), pick(10), ua, pick(100000));
        } else if (logfmt) {
            n = printf("ts=2026-%02u-%02uT%02u:%02u:%02uZ level=info client_ip=%s method=%s "
                       "path=\"%s%s\" status=%u latency_ms=%u.%u user_agent=\"%s\" user_id=u%u "
                       "msg=\"request completed\"\n",
                       1 + (unsigned)(t / 2419200 % 12), day, hh, mm, ss, ip, m, path, q, st,
                       pick(500), pick(10), ua, pick(100000));
        } else if (syslog && pick(2) == 0) {
            /* RFC 5424 with the request in structured data and in the message. */
            n = printf("<134>1 2026-%02u-%02uT%02u:%02u:%02uZ web%02u nginx %u access [req@32473 "
                       "ip=\"%s\" path=\"%s%s\" status=\"%u\"] %s %s%s from %s\n",
                       1 + (unsigned)(t / 2419200 % 12), day, hh, mm, ss, pick(20),
                       1000 + pick(9000), ip, path, q, st, m, path, q, ip);
        } else if (syslog) {
            n = printf("%s %2u %02u:%02u:%02u web%02u app[%u]: %s %s%s status=%u from %s ua=%s\n",
                       months[t / 2419200 % 12], day, hh, mm, ss, pick(20), 1000 + pick(9000), m,
                       path, q, st, ip, ua);
        } else {
            n = printf("%s - - [%02u/%s/2026:%02u:%02u:%02u +0000] \"%s %s%s HTTP/1.1\" %u %u "
                       "\"https://www.example.com/\" \"%s\"\n",
                       ip, day, months[t / 2419200 % 12], hh, mm, ss, m, path, q, st,
                       100 + pick(50000), ua);
        }
        if (n < 0) {
            fprintf(stderr, "lsc_gen_corpus: write error: %s\n", strerror(errno));
            return 2;
        }
        written += (unsigned long long)n;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "lsc_gen_corpus: write error: %s\n", strerror(errno));
        return 2;
    }
    if (planted_fp != NULL && fclose(planted_fp) != 0) {
        fprintf(stderr, "lsc_gen_corpus: %s: %s\n", planted, strerror(errno));
        return 2;
    }
    return 0;
}
