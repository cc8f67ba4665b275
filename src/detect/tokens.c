/*
 * tokens.c - credentials that announce themselves by shape: provider API keys with known
 * prefixes, JSON Web Tokens, "Bearer"/"Basic" credentials and PEM private key blocks.
 *
 * Token grammar: PREFIX BODY, where BODY is the maximal run of the prefix's alphabet and
 * must be at least the prefix's minimum length. JWT: "eyJ" b64url "." b64url "." b64url?
 * (the signature may be empty for alg=none). Auth: "Bearer" (any case) blanks TOKEN, or
 * "Basic" blanks BASE64 whose length is a multiple of 4; only TOKEN is reported.
 * PEM: "-----BEGIN ... PRIVATE KEY-----" through the matching "-----END ...-----", or to the
 * end of the line when the end marker is missing (fail closed).
 * Service URLs whose path is the credential: scheme "://" [userinfo "@"] HOST PATH-PREFIX
 * SECRET, where HOST is one of a few services (or a subdomain of one) and SECRET the rest
 * of the path (a webhook: Slack, Discord, Microsoft Teams, Zapier) or one segment (a
 * Telegram bot's token).
 * A Telegram bot's token without its URL: BOT-ID ":" "AA" SECRET, where BOT-ID is 6-12
 * digits starting a word (or after "bot", as the API's paths write it) and "AA" SECRET
 * 33-48 bytes of b64url ending there; only what follows the colon is reported.
 */
#include "detect.h"

#include "chars.h"

#include <pthread.h>
#include <string.h>

enum alphabet {
    ALNUM,         /* A-Z a-z 0-9 */
    ALNUM_US,      /* plus _ */
    B64URL,        /* plus _ and - */
    UPPER_NUM,     /* A-Z 0-9 */
    ALNUM_DASH,    /* plus - */
    B64URL_DOT,    /* B64URL plus . (keys of dotted parts) */
    B64,           /* A-Z a-z 0-9 + / = (standard base64) */
    B64URL_EQ,     /* B64URL plus = (Atlassian's tokens end in "=" and a checksum) */
    B64URL_DOT_EQ, /* B64URL plus . and = (Dropbox's) */
    HEX,           /* 0-9 a-f A-F */
};

struct token_kind {
    const char *prefix;
    unsigned char prefix_len;
    unsigned char min_body;
    unsigned char alphabet;
};

#define TOKEN(pfx, min, alpha)                                                                     \
    {                                                                                              \
        pfx, sizeof(pfx) - 1, min, alpha                                                           \
    }

