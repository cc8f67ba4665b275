/*
 * access.c - nginx log_format and Apache LogFormat strings compiled into line parsers.
 *
 * A format is a sequence of literals and fields. nginx fields are $name or ${name}; Apache
 * fields are %[<>!0-9,]*[{arg}]X (and %% for a percent sign), named after the nginx
 * variable they correspond to (%h -> remote_addr, %{User-Agent}i -> http_user_agent), and
 * also answer to the directive as written. In the format string \" \\ \t \n \r stand for
 * the character, as in both servers' configuration files.
 *
 * A line is matched left to right: each literal must appear exactly; a field runs up to
 * the first occurrence of the literal that follows it (for the last literal, up to where
 * the line ends with it). A field between two '"' literals is quoted: its backslash
 * escapes are skipped while looking for the end, so \" and \x22 stay inside it, and a raw
 * '"' inside it makes the line not this format (nginx and Apache escape quotes; a raw one
 * would make where the field ends a guess, and a scrubbed line could read differently). Apache's
 * %t writes its own brackets and runs to the first ']'. Two fields with nothing between
 * them cannot be told apart and are a compile error.
 *
 * Numeric fields (status, sizes, times, ports) must hold only digits, '.' and '-', so a
 * shorter layout (common) does not read a longer one's tail as its last number.
 *
 * The request ($request, %r: "METHOD URI PROTOCOL") becomes a member with four children,
 * method, path, query and protocol, split at the first and last space and the first '?'.
 */
#include "access.h"

#include "../detect/chars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    const char *nginx;
    const char *apache;
} builtins[] = {
    {"combined",
     "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
     "\"$http_referer\" \"$http_user_agent\"",
     "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\""},
    {"common", "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent",
     "%h %l %u %t \"%r\" %>s %b"},
    {"vhost_combined",
     "$server_name:$server_port $remote_addr - $remote_user [$time_local] \"$request\" $status "
     "$bytes_sent \"$http_referer\" \"$http_user_agent\"",
     "%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\""},
};

const char *lsc_access_builtin(const char *name, bool apache)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        if (strcmp(builtins[i].name, name) == 0) {
            return apache ? builtins[i].apache : builtins[i].nginx;
        }
    }
    return NULL;
}

/* Apache directives without an argument and the nginx variable each one matches. */
static const struct {
    char letter;
    const char *name;
} apache_plain[] = {
    {'h', "remote_addr"},
    {'a', "remote_addr"},
    {'A', "server_addr"},
    {'l', "remote_logname"},
    {'u', "remote_user"},
    {'t', "time_local"},
    {'r', "request"},
    {'s', "status"},
    {'b', "body_bytes_sent"},
    {'B', "body_bytes_sent"},
    {'O', "bytes_sent"},
    {'I', "request_length"},
    {'S', "bytes_transferred"},
    {'D', "request_time_us"},
    {'T', "request_time"},
    {'v', "server_name"},
    {'V', "server_name"},
    {'p', "server_port"},
    {'P', "pid"},
    {'U', "uri"},
    {'q', "query_string"},
    {'m', "request_method"},
    {'H', "server_protocol"},
    {'f', "request_filename"},
    {'k', "keepalive_requests"},
    {'L', "log_id"},
    {'R', "handler"},
    {'X', "connection_status"},
    {'e', "env"},
    {'n', "note"},
    {'i', "http"},
    {'o', "sent_http"},
    {'C', "cookie"},
};

/* Directives whose {arg} becomes part of the name: %{User-Agent}i -> http_user_agent. */
static bool arg_in_name(char letter)
{
    return letter != '\0' && strchr("ioCen", letter) != NULL;
}

struct builder {
    struct lsc_access_format *f;
    char *lit; /* the literal being collected */
    size_t lit_len;
    bool last_was_field;
    char *err;
    size_t errlen;
};

