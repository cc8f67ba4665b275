/*
 * secrets.c - values whose name gives them away, and passwords in URLs.
 *
 * Secret parameters: NAME SEP VALUE where SEP is "=", "%3D" (an encoded query inside a
 * URL), or ":" (headers, YAML, JSON). NAME is the run of [A-Za-z0-9_.%-] (or a JSON string
 * "NAME", also with escaped quotes \"NAME\") right before SEP; it is percent-decoded,
 * lower-cased and '-' folded to '_' before it is compared with the list below. VALUE is
 * a quoted string (its contents), or a bare run up to a delimiter. For Authorization
 * headers the value runs over spaces ("Bearer abc").
 *
 * URL passwords: scheme "://" user ":" password "@" host - the password is reported.
 */
#include "detect.h"

#include "chars.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define NAME_MAX_LEN 64

struct name {
    const char *text;
    size_t len;
};

#define NAME(s)                                                                                    \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }

/* Whole names that are secrets. (Each list's names have at least two bytes: chars.h's
 * lsc_secret_end_possible turns one-byte names away before any lookup.) */
/* clang-format off */
static const struct name exact_names[] = {
    NAME("pass"),      NAME("pwd"),        NAME("auth"),          NAME("session"),
    NAME("sid"),       NAME("sig"),        NAME("authorization"), NAME("proxy_authorization"),
    NAME("cookie"),    NAME("set_cookie"), NAME("api_key"),       NAME("apikey"),
    NAME("x_api_key"), NAME("key_secret"), NAME("credentials"),   NAME("credential"),
    NAME("otp"),       NAME("pin"),        NAME("cvv"),           NAME("cvc"),
    NAME("cvv2"),      NAME("cvc2"),       NAME("card_cvv"),      NAME("security_code"),
    NAME("secret_key_base"), /* (Rails) */
};
/* clang-format on */

/* Names ending with one of these are secrets too (db_password, csrftoken, x_amz_signature;
 * camelCase folds to one word: privateKey is privatekey). */
static const struct name suffixes[] = {
    NAME("password"),
    NAME("passwd"),
    NAME("secret"),
    NAME("token"),
    NAME("signature"),
    NAME("apikey"),
    NAME("api_key"),
    NAME("sessionid"),
    NAME("session_id"),
    NAME("private_key"),
    NAME("access_key"),
    NAME("secret_key"),
    NAME("passphrase"),
    NAME("client_key"),
    NAME("authorization"),
    NAME("privatekey"),
    NAME("accesskey"),
    NAME("secretkey"),
    NAME("clientkey"),
    NAME("account_key"), /* (Azure storage's AccountKey=) */
    NAME("accountkey"),
    NAME("password_confirmation"),
    NAME("passwordconfirmation"),
    NAME("_pass"),
    NAME("_pwd"),
    NAME("storepass"),     /* (Java keytool's -storepass, -srcstorepass, -deststorepass) */
    NAME("keypass"),       /* (and -keypass, -srckeypass, -destkeypass) */
    NAME("password_hash"), /* (a stored password: user_password_hash, passwordHash) */
    NAME("passwordhash"),
    NAME("password_digest"), /* (Rails' has_secure_password) */
    NAME("passworddigest"),
    NAME("activation_key"), /* (an account's activation or reset key: WordPress'
                               user_activation_key) */
    NAME("activationkey"),
    NAME("hmac"),        /* (a request's signature, as sig and signature: Shopify's ?hmac=,
                            x_hmac, requestHmac) */
    NAME("hmac_sha256"), /* (X-Shopify-Hmac-Sha256, hmac-sha256) */
    NAME("authkey"),     /* (an auth key: Tailscale's --authkey, --auth-key; TS_AUTHKEY) */
    NAME("auth_key"),
};

/* A space or a tab. */
static inline bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A blank, or '+' when plus: SQL's words in a form-encoded query ("IDENTIFIED+BY+"). */
static inline bool blank_or_plus(char c, bool plus)
{
    return blank(c) || (plus && c == '+');
}

/* Past at most max blanks (or '+', when plus) from j. */
static size_t skip_run(const char *p, size_t n, size_t j, size_t max, bool plus)
{
    size_t from = j;
    while (j < n && j - from < max && blank_or_plus(p[j], plus)) {
        j++;
    }
    return j;
}

/* Past at most max blanks from j. */
static size_t skip_blanks(const char *p, size_t n, size_t j, size_t max)
{
    return skip_run(p, n, j, max, false);
}

/* The bytes that end a bare word, as a table (one load a byte): ARG_END a blank, a line
 * break, a double quote; ARG_END_PLUS '+' and '&' in a form-encoded query (a '+' of the
 * value's own is "%2B"; '&' ends the parameter). ARG_STOP marks those that end a command
 * after the word that holds them (next_arg). A single quote inside a word is the word's
 * (mysql -ppa'ss, net user bob pa'ss: Windows and an argument vector take it as a byte):
 * ending there left the rest of the password raw. */
enum { ARG_END = 1, ARG_END_PLUS = 2, ARG_STOP = 4 };
static const unsigned char arg_byte[256] = {
    [' '] = ARG_END,
    ['\t'] = ARG_END,
    ['\r'] = ARG_END,
    ['\n'] = ARG_END,
    ['"'] = ARG_END,
    ['+'] = ARG_END_PLUS,
    ['&'] = ARG_END_PLUS | ARG_STOP,
    [';'] = ARG_STOP,
    ['|'] = ARG_STOP,
    ['`'] = ARG_STOP,
};

/* The end of a bare word from j (a flag's value, an argument), plus when it is a
 * form-encoded query's; *bits (if not NULL) gets the table's bits of the word's bytes. */
static inline size_t bare_word_end(const char *p, size_t n, size_t j, bool plus, unsigned *bits)
{
    unsigned stops = ARG_END | (plus ? ARG_END_PLUS : 0u), seen = 0;
    for (; j < n && !(arg_byte[(unsigned char)p[j]] & stops); j++) {
        seen |= arg_byte[(unsigned char)p[j]];
    }
    if (bits != NULL) {
        *bits = seen;
    }
    return j;
}

static size_t word_end(const char *p, size_t n, size_t j)
{
    return bare_word_end(p, n, j, false, NULL);
}

/* Back over at most max blanks (or '+', when plus) before e: where they start. */
static size_t run_back(const char *p, size_t e, size_t max, bool plus)
{
    size_t k = e;
    while (k > 0 && e - k < max && blank_or_plus(p[k - 1], plus)) {
        k--;
    }
    return k;
}

/* Back over at most max blanks before e: where they start. */
static size_t blanks_back(const char *p, size_t e, size_t max)
{
    return run_back(p, e, max, false);
}

/* Decoded, lower-cased, with '-' folded to '_' (x-api-key is x_api_key). */
static size_t normalise(const char *name, size_t len, char *out)
{
    size_t o = lsc_decode_name(name, len, out, NAME_MAX_LEN, false);
    for (size_t i = 0; i < o; i++) {
        out[i] = out[i] == '-' ? '_' : out[i];
    }
    return o;
}

/* normalise() for a name without a '%': nothing to decode, each byte folded (lsc_name_fold
 * lower-cases and turns '-' into '_'). */
static size_t fold_name(const char *name, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = (char)lsc_name_fold[(unsigned char)name[i]];
    }
    return len;
}

/*
 * ends[] has a bit for each pair of last two bytes (lower case, '_' for '-') some name above
 * ends in, and min_len is the shortest name: built once from the lists, so they cannot
 * disagree with them.
 */
static unsigned char ends[65536 / 8];
static size_t min_len = NAME_MAX_LEN;
static pthread_once_t ends_once = PTHREAD_ONCE_INIT;

static inline unsigned pair(unsigned char a, unsigned char b)
{
    return (unsigned)a << 8 | b;
}

static void note_end(const struct name *e)
{
    unsigned k = pair((unsigned char)e->text[e->len - 2], (unsigned char)e->text[e->len - 1]);
    ends[k / 8] |= (unsigned char)(1u << (k % 8));
    min_len = e->len < min_len ? e->len : min_len;
}

#define EXACT_COUNT (sizeof exact_names / sizeof exact_names[0])
#define SUFFIX_COUNT (sizeof suffixes / sizeof suffixes[0])
/*
 * The names by their last byte: a name is compared with the few that end as it does, not
 * with all of both lists. Indices into exact_names, then (from EXACT_COUNT on) suffixes, in
 * list order; a bucket has room for every name, so none is ever left out.
 */
static struct bucket {
    uint8_t count;
    uint8_t index[EXACT_COUNT + SUFFIX_COUNT];
} by_last[256];

_Static_assert(EXACT_COUNT + SUFFIX_COUNT < 256, "bucket indices are bytes");

static void note_last(const struct name *e, size_t index)
{
    struct bucket *b = &by_last[(unsigned char)e->text[e->len - 1]];
    b->index[b->count++] = (uint8_t)index;
}

static bool value_end(const char *p, size_t n, size_t j, bool spaces_ok);

/* The bytes value_end() may end a bare value at: it is asked only at these. Found by asking
 * it about each byte, followed by the bytes its escaped quote and "%26" look at (and a
 * parameter's "x=" after them, which a '&' ends a value before), so the table cannot
 * disagree with it. Built with ends[] (need_ends(), which
 * lsc_detect_secret_param calls before it reads any value). */
static bool may_end_value[256];

static void build_may_end(void)
{
    for (unsigned c = 0; c < 256; c++) {
        char quote[2] = {(char)c, '"'}, amp[5] = {(char)c, '2', '6', 'x', '='};
        may_end_value[c] = value_end(quote, 2, 0, false) || value_end(amp, 5, 0, false);
    }
}

static atomic_bool ends_built;

static void build_ends(void)
{
    build_may_end();
    for (size_t k = 0; k < EXACT_COUNT; k++) {
        note_end(&exact_names[k]);
        note_last(&exact_names[k], k);
    }
    for (size_t k = 0; k < SUFFIX_COUNT; k++) {
        note_end(&suffixes[k]);
        note_last(&suffixes[k], EXACT_COUNT + k);
    }
    /* the names that are secrets beside their pair (paired_name; security_code and apikey
     * end so too, but the table must not depend on that) */
    static const struct name paired[] = {NAME("code"), NAME("key")};
    note_end(&paired[0]);
    note_end(&paired[1]);
    atomic_store_explicit(&ends_built, true, memory_order_release);
}

/* ends[], min_len and may_end_value[], built at the first use (a load and a branch after
 * that). */
static void need_ends(void)
{
    if (!atomic_load_explicit(&ends_built, memory_order_acquire)) {
        pthread_once(&ends_once, build_ends);
    }
}

const unsigned char *lsc_secret_ends(void)
{
    need_ends();
    return ends;
}

/* Is norm[0..n) the name e (whole), or does it end with it (!whole)? Byte by byte from the
 * end: the names are short, and a call to memcmp costs more than most of them. */
static inline bool name_is(const char *norm, size_t n, const struct name *e, bool whole)
{
    if (whole ? e->len != n : e->len > n) {
        return false;
    }
    const char *tail = norm + n - e->len;
    for (size_t k = e->len; k > 0; k--) {
        if (tail[k - 1] != e->text[k - 1]) {
            return false;
        }
    }
    return true;
}

/*
 * A camelCase name whose last word is Pass or Pwd (dbPass, smtpPwd, adminPASS): folded, it
 * would be bypass's and compass's look-alike, so the capital that starts the word is what
 * tells them apart - after a lower-case letter or a digit. (_pass and -pwd are suffixes.)
 */
static bool camel_pass(const char *name, size_t len)
{
    size_t w = len >= 5 && lsc_ieq(name + len - 4, "pass", 4)  ? len - 4
               : len >= 4 && lsc_ieq(name + len - 3, "pwd", 3) ? len - 3
                                                               : 0;
    unsigned char before = w > 0 ? (unsigned char)name[w - 1] : 0;
    return w > 0 && name[w] == 'P' &&
           ((lsc_is_alpha(before) && !lsc_is_upper(before)) || lsc_is_digit(before));
}