static const struct token_kind kinds[] = {
    /* AWS access key ids: 4-letter type prefix + 16 upper-case letters/digits. */
    TOKEN("AKIA", 16, UPPER_NUM),
    TOKEN("ASIA", 16, UPPER_NUM),
    TOKEN("AGPA", 16, UPPER_NUM),
    TOKEN("AIDA", 16, UPPER_NUM),
    TOKEN("AROA", 16, UPPER_NUM),
    TOKEN("AIPA", 16, UPPER_NUM),
    TOKEN("ANPA", 16, UPPER_NUM),
    TOKEN("ANVA", 16, UPPER_NUM),
    TOKEN("APKA", 16, UPPER_NUM),
    TOKEN("ABIA", 16, UPPER_NUM),
    TOKEN("ACCA", 16, UPPER_NUM),
    /* JFrog Artifactory API keys. */
    TOKEN("AKCp", 69, ALNUM),
    /* Atlassian API tokens (ATATT3 and 186 bytes), Bitbucket app passwords. */
    TOKEN("ATATT3", 100, B64URL_EQ),
    TOKEN("ATBB", 28, ALNUM),
    /* Google API keys. */
    TOKEN("AIza", 35, B64URL),
    /* GitHub. */
    TOKEN("ghp_", 30, ALNUM),
    TOKEN("gho_", 30, ALNUM),
    TOKEN("ghu_", 30, ALNUM),
    TOKEN("ghs_", 30, ALNUM),
    TOKEN("ghr_", 30, ALNUM),
    TOKEN("github_pat_", 20, ALNUM_US),
    /* GitLab. */
    TOKEN("glpat-", 20, B64URL),
    TOKEN("glptt-", 20, B64URL),
    TOKEN("gldt-", 20, B64URL),
    TOKEN("glrt-", 20, B64URL),
    TOKEN("glsoat-", 20, B64URL),
    TOKEN("glft-", 20, B64URL),
    TOKEN("glimt-", 20, B64URL),
    TOKEN("glagent-", 20, B64URL),
    TOKEN("gloas-", 20, B64URL),
    TOKEN("glcbt-", 20, B64URL),
    /* Grafana: Cloud API keys (base64), service account tokens (glsa_ 32 _ 8). */
    TOKEN("glc_", 32, B64),
    TOKEN("glsa_", 41, ALNUM_US),
    /* Slack. */
    TOKEN("xoxb-", 10, ALNUM_DASH),
    TOKEN("xoxp-", 10, ALNUM_DASH),
    TOKEN("xoxa-", 10, ALNUM_DASH),
    TOKEN("xoxo-", 10, ALNUM_DASH),
    TOKEN("xoxr-", 10, ALNUM_DASH),
    TOKEN("xoxs-", 10, ALNUM_DASH),
    TOKEN("xapp-", 10, ALNUM_DASH),
    TOKEN("xoxe-", 10, ALNUM_DASH),
    TOKEN("xoxe.xox", 20, ALNUM_DASH), /* (configuration tokens: "xoxe.xoxp-1-...") */
    /* Stripe. */
    TOKEN("sk_live_", 16, ALNUM),
    TOKEN("sk_test_", 16, ALNUM),
    TOKEN("rk_live_", 16, ALNUM),
    TOKEN("rk_test_", 16, ALNUM),
    TOKEN("whsec_", 16, ALNUM),
    /* Shopify: admin API access tokens, shared secrets, custom and private app tokens. */
    TOKEN("shpat_", 32, ALNUM),
    TOKEN("shpss_", 32, ALNUM),
    TOKEN("shpca_", 32, ALNUM),
    TOKEN("shppa_", 32, ALNUM),
    /* Shippo. */
    TOKEN("shippo_live_", 40, ALNUM),
    TOKEN("shippo_test_", 40, ALNUM),
    /* "sk-" style keys (OpenAI sk-proj-..., Anthropic sk-ant-..., and the many look-alikes),
     * xAI, Perplexity. */
    TOKEN("sk-", 20, B64URL),
    TOKEN("xai-", 70, ALNUM),
    TOKEN("pplx-", 40, ALNUM),
    /* Mapbox secret tokens: "sk." and a JWT-like body of dotted parts. */
    TOKEN("sk.eyJ", 60, B64URL_DOT),
    /* SendGrid: SG. 22 . 43. */
    TOKEN("SG.", 66, B64URL_DOT),
    /* HashiCorp Vault: service, batch and recovery tokens. */
    TOKEN("hvs.", 24, B64URL),
    TOKEN("hvb.", 24, B64URL),
    TOKEN("hvr.", 24, B64URL),
    /* DigitalOcean: personal access, OAuth and refresh tokens (64 hex digits). */
    TOKEN("dop_v1_", 64, ALNUM),
    TOKEN("doo_v1_", 64, ALNUM),
    TOKEN("dor_v1_", 64, ALNUM),
    /* Databricks (32 hex digits), Doppler, Notion's integration secrets. */
    TOKEN("dapi", 32, ALNUM),
    TOKEN("dp.pt.", 40, ALNUM),
    TOKEN("dp.st.", 40, ALNUM),
    TOKEN("dp.ct.", 40, ALNUM),
    TOKEN("dp.sa.", 40, ALNUM),
    TOKEN("secret_", 43, ALNUM),
    /* age's secret keys (Bech32, upper case). */
    TOKEN("AGE-SECRET-KEY-1", 58, UPPER_NUM),
    /* Package registries and model hubs. */
    TOKEN("npm_", 30, ALNUM),
    TOKEN("pypi-", 50, B64URL),
    TOKEN("hf_", 30, ALNUM),
    TOKEN("dckr_", 31, B64URL), /* Docker Hub: "dckr_pat_" (and "dckr_oat_") and 27 */
    /* Twilio API key SIDs, Mailgun's private API keys, Postman, Linear, LangSmith. */
    TOKEN("SK", 32, HEX),
    TOKEN("key-", 32, HEX),
    TOKEN("PMAK-", 59, ALNUM_DASH),
    TOKEN("lin_api_", 40, ALNUM),
    TOKEN("lsv2_", 40, ALNUM_US),
    /* Groq, Pinecone, Supabase (management and secret keys), PlanetScale, Buildkite. */
    TOKEN("gsk_", 48, ALNUM),
    TOKEN("pcsk_", 40, ALNUM_US),
    TOKEN("sbp_", 40, ALNUM),
    TOKEN("sb_secret_", 24, B64URL),
    TOKEN("pscale_", 35, B64URL_DOT),
    TOKEN("bkua_", 40, ALNUM),
    /* Square access tokens and application secrets; Brevo (Sendinblue) API and SMTP keys;
     * HubSpot private app tokens ("pat-na1-" and a UUID). */
    TOKEN("sq0atp-", 22, B64URL),
    TOKEN("sq0csp-", 43, B64URL),
    TOKEN("xkeysib-", 80, ALNUM_DASH),
    TOKEN("xsmtpsib-", 80, ALNUM_DASH),
    TOKEN("pat-", 40, ALNUM_DASH),
    /* Google OAuth access tokens; Facebook/Meta access tokens ("EAA" and 90 or more: real
     * ones hold 100 and more). */
    TOKEN("ya29.", 30, B64URL_DOT),
    TOKEN("EAA", 90, ALNUM),
    /* Tailscale's auth, API and OAuth client keys ("tskey-auth-k...CNTRL-..."), 1Password's
     * service account tokens (base64 of a JSON object). */
    TOKEN("tskey-", 30, ALNUM_DASH),
    TOKEN("ops_eyJ", 200, B64),
    /* RubyGems' API keys, Pulumi's access tokens. */
    TOKEN("rubygems_", 48, HEX),
    TOKEN("pul-", 40, HEX),
    /* Tencent Cloud's SecretIds; Dropbox's short-lived access tokens ("sl." and 135 or more,
     * "sl.u." in the newer ones). */
    TOKEN("AKID", 32, ALNUM),
    TOKEN("sl.", 100, B64URL_DOT_EQ),
};