static bool flush_literal(struct builder *b)
{
    if (b->lit_len == 0) {
        return true;
    }
    struct lsc_access_item *it = &b->f->items[b->f->nitems++];
    it->lit = malloc(b->lit_len);
    if (it->lit == NULL) {
        return false;
    }
    memcpy(it->lit, b->lit, b->lit_len);
    it->lit_len = b->lit_len;
    it->field = -1;
    b->lit_len = 0;
    b->last_was_field = false;
    return true;
}

static bool add_field(struct builder *b, const char *name, size_t nl, const char *alias, size_t al,
                      size_t at)
{
    if (!flush_literal(b)) {
        return false;
    }
    struct lsc_access_format *f = b->f;
    if (b->last_was_field) {
        snprintf(b->err, b->errlen,
                 "at offset %zu: field '%.*s' follows '%s' with nothing between them, so a "
                 "line cannot be split between the two",
                 at, (int)nl, name, f->fields[f->nfields - 1].name);
        return false;
    }
    struct lsc_access_field *fl = &f->fields[f->nfields];
    fl->name = malloc(nl + 1);
    fl->alias = alias ? malloc(al + 1) : NULL;
    if (fl->name == NULL || (alias && fl->alias == NULL)) {
        free(fl->name);
        free(fl->alias);
        return false;
    }
    memcpy(fl->name, name, nl);
    fl->name[nl] = '\0';
    if (alias) {
        memcpy(fl->alias, alias, al);
        fl->alias[al] = '\0';
    }
    fl->request = nl == 7 && memcmp(name, "request", 7) == 0;
    static const char *const numeric[] = {
        "status",
        "body_bytes_sent",
        "bytes_sent",
        "request_length",
        "server_port",
        "request_time",
        "request_time_us",
        "bytes_received",
        "pid",
        "msec",
        "connection",
        "connection_requests",
        "bytes_transferred",
    };
    for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
        fl->numeric |= strlen(numeric[k]) == nl && memcmp(numeric[k], name, nl) == 0;
    }
    fl->shape = b->f->apache && nl == 10 && memcmp(name, "time_local", 10) == 0 ? LSC_SHAPE_BRACKET
                                                                                : LSC_SHAPE_PLAIN;
    struct lsc_access_item *it = &f->items[f->nitems++];
    it->lit = NULL;
    it->lit_len = 0;
    it->field = (int)f->nfields++;
    b->last_was_field = true;
    return true;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* nginx: $name or ${name}. Returns bytes consumed, 0 on error. */
static size_t nginx_field(struct builder *b, const char *s, size_t len, size_t i)
{
    size_t j = i + 1;
    bool brace = j < len && s[j] == '{';
    j += brace;
    size_t ns = j;
    while (j < len && name_char(s[j])) {
        j++;
    }
    if (j == ns || (brace && (j >= len || s[j] != '}'))) {
        snprintf(b->err, b->errlen,
                 "at offset %zu: '$' must start a variable name like $remote_addr or "
                 "${remote_addr}",
                 i);
        return 0;
    }
    if (!add_field(b, s + ns, j - ns, NULL, 0, i)) {
        return 0;
    }
    return j + brace - i;
}