/* secret_name past its gate: the name is normalised and looked up. */
static bool secret_name_lookup(const char *name, size_t len, bool has_pct, char norm[NAME_MAX_LEN],
                               size_t *nlen)
{
    size_t n = *nlen = has_pct ? normalise(name, len, norm) : fold_name(name, len, norm);
    if (n > 0 && norm[0] == '_') {
        /* A flag's dashes ("--pass=x") and leading underscores are no part of the name. */
        size_t lead = 1;
        while (lead < n && norm[lead] == '_') {
            lead++;
        }
        n = *nlen = n - lead;
        memmove(norm, norm + lead, n);
    }
    if (n > 0 && norm[n - 1] == ']') {
        /* A form's nested field, as PHP and Rails name them (user[password],
         * user%5Bpassword%5D, params[:api_key]): the name in the last brackets is the one. */
        const char *open = memrchr(norm, '[', n - 1);
        if (open == NULL) {
            return false;
        }
        size_t from = (size_t)(open - norm) + 1;
        from += from < n - 1 && norm[from] == ':';
        n = *nlen = n - 1 - from;
        memmove(norm, norm + from, n);
    }
    if (n == 0) {
        return false;
    }
    const struct bucket *b = &by_last[(unsigned char)norm[n - 1]];
    for (size_t k = 0; k < b->count; k++) {
        size_t x = b->index[k];
        if (x < EXACT_COUNT ? name_is(norm, n, &exact_names[x], true)
                            : name_is(norm, n, &suffixes[x - EXACT_COUNT], false)) {
            return true;
        }
    }
    return camel_pass(name, len);
}

/* Is a normalised name an Authorization header's? */
static bool is_authorization(const char *norm, size_t n)
{
    return (n == 13 && memcmp(norm, "authorization", 13) == 0) ||
           (n == 19 && memcmp(norm, "proxy_authorization", 19) == 0);
}

/*
 * The last name secret_name looked up in this thread, and what it found: a log repeats its
 * names ("token=" in each query), and a line dense with one name - a hostile one, or a list
 * of form fields - pays for the lookup once.
 */
static _Thread_local struct {
    size_t len; /* (0: none yet) */
    bool has_pct, found, auth;
    char name[NAME_MAX_LEN];
} last_name;

/* Are a[0..len) and b[0..len) the same bytes? (Inline: most names are 4 to 16 bytes, which two
 * loads from each end compare, and a call to memcmp costs more than that.) */