static bool in_alphabet(unsigned char c, unsigned char alpha)
{
    switch (alpha) {
    case ALNUM:
        return lsc_is_alnum(c);
    case ALNUM_US:
        return lsc_is_alnum(c) || c == '_';
    case B64URL:
        return lsc_is_b64url(c);
    case UPPER_NUM:
        return lsc_is_upper(c) || lsc_is_digit(c);
    case B64URL_DOT:
        return lsc_is_b64url(c) || c == '.';
    case B64:
        return lsc_is_alnum(c) || c == '+' || c == '/' || c == '=';
    case B64URL_EQ:
        return lsc_is_b64url(c) || c == '=';
    case B64URL_DOT_EQ:
        return lsc_is_b64url(c) || c == '.' || c == '=';
    case HEX:
        return lsc_is_hex(c);
    default:
        return lsc_is_alnum(c) || c == '-';
    }
}

/*
 * The gate before the table walk: a bit for each hash of four bytes a prefix may start
 * with, built from the table (build_by_first) - so that most words, which start like no
 * prefix ("python", "when", "github.com", "skip"), end at one load of a table of 8 KiB, and
 * a prefix added to the table is let through with no more code. It was a switch on the
 * first byte, asking for three or four bytes of each prefix: GCC inlined it into the scan's
 * letter dispatch only while it stayed small (a case for "EAA" left it out of line, +1.0 %
 * instructions on nginx), so rare first letters were asked apart; the table costs 0.3-0.5 %
 * fewer instructions on nginx than that switch did, 1.2 % fewer on syslog (RESULTS.md,
 * thirty-sixth pass).
 * Its bits start all set: a detector asked before the tables are built (a test's direct
 * call; the scan builds them first) walks the table for every word, as slowly as it must.
 */