/* Apache: %[<>!0-9,]*[{arg}]X. Returns bytes consumed, 0 on error. */
static size_t apache_field(struct builder *b, const char *s, size_t len, size_t i)
{
    size_t j = i + 1;
    while (j < len && s[j] != '\0' && strchr("<>!0123456789,", s[j]) != NULL) {
        j++;
    }
    const char *arg = NULL;
    size_t arg_len = 0;
    if (j < len && s[j] == '{') {
        const char *close = memchr(s + j, '}', len - j);
        if (close == NULL) {
            snprintf(b->err, b->errlen, "at offset %zu: '%%{' has no closing '}'", j);
            return 0;
        }
        arg = s + j + 1;
        arg_len = (size_t)(close - arg);
        j = (size_t)(close - s) + 1;
    }
    bool caret = j + 2 < len && s[j] == '^';
    j += caret ? 2 : 0; /* %^ti, %^to: two-letter directives (trailers) */
    if (j >= len) {
        snprintf(b->err, b->errlen, "at offset %zu: '%%' at the end of the format", i);
        return 0;
    }
    char letter = s[j];
    const char *base = NULL;
    if (caret) {
        base = "trailer";
    } else if (letter == 't' && arg) {
        base = "time"; /* %{strftime format}t */
    } else {
        for (size_t k = 0; k < sizeof apache_plain / sizeof apache_plain[0]; k++) {
            if (apache_plain[k].letter == letter) {
                base = apache_plain[k].name;
            }
        }
    }
    if (base == NULL) {
        snprintf(b->err, b->errlen,
                 "at offset %zu: unknown Apache directive '%%%c' (see mod_log_config's "
                 "\"Custom Log Formats\")",
                 i, letter);
        return 0;
    }
    char name[160];
    size_t nl = strlen(base);
    memcpy(name, base, nl);
    if (arg && (caret || arg_in_name(letter))) {
        name[nl++] = '_';
        for (size_t k = 0; k < arg_len && nl < sizeof name - 1; k++) {
            char c = arg[k];
            name[nl++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : (name_char(c) ? c : '_');
        }
    } else if (arg_in_name(letter)) {
        snprintf(b->err, b->errlen, "at offset %zu: '%%%c' needs a name, like %%{Referer}%c", i,
                 letter, letter);
        return 0;
    }
    if (!add_field(b, name, nl, s + i, j + 1 - i, i)) {
        return 0;
    }
    return j + 1 - i;
}

void lsc_access_free(struct lsc_access_format *f)
{
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < f->nitems; i++) {
        free(f->items[i].lit);
    }
    for (size_t i = 0; i < f->nfields; i++) {
        free(f->fields[i].name);
        free(f->fields[i].alias);
    }
    free(f->items);
    free(f->fields);
    free(f->text);
    free(f);
}

struct lsc_access_format *lsc_access_compile(const char *s, size_t len, bool apache, char *err,
                                             size_t errlen)
{
    struct lsc_access_format *f = calloc(1, sizeof *f);
    struct builder b = {f, malloc(len + 1), 0, false, err, errlen};
    if (f == NULL || b.lit == NULL || (f->text = malloc(len + 1)) == NULL ||
        (f->items = calloc(len + 1, sizeof *f->items)) == NULL ||
        (f->fields = calloc(len + 1, sizeof *f->fields)) == NULL) {
        snprintf(err, errlen, "out of memory");
        free(b.lit);
        lsc_access_free(f);
        return NULL;
    }
    memcpy(f->text, s, len);
    f->text[len] = '\0';
    f->apache = apache;
    bool ok = true;
    for (size_t i = 0; i < len && ok;) {
        char c = s[i];
        if (c == '\\' && i + 1 < len && s[i + 1] != '\0' && strchr("\"\\tnr'", s[i + 1]) != NULL) {
            char e = s[i + 1];
            b.lit[b.lit_len++] = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
            i += 2;
        } else if (apache && c == '%' && i + 1 < len && s[i + 1] == '%') {
            b.lit[b.lit_len++] = '%';
            i += 2;
        } else if ((apache && c == '%') || (!apache && c == '$')) {
            size_t used = apache ? apache_field(&b, s, len, i) : nginx_field(&b, s, len, i);
            ok = used > 0;
            i += used;
        } else {
            b.lit[b.lit_len++] = c;
            i++;
        }
    }
    ok = ok && flush_literal(&b);
    if (ok && f->nfields == 0) {
        snprintf(err, errlen, "the format has no fields (%s)",
                 apache ? "Apache fields look like %h or %{Referer}i"
                        : "nginx fields look like $remote_addr");
        ok = false;
    }
    free(b.lit);
    if (!ok) {
        if (err[0] == '\0') {
            snprintf(err, errlen, "out of memory");
        }
        lsc_access_free(f);
        return NULL;
    }
    return f;
}