static inline bool same_name(const char *a, const char *b, size_t len)
{
    uint64_t x, y, u, v;
    if (len >= 8 && len <= 16) {
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + len - 8, 8);
        memcpy(&v, b + len - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (len >= 4 && len < 8) {
        uint32_t x4, y4, u4, v4;
        memcpy(&x4, a, 4);
        memcpy(&y4, b, 4);
        memcpy(&u4, a + len - 4, 4);
        memcpy(&v4, b + len - 4, 4);
        return ((x4 ^ y4) | (u4 ^ v4)) == 0;
    }
    return memcmp(a, b, len) == 0;
}

/* secret_name past its gate: the last name asked, or the lookup. (len is min_len to
 * NAME_MAX_LEN. The gate's test of the last two bytes is a fast path alone: a name it turns
 * away, the lookup does too.) */
static bool remembered_name(const char *name, size_t len, bool has_pct, bool *auth)
{
    if (len == last_name.len && has_pct == last_name.has_pct &&
        same_name(name, last_name.name, len)) {
        *auth = last_name.auth;
        return last_name.found;
    }
    char norm[NAME_MAX_LEN];
    size_t nlen;
    bool found = secret_name_lookup(name, len, has_pct, norm, &nlen);
    *auth = found && is_authorization(norm, nlen);
    last_name.len = len;
    last_name.has_pct = has_pct;
    last_name.found = found;
    last_name.auth = *auth;
    memcpy(last_name.name, name, len);
    return found;
}

/* lsc_secret_name, told whether the name holds a '%' (the caller has looked already). When
 * it says yes, *auth tells whether the name is an Authorization header's (is_authorization). */
static bool secret_name(const char *name, size_t len, bool has_pct, bool *auth)
{
    /* Most names (times, ports, member names like status or user_agent) are too short or
     * end in two bytes no secret name ends in. A '%' may encode any byte, so such names are
     * always decoded - but decoding only shortens a name: one shorter than the shortest
     * name ("pwd"; camel_pass's are longer: "xPwd") is none, '%' or not. */
    need_ends();
    if (len < min_len || len > NAME_MAX_LEN) {
        return false;
    }
    if (!has_pct && name[len - 1] != ']' &&
        !lsc_pair_in(ends, (unsigned char)name[len - 2], (unsigned char)name[len - 1])) {
        return false;
    }
    return remembered_name(name, len, has_pct, auth);
}

bool lsc_secret_name(const char *name, size_t len)
{
    bool auth;
    /* (secret_name's length test first: a flag's "p" or a list's "id" costs no memchr) */
    need_ends();
    if (len < min_len || len > NAME_MAX_LEN) {
        return false;
    }
    return secret_name(name, len, memchr(name, '%', len) != NULL, &auth);
}

/* Request and response headers that carry credentials or session state. */
static const struct name secret_headers[] = {
    NAME("authorization"), NAME("proxy_authorization"), NAME("cookie"),
    NAME("set_cookie"),    NAME("x_api_key"),           NAME("x_auth_token"),
};

bool lsc_secret_header(const char *name, size_t len)
{
    char norm[NAME_MAX_LEN];
    if (len == 0 || len > NAME_MAX_LEN) {
        return false;
    }
    /* Every header below ends in n, e or y, and cookie_NAME starts with c; a name with a
     * '%' may hide either. Most member names stop here, before any decoding. */
    unsigned char last = (unsigned char)name[len - 1] | 0x20;
    unsigned char first = (unsigned char)name[0] | 0x20;
    if (last != 'n' && last != 'e' && last != 'y' && first != 'c' && !memchr(name, '%', len)) {
        return false;
    }
    size_t n = normalise(name, len, norm);
    const char *h = norm;
    if (n > 7 && memcmp(h, "cookie_", 7) == 0) {
        return true; /* nginx $cookie_NAME */
    }
    if (n > 10 && memcmp(h, "sent_http_", 10) == 0) {
        h += 10;
        n -= 10;
    } else if (n > 5 && memcmp(h, "http_", 5) == 0) {
        h += 5;
        n -= 5;
    }
    for (size_t k = 0; k < sizeof secret_headers / sizeof secret_headers[0]; k++) {
        if (secret_headers[k].len == n && memcmp(h, secret_headers[k].text, n) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Does the '&' at p[j] ("%26" when len is 3) separate the next parameter from a value, or is
 * it one of the value's bytes? It separates when a name and '=' (or "%3D") follow - a
 * query's, a form's: "&next=1", "&user[email]=x", "%26next%3D1" - and when it starts a
 * character reference ("&quot;", "&amp;"). Otherwise it is the value's: "k9&Lp!2",
 * "Tr0ub4dor&3" at a line's end, "X-Api-Key: ab&cd" - a password written bare, in logfmt
 * or a header, lost its end at the '&'. (A stretch scanned decoded ends at a '=' with it,
 * text.c.) The reading stops at the first byte no name holds (another '&', "%26"), or after
 * a name longer than any: a value costs at most that much more than its length.
 */
static bool amp_separates(const char *p, size_t n, size_t j, size_t len)
{
    unsigned char b;
    if (len == 1 && lsc_entity_at(p, n, j, &b) > 0) {
        return true;
    }
    /* The name's bytes, NAME_MAX_LEN at most, then what ends it ('=', "%3D" or another);
     * most are letters, one table lookup each. */
    size_t from = j + len, lim = n - from > NAME_MAX_LEN ? from + NAME_MAX_LEN : n;
    for (size_t k = from;; k++) {
        while (k < lim && lsc_is_raw_name_byte((unsigned char)p[k])) {
            k++;
        }
        if (k >= n) {
            return false;
        }
        unsigned char c = (unsigned char)p[k];
        if (c == '=') {
            return k > from;
        }
        if (c == '%' && n - k > 2 && lsc_encoded_sep(p + k)) {
            /* "%3D" after a name; "%26" is no name's ("%26%26..." costs a look each) */
            return p[k + 1] == '3' && k > from;
        }
        if (k == lim || (c != '%' && c != '[' && c != ']')) {
            return false; /* (a name longer than any, or a byte no name holds) */
        }
    }
}

/* Ends a bare value: white space, separators and quotes; '&' and "%26" (an encoded '&')
 * before another parameter. */
static bool value_end(const char *p, size_t n, size_t j, bool spaces_ok)
{
    unsigned char c = (unsigned char)p[j];
    switch (c) {
    case ' ':
    case '\t':
        return !spaces_ok;
    case '&':
        return amp_separates(p, n, j, 1);
    case ';':
    case ',':
    case '"':
    case '\'':
    case '<':
    case '>':
    case '\r':
    case '\n':
    case '\0':
        return true;
    case ')':
    case '}':
    case ']':
        return !spaces_ok;
    case '\\':
        return j + 1 < n && p[j + 1] == '"'; /* an escaped quote ends a value inside JSON */
    case '%':
        return j + 2 < n && p[j + 1] == '2' && p[j + 2] == '6' && amp_separates(p, n, j, 3);
    default:
        return false;
    }
}

/* Finds the end of a quoted value starting after the opening quote; honours backslashes. */
static size_t quoted_end(const char *p, size_t n, size_t j, char quote, bool escaped_quote)
{
    while (j < n) {
        if (escaped_quote) {
            if (p[j] == '\\' && j + 1 < n && p[j + 1] == quote) {
                return j;
            }
            if (p[j] == '\\' && j + 2 < n && p[j + 1] == '\\') {
                j += 2; /* \\ inside an embedded string */
                continue;
            }
        } else {
            if (p[j] == '\\' && j + 1 < n) {
                j += 2;
                continue;
            }
            if (p[j] == quote) {
                return j;
            }
        }
        j++;
    }
    return n; /* unterminated: to the end of the line, fail closed */
}

/*
 * Finds the end of an array or object as a value ("password": ["a", "b"], token={"v": 1}),
 * starting at its '[' or '{' at j: just after the bracket that balances it, strings (quoted
 * by \" inside an embedded string when escaped_quote) read over; the end of the line when
 * nothing balances it (fail closed).
 */
static size_t bracket_end(const char *p, size_t n, size_t j, bool escaped_quote)
{
    size_t depth = 0;
    for (; j < n; j++) {
        switch (p[j]) {
        case '[':
        case '{':
            depth++;
            break;
        case ']':
        case '}':
            if (--depth == 0) {
                return j + 1;
            }
            break;
        case '"':
            if (!escaped_quote) {
                j = quoted_end(p, n, j + 1, '"', false); /* (at the closing quote) */
            }
            break;
        case '\\':
            if (escaped_quote && j + 1 < n && p[j + 1] == '"') {
                j = quoted_end(p, n, j + 2, '"', true) + 1; /* (at the closing \") */
            }
            break;
        default:
            break;
        }
    }
    return n;
}

/* Is the bare value v[0..len) a SQL statement's placeholder - "?", "$1" (PostgreSQL),
 * "%s" (Python's drivers) - which stands for the value and is none? ("... WHERE
 * "users"."api_key" = $1 LIMIT $2": the value is in the binds after it, lists.c.) */
static bool placeholder(const char *v, size_t len)
{
    if (len == 1) {
        return v[0] == '?';
    }
    if (len == 2 && v[0] == '%' && v[1] == 's') {
        return true;
    }
    if (len > 4 || v[0] != '$') {
        return false;
    }
    for (size_t k = 1; k < len; k++) {
        if (!lsc_is_digit((unsigned char)v[k])) {
            return false;
        }
    }
    return true;
}

/*
 * The value of a secret named before its separator, which ends at j: a quoted string (its
 * contents), an array or object (whole), or a bare run up to a delimiter (over spaces when
 * auth: an Authorization header's "Bearer abc"). quoted and esc_quoted tell how the name was
 * quoted ("name", \"name\"); json_name that it was a JSON string, whose bare value is
 * written back quoted (m->quote).
 */
static inline __attribute__((always_inline)) bool secret_value(const char *p, size_t n, size_t j,
                                                               bool quoted, bool esc_quoted,
                                                               bool auth, bool json_name,
                                                               struct lsc_match *m)
{
    j = skip_blanks(p, n, j, 4);
    if (j >= n) {
        return false;
    }
    size_t vs, ve;
    if (p[j] == '"' || p[j] == '\'') {
        vs = j + 1;
        ve = quoted_end(p, n, vs, p[j], false);
    } else if (p[j] == '\\' && j + 1 < n && p[j + 1] == '"') {
        vs = j + 2;
        ve = quoted_end(p, n, vs, '"', true);
    } else {
        vs = j;
        ve = j;
        /* A header's value may hold blanks and closing brackets ("Bearer x"); after an
         * array, the bytes glued to it are the value's, and a blank or a bracket ends it. */
        bool spaces_ok = auth;
        if (p[j] == '[' || p[j] == '{') {
            /* An array or object is taken whole: its strings are the secret ("password":
             * ["hunter2"] in JSON read as text, Go's "Authorization":["Bearer x"]). So is a
             * value in brackets ([secret] after an earlier pass): scrubbing twice gives the
             * same line, not "[secret]]". */
            ve = bracket_end(p, n, j, esc_quoted);
            spaces_ok = false;
        }
        /* Most bytes of a value cannot end it: one table lookup each. */
        for (;;) {
            while (ve < n && !may_end_value[(unsigned char)p[ve]]) {
                ve++;
            }
            if (ve >= n || value_end(p, n, ve, spaces_ok)) {
                break;
            }
            ve++;
        }
        if (auth && ve < n && (p[ve] == '"' || p[ve] == '\'' || p[ve] == '\\') && n - vs > 7 &&
            lsc_ieq(p + vs, "digest", 6) && blank(p[vs + 6])) {
            /* Digest credentials are quoted parameters (username="bob", response="..."):
             * the header runs to the end of the line - or, its quotes escaped (inside a JSON
             * string), to the first quote that is not. */
            bool escaped = p[ve] == '\\';
            while (ve < n && p[ve] != '\r' && p[ve] != '\n' && !(escaped && p[ve] == '"')) {
                ve += escaped && p[ve] == '\\' ? 2 : 1;
            }
            ve = ve < n ? ve : n;
        }
        if (ve < n && ve > vs && p[ve - 1] == '(' && (p[ve] == '\'' || p[ve] == '"')) {
            /* A call's quoted argument is the value's too (SQL's PASSWORD('hunter2')). */
            ve = quoted_end(p, n, ve + 1, p[ve], false);
            ve += ve < n;
            ve += ve < n && p[ve] == ')';
        }
        if (placeholder(p + vs, ve - vs)) {
            return false;
        }
        if (quoted || esc_quoted) {
            /* JSON-ish bare value: null/true/false are not secrets. */
            size_t l = ve - vs;
            if ((l == 4 && memcmp(p + vs, "null", 4) == 0) ||
                (l == 4 && memcmp(p + vs, "true", 4) == 0) ||
                (l == 5 && memcmp(p + vs, "false", 5) == 0)) {
                return false;
            }
        }
        while (auth && ve > vs && (p[ve - 1] == ' ' || p[ve - 1] == '\t')) {
            ve--;
        }
    }
    if (ve <= vs) {
        return false;
    }
    m->off = vs;
    m->len = ve - vs;
    m->cls = LSC_CLASS_SECRET_PARAM;
    m->quote = quoted && !esc_quoted && vs == j && json_name;
    return true;
}

bool lsc_working_directory(const char *name, size_t len, unsigned char first)
{
    return len == 3 && memcmp(name, "PWD", 3) == 0 && first == '/';
}

/* lsc_working_directory for the value from j, quoted or not. */
static bool working_directory(const char *name, size_t len, const char *p, size_t n, size_t j)
{
    j += j < n && (p[j] == '"' || p[j] == '\'') ? 1 : 0;
    return j < n && lsc_working_directory(name, len, (unsigned char)p[j]);
}

/*
 * Names that are secrets only beside another parameter of their query: OAuth's code= beside
 * state= (an authorization code: ?code=...&state=..., ?state=...&code=...) and WordPress'
 * key= after action=rp or action=resetpass (a password reset's key, valid a day). Alone,
 * code= and key= name ordinary values (?code=200, a cache's key=). Only the parameters
 * right before and after are asked: each reading back goes over one parameter, so a query
 * of many costs each byte once.
 */
static bool paired_name(const char *p, size_t s, size_t e, size_t floor)
{
    /* (a '?' or '&' right before: no quote, no bracket stands around the name) */
    return s > floor && (p[s - 1] == '?' || p[s - 1] == '&') &&
           ((e - s == 4 && memcmp(p + s, "code", 4) == 0) ||
            (e - s == 3 && memcmp(p + s, "key", 3) == 0));
}

/* The parameter before the one at s (p[s - 1] is '&'): where it starts, or SIZE_MAX when
 * no '?' or '&' starts it (a blank, a quote or floor comes first). */
static size_t parameter_before(const char *p, size_t s, size_t floor)
{
    size_t k = s - 1;
    while (k > floor) {
        char c = p[k - 1];
        if (c == '&' || c == '?') {
            return k;
        }
        if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\n' || c == '\r') {
            break;
        }
        k--;
    }
    return SIZE_MAX;
}

/* Is the paired name at s (paired_name) beside its pair? Its value starts at v. (Not inlined:
 * asked of few names, it made the detector's every call dearer.) */
static __attribute__((noinline)) bool pair_beside(const char *p, size_t n, size_t s, size_t floor,
                                                  size_t v)
{
    size_t b = p[s - 1] == '&' ? parameter_before(p, s, floor) : SIZE_MAX;
    size_t blen = b != SIZE_MAX ? s - 1 - b : 0;
    if (p[s] == 'k') {
        return (blen == 9 && memcmp(p + b, "action=rp", 9) == 0) ||
               (blen == 16 && memcmp(p + b, "action=resetpass", 16) == 0);
    }
    if (blen >= 6 && memcmp(p + b, "state=", 6) == 0) {
        return true;
    }
    /* the parameter after: past the value's bytes, a '&' and "state=" */
    size_t ve = v;
    while (ve < n && p[ve] != '&' && p[ve] != ' ' && p[ve] != '"' && p[ve] != '\'' &&
           p[ve] != '#' && p[ve] != '\n') {
        ve++;
    }
    return n - ve > 6 && p[ve] == '&' && memcmp(p + ve + 1, "state=", 6) == 0;
}

bool lsc_detect_secret_param(const char *p, size_t n, size_t i, size_t sep_len, size_t floor,
                             struct lsc_match *m)
{
    if (!lsc_may_follow_name(p, i, floor) && !(i > floor && p[i - 1] == ']')) {
        return false;
    }
    /* Walk back over optional spaces, an optional closing quote (or MySQL's backtick:
     * `users`.`api_key` = 'x'), then the name. */
    size_t e = i;
    while (e > floor && i - e < 2 && p[e - 1] == ' ') {
        e--;
    }
    bool quoted = false, esc_quoted = false;
    if (e > floor && (p[e - 1] == '"' || p[e - 1] == '\'' || p[e - 1] == '`')) {
        quoted = true;
        e--;
        if (e > floor && p[e - 1] == '\\') {
            esc_quoted = true;
            e--;
        }
    }
    size_t name_end = e;
    /* A name in brackets, as PHP and Rails name a form's nested fields (user[password]=,
     * params[:api_key]=): the name is the one in the last brackets ("%5D" is decoded with
     * the name, secret_name). */
    if (e > floor && p[e - 1] == ']') {
        e--;
    }
    /* The name's last two bytes first - where a quote, spaces or a bracket stand between the
     * name and i: at i, the text scan has asked already. (A fast path alone: a name it turns
     * away, the walk back and the lookup would too.) */
    if (e < i) {
        need_ends();
        if (!lsc_secret_end_possible(ends, p, e, floor)) {
            return false;
        }
    }
    size_t s = e;
    bool has_pct = false;
    size_t lowest = e - floor > NAME_MAX_LEN ? e - NAME_MAX_LEN : floor; /* (bounds s) */
    for (;;) {
        while (s > lowest && lsc_is_raw_name_byte((unsigned char)p[s - 1])) {
            s--;
        }
        if (s == lowest || p[s - 1] != '%') {
            break;
        }
        s--;
        has_pct = true;
        /* An encoded '=' or '&' ends the name ("a%3Db%3Dtoken%3Dx": the name is token):
         * a decoded name holds neither, and "%3D%3D%3D..." costs nothing per byte. */
        if (e - s >= 3 && lsc_encoded_sep(p + s)) {
            s += 3;
            break;
        }
    }
    /* secret_name, but for its test of the last two bytes, which the text scan (or the test
     * above) has asked already (lsc_secret_end_possible). */
    bool auth;
    need_ends();
    if (e - s < min_len || !remembered_name(p + s, e - s, has_pct, &auth)) {
        /* (or a name that is a secret beside its pair) */
        if (!paired_name(p, s, e, floor) || !pair_beside(p, n, s, floor, i + sep_len)) {
            return false;
        }
        auth = false; /* (remembered_name, when asked, said so too) */
    } else if (working_directory(p + s, e - s, p, n, i + sep_len)) {
        return false;
    }
    return secret_value(p, n, i + sep_len, quoted, esc_quoted, auth, p[name_end] == '"', m);
}

/*
 * Name/value pairs in JSON read as text ([{"name":"DB_PASSWORD","value":"x"}], HAR headers):
 * the "value" member's value is a secret when a "name" or "key" member of the same object
 * holds a secret's name or a credential header's. The object's members are read back and
 * forth from the "value" member, PAIR_REACH bytes at most, up to a brace.
 */
#define PAIR_REACH 256

/* The string after the separator at c (blanks, then "..." or \"...\"): is it a secret's or a
 * credential header's name? */
static bool names_a_secret(const char *p, size_t n, size_t c)
{
    size_t j = skip_blanks(p, n, c + 1, 3);
    bool esc = j + 1 < n && p[j] == '\\' && p[j + 1] == '"';
    if (j >= n || (p[j] != '"' && !esc)) {
        return false;
    }
    size_t s = j + 1 + esc, e = s;
    while (e < n && e - s <= NAME_MAX_LEN && p[e] != '"' && p[e] != '\\') {
        e++;
    }
    if (e >= n || e - s > NAME_MAX_LEN || (esc ? p[e] != '\\' : p[e] != '"')) {
        return false;
    }
    return lsc_secret_name(p + s, e - s) || lsc_secret_header(p + s, e - s);
}

/* Is the member name before the separator at c the quoted word w ("w" or \"w\")? *start is
 * where its opening quote is. */
static bool member_is(const char *p, size_t lo, size_t c, const char *w, size_t len, size_t *start)
{
    size_t q = c;
    if (q - lo < len + 2 || p[q - 1] != '"') {
        return false;
    }
    bool esc = p[q - 2] == '\\';
    q -= 1 + esc; /* (at the name's end) */
    if (q - lo < len + 1 + esc || !lsc_ieq(p + q - len, w, len) || p[q - len - 1] != '"' ||
        (esc && p[q - len - 2] != '\\')) {
        return false;
    }
    *start = q - len - 1 - esc;
    return true;
}

/* Is the member whose separator is at c a "name" or "key" naming a secret? (Its name is
 * read back as far as it goes, so the answer does not depend on where a reading started.) */
static bool secret_naming_member(const char *p, size_t n, size_t c)
{
    size_t at;
    return (member_is(p, 0, c, "name", 4, &at) || member_is(p, 0, c, "key", 3, &at)) &&
           names_a_secret(p, n, c);
}

bool lsc_detect_secret_pair(const char *p, size_t n, size_t i, size_t floor,
                            struct lsc_clean_span *clean, struct lsc_match *m)
{
    size_t key;
    if (!member_is(p, floor, i, "value", 5, &key)) {
        return false;
    }
    bool esc = p[i - 2] == '\\';
    /* Back over this object's earlier members, then on over its later ones; a stretch an
     * earlier "value" member's reading found clean is jumped over (within the same reach,
     * so what is found does not depend on what came before: a line of "value" members costs
     * its length, not PAIR_REACH a member). The reading back goes on before floor: a match
     * there (an address in another member) leaves the member names as they were. */
    bool named = false;
    size_t lo = key > PAIR_REACH ? key - PAIR_REACH : 0, k = key;
    while (k > lo && !named) {
        if (k > clean->lo && k <= clean->hi) {
            k = clean->lo > lo ? clean->lo : lo;
            continue;
        }
        char c = p[k - 1];
        if (c == '{' || c == '}') {
            break;
        }
        k--;
        named = c == ':' && secret_naming_member(p, n, k);
    }
    size_t from = k, hi = n - i > PAIR_REACH ? i + PAIR_REACH : n;
    k = i + 1;
    while (k < hi && !named) {
        if (k >= clean->lo && k < clean->hi) {
            k = clean->hi < hi ? clean->hi : hi;
            continue;
        }
        char c = p[k];
        if (c == '{' || c == '}') {
            break;
        }
        named = c == ':' && secret_naming_member(p, n, k);
        k++;
    }
    if (!named) {
        /* [from, k) holds no brace and no member naming a secret: read here, or jumped over
         * as clean (so it covers what the last clean stretch held of this reach). */
        clean->lo = from;
        clean->hi = k;
        return false;
    }
    return secret_value(p, n, i + 1, true, esc, false, !esc, m);
}

/* A secret's value at p[vs .. ve), replaced where it stands (no quotes added): the match,
 * when it is not empty. */
static bool secret_found(size_t vs, size_t ve, struct lsc_match *m)
{
    if (ve <= vs) {
        return false;
    }
    m->off = vs;
    m->len = ve - vs;
    m->cls = LSC_CLASS_SECRET_PARAM;
    m->quote = false;
    return true;
}

/* Is the word that ends at e (before blanks) the flag "-u" or "--user"? */
static bool user_flag_before(const char *p, size_t e)
{
    size_t k = blanks_back(p, e, 4);
    if (k == e) {
        return false;
    }
    if (k > 1 && p[k - 1] == ',' && (p[k - 2] == '"' || p[k - 2] == '\'')) {
        k -= 2; /* an argument list: "-u", "user:password" */
    }
    size_t len = k >= 6 && memcmp(p + k - 6, "--user", 6) == 0 ? 6
                 : k >= 2 && memcmp(p + k - 2, "-u", 2) == 0   ? 2
                                                               : 0;
    return len > 0 &&
           (k == len || blank(p[k - len - 1]) || p[k - len - 1] == '"' || p[k - len - 1] == '\'');
}

bool lsc_detect_flag_credentials(const char *p, size_t n, size_t i, size_t floor,
                                 struct lsc_match *m)
{
    /* The user name: back from the colon over name bytes (and '@', '+') to a blank or a
     * quote. (A time, a path or a user agent's "rv:" stops at once.) */
    size_t s = i;
    while (s > floor && i - s < LSC_USER_MAX && lsc_is_user_name_byte((unsigned char)p[s - 1])) {
        s--;
    }
    if (s == i || s == floor || !(blank(p[s - 1]) || p[s - 1] == '"' || p[s - 1] == '\'')) {
        return false;
    }
    char q = blank(p[s - 1]) ? 0 : p[s - 1];
    if (!user_flag_before(p, q != 0 ? s - 1 : s)) {
        return false;
    }
    size_t ve = i + 1;
    if (q != 0) {
        const char *end = memchr(p + ve, q, n - ve);
        ve = end != NULL ? (size_t)(end - p) : n; /* (unclosed: to the end, fail closed) */
    } else {
        ve = word_end(p, n, ve);
    }
    /* docker's -u uid:gid names no password. */
    bool numbers = true;
    for (size_t k = s; k < ve && numbers; k++) {
        numbers = k == i || lsc_is_digit((unsigned char)p[k]);
    }
    return !numbers && secret_found(i + 1, ve, m);
}

bool lsc_user_flag_before_quote(const char *p, size_t n, size_t c)
{
    /* The flag first: most quotes (an access log's) have none before them. Then the name
     * the detector reads back from a colon: at most LSC_USER_MAX bytes. */
    if (c == 0 || !user_flag_before(p, c - 1)) {
        return false;
    }
    size_t e = c;
    while (e < n && e - c <= LSC_USER_MAX && lsc_is_user_name_byte((unsigned char)p[e])) {
        e++;
    }
    return e > c && e < n && p[e] == ':';
}

bool lsc_secret_flag_name(const char *name, size_t len)
{
    /* "--no-password" turns the password off and takes no value. */
    if (len > 3 && (name[0] | 32) == 'n' && (name[1] | 32) == 'o' &&
        (name[2] == '-' || name[2] == '_')) {
        return false;
    }
    need_ends();
    return len >= min_len && memchr(name, '=', len) == NULL && lsc_secret_name(name, len);
}

/* A value in quotes from j (its opening quote), or a word: *vs and *ve. */
static void word_or_quoted(const char *p, size_t n, size_t j, size_t *vs, size_t *ve)
{
    if (p[j] == '"' || p[j] == '\'') {
        *vs = j + 1;
        *ve = quoted_end(p, n, *vs, p[j], false);
    } else {
        *vs = j;
        *ve = word_end(p, n, j);
    }
}

/*
 * The value of a flag that starts at i (its first '-') and ends at e, given as the next
 * word: one or more spaces and a value that is not the next flag; or, for a quoted flag,
 * its closing quote, a comma or spaces and the value's opening quote (argument lists:
 * ["--password", "hunter2"], '--password' 'hunter2'). Sets *vs and *ve.
 */
static bool value_after_flag(const char *p, size_t n, size_t i, size_t e, size_t *vs, size_t *ve)
{
    size_t j = e;
    char q = i > 0 && (p[i - 1] == '"' || p[i - 1] == '\'') ? p[i - 1] : 0;
    if (q != 0 && j < n && p[j] == q) {
        size_t k = ++j;
        while (j < n && j - k < 4 && (p[j] == ' ' || (p[j] == ',' && j == k))) {
            j++;
        }
        if (j == k || j >= n || p[j] != q) {
            return false;
        }
    } else {
        while (j < n && j - e < 4 && p[j] == ' ') {
            j++;
        }
        if (j == e || j >= n || p[j] == '-' || p[j] == '\t' || p[j] == '\r' || p[j] == '\n') {
            return false;
        }
    }
    word_or_quoted(p, n, j, vs, ve);
    return true;
}

/* value_after_flag in a form-encoded query, for a flag that ends at e: one to four '+' and a
 * value that is not the next flag (redis-cli+-a+hunter2). */
static bool value_after_plus(const char *p, size_t n, size_t e, size_t *vs, size_t *ve)
{
    size_t j = e;
    while (j < n && j - e < 4 && p[j] == '+') {
        j++;
    }
    if (j == e || j >= n || p[j] == '-') {
        return false;
    }
    *vs = j;
    *ve = bare_word_end(p, n, j, true, NULL);
    return true;
}

/* (Not inlined: the scan loop's '-' is rare. Inlined there with lsc_detect_short_flag, they
 * crowded lsc_detect_flag_credentials out of it - 2 % more instructions on auth.log.) */
__attribute__((noinline)) bool lsc_detect_secret_flag(const char *p, size_t n, size_t i,
                                                      struct lsc_match *m)
{
    /* A flag starts a word: after a space, a tab or a quote, or at the start. */
    if (n - i < 4 || p[i] != '-' ||
        (i > 0 && p[i - 1] != ' ' && p[i - 1] != '\t' && p[i - 1] != '"' && p[i - 1] != '\'')) {
        return false;
    }
    size_t s = i + 1 + (p[i + 1] == '-'), e = s;
    if (!lsc_is_alpha((unsigned char)p[s])) {
        return false;
    }
    while (e < n && e - s <= NAME_MAX_LEN && lsc_is_name_byte((unsigned char)p[e])) {
        e++;
    }
    size_t vs, ve;
    return lsc_secret_flag_name(p + s, e - s) && value_after_flag(p, n, i, e, &vs, &ve) &&
           secret_found(vs, ve, m);
}

/* ---- short flags of the commands that take a password in one: mysql -phunter2 ---- */

/* The commands, by the word that names them. A name that ends in '*' stands for every word
 * it starts (mysqldump, ldapsearch); the more particular comes first. */
/* clang-format off */
static const struct lsc_command commands[] = {
    /* mysql's own form, the only one it reads a password from: "mysql -p db" asks for it
     * (db is a database); "-P" is its port. */
    {"mysql*", "p", LSC_FLAG_GLUED, 0},
    {"mariadb*", "p", LSC_FLAG_GLUED, 0},
    {"sshpass", "p", LSC_FLAG_EITHER, 0},
    {"redis-cli", "a", LSC_FLAG_APART, 0},
    /* docker, podman, buildah, skopeo, nerdctl, oc, cf, az login */
    {"login", "p", LSC_FLAG_EITHER, 0},
    {"mongo*", "p", LSC_FLAG_EITHER, 0}, /* (mongo, mongosh, mongodump...; --port is theirs) */
    /* OpenLDAP's tools bind with -w; ldappasswd also sets -s (new) from -a (old). */
    {"ldappasswd", "wsa", LSC_FLAG_EITHER, 0},
    {"ldap*", "w", LSC_FLAG_EITHER, 0},
    /* SQL Server's tools and FreeTDS's */
    {"sqlcmd", "P", LSC_FLAG_EITHER, 0},
    {"bcp", "P", LSC_FLAG_EITHER, 0},
    {"osql", "P", LSC_FLAG_EITHER, 0},
    {"tsql", "P", LSC_FLAG_EITHER, 0},
    {"mosquitto_*", "P", LSC_FLAG_EITHER, 0}, /* (-p is the port) */
    {"zip", "P", LSC_FLAG_EITHER, 0},
    {"unzip", "P", LSC_FLAG_EITHER, 0},
    {"7z", "p", LSC_FLAG_GLUED, 0}, /* ("-p" alone asks for it) */
    {"7za", "p", LSC_FLAG_GLUED, 0},
    {"7zr", "p", LSC_FLAG_GLUED, 0},
    {"7zz", "p", LSC_FLAG_GLUED, 0},
    /* Samba's tools: -U user%password */
    {"smbclient", "U", LSC_FLAG_EITHER, '%'},
    {"rpcclient", "U", LSC_FLAG_EITHER, '%'},
    {"smbcacls", "U", LSC_FLAG_EITHER, '%'},
    {"smbget", "U", LSC_FLAG_EITHER, '%'},
    {"smbtree", "U", LSC_FLAG_EITHER, '%'},
    {"net", "U", LSC_FLAG_EITHER, '%'},
    {"lftp", "u", LSC_FLAG_EITHER, ','}, /* -u user,password */
    /* IPMI's client; OpenSSL's enc (-k apart: "-kfile" and "-key" are other flags); the
     * crypt(3) hash useradd and usermod set; Samba's LDAP admin password; rdesktop (its
     * "-p -" reads one); Cassandra's shell; ssh-keygen's new and old passphrases */
    {"ipmitool", "P", LSC_FLAG_EITHER, 0},
    {"openssl", "k", LSC_FLAG_APART, 0},
    {"useradd", "p", LSC_FLAG_EITHER, 0},
    {"usermod", "p", LSC_FLAG_EITHER, 0},
    {"smbpasswd", "w", LSC_FLAG_EITHER, 0},
    {"rdesktop", "p", LSC_FLAG_EITHER, 0},
    {"cqlsh", "p", LSC_FLAG_EITHER, 0},
    {"ssh-keygen", "NP", LSC_FLAG_EITHER, 0},
    /* Net-SNMP's clients: the v1/v2c community, the v3 authentication and privacy
     * passphrases (its daemons' "-c" is a configuration file); Nagios' check_snmp */
    {"snmpd", "", LSC_FLAG_EITHER, 0},
    {"snmptrapd", "", LSC_FLAG_EITHER, 0},
    {"snmp*", "cAX", LSC_FLAG_EITHER, 0},
    {"check_snmp", "CAX", LSC_FLAG_EITHER, 0},
    {"rar", "p", LSC_FLAG_GLUED, 0}, /* ("-p" alone asks, as 7z's) */
    {"unrar", "p", LSC_FLAG_GLUED, 0},
    {"ncftp*", "p", LSC_FLAG_EITHER, 0}, /* (ncftp, ncftpget, ncftpput; -P is the port) */
    /* htpasswd -b FILE USER PASSWORD (htpasswd_password) */
    {"htpasswd", "b", LSC_FLAG_POSITIONAL, 0},
};
/* clang-format on */

const struct lsc_command *lsc_short_flag_commands(size_t *count)
{
    *count = sizeof commands / sizeof commands[0];
    return commands;
}

/* The bytes a short flag's look-back for its command reads, as a table (one load a byte):
 * those of a command's name or of an argument word, those that end a command, the double
 * quote (which ends one unless an argument list's), and the others (blanks, quotes, '/' -
 * passed over). */
enum { CMD_OTHER, CMD_WORD, CMD_END, CMD_QUOTE };
static const unsigned char command_class[256] = {
    ['0' ... '9'] = CMD_WORD, ['A' ... 'Z'] = CMD_WORD, ['a' ... 'z'] = CMD_WORD, ['-'] = CMD_WORD,
    ['_'] = CMD_WORD,         ['.'] = CMD_WORD,         [';'] = CMD_END,          ['|'] = CMD_END,
    ['&'] = CMD_END,          ['\n'] = CMD_END,         ['\r'] = CMD_END,         ['('] = CMD_END,
    ['`'] = CMD_END,          ['"'] = CMD_QUOTE,
};

/* The first bytes of the commands' names: most words a look-back meets end here, at one
 * load and before any call (a chain of fourteen compares in the call cost a line of
 * "%41 -p " a fifth of its instructions). The tests look every command up by its name. */
static const bool command_first[256] = {
    ['m'] = 1, ['s'] = 1, ['r'] = 1, ['l'] = 1, ['b'] = 1, ['o'] = 1, ['t'] = 1,
    ['z'] = 1, ['u'] = 1, ['7'] = 1, ['n'] = 1, ['i'] = 1, ['c'] = 1, ['h'] = 1};

/* The command named word[0..len), whose first byte command_first holds; or NULL. */
static const struct lsc_command *named_command(const char *word, size_t len)
{
    unsigned char c = (unsigned char)word[0];
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        const char *name = commands[k].name;
        if (name[0] != (char)c) {
            continue; /* (most names, without a strlen) */
        }
        size_t nl = strlen(name);
        bool prefix = name[nl - 1] == '*';
        nl -= prefix;
        if ((prefix ? len >= nl : len == nl) && memcmp(word, name, nl) == 0) {
            return &commands[k];
        }
    }
    return NULL;
}

const struct lsc_command *lsc_short_flag_command(const char *word, size_t len)
{
    return len > 0 && command_first[(unsigned char)word[0]] ? named_command(word, len) : NULL;
}

/*
 * Does the double quote at o (after a '\\' when esc) open a flag's quoted value: one or more
 * blanks back, a word of letters, '-' and '_' that starts with '-' and a letter or a second
 * '-' (-D "cn=x", --bind-dn "cn=x")?
 *
 * Reading over such a value never crosses a quote where lsc_detect_tail_cuts cuts a line,
 * so the memo of clean tails stays equal to a full scan. A cut quote opens one of the last
 * two fields ("X" "Y" at the line's end) and has a letter after it. A look-back from inside
 * a field meets that field's opening quote first unless the field holds another quote; a
 * raw one there would be the last before the final quote, with no letter after it, and no
 * cut is made; an escaped one (\" as Apache writes it) is read over only to an opening
 * that is escaped too, and a cut quote has a blank before it, not a '\\'.
 */
static bool flag_value_opens(const char *p, size_t o, size_t esc)
{
    if (o == 0 || (p[o - 1] == '\\') != (esc != 0)) {
        return false;
    }
    size_t j = o - esc, quote = j;
    while (j > 0 && blank(p[j - 1])) {
        j--;
    }
    size_t e = j;
    while (j > 0 && (lsc_is_alpha((unsigned char)p[j - 1]) || p[j - 1] == '-' || p[j - 1] == '_')) {
        j--;
    }
    return quote > e && p[j] == '-' && (p[j + 1] == '-' || lsc_is_alpha((unsigned char)p[j + 1]));
}

/* The command a short flag at i belongs to (lsc_detect_short_flag), read back to lo; or,
 * when the look-back reaches lo with neither a command nor a command's end, `before`
 * (what a look-back from lo found). */
static const struct lsc_command *command_before(const char *p, size_t n, size_t i, size_t lo,
                                                const struct lsc_command *before)
{
    size_t k = i;
    while (k > lo) {
        unsigned char cls = command_class[(unsigned char)p[k - 1]];
        if (cls == CMD_QUOTE && !lsc_list_quote(p, n, k - 1)) {
            /* A flag's quoted value (ldapsearch -D "cn=admin,dc=x" -w pw; -D \"cn=x\" as JSON
             * writes it inside a string) is read over, back to its opening quote: a
             * quote after a non-blank, before a blank, closes one; the one that opens it
             * follows a flag (flag_value_opens). Any other ends the command ("mysql" "-px":
             * an access log's fields). */
            size_t q = k - 1, esc = q > lo && p[q - 1] == '\\', body = q - esc;
            const char *open = body > lo && !blank(p[body - 1]) && q + 1 < n && blank(p[q + 1])
                                   ? memrchr(p + lo, '"', body - lo)
                                   : NULL;
            size_t o = open != NULL ? (size_t)(open - p) : 0;
            if (open == NULL || !flag_value_opens(p, o, esc)) {
                return NULL;
            }
            k = o - esc;
            continue;
        }
        if (cls == CMD_END) {
            return NULL;
        }
        if (cls != CMD_WORD) {
            k--;
            continue;
        }
        size_t e = k;
        while (k > lo && command_class[(unsigned char)p[k - 1]] == CMD_WORD) {
            k--;
        }
        const struct lsc_command *cmd =
            command_first[(unsigned char)p[k]] ? named_command(p + k, e - k) : NULL;
        if (cmd != NULL) {
            return cmd;
        }
    }
    return before;
}

/* How many words htpasswd_password reads back for htpasswd's flags: bounded, so a line of
 * flags costs a constant each. (On, it reads to the command's end or the password: once a
 * command, see args_end.) */
#define ARGS_MAX 16

/*
 * The next of a command line's arguments from *j (where the last one ended): after blanks,
 * a word, a word in single quotes or one in escaped double quotes (\"a b\", a command inside
 * a JSON string); in an argument list (list: "-b", "f"), the next string after the closing
 * quote and a comma. Its bytes are [*s, *e): its quotes with it, but for a list's string,
 * so that a match ending there leaves the list whole. *j moves past it. False where the
 * command ends: a line break, ';', '|', '&', '`', a parenthesis, a double quote (it closes
 * what holds the command: a field, a string), the text's end, and after a word that ends
 * the command (*last). With plus, the words are those of a form-encoded query: '+' is a
 * blank, '&' ends the word and the command (the parameter's end), and so does a blank (the
 * query's: "?c=net+user+bob HTTP/1.1").
 */
static inline __attribute__((always_inline)) bool
next_arg(const char *p, size_t n, size_t *j, bool list, bool plus, size_t *s, size_t *e, bool *last)
{
    size_t k = *j;
    if (*last) {
        return false;
    }
    if (list) {
        if (k >= n || p[k] != '"') {
            return false;
        }
        k = skip_blanks(p, n, k + 1, 4);
        if (k >= n || p[k] != ',') {
            return false;
        }
        k = skip_blanks(p, n, k + 1, 4);
        if (k >= n || p[k] != '"') {
            return false;
        }
        *s = k + 1;
        *e = quoted_end(p, n, *s, '"', false);
        *j = *e;
        return true;
    }
    /* (With plus, '+' only: a raw blank ends the query, and the command with it.) */
    size_t b = k;
    if (plus) {
        while (b < n && p[b] == '+') {
            b++;
        }
    } else {
        b = skip_blanks(p, n, k, n - k);
    }
    if (b == k || b >= n) {
        return false;
    }
    char c = p[b];
    if (c == '\'' || (c == '\\' && b + 1 < n && p[b + 1] == '"')) {
        size_t q = c == '\'' ? 1 : 2,
               close = quoted_end(p, n, b + q, c == '\'' ? c : '"', c != '\'');
        if (memchr(p + b + q, '"', close - b - q) != NULL) {
            return false; /* a raw '"' inside: a field's or a string's end (the scan's cuts) */
        }
        *s = b;
        *e = *j = n - close > q ? close + q : n;
        return true;
    }
    if (c == '"' || c == ';' || c == '|' || c == '&' || c == '`' || c == '(' || c == ')' ||
        c == '\r' || c == '\n') {
        return false;
    }
    /* A bare word (as word_end reads one). One that holds a command's end ("f;", "x&&") is
     * the last: the whole word, so that a password that holds one goes whole. */
    unsigned seen;
    size_t x = bare_word_end(p, n, b, plus, &seen);
    *last = (seen & ARG_STOP) != 0; /* (with plus, a '&' after the word: the next call finds no
                                     * blank) */
    *s = b;
    *e = *j = x;
    return true;
}

/* Is p[s..e) a flag cluster of htpasswd that holds an 'n' (the password on stdout: no file
 * argument)? */
static bool dash_n(const char *p, size_t s, size_t e)
{
    if (e - s < 2 || p[s] != '-') {
        return false;
    }
    for (size_t k = s + 1; k < e; k++) { /* (a loop: clusters are short, memchr a call) */
        if (p[k] == 'n') {
            return true;
        }
    }
    return false;
}

/* Is p[s..e) a number (the value of htpasswd's -C or -r)? */
static bool number_word(const char *p, size_t s, size_t e)
{
    for (size_t k = s; k < e; k++) {
        if (!lsc_is_digit((unsigned char)p[k])) {
            return false;
        }
    }
    return e > s;
}

/*
 * htpasswd's password (the one command of LSC_FLAG_POSITIONAL): with -b, the last of its
 * arguments after the flags - FILE USER PASSWORD, or USER PASSWORD with -n - whose
 * clusters may come before or after the one with the 'b' (-n -b, -bc, -nbB; -C and -r take
 * a number). i is the '-' of that cluster; its letters end at ce. The match runs from the
 * first word after the cluster through the password: the scan goes on after a match, so
 * the flags, file and user it would pass over unread go with it. (In an argument list of a
 * JSON record each string is read by itself, and only the password goes: record.c.) With
 * two arguments and no -n (a file left out) the second is taken.
 */
static bool htpasswd_password(const char *p, size_t n, size_t i, size_t ce, size_t *args_end,
                              struct lsc_match *m)
{
    bool list = i > 0 && p[i - 1] == '"' && ce < n && p[ce] == '"';
    bool plus = i > 0 && p[i - 1] == '+'; /* (a form-encoded query's blanks) */
    bool no_file = false;
    /* The clusters before this one, back to the command word: -n -b. */
    size_t k = i;
    for (int w = 0; w < ARGS_MAX; w++) {
        while (k > 0 && (blank_or_plus(p[k - 1], plus) || p[k - 1] == ',' || p[k - 1] == '"')) {
            k--;
        }
        size_t we = k;
        while (k > 0 && !blank_or_plus(p[k - 1], plus) && p[k - 1] != ',' && p[k - 1] != '"') {
            k--;
        }
        if (k == we || (p[k] != '-' && !number_word(p, k, we))) {
            break;
        }
        no_file |= dash_n(p, k, we);
    }
    no_file |= dash_n(p, i, ce);
    size_t j = ce, first = SIZE_MAX, end[3], s, e;
    unsigned count = 0;
    bool value = false, last = false;
    while (count < 3 && next_arg(p, n, &j, list, plus, &s, &e, &last)) {
        first = first == SIZE_MAX ? s : first;
        if (value) {
            value = false; /* -C's or -r's number */
        } else if (count == 0 && e > s && p[s] == '-') {
            no_file |= dash_n(p, s, e);
            value = e - s == 2 && (p[s + 1] == 'C' || p[s + 1] == 'r');
        } else {
            end[count++] = e;
        }
    }
    unsigned want = no_file ? 2 : 3;
    if (count < want && (no_file || count != 2)) {
        /* One argument or none up to the command's end: a flag of the same command after
         * this one has those at most. */
        *args_end = j;
        return false;
    }
    return secret_found(first, end[(count < want ? count : want) - 1], m);
}

/* RabbitMQ's subcommands that take a user and a password: add_user, change_password,
 * authenticate_user (lsc_rabbitmq_password_subcommand). */
bool lsc_rabbitmq_password_subcommand(const char *word, size_t len)
{
    return (len == 8 && memcmp(word, "add_user", 8) == 0) ||
           (len == 15 && memcmp(word, "change_password", 15) == 0) ||
           (len == 17 && memcmp(word, "authenticate_user", 17) == 0);
}

/* rabbitmqctl's flags that take a value apart: -n/--node, -t/--timeout, -p/--vhost. */
static bool rabbitmq_value_flag(const char *p, size_t s, size_t e)
{
    size_t len = e - s;
    return (len == 2 && (p[s + 1] == 'n' || p[s + 1] == 't' || p[s + 1] == 'p')) ||
           (len == 6 && memcmp(p + s, "--node", 6) == 0) ||
           (len == 7 && memcmp(p + s, "--vhost", 7) == 0) ||
           (len == 9 && memcmp(p + s, "--timeout", 9) == 0);
}

/* Can the scan pass over p[s..e), a word before the user (a flag, its value, the
 * subcommand), unread? Letters, digits, '-' and '_', ten bytes at most in a value: no
 * detector finds anything in such a word (a key, a card number, an IBAN take more). */
static bool plain_word(const char *p, size_t s, size_t e)
{
    /* (A table: letters and '-' in any word, digits and '_' in a value's.) */
    static const unsigned char plain_byte[256] = {
        ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['-'] = 1, ['0' ... '9'] = 2, ['_'] = 2,
    };
    bool flag = p[s] == '-';
    unsigned need = flag ? 1 : 3;
    for (size_t k = s; k < e; k++) {
        if (!(plain_byte[(unsigned char)p[k]] & need)) {
            return false;
        }
    }
    return flag || e - s <= 10;
}

bool lsc_detect_rabbitmq_password(const char *p, size_t n, size_t i, struct lsc_command_seen *seen,
                                  struct lsc_match *m)
{
    if (n - i < 12 || memcmp(p + i, "rabbitmqctl", 11) != 0 || i < seen->sub_end) {
        return false;
    }
    bool list = i > 0 && p[i - 1] == '"' && p[i + 11] == '"', last = false, sub = false,
         value = false, plus = p[i + 11] == '+'; /* (a form-encoded query's blanks) */
    size_t j = i + 11, s, e, first = SIZE_MAX;
    unsigned count = 0;
    /* Its flags (some with a value), the subcommand, a user, the password; flags of the
     * subcommand's among them (--pre-hashed-password). The match starts at the user, or at
     * a word before it that the scan could not pass over unread (-n rabbit@host). */
    while (count < 2 && next_arg(p, n, &j, list, plus, &s, &e, &last)) {
        bool arg = false, plain = true;
        if (value) {
            value = false;
            plain = plain_word(p, s, e);
        } else if (e - s >= 2 && p[s] == '-') {
            value = !sub && rabbitmq_value_flag(p, s, e);
            plain = plain_word(p, s, e);
        } else if (!sub) {
            if (!lsc_rabbitmq_password_subcommand(p + s, e - s)) {
                break;
            }
            sub = true;
        } else {
            arg = true;
            count++;
        }
        if (first == SIZE_MAX && (arg || !plain)) {
            first = s;
        }
    }
    if (count < 2) {
        /* No subcommand of these, or a user alone, up to j: a "rabbitmqctl" among the words
         * read finds no more after it (the same words, in the same roles). */
        seen->sub_end = j;
        return false;
    }
    return secret_found(first, e, m);
}

/*
 * Commands that take a password as a plain argument (lsc_arg_reader_start says which):
 * their words are fed to a reader one by one, which tells whether each is an option to
 * pass, the end of what it looks for, or the password. Text (lsc_detect_argument_password)
 * and a JSON record's arrays (record.c) read the same words the same way.
 */
enum arg_command { ARG_NET = 1, ARG_WPA, ARG_ORACLE };
enum { NET_SUB, NET_USER, NET_USE };

/* Does word[0..len) end in ".exe" (Windows' name for the same command)? Then len loses it. */
static size_t without_exe(const char *word, size_t len)
{
    return len > 4 && lsc_ieq(word + len - 4, ".exe", 4) ? len - 4 : len;
}

/* The command word[0..len) names, or 0 - asked of every word a reading passes (is it
 * another of these commands?): most end at the first byte's test, inline. */
static inline enum arg_command arg_command(const char *word, size_t len)
{
    if (len < 3 || (word[0] != 'n' && word[0] != 's' && word[0] != 'w')) {
        return 0;
    }
    len = without_exe(word, len);
    if ((len == 3 && memcmp(word, "net", 3) == 0) || (len == 4 && memcmp(word, "net1", 4) == 0)) {
        return ARG_NET;
    }
    if (len == 14 && memcmp(word, "wpa_passphrase", 14) == 0) {
        return ARG_WPA;
    }
    if ((len == 7 && memcmp(word, "sqlplus", 7) == 0) ||
        (len == 6 && memcmp(word, "sqlldr", 6) == 0)) {
        return ARG_ORACLE;
    }
    return 0;
}

bool lsc_arg_reader_start(struct lsc_arg_reader *r, const char *word, size_t len)
{
    *r = (struct lsc_arg_reader){0};
    r->cmd = arg_command(word, len); /* (and net's state NET_SUB, 0) */
    return r->cmd != 0;
}

/* Oracle's logon, USER/PASSWORD[@CONNECT] (sqlplus's first argument, sqlldr's first or its
 * userid=): where the user starts (*s) and the password ends (*e), if it has a password. Not:
 * "/nolog", "/ as sysdba" (the operating system's logon), a user alone (a prompt follows),
 * "@script.sql". The password ends at the last '@' before a blank (sqlplus "u/p@db as
 * sysdba"), or at the blank, or the word's end; one in double quotes, as Oracle takes a
 * password with '@' or a blank in it (u/"p@s s"@db), after its closing quote. */
static bool oracle_logon(const char *w, size_t len, size_t *s, size_t *e)
{
    size_t b = len > 7 && lsc_ieq(w, "userid=", 7) ? 7 : 0;
    size_t slash = b;
    while (slash < len && w[slash] != '/' && w[slash] != '@' && !blank(w[slash])) {
        slash++;
    }
    if (slash == b || slash >= len || w[slash] != '/') {
        return false;
    }
    /* A password in double quotes is read to its closing quote first: '@' and blanks may be
     * in it. */
    size_t from = slash + 1;
    if (from < len && w[from] == '"') {
        const char *close = memchr(w + from + 1, '"', len - from - 1);
        from = close != NULL ? (size_t)(close - w) + 1 : len;
    } else if (len - from >= 2 && w[from] == '\\' && w[from + 1] == '"') {
        /* (\"p@ss\" inside a double-quoted logon: sqlplus "sys/\"p@ss\"@db as sysdba") */
        const char *close = memmem(w + from + 2, len - from - 2, "\\\"", 2);
        from = close != NULL ? (size_t)(close - w) + 2 : len;
    }
    size_t end = from;
    while (end < len && !blank(w[end])) {
        end++;
    }
    const char *at = memrchr(w + from, '@', end - from);
    end = at != NULL ? (size_t)(at - w) : end;
    if (end == slash + 1) {
        return false;
    }
    *s = b;
    *e = end;
    return true;
}

/* Is w[0..len) name=value, an '=' before any '/' (sqlldr's control=x.ctl - not a logon whose
 * password holds one, u/p=1@db)? */
static bool name_value(const char *w, size_t len)
{
    for (size_t k = 0; k < len && w[k] != '/'; k++) {
        if (w[k] == '=') {
            return true;
        }
    }
    return false;
}

/* sqlplus's options that take a value apart: -M "HTML ON", -R 3, -C 19. */
static bool oracle_value_flag(const char *w, size_t len)
{
    if (len != 2) {
        return false;
    }
    unsigned char c = lsc_lower((unsigned char)w[1]);
    return c == 'm' || c == 'r' || c == 'c';
}

enum lsc_arg_verdict lsc_arg_reader_feed(struct lsc_arg_reader *r, const char *w, size_t len,
                                         size_t *s, size_t *e)
{
    /* A word in quotes is read inside them: '...', or \"...\" in a JSON string. */
    if (len >= 2 && w[0] == '\'') {
        w++;
        len -= len >= 2 && w[len - 2] == '\'' ? 2 : 1;
        *s = 1;
    } else if (len >= 4 && w[0] == '\\' && w[1] == '"') {
        w += 2;
        len -= len >= 4 && w[len - 4] == '\\' ? 4 : 2;
        *s = 2;
    } else {
        *s = 0;
    }
    if (len == 0) {
        return LSC_ARG_END;
    }
    size_t off = *s;
    *e = off + len;
    switch (r->cmd) {
    case ARG_NET:
        if (w[0] == '/' && r->state != NET_SUB) {
            return LSC_ARG_MORE; /* an option: /add, /domain, /user:bob, /persistent:no */
        }
        if (r->state == NET_SUB) {
            r->state = len == 4 && lsc_ieq(w, "user", 4)  ? NET_USER
                       : len == 3 && lsc_ieq(w, "use", 3) ? NET_USE
                                                          : 0;
            return r->state != 0 ? LSC_ARG_MORE : LSC_ARG_END;
        }
        if (r->state == NET_USE && !r->resource) {
            /* A drive before the resource ("Z:", "LPT1:", "*"); the resource, \\host\share
             * or a WebDAV URL. The password comes after it. */
            if (w[0] == '\\' || (len > 3 && memmem(w, len, "://", 3) != NULL)) {
                r->resource = true;
                return LSC_ARG_MORE;
            }
            if (r->count++ == 0 && len <= 5 && (w[len - 1] == ':' || (len == 1 && w[0] == '*'))) {
                return LSC_ARG_MORE;
            }
            return LSC_ARG_END;
        }
        if (r->state == NET_USER && r->count++ == 0) {
            return LSC_ARG_MORE; /* the user */
        }
        return len == 1 && w[0] == '*' ? LSC_ARG_END : LSC_ARG_SECRET; /* ('*': a prompt) */
    case ARG_WPA:
        return r->count++ == 0 ? LSC_ARG_MORE : LSC_ARG_SECRET; /* SSID, then the passphrase */
    default:
        if (r->value) {
            r->value = false;
            return LSC_ARG_MORE;
        }
        if (w[0] == '-') {
            r->value = oracle_value_flag(w, len);
            return LSC_ARG_MORE;
        }
        if (!(len > 7 && lsc_ieq(w, "userid=", 7)) && name_value(w, len)) {
            return LSC_ARG_MORE; /* sqlldr's control=x.ctl, log=x.log */
        }
        size_t ls, le;
        if ((len > 5 && memcmp(w, "HTTP/", 5) == 0) || !oracle_logon(w, len, &ls, &le)) {
            /* (an access log's request: "GET /docs/sqlplus HTTP/1.1") */
            return LSC_ARG_END;
        }
        *s = off + ls;
        *e = off + le;
        return LSC_ARG_SECRET;
    }
}

/* Can the scan pass over p[s..e), a word before a password, unread? A plain word (a user, a
 * flag), an option of net's ("/add", "/domain") or a drive ("Z:", "LPT1:"). */
static bool passable_word(const char *p, size_t s, size_t e)
{
    return plain_word(p, s, e) || (e - s >= 2 && p[s] == '/' && plain_word(p, s + 1, e)) ||
           (e - s >= 2 && e - s <= 5 && p[e - 1] == ':' && plain_word(p, s, e - 1));
}

/* Where a match that ends in an argument password starts: at the first of the count words
 * before it (from[k] to to[k]) the scan could not pass over - before its opening quote if
 * it was a double-quoted logon (bit k of quoted) - or SIZE_MAX. */
static size_t first_unpassable(const char *p, const size_t *from, const size_t *to, unsigned quoted,
                               size_t count)
{
    for (size_t k = 0; k < count; k++) {
        if (quoted & (1u << k)) {
            return from[k] - 1;
        }
        if (!passable_word(p, from[k], to[k])) {
            return from[k];
        }
    }
    return SIZE_MAX;
}

/* The double quote that closes the one at b, on its line and 256 bytes at most from it, past
 * escaped ones (\"); or SIZE_MAX. */
static size_t logon_quote_end(const char *p, size_t n, size_t b)
{
    size_t x = b + 1;
    while (x < n && x - b <= 256 && p[x] != '"' && p[x] != '\r' && p[x] != '\n') {
        x += p[x] == '\\' && x + 1 < n && p[x + 1] == '"' ? 2 : 1;
    }
    return x < n && p[x] == '"' ? x : SIZE_MAX;
}

/* sqlplus "sys/x@db as sysdba": a logon in double quotes after the blanks from j, on its
 * line, 256 bytes at most and no other quote in it but escaped ones, \" (next_arg takes a
 * double quote for the end of what holds the command). Its bytes inside the quotes are
 * [*s, *e). */
static bool double_quoted_logon(const char *p, size_t n, size_t j, size_t *s, size_t *e)
{
    size_t b = skip_blanks(p, n, j, 4);
    if (b == j || b >= n || p[b] != '"' || b + 1 >= n || blank(p[b + 1])) {
        return false;
    }
    size_t x = logon_quote_end(p, n, b);
    if (x == SIZE_MAX) {
        return false;
    }
    *s = b + 1;
    *e = x;
    return true;
}

/*
 * Does the word at i start a command, as far as the words before it show? "net" is a word of
 * prose too ("the net user count is 12"), and ends domain names: it counts as the command
 * after a path ("C:\\...\\", "/usr/bin/"), a quote or '=', at the text's start, after a byte
 * that is no letter or digit and the blanks after it ("$ ", "; ", "CommandLine: "), after an
 * option ("cmd /c", "-Command") or a word that runs a command (sudo, exec, ...; after '='
 * too: c=sudo+net) - not after another word. A '+' before "net" is a blank, as are those
 * before the word before it (a form-encoded query).
 */
static bool starts_command(const char *p, size_t i)
{
    if (i == 0) {
        return true;
    }
    bool plus = p[i - 1] == '+'; /* (a form-encoded query's blank: cmd+%2Fc+net+user) */
    if (!blank(p[i - 1]) && !plus) {
        /* A path's separator, a quote, a command's end or '=' (COMMAND=net) - not a domain's
         * dot ("mail.example.net user bob logged in") nor other bytes of a word. */
        switch (p[i - 1]) { /* (a switch: memchr is a call) */
        case '/':
        case '\\':
        case '"':
        case '\'':
        case '`':
        case '(':
        case ';':
        case '|':
        case '&':
        case '=':
            return true;
        default:
            return false;
        }
    }
    size_t e = i;
    while (e > 0 && blank_or_plus(p[e - 1], plus)) {
        e--;
    }
    size_t b = e;
    while (b > 0 && !blank_or_plus(p[b - 1], plus) && p[b - 1] != '=' && e - b < 8) {
        b--;
    }
    if (e == 0 || !lsc_is_alnum((unsigned char)p[e - 1]) || p[b] == '-' || p[b] == '/') {
        return true;
    }
    static const char *const runners[] = {"sudo", "doas", "exec", "nohup", "time",
                                          "env",  "then", "do",   "runas", "xargs"};
    for (size_t k = 0; k < sizeof runners / sizeof runners[0]; k++) {
        size_t len = strlen(runners[k]);
        if (e - b == len && memcmp(p + b, runners[k], len) == 0 &&
            (b == 0 || blank(p[b - 1]) || !lsc_is_alnum((unsigned char)p[b - 1]))) {
            return true;
        }
    }
    return false;
}

/* (Not inlined: asked at the end of lsc_detect_token, which the scan's letter dispatch
 * inlines, for every word its gate lets through and no key holds.) */
__attribute__((noinline)) bool lsc_detect_argument_password(const char *p, size_t n, size_t i,
                                                            struct lsc_match *m)
{
    if (n - i < 5) {
        return false;
    }
    unsigned char a = (unsigned char)p[i], b = (unsigned char)p[i + 1], c = (unsigned char)p[i + 2];
    if (!((a == 'n' && b == 'e' && c == 't') || (a == 's' && b == 'q' && c == 'l') ||
          (a == 'w' && b == 'p' && c == 'a'))) {
        return false; /* (other words the key detector's gate let through) */
    }
    size_t w = i;
    while (w < n && w - i < 20 &&
           (lsc_is_alnum((unsigned char)p[w]) || p[w] == '_' || p[w] == '.')) {
        w++;
    }
    struct lsc_arg_reader r;
    if (w >= n || !lsc_arg_reader_start(&r, p + i, w - i) ||
        (r.cmd == ARG_NET && !starts_command(p, i))) {
        return false;
    }
    /* (In a form-encoded query '+' stands for each blank: ?cmd=net+user+bob+x+%2Fadd.) */
    bool list = i > 0 && p[i - 1] == '"' && p[w] == '"', plus = p[w] == '+', last = false;
    size_t j = w, s, e;
    /* The words passed, read again for where the match starts only when a password is found
     * (most readings find none); bit k of quoted: word k was a double-quoted logon. */
    size_t word_from[ARGS_MAX], word_to[ARGS_MAX];
    unsigned quoted = 0;
    for (int k = 0; k < ARGS_MAX; k++) {
        bool dq = false;
        if (!next_arg(p, n, &j, list, plus, &s, &e, &last)) {
            if (list || last || r.cmd != ARG_ORACLE || !double_quoted_logon(p, n, j, &s, &e)) {
                return false;
            }
            dq = true;
            j = e + 1; /* (past its closing quote) */
        } else if (r.cmd == ARG_ORACLE && e - s >= 2 && p[e - 1] == '/' && e < n && p[e] == '"') {
            /* A password in double quotes, as Oracle takes one with '@' or a blank in it
             * (u/"p@ss"@db): the word goes on through the closing quote and what follows. */
            size_t q = logon_quote_end(p, n, e);
            if (q != SIZE_MAX) {
                e = j = word_end(p, n, q + 1);
            }
        }
        if (!dq) {
            /* Another of these commands, "sqlplus -R sqlplus -R ...": its own reading takes
             * it from here - so that no word is read by more than two readings. */
            size_t name_len = e - s;
            const char *name = lsc_command_name(p + s, &name_len);
            if (arg_command(name, name_len) != 0) {
                return false;
            }
        }
        size_t vs, ve;
        enum lsc_arg_verdict v = lsc_arg_reader_feed(&r, p + s, e - s, &vs, &ve);
        if (v == LSC_ARG_END) {
            return false;
        }
        if (v == LSC_ARG_SECRET) {
            /* From the first word the scan could not pass over, through the password - and
             * its closing quote, when the match opened before its word. */
            size_t first = first_unpassable(p, word_from, word_to, quoted, (size_t)k);
            size_t end = s + ve;
            if (first != SIZE_MAX && end < e && e - end <= 2 &&
                (p[end] == '\'' || p[end] == '\\')) {
                end = e;
            }
            return secret_found(first != SIZE_MAX ? first : s + vs, end, m);
        }
        word_from[k] = s;
        word_to[k] = e;
        quoted |= (unsigned)dq << k;
    }
    return false;
}

/* (Not inlined: see lsc_detect_secret_flag.) */
__attribute__((noinline)) bool lsc_detect_short_flag(const char *p, size_t n, size_t i,
                                                     struct lsc_command_seen *seen,
                                                     struct lsc_match *m)
{
    /* A flag starts a word: after a blank or a quote, or at the start - or after '+', a
     * blank in a form-encoded query (an admin tool's ?cmd=mysql+-uroot+-phunter2). */
    bool plus = i > 0 && p[i - 1] == '+';
    if (n - i < 3 || p[i] != '-' || !lsc_short_flag_letter((unsigned char)p[i + 1]) ||
        (i > 0 && !blank(p[i - 1]) && p[i - 1] != '"' && p[i - 1] != '\'' && !plus)) {
        return false;
    }
    /* The last look-back began at a word's '-' (no command word runs across it): this one
     * reads back to it and takes its answer from there. So a line of flags is read once. */
    const struct lsc_command *cmd = seen->from <= i ? command_before(p, n, i, seen->from, seen->cmd)
                                                    : command_before(p, n, i, 0, NULL);
    seen->from = i;
    seen->cmd = cmd;
    if (cmd == NULL) {
        return false;
    }
    if (cmd->form == LSC_FLAG_POSITIONAL) {
        if (i < seen->args_end) {
            return false; /* (read from a flag before) */
        }
        /* A cluster of letters that holds the flag (-b, -nb, -cbB), a word by itself. */
        size_t ce = i + 1;
        while (ce < n && lsc_is_alnum((unsigned char)p[ce])) {
            ce++;
        }
        return memchr(p + i + 1, cmd->flags[0], ce - i - 1) != NULL &&
               (ce == n || blank_or_plus(p[ce], plus) || p[ce] == '"') &&
               htpasswd_password(p, n, i, ce, &seen->args_end, m);
    }
    if (strchr(cmd->flags, p[i + 1]) == NULL) {
        return false;
    }
    size_t j = i + 2, vs, ve;
    /* Glued to the flag (mysql -phunter2, -p'x y', sshpass -px). The quote that opened a
     * quoted flag closes it ("-p"): no value. (A ';' glued to it is taken as the value's: a
     * program that logs its arguments joined by spaces writes "-p;x" for the password ";x".) */
    bool glued = j < n && !blank(p[j]) && p[j] != '\r' && p[j] != '\n' &&
                 !(i > 0 && p[j] == p[i - 1] && (p[j] == '"' || p[j] == '\'')) &&
                 !(plus && p[j] == '+');
    if (glued && cmd->form != LSC_FLAG_APART) {
        if (plus) {
            vs = j;
            ve = bare_word_end(p, n, j, true, NULL);
        } else {
            word_or_quoted(p, n, j, &vs, &ve);
        }
    } else if (glued || cmd->form == LSC_FLAG_GLUED ||
               !(plus ? value_after_plus(p, n, j, &vs, &ve)
                      : value_after_flag(p, n, i, j, &vs, &ve))) {
        return false;
    }
    if (cmd->after != 0) {
        /* user%password: the password after the first separator; a user alone has none. */
        const char *sep = memchr(p + vs, cmd->after, ve > vs ? ve - vs : 0);
        if (sep == NULL) {
            return false;
        }
        vs = (size_t)(sep - p) + 1;
    }
    return secret_found(vs, ve, m);
}

/* ---- XML elements: <password>hunter2</password> ---- */

/* How far an element's start tag is read for its '>' (attributes): bounded, so a line of
 * "<password " costs a constant per candidate. */
#define TAG_MAX 1024

/* Is the '<' at k the end tag of the element named qname[0..qlen): "</qname>", or
 * "<\/qname>" as JSON writes it, white space allowed before the '>'? */
static bool end_tag_at(const char *p, size_t n, size_t k, const char *qname, size_t qlen)
{
    k++;
    k += k < n && p[k] == '\\';
    if (k >= n || p[k] != '/' || n - k - 1 < qlen || memcmp(p + k + 1, qname, qlen) != 0) {
        return false;
    }
    k = skip_blanks(p, n, k + 1 + qlen, n);
    return k < n && p[k] == '>';
}

bool lsc_detect_secret_element(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    /* The element's name, namespace prefix and all (wsse:Password); its local part is the
     * one compared. */
    if (n - i < 4 || p[i] != '<' || !lsc_is_alpha((unsigned char)p[i + 1])) {
        return false;
    }
    size_t s = i + 1, e = s, local = s;
    bool has_pct = false;
    for (; e < n && e - s <= NAME_MAX_LEN; e++) {
        unsigned char c = (unsigned char)p[e];
        if (c == ':') {
            local = e + 1;
        } else if (!lsc_is_name_byte(c)) {
            break;
        }
        has_pct |= c == '%';
    }
    bool auth;
    if (e >= n || e - s > NAME_MAX_LEN || !secret_name(p + local, e - local, has_pct, &auth)) {
        return false;
    }
    /* The start tag's '>', after its attributes (their quoted values read over; a secret in
     * an attribute is name="value", the '=' detector's); "/>" ends an empty element. */
    size_t j = e;
    if (p[j] != '>') {
        if (p[j] != ' ' && p[j] != '\t' && p[j] != '\r' && p[j] != '\n') {
            return false;
        }
        size_t lim = n - j > TAG_MAX ? j + TAG_MAX : n;
        while (j < lim && p[j] != '>') {
            if (p[j] == '"' || p[j] == '\'') {
                const char *q = memchr(p + j + 1, p[j], lim - j - 1);
                if (q == NULL) {
                    return false;
                }
                j = (size_t)(q - p);
            } else if (p[j] == '<') {
                return false;
            }
            j++;
        }
        if (j >= lim || p[j - 1] == '/') {
            return false;
        }
    }
    /* The content - text, CDATA, child elements - runs to the element's end tag; with none
     * on the line (a document split over lines, a cut one), to the line's end: fail closed. */
    size_t vs = j + 1, ve = vs;
    for (;;) {
        const char *lt = memchr(p + ve, '<', n - ve);
        if (lt == NULL) {
            ve = n;
            break;
        }
        ve = (size_t)(lt - p);
        if (end_tag_at(p, n, ve, p + s, e - s)) {
            break;
        }
        ve++;
    }
    return secret_found(vs, ve, m);
}

/* ---- SQL: IDENTIFIED BY 'x', PASSWORD 'x' ---- */

/* SQL's words are separated by blanks, or by '+' in a form-encoded query (an admin tool's
 * sql_query=ALTER+USER+bob+IDENTIFIED+BY+%27x%27, whose decoded stretch reads
 * IDENTIFIED+BY+'x'). */
static inline bool sql_blank(char c)
{
    return blank_or_plus(c, true);
}

/* Letters, digits and '_': a SQL keyword's or identifier's bytes. */
static inline bool sql_word_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '_';
}

/* Is the word before the blanks before e the keyword kw (lower case, klen bytes)? *start
 * is where that word starts. */
static bool keyword_before(const char *p, size_t e, const char *kw, size_t klen, size_t *start)
{
    size_t k = run_back(p, e, 8, true);
    if (k == e || k < klen || !lsc_ieq(p + k - klen, kw, klen) ||
        (k > klen && sql_word_byte((unsigned char)p[k - klen - 1]))) {
        return false;
    }
    *start = k - klen;
    return true;
}

/* The end of a SQL string literal whose opening quote is at j: its closing quote; a doubled
 * quote is one quote of the text, as is one after a backslash (MySQL). The line's end when
 * it does not close (fail closed). */
static size_t sql_string_end(const char *p, size_t n, size_t j)
{
    char q = p[j];
    for (j++; j < n; j++) {
        if (p[j] == '\\' && j + 1 < n) {
            j++;
        } else if (p[j] == q) {
            if (j + 1 >= n || p[j + 1] != q) {
                return j;
            }
            j++;
        }
    }
    return n;
}

/*
 * The password a SQL statement sets, after the keyword that ends at j: a string literal;
 * one inside PASSWORD('...') or after PASSWORD or VALUES (MariaDB's and Oracle's hashes);
 * or, when bare_ok (Oracle's IDENTIFIED BY tiger), a bare word.
 */
static bool sql_value(const char *p, size_t n, size_t j, bool bare_ok, struct lsc_match *m)
{
    j = skip_run(p, n, j, 8, true);
    if (j >= n) {
        return false;
    }
    size_t vs, ve;
    if (p[j] != '\'' && p[j] != '"') {
        size_t w = j;
        while (w < n && sql_word_byte((unsigned char)p[w])) {
            w++;
        }
        if ((w - j == 8 && lsc_ieq(p + j, "password", 8)) ||
            (w - j == 6 && lsc_ieq(p + j, "values", 6))) {
            size_t k = w < n && p[w] == '(' ? w + 1 : skip_run(p, n, w, 8, true);
            if (k > w && k < n && (p[k] == '\'' || p[k] == '"')) {
                j = k;
            }
        }
    }
    if (p[j] == '\'' || p[j] == '"') {
        vs = j + 1;
        ve = sql_string_end(p, n, j);
    } else {
        if (!bare_ok) {
            return false;
        }
        /* (A '+' stays in the word: ending it there could leave the rest of a password;
         * in a form-encoded query '&' ends it.) */
        vs = ve = j;
        while (ve < n && !blank(p[ve]) && p[ve] != ';' && p[ve] != ',' && p[ve] != ')' &&
               p[ve] != '"' && p[ve] != '\'' && p[ve] != '\r' && p[ve] != '\n' && p[ve] != '&') {
            ve++;
        }
    }
    return secret_found(vs, ve, m);
}

/* SET PASSWORD FOR account = ...: how far the '=' is looked for (the account is a quoted
 * user and host). */
#define ACCOUNT_MAX 256

/* Is the word that ends at b (before the blanks before BY or AS) a plugin's name after WITH
 * after IDENTIFIED? The name bare (mysql_native_password) or quoted ('...', "...", `...`:
 * MySQL takes all three, and writes '...' itself), 64 bytes at most. */
static bool identified_with_before(const char *p, size_t b)
{
    size_t plugin = b, at;
    char q = p[b - 1];
    bool quoted = q == '\'' || q == '"' || q == '`';
    if (quoted) {
        plugin--;
    }
    size_t lo = plugin > 64 ? plugin - 64 : 0;
    while (plugin > lo && sql_word_byte((unsigned char)p[plugin - 1])) {
        plugin--;
    }
    if (quoted) {
        if (plugin == 0 || plugin == b - 1 || p[plugin - 1] != q) {
            return false;
        }
        plugin--;
    }
    return plugin < b && keyword_before(p, plugin, "with", 4, &at) &&
           keyword_before(p, at, "identified", 10, &at);
}

bool lsc_detect_sql_secret(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    size_t w = i;
    while (w < n && w - i < 9 && sql_word_byte((unsigned char)p[w])) {
        w++;
    }
    size_t at;
    bool by = w - i == 2 && lsc_ieq(p + i, "by", 2);
    if (by || (w - i == 2 && memcmp(p + i, "AS", 2) == 0)) {
        /* IDENTIFIED BY, IDENTIFIED WITH plugin BY (MySQL, Oracle): the word before is
         * IDENTIFIED, or a plugin's name after WITH after IDENTIFIED. IDENTIFIED WITH plugin
         * AS 'hash' (MySQL writes a password it was given so in its logs, and mysqldump
         * writes it; a plugin that takes no hash takes a user or a DN there, scrubbed all
         * the same): '*' and 40 hex digits, "$A$005$...", or a hex literal (0x...). */
        if (w >= n || !sql_blank(p[w])) {
            return false;
        }
        size_t b = run_back(p, i, 8, true);
        if (b == i || b == 0) {
            return false;
        }
        bool ok = (by && lsc_lower((unsigned char)p[b - 1]) == 'd' &&
                   keyword_before(p, i, "identified", 10, &at)) ||
                  identified_with_before(p, b);
        return ok && sql_value(p, n, w, true, m);
    }
    if (w - i != 8 || !lsc_ieq(p + i, "password", 8)) {
        return false;
    }
    /* PASSWORD 'x' (PostgreSQL's roles), PASSWORD('x'); SET PASSWORD FOR account = 'x'.
     * A blank comes first: in "password","x" the quote after the word closes a string. */
    if (w < n && p[w] == '(') {
        return sql_value(p, n, w + 1, false, m);
    }
    size_t j = skip_run(p, n, w, 8, true);
    if (j == w) {
        return false;
    }
    if (n - j > 4 && lsc_ieq(p + j, "for", 3) && sql_blank(p[j + 3])) {
        j += 4;
        size_t lim = n - j > ACCOUNT_MAX ? j + ACCOUNT_MAX : n;
        const char *eq = memchr(p + j, '=', lim - j);
        if (eq == NULL || memchr(p + j, ';', (size_t)(eq - p) - j) != NULL) {
            return false;
        }
        j = (size_t)(eq - p) + 1;
    }
    return sql_value(p, n, j, false, m);
}

/* ---- a password in prose: "login with password hunter2", "password set to 'a b'" ---- */

/* The words that may stand between "password" and its value, at most PROSE_LINKS of them:
 * "password is x", "password was reset to x". */
#define PROSE_LINKS 4

static bool prose_link(const char *w, size_t len)
{
    static const struct name links[] = {NAME("is"),      NAME("was"),   NAME("to"),  NAME("set"),
                                        NAME("changed"), NAME("reset"), NAME("now"), NAME("be")};
    if (len < 2 || len > 7) {
        return false;
    }
    for (size_t k = 0; k < sizeof links / sizeof links[0]; k++) {
        if (len == links[k].len && lsc_ieq(w, links[k].text, len)) {
            return true;
        }
    }
    return false;
}

/* The bytes of a bare word in prose, as a table of flags (the word is read once, byte by
 * byte): those that end it (a blank, a line break, a quote - as word_end), small and
 * capital letters, the sentence's punctuation; the others (digits, symbols) are W_OTHER.
 * The table holds each flag set with W_OTHER, read back with W_OTHER flipped: a byte it
 * does not list (0) reads as W_OTHER. */
enum { W_OTHER = 1, W_END = 2, W_LOWER = 4, W_UPPER = 8, W_PUNCT = 16 };
#define W(f) ((f) | W_OTHER)
static const unsigned char word_bits[256] = {
    [' '] = W(W_END),   ['\t'] = W(W_END),          ['\r'] = W(W_END),          ['\n'] = W(W_END),
    ['"'] = W(W_END),   ['\''] = W(W_END),          ['.'] = W(W_PUNCT),         [','] = W(W_PUNCT),
    [';'] = W(W_PUNCT), [':'] = W(W_PUNCT),         ['!'] = W(W_PUNCT),         ['?'] = W(W_PUNCT),
    [')'] = W(W_PUNCT), ['a' ... 'z'] = W(W_LOWER), ['A' ... 'Z'] = W(W_UPPER),
};
#undef W

static inline unsigned word_flags(char c)
{
    return word_bits[(unsigned char)c] ^ W_OTHER;
}

/*
 * The bare word from j (not at a word's end): where it ends (*e), and whether it reads as a
 * password rather than as a word of the sentence - at least three bytes with a digit or a
 * symbol (the sentence's punctuation counts only before the last byte), or small letters
 * with a capital past the first. "for", "incorrect.", "Expired", "NOW" are the sentence's;
 * "hunter2", "s3cret!", "tr0ub4dor&3", "passW" are passwords.
 */
static bool password_word(const char *p, size_t n, size_t j, size_t *e)
{
    /* The flags of every byte but the last (the first's capital left out), and the last's. */
    unsigned seen = 0, last = word_flags(p[j]) & ~W_UPPER;
    size_t k = j + 1;
    for (; k < n; k++) {
        unsigned f = word_flags(p[k]);
        if (f & W_END) {
            break;
        }
        seen |= last;
        last = f;
    }
    *e = k;
    unsigned all = seen | last;
    return k - j >= 3 &&
           ((all & W_OTHER) || (seen & W_PUNCT) || ((all & W_UPPER) && (all & W_LOWER)));
}

bool lsc_detect_prose_password(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    /* A word of the sentence: after a blank, a quote or a bracket, not a flag's (--password:
     * lsc_detect_secret_flag's) nor a name's part (db-password, /password). */
    if (n - i < 10 || (i > 0 && !blank(p[i - 1]) && memchr("\"'([>", p[i - 1], 5) == NULL) ||
        !blank(p[i + 8])) {
        return false;
    }
    /* "password" in any case, as one word: a byte 0x20 short of a small letter is its
     * capital, and no other byte is. */
    uint64_t word, want;
    memcpy(&word, p + i, 8);
    memcpy(&want, "password", 8);
    if ((word | 0x2020202020202020u) != want) {
        return false;
    }
    size_t j = skip_blanks(p, n, i + 8, 8);
    for (int links = 0; j < n && links <= PROSE_LINKS; links++) {
        size_t e;
        if (p[j] == '"' || p[j] == '\'') {
            /* Quoted: the value, unless the quote closes a string the word was in
             * ("... bad password ", "user": ...). */
            size_t vs = j + 1;
            return vs < n && !blank(p[vs]) && memchr(",:;}]", p[vs], 5) == NULL &&
                   secret_found(vs, quoted_end(p, n, vs, p[j], false), m);
        }
        if (word_flags(p[j]) & W_END) {
            return false; /* (the line's end) */
        }
        if (password_word(p, n, j, &e)) {
            return secret_found(j, e, m);
        }
        if (!prose_link(p + j, e - j)) {
            return false;
        }
        j = skip_blanks(p, n, e, 8);
    }
    return false;
}

/* The bytes that end a URL's authority, as a table: the loop over a host name is hot. */
static const bool ends_authority[256] = {
    ['/'] = true,  ['?'] = true,  ['#'] = true,  [' '] = true, ['\t'] = true,
    ['"'] = true,  ['\''] = true, ['<'] = true,  ['>'] = true, ['\\'] = true,
    ['\r'] = true, ['\n'] = true, ['\0'] = true,
};

static inline bool authority_end(unsigned char c)
{
    return ends_authority[c];
}

bool lsc_detect_url_password(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    if (n - i < 3 || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/') {
        return false;
    }
    size_t a = i + 3;
    /* Most URLs have no '@' at all: a bounded search says so at once (bounded, so a line of
     * "://" costs a constant per candidate; a longer authority still gets the loop). */
    if (n - a <= 256 && memchr(p + a, '@', n - a) == NULL) {
        return false;
    }
    size_t e = a;
    size_t at = 0;
    bool have_at = false;
    for (; e < n; e++) {
        unsigned char c = (unsigned char)p[e];
        if (authority_end(c)) {
            break;
        }
        if (c == '@') {
            at = e;
            have_at = true;
        }
    }
    if (!have_at) {
        return false;
    }
    const char *colon = memchr(p + a, ':', at - a);
    if (colon == NULL || (size_t)(colon - p) + 1 >= at) {
        return false;
    }
    m->off = (size_t)(colon - p) + 1;
    m->len = at - m->off;
    m->cls = LSC_CLASS_URL_PASSWORD;
    return true;
}