static uint64_t gate_bits[(1u << 16) / 64] = {[0 ...(1u << 16) / 64 - 1] = ~0ull};

static inline unsigned gate_hash(const char *q)
{
    uint32_t w;
    memcpy(&w, q, 4);
    return (unsigned)((w * 0x9E3779B1u) >> 16); /* (Fibonacci hashing: the top 16 bits) */
}

static inline bool prefix_gate(const char *q)
{
    unsigned h = gate_hash(q);
    return (gate_bits[h / 64] >> (h % 64)) & 1;
}

#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The kinds by first byte of their prefix, in table order, and the second byte of each
 * (so most kinds are passed over without a look at the table), built at the first use. */
static unsigned char by_first[256][NKINDS];
static char second_by_first[256][NKINDS];
static unsigned char by_first_n[256];
/* Can a later kind's prefix hold where kind k's does (one prefix starts the other)? If not,
 * a byte whose text has k's prefix but no key after it has no key at all. */
static bool later_may_hold[NKINDS];
/* in_alphabet as a table: bit a of byte c's entry is set when c is in alphabet a (one load a
 * byte of a key's body, where the switch took a jump). */
static uint16_t alphabets[256];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void gate_add(const char *q)
{
    unsigned h = gate_hash(q);
    gate_bits[h / 64] |= 1ull << (h % 64);
}

/* Sets the gate's bits for the four bytes q[0..4) whose first have bytes are given and the
 * rest any byte of alphabet (a bit of alphabets[]), or any byte at all when it is 0. */
static void gate_add_all(char q[4], unsigned have, uint16_t alphabet)
{
    if (have == 4) {
        gate_add(q);
        return;
    }
    for (unsigned c = 0; c < 256; c++) {
        if (alphabet == 0 || (alphabets[c] & alphabet)) {
            q[have] = (char)c;
            gate_add_all(q, have + 1, alphabet);
        }
    }
}

static void build_by_first(void)
{
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned a = ALNUM; a <= HEX; a++) {
            alphabets[c] |= (uint16_t)(in_alphabet((unsigned char)c, (unsigned char)a) << a);
        }
    }
    memset(gate_bits, 0, sizeof gate_bits);
    for (size_t k = 0; k < NKINDS; k++) {
        char q[4];
        unsigned have = kinds[k].prefix_len < 4 ? kinds[k].prefix_len : 4;
        memcpy(q, kinds[k].prefix, have);
        gate_add_all(q, have, (uint16_t)(1u << kinds[k].alphabet));
    }
    /* The commands whose password is an argument (lsc_detect_argument_password): "net" and
     * any byte ("net ", "net1", "net.exe"), sqlplus, sqlldr, wpa_passphrase. No prefix starts
     * so: a word the gate lets through that holds no key is handed on to that detector. */
    static const char *const commands[] = {"net", "sqlp", "sqll", "wpa_"};
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        char q[4];
        unsigned have = (unsigned)strlen(commands[k]);
        memcpy(q, commands[k], have);
        gate_add_all(q, have, 0);
    }
    /* SQL's AS before a password's hash (IDENTIFIED WITH plugin AS '*...'), handed on to
     * lsc_detect_sql_secret: "AS", a blank and a quote or a hex literal's 0. */
    static const char blanks[] = " \t+", after[] = "'\"0";
    for (size_t b = 0; b < sizeof blanks - 1; b++) {
        for (size_t a = 0; a < sizeof after - 1; a++) {
            char q[4] = {'A', 'S', blanks[b], after[a]};
            gate_add(q);
        }
    }
    for (size_t k = 0; k < NKINDS; k++) {
        unsigned char f = (unsigned char)kinds[k].prefix[0];
        second_by_first[f][by_first_n[f]] = kinds[k].prefix[1];
        by_first[f][by_first_n[f]++] = (unsigned char)k;
        for (size_t u = k + 1; u < NKINDS; u++) {
            if (kinds[u].prefix[0] != (char)f) {
                continue;
            }
            size_t common = kinds[k].prefix_len < kinds[u].prefix_len ? kinds[k].prefix_len
                                                                      : kinds[u].prefix_len;
            if (memcmp(kinds[k].prefix, kinds[u].prefix, common) == 0) {
                later_may_hold[k] = true;
            }
        }
    }
}