/* Appends a child of parent; *last is parent's last child so far (-1: none), updated. */
static struct lsc_json_node *new_node(struct lsc_json_node *nodes, size_t *c, int32_t parent,
                                      uint32_t depth, int32_t *last)
{
    struct lsc_json_node *nd = &nodes[*c];
    lsc_json_node_init(nd, LSC_JSON_BARE, parent, depth);
    nd->rm = LSC_RM_DASH;
    nd->esc = LSC_ESC_WORD;
    if (*last < 0) {
        nodes[parent].first = (int32_t)*c;
    } else {
        nodes[*last].next = (int32_t)*c;
    }
    *last = (int32_t)(*c)++;
    return nd;
}

/* A part of the request: unquoted, but escaped as the quoted request around it is. */
static void add_part(const char *p, struct lsc_json_node *nodes, size_t *c, int32_t req,
                     int32_t *last, const char *name, size_t off, size_t end, enum lsc_field_rm rm)
{
    struct lsc_json_node *nd = new_node(nodes, c, req, 2, last);
    nd->type = LSC_JSON_BARE;
    nd->name = name;
    nd->name_flags = LSC_NAME_KNOWN; /* method, path, query, protocol */
    nd->off = off;
    nd->len = end - off;
    nd->rm = (unsigned char)rm;
    nd->esc = nodes[req].esc;
    nd->term = ' '; /* a space in a part would move the split */
    nd->escaped = memchr(p + off, '\\', end - off) != NULL;
}

/* "METHOD URI PROTOCOL" at p[s..e) of the request node r: its four children. */
static void split_request(const char *p, size_t s, size_t e, struct lsc_json_node *nodes, size_t *c,
                          int32_t r)
{
    /* Separators count only when not escaped ("\ " and "\?" are part of a value), so no
     * part ends with a lone backslash that would escape what an edit puts after it. */
    size_t a = e, z = e, q = e;
    for (size_t i = lsc_find_any3(p, s, e, '\\', ' ', '?'); i < e;
         i = lsc_find_any3(p, i + 1, e, '\\', ' ', '?')) {
        if (p[i] == '\\') {
            i++;
            if (i >= e) {
                break;
            }
        } else if (p[i] == ' ') {
            a = a == e ? i : a;
            z = i;
        } else if (p[i] == '?' && a != e && q == e && z == a) {
            q = i; /* the first '?' of the URI */
        }
    }
    if (a == e) {
        return; /* "-" or garbage: the request stays one value */
    }
    size_t uri_end = z > a ? z : e; /* no second space: no protocol */
    int32_t last = -1;
    nodes[r].type = LSC_JSON_OBJECT;
    nodes[r].off = s;
    nodes[r].len = e - s;
    add_part(p, nodes, c, r, &last, "method", s, a, LSC_RM_DASH);
    size_t path_end = q < uri_end ? q : uri_end;
    add_part(p, nodes, c, r, &last, "path", a + 1, path_end, LSC_RM_DASH);
    if (q < uri_end) {
        add_part(p, nodes, c, r, &last, "query", path_end + 1, uri_end, LSC_RM_PREFIX);
    }
    if (uri_end < e) {
        add_part(p, nodes, c, r, &last, "protocol", uri_end + 1, e, LSC_RM_DASH);
    }
}

/* Where a quoted field that must be followed by lit ends: skips backslash escapes. */
static const char *quoted_end(const char *p, size_t n, const char *lit, size_t ll)
{
    for (size_t i = lsc_find_any3(p, 0, n, '\\', lit[0], '"'); i + ll <= n;
         i = lsc_find_any3(p, i + 1, n, '\\', lit[0], '"')) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == lit[0] && memcmp(p + i, lit, ll) == 0) {
            return p + i;
        } else if (p[i] == '"') {
            return NULL; /* a raw quote inside a quoted field: not what the server writes */
        }
    }
    return NULL;
}

/* Does a quoted field's content hold a quote that is not escaped? */
static bool raw_quote(const char *p, size_t n)
{
    for (size_t i = lsc_find_any3(p, 0, n, '\\', '"', '"'); i < n;
         i = lsc_find_any3(p, i + 1, n, '\\', '"', '"')) {
        if (p[i] == '"') {
            return true;
        }
        i++; /* (a backslash: the byte after it is escaped) */
    }
    return false;
}

