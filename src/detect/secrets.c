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
static const struct name exact_names[] = {
    NAME("pass"),      NAME("pwd"),        NAME("auth"),          NAME("session"),
    NAME("sid"),       NAME("sig"),        NAME("authorization"), NAME("proxy_authorization"),
    NAME("cookie"),    NAME("set_cookie"), NAME("api_key"),       NAME("apikey"),
    NAME("x_api_key"), NAME("key_secret"), NAME("credentials"),   NAME("credential"),
    NAME("otp"),       NAME("pin"),        NAME("cvv"),           NAME("cvc"),
    NAME("cvv2"),      NAME("cvc2"),       NAME("card_cvv"),      NAME("security_code"),
};

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
    NAME("password_confirmation"),
    NAME("passwordconfirmation"),
};

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
 * it about each byte, followed by the bytes its escaped quote and "%26" look at, so the
 * table cannot disagree with it. Built with ends[] (need_ends(), which
 * lsc_detect_secret_param calls before it reads any value). */
static bool may_end_value[256];

static void build_may_end(void)
{
    for (unsigned c = 0; c < 256; c++) {
        char quote[2] = {(char)c, '"'}, amp[3] = {(char)c, '2', '6'};
        may_end_value[c] = value_end(quote, 2, 0, false) || value_end(amp, 3, 0, false);
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

/* lsc_secret_name, told whether the name holds a '%' (the caller has looked already). When
 * it says yes, norm[0..*nlen) holds the name as compared (normalise()). */
static bool secret_name(const char *name, size_t len, bool has_pct, char norm[NAME_MAX_LEN],
                        size_t *nlen)
{
    if (len == 0 || len > NAME_MAX_LEN) {
        return false;
    }
    /* Most names (times, ports, member names like status or user_agent) are too short or
     * end in two bytes no secret name ends in. A '%' may encode any byte, so such names are
     * always decoded. */
    need_ends();
    if (!has_pct && name[len - 1] != ']' &&
        (len < min_len ||
         !lsc_pair_in(ends, (unsigned char)name[len - 2], (unsigned char)name[len - 1]))) {
        return false;
    }
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
    return false;
}

bool lsc_secret_name(const char *name, size_t len)
{
    char norm[NAME_MAX_LEN];
    size_t n;
    return secret_name(name, len, len > 0 && memchr(name, '%', len) != NULL, norm, &n);
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

/* Is a normalised name an Authorization header's? */
static bool is_authorization(const char *norm, size_t n)
{
    return (n == 13 && memcmp(norm, "authorization", 13) == 0) ||
           (n == 19 && memcmp(norm, "proxy_authorization", 19) == 0);
}

/* Ends a bare value: white space, separators and quotes; "%26" is an encoded '&'. */
static bool value_end(const char *p, size_t n, size_t j, bool spaces_ok)
{
    unsigned char c = (unsigned char)p[j];
    switch (c) {
    case ' ':
    case '\t':
        return !spaces_ok;
    case '&':
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
        return j + 2 < n && p[j + 1] == '2' && p[j + 2] == '6';
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

bool lsc_detect_secret_param(const char *p, size_t n, size_t i, size_t sep_len, size_t floor,
                             struct lsc_match *m)
{
    if (!lsc_may_follow_name(p, i, floor) && !(i > floor && p[i - 1] == ']')) {
        return false;
    }
    /* Walk back over optional spaces, an optional closing quote, then the name. */
    size_t e = i;
    while (e > floor && i - e < 2 && p[e - 1] == ' ') {
        e--;
    }
    bool quoted = false, esc_quoted = false;
    if (e > floor && (p[e - 1] == '"' || p[e - 1] == '\'')) {
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
    /* The name's last two bytes, then its length: a name shorter than the shortest secret
     * name is none (decoding only shortens a name). */
    need_ends();
    if (!lsc_secret_end_possible(ends, p, e, floor)) {
        return false;
    }
    size_t run = 0;
    while (run < min_len && e - run > floor && lsc_is_name_byte((unsigned char)p[e - run - 1])) {
        run++;
    }
    if (run < min_len) {
        return false;
    }
    size_t s = e;
    bool has_pct = false;
    size_t lowest = e - floor > NAME_MAX_LEN ? e - NAME_MAX_LEN : floor; /* (bounds s) */
    while (s > lowest && lsc_is_name_byte((unsigned char)p[s - 1])) {
        s--;
        /* An encoded '=' or '&' ends the name ("a%3Db%3Dtoken%3Dx": the name is token):
         * a decoded name holds neither, and "%3D%3D%3D..." costs nothing per byte. */
        if (p[s] == '%') {
            has_pct = true;
            if (e - s >= 3 && lsc_encoded_sep(p + s)) {
                s += 3;
                break;
            }
        }
    }
    char norm[NAME_MAX_LEN];
    size_t nlen;
    if (s == e || !secret_name(p + s, e - s, has_pct, norm, &nlen)) {
        return false;
    }
    bool auth = is_authorization(norm, nlen);
    size_t j = i + sep_len;
    while (j < n && (p[j] == ' ' || p[j] == '\t') && j - i - sep_len < 4) {
        j++;
    }
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
        if (p[j] == '[' || p[j] == '{') {
            /* An array or object is taken whole: its strings are the secret ("password":
             * ["hunter2"] in JSON read as text). So is a value in brackets ([secret] after
             * an earlier pass): scrubbing twice gives the same line, not "[secret]]". */
            ve = bracket_end(p, n, j, esc_quoted);
        }
        /* (After a bracketed value, ve is already at its end.) Most bytes of a value cannot
         * end it: one table lookup each. */
        for (;;) {
            while (ve < n && !may_end_value[(unsigned char)p[ve]]) {
                ve++;
            }
            if (ve >= n || value_end(p, n, ve, auth)) {
                break;
            }
            ve++;
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
    m->quote = quoted && !esc_quoted && vs == j && p[name_end] == '"';
    return true;
}

bool lsc_secret_flag_name(const char *name, size_t len)
{
    /* "--no-password" turns the password off and takes no value. */
    if (len > 3 && (name[0] | 32) == 'n' && (name[1] | 32) == 'o' &&
        (name[2] == '-' || name[2] == '_')) {
        return false;
    }
    return memchr(name, '=', len) == NULL && lsc_secret_name(name, len);
}

bool lsc_detect_secret_flag(const char *p, size_t n, size_t i, struct lsc_match *m)
{
    /* A flag starts a word: after a space, a tab or a quote, or at the start. */
    if (n - i < 4 || p[i] != '-' || p[i + 1] != '-' || !lsc_is_alpha((unsigned char)p[i + 2]) ||
        (i > 0 && p[i - 1] != ' ' && p[i - 1] != '\t' && p[i - 1] != '"' && p[i - 1] != '\'')) {
        return false;
    }
    size_t s = i + 2, e = s;
    while (e < n && e - s <= NAME_MAX_LEN && lsc_is_name_byte((unsigned char)p[e])) {
        e++;
    }
    /* Then one or more spaces and a value that is not the next flag; or, for a quoted
     * flag, its closing quote, a comma or spaces and the value's opening quote (argument
     * lists: ["--password", "hunter2"], '--password' 'hunter2'). */
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
    if (!lsc_secret_flag_name(p + s, e - s)) {
        return false;
    }
    size_t vs = j, ve;
    if (p[j] == '"' || p[j] == '\'') {
        vs = j + 1;
        ve = quoted_end(p, n, vs, p[j], false);
    } else {
        ve = j;
        while (ve < n && p[ve] != ' ' && p[ve] != '\t' && p[ve] != '\r' && p[ve] != '\n' &&
               p[ve] != '"' && p[ve] != '\'') {
            ve++;
        }
    }
    if (ve <= vs) {
        return false;
    }
    m->off = vs;
    m->len = ve - vs;
    m->cls = LSC_CLASS_SECRET_PARAM;
    m->quote = false;
    return true;
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