/* Does q start with t's prefix, whose first two bytes it is known to hold? (Byte by byte:
 * the prefixes are short, and most differ from q at their third byte - where a call to
 * memcmp would cost more than the compare.) */
static inline bool rest_of_prefix(const char *q, const struct token_kind *t)
{
    for (unsigned k = 2; k < t->prefix_len; k++) {
        if (q[k] != t->prefix[k]) {
            return false;
        }
    }
    return true;
}

/* (Not inlined: the slow path after the gate. With one call site GCC inlined it into the
 * scan's letter dispatch, where it cost 148 k instructions a MB of nginx for 177 k saved.) */
static __attribute__((noinline)) bool token_walk(const char *p, size_t n, size_t i,
                                                 struct lsc_match *m);

void lsc_detect_tables_build(void)
{
    pthread_once(&by_first_once, build_by_first);
}

/*
 * (The commands whose password is an argument - net, sqlplus and sqlldr, wpa_passphrase -
 * are let through the gate too, and a word it let through that holds no key is handed on to
 * lsc_detect_argument_password at the end: a test of their own in the scan's letter
 * dispatch cost 0.5-1.7 % more instructions on nginx (RESULTS.md, thirtieth pass). So those
 * commands are found in 12 bytes or more, as keys are: "sqlplus a/b" at a text's end is
 * not.)
 */
bool lsc_detect_token(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 12 || !prefix_gate(p + i)) {
        return false;
    }
    return token_walk(p, n, i, m);
}

/* The key at i whose prefix's first bytes a gate let through, if any; else the SQL hash
 * after an "AS" there (lsc_detect_sql_secret) or the argument password after a command
 * (lsc_detect_argument_password). */
static bool token_walk(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    pthread_once(&by_first_once, build_by_first);
    unsigned char first = (unsigned char)p[i];
    for (size_t x = 0; x < by_first_n[first]; x++) {
        if (second_by_first[first][x] != p[i + 1]) {
            continue;
        }
        unsigned char k = by_first[first][x];
        const struct token_kind *t = &kinds[k];
        if (n - i < (size_t)t->prefix_len + t->min_body || !rest_of_prefix(p + i, t)) {
            continue;
        }
        size_t e = i + t->prefix_len;
        uint16_t alphabet = (uint16_t)(1u << t->alphabet);
        while (e < n && (alphabets[(unsigned char)p[e]] & alphabet)) {
            e++;
        }
        /* Too short, or glued to more word characters (some other identifier). */
        if (e - i - t->prefix_len < t->min_body || (e < n && lsc_is_alnum((unsigned char)p[e]))) {
            if (later_may_hold[k]) {
                continue;
            }
            return false;
        }
        m->off = i;
        m->len = e - i;
        m->cls = LSC_CLASS_API_KEY;
        return true;
    }
    return p[i] == 'A' ? lsc_detect_sql_secret(p, n, i, m)
                       : lsc_detect_argument_password(p, n, i, m);
}