enum lsc_json_status lsc_access_parse(const struct lsc_access_format *f, const char *p, size_t n,
                                      struct lsc_json_node *nodes, size_t max_nodes, size_t *count)
{
    if (max_nodes < f->nfields * 5 + 1) {
        return LSC_JSON_TOO_BIG;
    }
    lsc_json_node_init(&nodes[0], LSC_JSON_OBJECT, -1, 0);
    nodes[0].len = n;
    size_t c = 1, i = 0;
    int32_t root_last = -1;
    const char *end = p + n;
    for (size_t k = 0; k < f->nitems; k++) {
        const struct lsc_access_item *it = &f->items[k];
        if (it->field < 0) {
            if (n - i < it->lit_len || memcmp(p + i, it->lit, it->lit_len) != 0) {
                return LSC_JSON_SYNTAX;
            }
            i += it->lit_len;
            continue;
        }
        const struct lsc_access_field *fl = &f->fields[it->field];
        const struct lsc_access_item *nx = k + 1 < f->nitems ? &f->items[k + 1] : NULL;
        bool quoted = nx != NULL && k > 0 && nx->lit[0] == '"' &&
                      f->items[k - 1].lit[f->items[k - 1].lit_len - 1] == '"';
        size_t s = i, e;
        if (fl->shape == LSC_SHAPE_BRACKET) {
            const char *close = i < n && p[i] == '[' ? memchr(p + i, ']', n - i) : NULL;
            if (close == NULL) {
                return LSC_JSON_SYNTAX;
            }
            s = i + 1;
            e = (size_t)(close - p);
        } else if (nx == NULL) {
            e = n;
        } else if (k + 2 == f->nitems) {
            /* The last literal ends the line. */
            if (n - i < nx->lit_len || memcmp(end - nx->lit_len, nx->lit, nx->lit_len) != 0) {
                return LSC_JSON_SYNTAX;
            }
            e = n - nx->lit_len;
            if (e < i || (quoted && raw_quote(p + i, e - i))) {
                return LSC_JSON_SYNTAX;
            }
        } else {
            const char *x = quoted ? quoted_end(p + i, n - i, nx->lit, nx->lit_len)
                                   : lsc_find_lit(p + i, end, nx->lit, nx->lit_len);
            if (x == NULL) {
                return LSC_JSON_SYNTAX;
            }
            e = (size_t)(x - p);
        }
        for (size_t d = s; fl->numeric && d < e; d++) {
            if (!((p[d] >= '0' && p[d] <= '9') || p[d] == '.' || p[d] == '-')) {
                return LSC_JSON_SYNTAX; /* a number swallowing the rest of a short line */
            }
        }
        int32_t id = (int32_t)c;
        struct lsc_json_node *nd = new_node(nodes, &c, 0, 1, &root_last);
        nd->name = fl->name;
        nd->alias = fl->alias;
        nd->name_flags = fl->name_flags;
        if (quoted) {
            nd->type = LSC_JSON_STRING;
            nd->off = s - 1;
            nd->len = e - s + 2;
            nd->esc = f->apache ? LSC_ESC_APACHE : LSC_ESC_NGINX;
            nd->escaped = memchr(p + s, '\\', e - s) != NULL;
        } else {
            nd->type = LSC_JSON_BARE;
            nd->off = s;
            nd->len = e - s;
            nd->term = fl->shape == LSC_SHAPE_BRACKET ? ']' : nx ? nx->lit[0] : 0;
            nd->esc = fl->numeric ? LSC_ESC_NUMBER : LSC_ESC_WORD;
        }
        if (fl->request) {
            split_request(p, s, e, nodes, &c, id);
        }
        i = fl->shape == LSC_SHAPE_BRACKET ? e + 1 : e;
    }
    if (i != n) {
        return LSC_JSON_SYNTAX;
    }
    *count = c;
    return LSC_JSON_OK;
}