size_t lsc_token_sample(size_t k, size_t body, char *out, size_t cap)
{
    static const char bytes[] = "0aA1bB2cC3dD4eE5fF6gG7hH8iI9jJ";
    if (k >= NKINDS) {
        return 0;
    }
    const struct token_kind *t = &kinds[k];
    if (body == SIZE_MAX) {
        body = t->min_body;
    }
    if ((size_t)t->prefix_len + body > cap) {
        return (size_t)t->prefix_len + body; /* (not written) */
    }
    memcpy(out, t->prefix, t->prefix_len);
    size_t len = t->prefix_len;
    for (size_t b = 0; len < (size_t)t->prefix_len + body; b++) {
        unsigned char c = (unsigned char)bytes[b % (sizeof bytes - 1)];
        if (in_alphabet(c, t->alphabet)) {
            out[len++] = (char)c;
        }
    }
    return len;
}

static size_t b64url_run(const char *p, size_t n, size_t i)
{
    size_t e = i;
    while (e < n && lsc_is_b64url((unsigned char)p[e])) {
        e++;
    }
    return e - i;
}

bool lsc_detect_jwt(const char *p, size_t n, size_t i, struct lsc_match *m, size_t *fail_until)
{
    if (n - i < 10 || memcmp(p + i, "eyJ", 3) != 0) {
        return false;
    }
    size_t h = b64url_run(p, n, i);
    *fail_until = i + h;
    if (h < 10 || i + h >= n || p[i + h] != '.') {
        return false;
    }
    size_t j = i + h + 1;
    size_t pl = b64url_run(p, n, j);
    if (pl < 2 || j + pl >= n || p[j + pl] != '.') {
        return false;
    }
    j += pl + 1;
    j += b64url_run(p, n, j);
    m->off = i;
    m->len = j - i;
    m->cls = LSC_CLASS_JWT;
    return true;
}

static bool bearer_char(unsigned char c)
{
    return lsc_is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
           c == '=' || c == '-';
}

static bool basic_char(unsigned char c)
{
    return lsc_is_alnum(c) || c == '+' || c == '/' || c == '=';
}

/* Is w[0..len) a request line's protocol, "HTTP/1.1", "HTTP/2"? (An access log's request
 * may end in the word: "GET /cb?token_type=bearer HTTP/1.1".) */
static bool protocol_word(const char *w, size_t len)
{
    if (len < 6 || memcmp(w, "HTTP/", 5) != 0) {
        return false;
    }
    for (size_t k = 5; k < len; k++) {
        if (!lsc_is_digit((unsigned char)w[k]) && w[k] != '.') {
            return false;
        }
    }
    return true;
}

bool lsc_detect_auth_scheme(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    bool bearer;
    size_t j;
    if (n - i > 7 && lsc_ieq(p + i, "bearer", 6)) {
        bearer = true;
        j = i + 6;
    } else if (n - i > 6 && lsc_ieq(p + i, "basic", 5)) {
        bearer = false;
        j = i + 5;
    } else {
        return false;
    }
    size_t sp = j;
    while (j < n && (p[j] == ' ' || p[j] == '\t')) {
        j++;
    }
    if (j == sp) {
        return false;
    }
    size_t start = j;
    bool symbol_or_digit = false;
    while (j < n && (bearer ? bearer_char((unsigned char)p[j]) : basic_char((unsigned char)p[j]))) {
        symbol_or_digit |= !lsc_is_alpha((unsigned char)p[j]);
        j++;
    }
    size_t len = j - start;
    if (bearer) {
        /* "Bearer realm", "bearer authentication": plain words are not tokens; nor is a
         * request's protocol. */
        if (len < 8 || (len < 16 && !symbol_or_digit) || protocol_word(p + start, len)) {
            return false;
        }
    } else if (len < 8 || len % 4 != 0) {
        return false;
    }
    m->off = start;
    m->len = len;
    m->cls = LSC_CLASS_AUTH;
    return true;
}

static const char *find(const char *p, size_t n, size_t from, const char *lit)
{
    return from > n ? NULL : lsc_find_lit(p + from, p + n, lit, strlen(lit));
}

bool lsc_detect_pem(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 20 || memcmp(p + i, "-----BEGIN ", 11) != 0) {
        return false;
    }
    /* The label ends at the next "-----" within a short distance. */
    size_t lab_end_limit = i + 11 + 64 < n ? i + 11 + 64 : n;
    const char *dash = find(p, lab_end_limit, i + 11, "-----");
    if (dash == NULL) {
        return false;
    }
    const char *label = p + i + 11;
    size_t label_len = (size_t)(dash - label);
    if (label_len < 11 || memcmp(dash - 11, "PRIVATE KEY", 11) != 0) {
        return false;
    }
    size_t after = (size_t)(dash - p) + 5;
    const char *end = find(p, n, after, "-----END ");
    size_t stop = n;
    if (end != NULL) {
        const char *close = find(p, n, (size_t)(end - p) + 9, "-----");
        if (close != NULL) {
            stop = (size_t)(close - p) + 5;
        }
    }
    m->off = i;
    m->len = stop - i;
    m->cls = LSC_CLASS_PRIVATE_KEY;
    return true;
}

/* A byte of a URL's path as the secret in it runs: the unreserved bytes, '%' of an escape,
 * and the separators tokens and webhook paths hold. */
static bool path_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '%' ||
           c == ':' || c == '+' || c == '=' || c == '@' || c == '!' || c == '$' || c == '*';
}

/* A service whose URLs carry a credential in their path. */
struct secret_url {
    const char *host; /* the host, or the domain its hosts are under */
    unsigned char host_len;
    bool segment;         /* the secret is one path segment (else the rest of the path) */
    const char *paths[3]; /* where the secret starts; '#' stands for 1-3 digits */
};

#define SERVICE(h, seg, ...)                                                                       \
    {                                                                                              \
        h, sizeof(h) - 1, seg, __VA_ARGS__                                                         \
    }

static const struct secret_url services[] = {
    /* (No two hosts with the same byte before ".com" or ".org": lsc_detect_secret_url tries
     * one.) https://hooks.slack.com/services/T000/B000/XXXX (also workflows and triggers) */
    SERVICE("hooks.slack.com", false, {"/services/", "/workflows/", "/triggers/"}),
    /* https://discord.com/api/webhooks/ID/TOKEN (canary., ptb., a versioned API) */
    SERVICE("discord.com", false, {"/api/webhooks/", "/api/v#/webhooks/", NULL}),
    SERVICE("discordapp.com", false, {"/api/webhooks/", "/api/v#/webhooks/", NULL}),
    /* https://api.telegram.org/botID:TOKEN/sendMessage, /file/botID:TOKEN/path */
    SERVICE("api.telegram.org", true, {"/bot", "/file/bot", NULL}),
    /* Microsoft Teams: https://TENANT.webhook.office.com/webhookb2/...,
     * https://outlook.office.com/webhook/... */
    SERVICE("office.com", false, {"/webhookb2/", "/webhook/", NULL}),
    /* https://hooks.zapier.com/hooks/catch/ID/KEY/ */
    SERVICE("hooks.zapier.com", false, {"/hooks/", NULL, NULL}),
};

/* Does the path at q (up to end) start with pattern? Returns where the pattern ends, or
 * NULL. */
static const char *path_prefix(const char *q, const char *end, const char *pattern)
{
    for (; *pattern != '\0'; pattern++) {
        if (*pattern == '#') {
            const char *d = q;
            while (q < end && q - d < 3 && lsc_is_digit((unsigned char)*q)) {
                q++;
            }
            if (q == d) {
                return NULL;
            }
        } else if (q == end || *q++ != *pattern) {
            return NULL;
        }
    }
    return q;
}

/* How far a host is looked for after "://": a userinfo and a host name fit. */
#define URL_HOST_MAX 256

/* The service URL whose host (or userinfo) starts at a: lsc_detect_secret_url's match. */
static bool service_url(const char *p, size_t n, size_t a, struct lsc_match *m)
{
    size_t lim = n - a > URL_HOST_MAX ? a + URL_HOST_MAX : n;
    const char *slash = memchr(p + a, '/', lim - a);
    if (slash == NULL) {
        return false;
    }
    size_t path = (size_t)(slash - p), he = path;
    while (he > a && lsc_is_digit((unsigned char)p[he - 1])) {
        he--; /* a port */
    }
    he = he < path && p[he - 1] == ':' ? he - 1 : path;
    /* Every service's host name ends in ".com" or ".org", and the byte before that tells
     * them apart: most hosts are passed over after a compare or two. */
    if (he - a < 10 || p[he - 4] != '.') {
        return false;
    }
    unsigned char key = lsc_lower((unsigned char)p[he - 5]);
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++) {
        const struct secret_url *u = &services[s];
        size_t hs = he - u->host_len;
        if ((unsigned char)u->host[u->host_len - 5] != key) {
            continue;
        }
        /* The host itself, or a subdomain: a '.', or the end of the userinfo, before it. */
        if (he - a < u->host_len || !lsc_ieq(p + hs, u->host, u->host_len) ||
            (hs > a && p[hs - 1] != '.' && p[hs - 1] != '@')) {
            continue;
        }
        const char *start = NULL;
        for (size_t k = 0; k < 3 && u->paths[k] != NULL && start == NULL; k++) {
            start = path_prefix(p + path, p + n, u->paths[k]);
        }
        if (start == NULL) {
            return false;
        }
        size_t e = (size_t)(start - p);
        while (e < n && (path_byte((unsigned char)p[e]) || (!u->segment && p[e] == '/'))) {
            e++;
        }
        size_t off = (size_t)(start - p);
        if (e == off) {
            return false;
        }
        /* A password before the host goes too (one match covers both): the URL names a
         * service whose credential is in it, nothing of it between is kept. */
        const char *at = memrchr(p + a, '@', hs - a);
        const char *colon = at != NULL ? memchr(p + a, ':', (size_t)(at - p) - a) : NULL;
        off = colon != NULL ? (size_t)(colon - p) + 1 : off;
        m->off = off;
        m->len = e - off;
        m->cls = LSC_CLASS_API_KEY;
        return true;
    }
    return false;
}

bool lsc_detect_secret_url(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 16 || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/') {
        return false;
    }
    return service_url(p, n, i + 3, m);
}

bool lsc_detect_service_host(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 16 || (memcmp(p + i, "hooks.", 6) != 0 && memcmp(p + i, "discord", 7) != 0)) {
        return false;
    }
    return service_url(p, n, i, m);
}

/* Bot ids (the digits before the colon) and what follows the colon: ids are 8-10 digits
 * today; the part after the colon is 35 bytes, and always starts "AA". */
#define BOT_ID_MIN 6
#define BOT_ID_MAX 12
#define BOT_SECRET_MIN 33
#define BOT_SECRET_MAX 48

bool lsc_detect_bot_token(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i <= BOT_SECRET_MIN || p[i] != ':' || p[i + 1] != 'A' || p[i + 2] != 'A') {
        return false;
    }
    /* (The id is only looked at, and may be part of an earlier match - digits a card's
     * detector took: what is reported starts after the colon.) */
    size_t d = i;
    while (d > 0 && i - d <= BOT_ID_MAX && lsc_is_digit((unsigned char)p[d - 1])) {
        d--;
    }
    if (i - d < BOT_ID_MIN || i - d > BOT_ID_MAX) {
        return false;
    }
    bool word_start = d == 0 || !lsc_is_alnum((unsigned char)p[d - 1]) ||
                      (d >= 3 && memcmp(p + d - 3, "bot", 3) == 0);
    if (!word_start) {
        return false; /* ("v2.123456789:AA..." is no bot's id; "x123456789:" neither) */
    }
    size_t e = i + 1;
    while (e < n && e - (i + 1) <= BOT_SECRET_MAX && lsc_is_b64url((unsigned char)p[e])) {
        e++;
    }
    size_t len = e - (i + 1);
    if (len < BOT_SECRET_MIN || len > BOT_SECRET_MAX) {
        return false;
    }
    m->off = i + 1;
    m->len = len;
    m->cls = LSC_CLASS_API_KEY;
    return true;
}
