/*
 * record.c - scrubbing a structured record: a JSON, logfmt, nginx/Apache or syslog line.
 *
 * The line is tokenized (src/format/) into nodes that point into it. Each member gets a
 * state from the policy's fields: removed (not in fields.keep, in fields.drop, or a
 * credential header not kept by name), kept whole, or kept as a container because a listed
 * path runs through it. What removal leaves depends on the format (node.rm): a JSON member
 * goes with one comma and a logfmt pair with one space, so the record stays valid; an
 * access-log field or syslog header becomes "-", so the line still parses. Kept values get
 * their field action (an action on a container applies to every value inside), or the
 * secret_param action when their name gives a secret away, or else the text detectors and
 * pattern rules - on the decoded value, re-encoded in the format's escape style after.
 * All changes are edits spliced into the original bytes: order and spacing survive.
 * With format auto, each line is read as the format the stream has shown so far, and when
 * it is not that, as whichever format it is (see sniff()).
 * A line that does not parse falls back to the text path, or fails closed when the policy
 * has field rules (text scanning cannot honour an allow-list).
 */
#include "../detect/chars.h"
#include "../detect/detect.h"
#include "../format/access.h"
#include "../format/logfmt.h"
#include "../format/syslog.h"
#include "../format/timestamp.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define MAX_NODES 100000
#define MAX_DEPTH 64
_Static_assert(MAX_DEPTH < LSC_PAIR_DEPTHS, "paired_secret's memo has a slot for each depth");

/* From the key memo: the key's text is known to hold nothing the scan would change
 * (ST_KEY_CLEAN); whether it is a secret name is known (ST_SECRET_KNOWN) and what
 * (ST_SECRET_KEY), and whether it is "value" (ST_SECRET_HINT). secret_within sets
 * ST_SECRET_KNOWN | ST_SECRET_KEY on what a secret name's container holds. */
enum {
    ST_REMOVED = 1,
    ST_WHOLE = 2,
    ST_CONTAINER = 4,
    ST_DONE = 8,
    ST_KEY_CLEAN = 16,
    ST_SECRET_KNOWN = 32,
    ST_SECRET_KEY = 64,
    ST_SECRET_HINT = 128,
};

static bool is_container(const struct lsc_json_node *n)
{
    return n->type == LSC_JSON_OBJECT || n->type == LSC_JSON_ARRAY;
}

/* Where a member begins and ends, key included (an SD element's '[' comes before its key). */
static size_t node_start(const struct lsc_json_node *n)
{
    return n->key_len && n->key_off < n->off ? n->key_off : n->off;
}

static size_t node_end(const struct lsc_json_node *n)
{
    size_t e = n->off + n->len;
    return n->key_len && n->key_off + n->key_len > e ? n->key_off + n->key_len : e;
}

/* Has the member a name (a key in the line, or a field of the format)? */
static bool named(const struct lsc_json_node *n)
{
    return n->key_len > 0 || n->name != NULL;
}

/* Where a key's text is: between its quotes, or all of it for a bare logfmt key. */
static void key_content(const struct lsc_json_node *n, size_t *off, size_t *len)
{
    *off = n->key_bare ? n->key_off : n->key_off + 1;
    *len = n->key_bare ? n->key_len : n->key_len - 2;
}

static bool name_is(const char *name, const char *seg, size_t sl)
{
    return name != NULL && name[0] == seg[0] && strncmp(name, seg, sl) == 0 && name[sl] == '\0';
}

static bool key_equals(const char *line, const struct lsc_json_node *x, const char *seg, size_t sl)
{
    if (x->name != NULL) {
        return name_is(x->name, seg, sl) || name_is(x->alias, seg, sl);
    }
    size_t ko, kl;
    key_content(x, &ko, &kl);
    const char *k = line + ko;
    if (!x->key_escaped) {
        return kl == sl && memcmp(k, seg, sl) == 0;
    }
    char buf[256];
    if (kl > sizeof buf) {
        return false;
    }
    size_t dl = lsc_json_unescape(k, kl, buf);
    return dl == sl && memcmp(buf, seg, sl) == 0;
}

/* 0: no match; 1: node i is at path; 2: node i is a proper prefix of path. */
static int path_match(const struct lsc_scrubber *sc, const char *line, int32_t i,
                      const struct lsc_path *path)
{
    const struct lsc_json_node *nd = sc->jnodes;
    uint32_t depth = nd[i].depth;
    if (path->n < depth) {
        return 0;
    }
    int32_t cur = i;
    for (size_t d = depth; d-- > 0;) {
        const struct lsc_json_node *x = &nd[cur];
        bool any = path->lens[d] == 3 && memcmp(path->segs[d], "[*]", 3) == 0;
        if (!named(x) ? !any : (any || !key_equals(line, x, path->segs[d], path->lens[d]))) {
            return 0;
        }
        cur = x->parent;
    }
    return path->n == depth ? 1 : 2;
}

/* Records an edit whose replacement is already at sarena[roff, roff+rlen). */
static int push_edit(struct lsc_scrubber *sc, size_t off, size_t len, size_t roff, size_t rlen,
                     lsc_class cls)
{
    return lsc_edit_push(&sc->sedits, (struct lsc_edit){off, len, roff, rlen, cls}) ? 0 : CB_NOMEM;
}

static int delete_span(struct lsc_scrubber *sc, size_t off, size_t len)
{
    return push_edit(sc, off, len, sc->sarena.len, 0, LSC_CLASS_FIELD);
}

/* Can text stand as a bare logfmt value? */
static bool bare_safe(const char *text, size_t tl)
{
    for (size_t i = 0; i < tl; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 127) {
            return false;
        }
    }
    return tl > 0;
}

/*
 * Replaces a value by text[0..tl) (unescaped), encoded in the value's escape style: between
 * the quotes of a string; bare when a bare value can hold it; or, in JSON and logfmt, as a
 * new string in place of a number or bare value, so the record stays valid.
 */
static int replace_value(struct lsc_scrubber *sc, const struct lsc_json_node *n, const char *text,
                         size_t tl, lsc_class cls)
{
    if (n->name != NULL) {
        lsc_count_field(sc, n->name, strlen(n->name), 1);
    } else if (n->key_len > 0) {
        size_t ko, kl;
        key_content(n, &ko, &kl);
        lsc_count_field(sc, sc->cur_line + ko, kl, 1);
    }
    struct lsc_buf *b = &sc->sarena;
    if (!lsc_buf_reserve(b, tl * 6 + 2)) {
        return CB_NOMEM;
    }
    size_t roff = b->len;
    char *o = b->p + roff;
    if (n->type == LSC_JSON_STRING) {
        size_t w = lsc_field_escape((enum lsc_field_esc)n->esc, text, tl, n->term, o);
        b->len += w;
        return push_edit(sc, n->off + 1, n->len - 2, roff, w, cls);
    }
    if (n->esc != LSC_ESC_JSON) {
        /* Unquoted fields of access logs and syslog: encoded in place, never quoted. */
        size_t w = lsc_field_escape((enum lsc_field_esc)n->esc, text, tl, n->term, o);
        if (w == 0 &&
            (n->esc == LSC_ESC_WORD || n->esc == LSC_ESC_TAG || n->esc == LSC_ESC_NUMBER)) {
            o[w++] = '-'; /* an empty unquoted field would not parse */
        }
        b->len += w;
        return push_edit(sc, n->off, n->len, roff, w, cls);
    }
    if (n->type == LSC_JSON_BARE && bare_safe(text, tl)) {
        memcpy(o, text, tl); /* logfmt: a bare value stays bare when it can */
        b->len += tl;
        return push_edit(sc, n->off, n->len, roff, tl, cls);
    }
    size_t w = 0;
    o[w++] = '"';
    w += lsc_json_escape(text, tl, o + w);
    o[w++] = '"';
    b->len += w;
    return push_edit(sc, n->off, n->len, roff, w, cls);
}

/* A removed access-log field or syslog header: its value becomes "-" (if not already). */
static int dash_value(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n)
{
    bool str = n->type == LSC_JSON_STRING;
    size_t off = str ? n->off + 1 : n->off;
    size_t len = str ? n->len - 2 : n->len;
    if (len == 1 && line[off] == '-') {
        return 0;
    }
    if (!lsc_buf_append(&sc->sarena, "-", 1)) {
        return CB_NOMEM;
    }
    return push_edit(sc, off, len, sc->sarena.len - 1, 1, LSC_CLASS_FIELD);
}

/* value_text's slow path: p[0..len) decoded into sc->scratch - a key as a JSON string, a
 * value in its own escape style. */
static const char *decoded_text(struct lsc_scrubber *sc, const char *p, size_t len, bool key,
                                enum lsc_field_esc style, size_t *tl, int *rc)
{
    sc->scratch.len = 0;
    if (!lsc_buf_reserve(&sc->scratch, len)) {
        *rc = CB_NOMEM;
        return NULL;
    }
    *tl = key ? lsc_json_unescape(p, len, sc->scratch.p)
              : lsc_field_unescape(style, p, len, sc->scratch.p);
    return sc->scratch.p;
}

/* The value's (or key's) text, decoded when it has escapes (into sc->scratch). Inline:
 * it runs for every value looked at, and most have no escape. */
static inline __attribute__((always_inline)) const char *value_text(struct lsc_scrubber *sc,
                                                                    const char *line,
                                                                    const struct lsc_json_node *n,
                                                                    bool key, size_t *tl, int *rc)
{
    size_t off, len;
    bool esc;
    *rc = 0;
    if (key) {
        key_content(n, &off, &len);
        esc = n->key_escaped;
    } else if (n->type == LSC_JSON_STRING) {
        off = n->off + 1;
        len = n->len - 2;
        esc = n->escaped;
    } else if (n->type == LSC_JSON_BARE && n->escaped) {
        off = n->off; /* a request's parts: escaped as the quoted request is */
        len = n->len;
        esc = true;
    } else {
        *tl = n->len; /* numbers, bare logfmt values, unquoted fields: the bytes themselves */
        return line + n->off;
    }
    if (!esc) {
        *tl = len;
        return line + off;
    }
    return decoded_text(sc, line + off, len, key, (enum lsc_field_esc)n->esc, tl, rc);
}

/* A bare key - logfmt's, or a syslog structured-data name (below the top level) - stays
 * bare: bytes that would end it become '_' (a space, a tab, '=', '"', and in syslog ']'). */
static int replace_bare_key(struct lsc_scrubber *sc, const struct lsc_json_node *n,
                            const char *text, size_t tl)
{
    struct lsc_buf *b = &sc->sarena;
    if (!lsc_buf_reserve(b, tl + 1)) {
        return CB_NOMEM;
    }
    size_t roff = b->len;
    bool sd = n->depth > 1;
    for (size_t i = 0; i < tl; i++) {
        char c = text[i];
        bool ends = c == ' ' || c == '\t' || c == '=' || c == '"' || (sd && c == ']');
        b->p[b->len++] = ends ? '_' : c;
    }
    if (tl == 0) {
        b->p[b->len++] = '_';
    }
    return push_edit(sc, n->key_off, n->key_len, roff, b->len - roff, LSC_CLASS_FIELD);
}

/*
 * The user-agent action through a small direct-mapped memo: the same browser string comes
 * back on most lines. Keyed by XXH3-64 and length (a cache, not a secret: a collision could
 * only give another coarse user agent). Returns the length written to out (LSC_UA_MAX).
 */
static size_t user_agent(struct lsc_scrubber *sc, const char *t, size_t tl, char *out)
{
    if (sc->ua_memo == NULL && !sc->memo_off) {
        sc->ua_memo = calloc(LSC_UA_MEMO_SLOTS, sizeof *sc->ua_memo);
    }
    if (sc->ua_memo == NULL) {
        return lsc_user_agent_coarsen(t, tl, out);
    }
    uint64_t h = XXH3_64bits(t, tl) | 1;
    struct lsc_ua_memo *m = &sc->ua_memo[h % LSC_UA_MEMO_SLOTS];
    if (m->hash != h || m->in_len != tl) {
        m->hash = h;
        m->in_len = tl;
        m->out_len = lsc_user_agent_coarsen(t, tl, m->out);
    }
    memcpy(out, m->out, m->out_len);
    return m->out_len;
}

/* The url action's output for one input, after the detectors and rules. */
struct url_result {
    const char *p; /* valid until the next scan or url action */
    size_t len;
    bool filtered; /* the action changed the input */
    bool changed;  /* the detectors or rules changed the action's output */
};

/* The url memo's slot for action a on t[0..tl), or NULL (too long, no memory, memo off). */
static struct lsc_url_memo *url_slot(struct lsc_scrubber *sc, const struct lsc_action *a,
                                     const char *t, size_t tl, uint64_t *h)
{
    if (tl > LSC_TEXT_MEMO_LEN || sc->memo_off) {
        return NULL;
    }
    if (sc->url_memo == NULL &&
        (sc->url_memo = calloc(LSC_URL_MEMO_SLOTS, sizeof *sc->url_memo)) == NULL) {
        return NULL;
    }
    *h = (XXH3_64bits(t, tl) ^ (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ULL) | 1;
    return &sc->url_memo[*h % LSC_URL_MEMO_SLOTS];
}

/*
 * The url action a on t[0..tl), then the detectors and rules on what it keeps. trim: a
 * lone backslash the action leaves at the end is dropped (a raw request URL, which would
 * otherwise escape the closing quote). Request paths repeat line after line, and filtering
 * one and scanning the result cost more than the rest of its record, so results whose
 * output scanned clean are remembered (sc->url_memo): keyed by the action and the whole
 * input, compared in full - a collision costs a recomputation. Whether a text scans clean
 * depends on the text and the policy alone; an output the detectors changed is not kept
 * (a pseudonym in it would depend on the line's time).
 */
static int url_result(struct lsc_scrubber *sc, const struct lsc_action *a, const char *t, size_t tl,
                      bool trim, struct url_result *r)
{
    uint64_t h = 0;
    struct lsc_url_memo *m = url_slot(sc, a, t, tl, &h);
    if (m != NULL && m->hash == h && m->a == a && m->in_len == tl && memcmp(m->text, t, tl) == 0) {
        lsc_memo_hit(&m->hits);
        *r = (struct url_result){m->text + tl, m->out_len, m->filtered, false};
        return 0;
    }
    char small[512];
    size_t cap = lsc_action_max_len(a, tl);
    char *out = cap <= sizeof small ? small : malloc(cap);
    if (out == NULL) {
        return CB_NOMEM;
    }
    size_t ol = lsc_action_render(a, t, tl, NULL, out);
    if (trim) {
        size_t bs = 0;
        while (bs < ol && out[ol - 1 - bs] == '\\') {
            bs++;
        }
        ol -= bs & 1;
    }
    struct lsc_buf *s2 = &sc->scanned;
    s2->len = 0;
    bool changed = false;
    int rc = lsc_engine_scrub_span(sc, out, ol, s2, &changed);
    /* Compare bytes, not lengths: ":email" may be exactly as long as what it replaced. */
    *r = (struct url_result){s2->p ? s2->p : "", s2->len, ol != tl || memcmp(out, t, tl) != 0,
                             changed};
    if (rc == 0 && !changed && m != NULL && tl + ol <= LSC_TEXT_MEMO_LEN &&
        lsc_memo_may_take(m->hash, &m->hits)) {
        *m = (struct lsc_url_memo){h, a, (uint16_t)tl, (uint16_t)ol, 0, r->filtered, {0}};
        memcpy(m->text, t, tl);
        memcpy(m->text + tl, out, ol);
    }
    if (out != small) {
        free(out);
    }
    return rc;
}

/* Applies a policy action to a kept value. */
static int act_on_value(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n,
                        const struct lsc_action *a, lsc_class cls)
{
    if (a->kind == LSC_ACT_DROP_LINE) {
        return CB_DROP;
    }
    if (a->kind == LSC_ACT_KEEP || n->type == LSC_JSON_LITERAL || is_container(n)) {
        return 0; /* null/true/false hide nothing; a container's action reaches its values */
    }
    int rc;
    size_t tl;
    const char *t = value_text(sc, line, n, false, &tl, &rc);
    if (rc != 0) {
        return rc;
    }
    if (a->kind == LSC_ACT_URL) {
        /* What the URL keeps still goes through the detectors and rules. */
        struct url_result u;
        rc = url_result(sc, a, t, tl, false, &u);
        if (rc == 0 && (u.changed || u.filtered)) {
            sc->st.replacements[cls] += u.filtered;
            rc = replace_value(sc, n, u.p, u.len, cls);
        }
        return rc;
    }
    struct lsc_ip ip = {0};
    if (a->kind == LSC_ACT_IP_TRUNCATE || a->kind == LSC_ACT_PSEUDONYM || a->kind == LSC_ACT_GEO) {
        lsc_ip_parse_value(t, tl, a->kind != LSC_ACT_IP_TRUNCATE, &ip);
    }
    size_t cap = lsc_action_max_len(a, tl);
    char small[512];
    char *out = cap <= sizeof small ? small : malloc(cap);
    if (out == NULL) {
        return CB_NOMEM;
    }
    size_t ol = a->kind == LSC_ACT_USER_AGENT
                    ? user_agent(sc, t, tl, out)
                    : lsc_engine_render(sc, a, t, tl, ip.family ? &ip : NULL, cls, out);
    rc = 0;
    if (ol != tl || memcmp(out, t, tl) != 0) {
        sc->st.replacements[cls]++;
        rc = replace_value(sc, n, out, ol, cls);
    }
    if (out != small) {
        free(out);
    }
    return rc;
}

/*
 * The clean-value memo's slot for t[0..tl), or NULL (too long, no memory). Values such as
 * levels, methods, status codes, messages and user agents come back line after line, and
 * whether a text scans clean depends on the text alone (and the scrubber's policy): a text
 * found here is not scanned again. Only clean texts are kept, compared in full, so a hash
 * collision costs a scan and nothing else.
 */
static struct lsc_text_memo *clean_slot(struct lsc_scrubber *sc, const char *t, size_t tl,
                                        uint64_t *h)
{
    if (tl == 0 || tl > LSC_CLEAN_MEMO_LEN || sc->memo_off) {
        return NULL;
    }
    return lsc_text_memo_slot(&sc->clean_memo, LSC_CLEAN_MEMO_SLOTS, t, tl, h);
}

/* Runs the text detectors and rules over a string value, a number, or a key. */
static int scan_value(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n,
                      bool key, bool *changed_out)
{
    int rc;
    size_t tl;
    const char *t = value_text(sc, line, n, key, &tl, &rc);
    if (rc != 0) {
        return rc;
    }
    if (lsc_engine_span_clean(sc, t, tl)) {
        *changed_out = false; /* (times, latencies: new on every record, no use to the memo) */
        return 0;
    }
    uint64_t h = 0;
    struct lsc_text_memo *cm = key ? NULL : clean_slot(sc, t, tl, &h);
    if (cm != NULL && lsc_text_memo_hit(cm, h, t, tl)) {
        *changed_out = false;
        return 0;
    }
    struct lsc_buf *out = &sc->scanned;
    out->len = 0;
    bool changed = false;
    rc = lsc_engine_scrub_span(sc, t, tl, out, &changed);
    *changed_out = changed;
    if (cm != NULL && rc == 0 && !changed) {
        lsc_text_memo_keep(cm, h, t, tl);
    }
    if (rc == 0 && changed) {
        if (key && n->key_bare) {
            rc = replace_bare_key(sc, n, out->p, out->len);
        } else if (key) {
            /* A key stays a string: splice the escaped scrubbed text between its quotes. */
            struct lsc_json_node k = *n;
            k.type = LSC_JSON_STRING;
            k.off = n->key_off;
            k.len = n->key_len;
            rc = replace_value(sc, &k, out->p, out->len, LSC_CLASS_FIELD);
        } else {
            rc = replace_value(sc, n, out->p, out->len, LSC_CLASS_FIELD);
        }
    }
    return rc;
}

/* Room for a key decoded: a secret or header name is at most 64 bytes (secrets.c), written
 * with six bytes an escape at most ("\u0070"); a longer key is neither. */
#define KEY_TEXT_MAX 384

/*
 * The JSON string contents s[0..sl) as a name is compared: decoded when it has escapes
 * ("p\u0061ssword" is "password"), into buf. NULL (and *len 0) when empty, or when too long
 * to be a name at all.
 */
static const char *name_text(const char *s, size_t sl, bool escaped, char buf[KEY_TEXT_MAX],
                             size_t *len)
{
    *len = 0;
    if (sl == 0 || (escaped && sl > KEY_TEXT_MAX)) {
        return NULL;
    }
    if (!escaped) {
        *len = sl;
        return s;
    }
    *len = lsc_json_unescape(s, sl, buf);
    return buf;
}

/* A key's text as a name is compared (name_text). */
static const char *key_text(const char *line, const struct lsc_json_node *n, char buf[KEY_TEXT_MAX],
                            size_t *len)
{
    size_t ko, kl;
    key_content(n, &ko, &kl);
    return name_text(line + ko, kl, n->key_escaped, buf, len);
}

/* Is the member's name (key or format-given) a secret name, so its value is a secret? */
static bool secret_key(const char *line, const struct lsc_json_node *n)
{
    if (n->name != NULL) {
        return n->name_flags & LSC_NAME_KNOWN ? (n->name_flags & LSC_NAME_SECRET) != 0
                                              : lsc_secret_name(n->name, strlen(n->name));
    }
    char buf[KEY_TEXT_MAX];
    size_t kl;
    const char *k = key_text(line, n, buf, &kl);
    return k != NULL && lsc_secret_name(k, kl);
}

/* Is the member "PWD": "/home/bob", the environment's working directory under a secret's
 * name (lsc_working_directory)? Its key's raw text is compared (an escaped key is no such
 * name), and the value's first byte (in a string, after its quote: a container, a number
 * or a literal starts with no '/'). */
static bool working_directory(const char *line, const struct lsc_json_node *n)
{
    if (n->name != NULL || n->key_len == 0) {
        return false;
    }
    size_t ko, kl;
    key_content(n, &ko, &kl);
    size_t first = n->type == LSC_JSON_STRING ? n->off + 1 : n->off;
    return lsc_working_directory(line + ko, kl, (unsigned char)line[first]);
}

/* Is the member's key word (lower case; the key's ASCII case ignored)? */
static bool key_is(const char *line, const struct lsc_json_node *n, const char *word, size_t wl)
{
    char buf[KEY_TEXT_MAX];
    size_t kl;
    const char *k = n->name == NULL ? key_text(line, n, buf, &kl) : NULL;
    return k != NULL && kl == wl && lsc_ieq(k, word, wl);
}

/*
 * Is n a "value" member beside a "name" (or "key") member whose string is a secret name or a
 * credential header: {"name": "DB_PASSWORD", "value": "hunter2"}, as Kubernetes env lists,
 * HAR files' headers and many APIs' settings write them? Its value is then a secret as if
 * the name were its key.
 */
static bool paired_secret(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n)
{
    if (n->parent < 0 || !key_is(line, n, "value", 5)) {
        return false;
    }
    /* An object's members are looked at once a record: an object with many "value"
     * members, or "value" members that hold such objects, costs what its size costs. The
     * object being asked about stays at its depth until its members are all done. */
    struct lsc_pair_memo *pm = &sc->pair_memo[n->depth - 1];
    if (pm->record_no == sc->record_no && pm->object == n->parent) {
        return pm->secret;
    }
    pm->record_no = sc->record_no;
    pm->object = n->parent;
    pm->secret = false;
    for (int32_t ch = sc->jnodes[n->parent].first; ch >= 0; ch = sc->jnodes[ch].next) {
        const struct lsc_json_node *x = &sc->jnodes[ch];
        if (x->type != LSC_JSON_STRING || x->esc != LSC_ESC_JSON ||
            !(key_is(line, x, "name", 4) || key_is(line, x, "key", 3))) {
            continue;
        }
        char buf[KEY_TEXT_MAX];
        size_t tl;
        const char *t = name_text(line + x->off + 1, x->len - 2, x->escaped, buf, &tl);
        if (t != NULL && (lsc_secret_name(t, tl) || lsc_secret_header(t, tl))) {
            pm->secret = true;
            break;
        }
    }
    return pm->secret;
}

/* A credential header (Authorization, Cookie ...) as a member or an nginx variable. */
static bool secret_header(const char *line, const struct lsc_json_node *n)
{
    if (n->name != NULL) {
        return n->name_flags & LSC_NAME_KNOWN ? (n->name_flags & LSC_NAME_HEADER) != 0
                                              : lsc_secret_header(n->name, strlen(n->name));
    }
    char buf[KEY_TEXT_MAX];
    size_t kl;
    const char *k = key_text(line, n, buf, &kl);
    return k != NULL && lsc_secret_header(k, kl);
}

/*
 * The stage of a staged field for the current record: the first whose end (the record's
 * time plus its duration) is still ahead of now, else the last. The next stage's start is
 * noted for the record's _next_stage tag.
 */
static const struct lsc_stage *stage_now(struct lsc_scrubber *sc, const struct lsc_field_rule *fr)
{
    int64_t t = lsc_engine_line_time(sc);
    int64_t now = lsc_engine_now(sc);
    for (size_t k = 0; k + 1 < fr->nstages; k++) {
        const struct lsc_stage *sg = &fr->stages[k];
        int64_t end = lsc_time_add(t, sg->months, sg->secs);
        if (end > now) {
            if (!sc->line_next_stage_set || end < sc->line_next_stage) {
                sc->line_next_stage = end;
                sc->line_next_stage_set = true;
            }
            return sg;
        }
    }
    return &fr->stages[fr->nstages - 1];
}

/* What the policy's field rules say about one node, from one pass over them. */
static struct lsc_path_facts facts_of(struct lsc_scrubber *sc, const char *line, int32_t i)
{
    struct lsc_path_facts fa = {0, false, false, NULL};
    for (size_t f = 0; f < sc->pol->nfields; f++) {
        const struct lsc_field_rule *fr = &sc->pol->fields[f];
        int m = path_match(sc, line, i, &fr->path);
        if (m == 0) {
            continue;
        }
        const struct lsc_path *pt = &fr->path;
        switch (fr->kind) {
        case LSC_FIELD_KEEP:
            fa.keep = m == 1 ? 1 : fa.keep == 1 ? 1 : 2;
            if (m == 1 &&
                !(pt->lens[pt->n - 1] == 3 && memcmp(pt->segs[pt->n - 1], "[*]", 3) == 0)) {
                fa.kept_by_name = true;
            }
            break;
        case LSC_FIELD_DROP:
            fa.drop |= m == 1;
            break;
        case LSC_FIELD_ACTION:
            fa.action = m == 1 ? &fr->action : fa.action; /* the last one written wins */
            break;
        case LSC_FIELD_STAGED:
            if (m == 1) {
                const struct lsc_stage *sg = stage_now(sc, fr);
                fa.drop |= sg->drop;
                /* keep: true keeps the value as any allowed one: scanned, no action. */
                fa.action = sg->drop || sg->keep ? fa.action : &sg->action;
            }
            break;
        }
    }
    return fa;
}

/*
 * The text a member's facts depend on, when they depend on nothing else: its depth, then
 * its key at the top level, or "parent\0key" one level down (both named, unescaped, short).
 * (The depth keeps a key holding a NUL byte apart from a parent and key.) False otherwise.
 */
static bool memo_key(const struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n,
                     char *out, size_t *len)
{
    const struct lsc_json_node *chain[2] = {n, NULL};
    if (n->depth == 2) {
        chain[0] = &sc->jnodes[n->parent];
        chain[1] = n;
    } else if (n->depth != 1) {
        return false;
    }
    size_t o = 0;
    out[o++] = (char)n->depth;
    for (int k = 0; k < 2 && chain[k] != NULL; k++) {
        const struct lsc_json_node *x = chain[k];
        size_t ko, kl;
        if (x->name != NULL || !named(x) || x->key_escaped) {
            return false;
        }
        key_content(x, &ko, &kl);
        if (o + (k > 0) + kl > LSC_KEY_MEMO_LEN) {
            return false;
        }
        if (k > 0) {
            out[o++] = '\0';
        }
        memcpy(out + o, line + ko, kl);
        o += kl;
    }
    *len = o;
    return true;
}

/*
 * Is m the entry of the top-level key k[0..kl)? Its stored text is the depth, then the key:
 * a key of 4-16 bytes is compared as two overlapping words, never reading outside either.
 */
static bool same_top_key(const struct lsc_key_memo *m, const char *k, size_t kl)
{
    const char *s = m->key + 1;
    if (m->len != kl + 1 || m->key[0] != 1) {
        return false;
    }
    if (kl > 16) {
        return memcmp(s, k, kl) == 0;
    }
    if (kl >= 8) {
        return lsc_load8(s) == lsc_load8(k) && lsc_load8(s + kl - 8) == lsc_load8(k + kl - 8);
    }
    if (kl >= 4) {
        return lsc_load4(s) == lsc_load4(k) && lsc_load4(s + kl - 4) == lsc_load4(k + kl - 4);
    }
    return s[0] == k[0] && s[kl / 2] == k[kl / 2] && s[kl - 1] == k[kl - 1];
}

/* key_memo() past its first guess: the entry found in (or added to) the table, or NULL. */
static struct lsc_key_memo *key_memo_find(struct lsc_scrubber *sc, const char *line, int32_t i)
{
    if (sc->pol->has_staged || sc->memo_off) {
        return NULL;
    }
    const struct lsc_json_node *n = &sc->jnodes[i];
    struct lsc_key_memo **last = i < LSC_KEY_LAST && sc->key_last ? &sc->key_last[i] : NULL;
    char key[LSC_KEY_MEMO_LEN];
    size_t len;
    if (!memo_key(sc, line, n, key, &len)) {
        return NULL;
    }
    if (sc->key_memo == NULL) {
        sc->key_memo = calloc(LSC_KEY_MEMO_SLOTS, sizeof *sc->key_memo);
        sc->key_last = calloc(LSC_KEY_LAST, sizeof *sc->key_last);
        if (sc->key_memo == NULL || sc->key_last == NULL) {
            free(sc->key_memo);
            free(sc->key_last);
            sc->key_memo = NULL;
            sc->key_last = NULL;
            return NULL;
        }
        last = i < LSC_KEY_LAST ? &sc->key_last[i] : NULL;
    }
    uint64_t h = XXH3_64bits(key, len) | 1;
    struct lsc_key_memo *found = NULL;
    for (size_t k = 0; k < 8 && found == NULL; k++) {
        struct lsc_key_memo *m = &sc->key_memo[(h + k) % LSC_KEY_MEMO_SLOTS];
        if (m->hash == h && m->len == len && memcmp(m->key, key, len) == 0) {
            found = m;
        } else if (m->hash == 0) {
            m->hash = h;
            m->len = (uint8_t)len;
            memcpy(m->key, key, len);
            m->facts = facts_of(sc, line, i);
            m->state = ST_SECRET_KNOWN | (secret_key(line, n) ? ST_SECRET_KEY : 0) |
                       (key_is(line, n, "value", 5) ? ST_SECRET_HINT : 0);
            m->secret_header = secret_header(line, n);
            found = m;
        }
    }
    if (found != NULL && last != NULL) {
        *last = found;
    }
    return found;
}

/*
 * What the policy says about a member whose key is in the record (JSON, logfmt), remembered
 * by key text: its field-rule facts, whether the key names a secret or a credential header,
 * and (set by the caller) whether the key's text scanned clean. Most lines of a log repeat
 * the same keys, and matching a key against every field rule costs more than the rest of
 * the member. The whole text is compared, not just its hash, so a collision can only cost a
 * recomputation. NULL when not remembered: staged policies (their facts depend on the
 * record's age), escaped or long keys, and keys that find the table full - those are
 * computed member by member, as without it. Records of one log repeat their keys in the
 * same order, so a top-level key is first compared with the entry its member index had
 * last time (sc->key_last): compared in full, the same entry the table would give. Entries
 * are never replaced, so the pointers stay good.
 */
static inline struct lsc_key_memo *key_memo(struct lsc_scrubber *sc, const char *line, int32_t i)
{
    const struct lsc_json_node *n = &sc->jnodes[i];
    struct lsc_key_memo *m = i < LSC_KEY_LAST && sc->key_last ? sc->key_last[i] : NULL;
    if (m != NULL && n->depth == 1 && n->name == NULL && n->key_len > 0 && !n->key_escaped) {
        size_t ko, kl;
        key_content(n, &ko, &kl);
        if (kl > 0 && same_top_key(m, line + ko, kl)) {
            return m;
        }
    }
    return key_memo_find(sc, line, i);
}

/*
 * The facts for node i, remembered for members named by a format (nginx, Apache, syslog
 * headers, a request's parts): their path - their name and their parent's - is the same on
 * every line, and so is what the policy says about it. Names are pointers into the policy
 * or static strings, so the pointers are the key.
 */
static struct lsc_path_facts facts(struct lsc_scrubber *sc, const char *line, int32_t i)
{
    const struct lsc_json_node *n = &sc->jnodes[i];
    const char *pname = n->depth == 1 ? NULL : sc->jnodes[n->parent].name;
    if (n->name == NULL) {
        return facts_of(sc, line, i); /* (keys in the record: see key_memo) */
    }
    if ((n->depth > 1 && (n->depth > 2 || pname == NULL)) || sc->pol->has_staged || sc->memo_off) {
        /* (A staged field's treatment depends on the record's age: nothing to remember.) */
        return facts_of(sc, line, i);
    }
    if (sc->path_memo == NULL) {
        sc->path_memo = calloc(LSC_PATH_MEMO_SLOTS, sizeof *sc->path_memo);
        if (sc->path_memo == NULL) {
            return facts_of(sc, line, i);
        }
    }
    /* Fibonacci hashing (names are aligned pointers, close together), linear probing: a
     * format has a few dozen names at most, so each finds its own slot. */
    uint64_t h = (((uint64_t)(uintptr_t)n->name * 0x9E3779B97F4A7C15ULL) ^
                  ((uint64_t)(uintptr_t)pname * 0xC2B2AE3D27D4EB4FULL)) >>
                 58;
    for (size_t k = 0; k < LSC_PATH_MEMO_SLOTS; k++) {
        struct lsc_path_memo *m = &sc->path_memo[(h + k) % LSC_PATH_MEMO_SLOTS];
        if (m->name == n->name && m->parent == pname) {
            return m->facts;
        }
        if (m->name == NULL) {
            m->name = n->name;
            m->parent = pname;
            m->facts = facts_of(sc, line, i);
            return m->facts;
        }
    }
    return facts_of(sc, line, i); /* full: more names than slots */
}

/* Is n a tag (_expires, _key_epoch, _next_stage) that this policy writes itself? */
static bool old_tag(const struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n)
{
    const struct lsc_policy *pol = sc->pol;
    const char *exp = pol->expiry_name ? pol->expiry_name : "_expires";
    return (pol->has_staged && key_equals(line, n, "_next_stage", 11)) ||
           (pol->retention && pol->tag_expiry && key_equals(line, n, exp, strlen(exp))) ||
           (pol->needs_key && pol->tag_epoch && key_equals(line, n, "_key_epoch", 10));
}

/*
 * Decides removed / kept whole / kept as container for every node, and each node's field
 * action: its own, else its container's (an action on an object reaches all inside).
 */
static void classify(struct lsc_scrubber *sc, const char *line, size_t count)
{
    const struct lsc_policy *pol = sc->pol;
    unsigned char *state = sc->jstate;
    state[0] = pol->has_keep ? ST_CONTAINER : ST_WHOLE;
    sc->jact[0] = NULL;
    for (size_t i = 1; i < count; i++) {
        const struct lsc_json_node *n = &sc->jnodes[i];
        unsigned char ps = state[n->parent];
        if (ps & ST_REMOVED) {
            state[i] = ST_REMOVED;
            continue;
        }
        struct lsc_key_memo *km = n->name == NULL ? key_memo(sc, line, (int32_t)i) : NULL;
        struct lsc_path_facts fa = km != NULL         ? km->facts
                                   : pol->nfields > 0 ? facts(sc, line, (int32_t)i)
                                                      : (struct lsc_path_facts){0};
        unsigned char st = ST_WHOLE;
        if (!(ps & ST_WHOLE)) {
            st = fa.keep == 1                      ? ST_WHOLE
                 : fa.keep == 2 && is_container(n) ? ST_CONTAINER
                                                   : ST_REMOVED;
        }
        if (fa.drop) {
            st = ST_REMOVED;
        }
        if (st != ST_REMOVED && named(n) && !fa.kept_by_name &&
            (km != NULL ? km->secret_header : secret_header(line, n))) {
            st = ST_REMOVED; /* credentials go unless a keep path names them */
        }
        if (n->depth == 1 && st != ST_REMOVED && pol->writes_tags && old_tag(sc, line, n)) {
            st = ST_REMOVED; /* a tag an earlier run wrote: this run writes it afresh */
        }
        if (st == ST_REMOVED && n->rm == LSC_RM_NEVER) {
            st = ST_WHOLE;
        }
        if (km != NULL) {
            st |= km->state;
        }
        state[i] = st;
        sc->jact[i] = fa.action != NULL ? fa.action : n->parent > 0 ? sc->jact[n->parent] : NULL;
    }
}

/* Deletions for the removed JSON members or logfmt pairs of c, each with one separator. */
static int remove_siblings(struct lsc_scrubber *sc, int32_t c)
{
    const struct lsc_json_node *nd = sc->jnodes;
    const unsigned char *state = sc->jstate;
    int32_t last_kept = -1, last = -1;
    for (int32_t ch = nd[c].first; ch >= 0; ch = nd[ch].next) {
        if (!(state[ch] & ST_REMOVED)) {
            last_kept = ch;
        }
        last = ch;
    }
    bool before_last_kept = last_kept >= 0;
    for (int32_t ch = nd[c].first; ch >= 0; ch = nd[ch].next) {
        if (ch == last_kept) {
            before_last_kept = false;
            continue;
        }
        if (!(state[ch] & ST_REMOVED)) {
            continue;
        }
        sc->st.fields_removed++;
        if (before_last_kept) {
            size_t s = node_start(&nd[ch]);
            int rc = delete_span(sc, s, node_start(&nd[nd[ch].next]) - s);
            if (rc != 0) {
                return rc;
            }
        }
    }
    if (last >= 0 && last != last_kept) {
        /* The removed members after the last kept one (or all of them) go in one span. */
        size_t s = last_kept >= 0 ? node_end(&nd[last_kept]) : node_start(&nd[nd[c].first]);
        return delete_span(sc, s, node_end(&nd[last]) - s);
    }
    return 0;
}

/* Edits for the removed children of container c, as their format removes members. */
static int remove_children(struct lsc_scrubber *sc, const char *line, int32_t c)
{
    const struct lsc_json_node *nd = sc->jnodes;
    const unsigned char *state = sc->jstate;
    int32_t first = nd[c].first;
    if (first < 0) {
        return 0;
    }
    if (nd[first].rm == LSC_RM_SIBLING) {
        return remove_siblings(sc, c);
    }
    bool any_kept = false;
    for (int32_t ch = first; ch >= 0; ch = nd[ch].next) {
        any_kept |= !(state[ch] & ST_REMOVED);
    }
    if (!any_kept && nd[c].dash_if_empty) {
        for (int32_t ch = first; ch >= 0; ch = nd[ch].next) {
            sc->st.fields_removed++;
        }
        return dash_value(sc, line, &nd[c]); /* structured data with nothing left: "-" */
    }
    for (int32_t ch = first; ch >= 0; ch = nd[ch].next) {
        if (!(state[ch] & ST_REMOVED)) {
            continue;
        }
        sc->st.fields_removed++;
        size_t s = node_start(&nd[ch]);
        int rc = nd[ch].rm == LSC_RM_DASH     ? dash_value(sc, line, &nd[ch])
                 : nd[ch].rm == LSC_RM_PREFIX ? delete_span(sc, s - 1, node_end(&nd[ch]) - s + 1)
                                              : delete_span(sc, s, node_end(&nd[ch]) - s);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct lsc_edit *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * Orders the edits by offset, equal ones as they came (as glibc's qsort, a merge sort, does
 * too). A record's few edits come mostly in order: insertion costs a compare each, where
 * qsort's set-up costs hundreds of instructions; many edits still go to qsort.
 */
static void sort_edits(struct lsc_edit *v, size_t n)
{
    if (n > 32) {
        qsort(v, n, sizeof *v, edit_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct lsc_edit e = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1].off > e.off) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = e;
    }
}

/* strcmp(a, b) == 0 for the few bytes of a part's name, inline: glibc's strcmp costs twice
 * as much when a string happens to lie near the end of a page (its page-crossing path). */
static inline bool same_name(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static int32_t child_named(const struct lsc_scrubber *sc, int32_t c, const char *name)
{
    for (int32_t ch = sc->jnodes[c].first; ch >= 0; ch = sc->jnodes[ch].next) {
        if (sc->jnodes[ch].name != NULL && same_name(sc->jnodes[ch].name, name)) {
            return ch;
        }
    }
    return -1;
}

/*
 * The url action on a split request ("GET /a?b HTTP/1.1"): applied to the URL, its path
 * and the query when kept, which then need no other treatment.
 */
static int request_url(struct lsc_scrubber *sc, const char *line, int32_t r,
                       const struct lsc_action *a)
{
    int32_t path = child_named(sc, r, "path");
    int32_t query = child_named(sc, r, "query");
    if (path < 0 || (sc->jstate[path] & ST_REMOVED)) {
        return 0;
    }
    bool with_query = query >= 0 && !(sc->jstate[query] & ST_REMOVED);
    const struct lsc_json_node *pn = &sc->jnodes[path];
    size_t s = pn->off;
    size_t e = with_query ? node_end(&sc->jnodes[query]) : node_end(pn);
    struct url_result u;
    int rc = url_result(sc, a, line + s, e - s, true, &u);
    if (rc == 0 && (u.changed || u.filtered)) {
        sc->st.replacements[LSC_CLASS_FIELD]++;
        struct lsc_json_node span = *pn;
        span.len = e - s;
        span.esc = LSC_ESC_RAW; /* the URL's bytes stay as the server escaped them */
        rc = replace_value(sc, &span, u.p, u.len, LSC_CLASS_FIELD);
    }
    sc->jstate[path] |= ST_DONE;
    if (query >= 0) {
        sc->jstate[query] |= ST_DONE;
    }
    return rc;
}

/*
 * Appends the scrubber's extra members (sc->extra: expiry tags and the like) to a JSON
 * object before its closing brace - with a comma only if a member remains - or to a logfmt
 * line as " key=value" (quoted when it must be). Other formats take no members here.
 */
static int append_members(struct lsc_scrubber *sc, const char *p, size_t len, enum lsc_format f,
                          const struct lsc_extra_member *extra, size_t nextra)
{
    if (f != LSC_FORMAT_JSON && f != LSC_FORMAT_LOGFMT) {
        return 0;
    }
    bool any_left = false;
    for (int32_t ch = sc->jnodes[0].first; ch >= 0; ch = sc->jnodes[ch].next) {
        any_left |= !(sc->jstate[ch] & ST_REMOVED);
    }
    size_t need = 0;
    for (size_t k = 0; k < nextra; k++) {
        need += 6 * (extra[k].key_len + extra[k].value_len) + 8;
    }
    struct lsc_buf *b = &sc->sarena;
    if (!lsc_buf_reserve(b, need)) {
        return CB_NOMEM;
    }
    size_t roff = b->len;
    char *o = b->p;
    for (size_t k = 0; k < nextra; k++) {
        const struct lsc_extra_member *x = &extra[k];
        if (f == LSC_FORMAT_JSON) {
            o[b->len++] = any_left || k > 0 ? ',' : '"';
            if (any_left || k > 0) {
                o[b->len++] = '"';
            }
            b->len += lsc_json_escape(x->key, x->key_len, o + b->len);
            memcpy(o + b->len, "\":\"", 3);
            b->len += 3;
            b->len += lsc_json_escape(x->value, x->value_len, o + b->len);
            o[b->len++] = '"';
        } else {
            o[b->len++] = ' ';
            for (size_t i = 0; i < x->key_len; i++) {
                char c = x->key[i];
                o[b->len++] = c == ' ' || c == '\t' || c == '=' || c == '"' ? '_' : c;
            }
            o[b->len++] = '=';
            if (bare_safe(x->value, x->value_len)) {
                memcpy(o + b->len, x->value, x->value_len);
                b->len += x->value_len;
            } else {
                o[b->len++] = '"';
                b->len += lsc_json_escape(x->value, x->value_len, o + b->len);
                o[b->len++] = '"';
            }
        }
    }
    /* JSON: right before the root's closing brace; logfmt: at the end of the line. */
    size_t at = f == LSC_FORMAT_JSON ? sc->jnodes[0].off + sc->jnodes[0].len - 1 : len;
    (void)p;
    return push_edit(sc, at, 0, roff, b->len - roff, LSC_CLASS_FIELD);
}

/*
 * The members appended to this record: the caller's (sc->extra); when it got a pseudonym,
 * its key epoch; under retention, its expiry. JSON and logfmt get members (_key_epoch,
 * _expires); syslog and access-log lines get " key_epoch=... expires=..." at their end,
 * like text lines (a reader of the access log must allow trailing fields).
 */
static int tag_record(struct lsc_scrubber *sc, const char *p, size_t len, enum lsc_format f)
{
    struct lsc_extra_member list[9];
    size_t n = 0;
    for (size_t k = 0; k < sc->nextra && n < 8; k++) {
        list[n++] = sc->extra[k];
    }
    const struct lsc_policy *pol = sc->pol;
    if (f != LSC_FORMAT_JSON && f != LSC_FORMAT_LOGFMT) {
        char tags[160];
        size_t tl = lsc_engine_text_tags(sc, tags);
        if (tl == 0) {
            return 0;
        }
        if (!lsc_buf_reserve(&sc->sarena, tl)) {
            return CB_NOMEM;
        }
        size_t roff = sc->sarena.len;
        memcpy(sc->sarena.p + roff, tags, tl);
        sc->sarena.len += tl;
        return push_edit(sc, len, 0, roff, tl, LSC_CLASS_FIELD);
    }
    char epoch[64], expiry[20];
    if (sc->line_pseudo && pol->tag_epoch) {
        size_t el = lsc_engine_epoch(sc, epoch);
        list[n++] = (struct lsc_extra_member){"_key_epoch", 10, epoch, el};
    }
    if (pol->retention && pol->tag_expiry) {
        const char *name = pol->expiry_name ? pol->expiry_name : "_expires";
        size_t xl = lsc_engine_expiry(sc, expiry);
        list[n++] = (struct lsc_extra_member){name, strlen(name), expiry, xl};
    }
    char next[20];
    if (sc->line_next_stage_set) {
        list[n++] = (struct lsc_extra_member){"_next_stage", 11, next,
                                              lsc_time_iso(sc->line_next_stage, next)};
    }
    return n > 0 ? append_members(sc, p, len, f, list, n) : 0;
}

/* May logfmt node i be part of a run of free words: a top-level pair left to the text scan
 * (no field action, not removed, not a secret name's value)? */
static bool word_node(struct lsc_scrubber *sc, const char *p, size_t i)
{
    const struct lsc_json_node *n = &sc->jnodes[i];
    return n->depth == 1 && n->key_len > 0 && !(sc->jstate[i] & (ST_REMOVED | ST_DONE)) &&
           sc->jact[i] == NULL &&
           (n->type == LSC_JSON_LITERAL ||
            (n->type == LSC_JSON_BARE &&
             !(sc->pol->detect[LSC_CLASS_SECRET_PARAM] && named(n) && secret_key(p, n))));
}

/* A word of free text in a logfmt line: a bare key, or one that ends in '=' ("dXNlcjpw==",
 * base64's padding, is read as a key and "=" as its value). */
static bool padded_word(const char *p, const struct lsc_json_node *n)
{
    if (n->type == LSC_JSON_LITERAL) {
        return true;
    }
    if (n->type != LSC_JSON_BARE || n->off != n->key_off + n->key_len + 1) {
        return false;
    }
    for (size_t c = 0; c < n->len; c++) {
        if (p[n->off + c] != '=') {
            return false;
        }
    }
    return true;
}

/*
 * Free text in a logfmt line ("msg=paid 4111 1111 1111 1111 user=bob") is read as bare keys,
 * a word each, and a value written with spaces - a card's or an IBAN's groups, "Bearer
 * <token>", "password: hunter2" - would be scanned a word at a time and pass. So each run of
 * two or more words (padded_word), after the bare value of the pair before them if it has
 * one, is scanned as one span, and replaced as one: its spaces kept, a '"' the replacement
 * brings - or an '=', when the run had none - turned into '_' so that the words stay words.
 * Their nodes are marked done (the key of the pair whose value starts the run is scanned
 * here, as its own).
 */
static int word_runs(struct lsc_scrubber *sc, const char *p, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        const struct lsc_json_node *n = &sc->jnodes[i];
        /* (The next node first: most lines have no free words, and word_node may ask
         * whether a key is a secret's name.) */
        if (!(n->type == LSC_JSON_LITERAL || n->type == LSC_JSON_BARE) || i + 1 == count ||
            !padded_word(p, &sc->jnodes[i + 1]) || !word_node(sc, p, i)) {
            continue;
        }
        size_t k = i + 1;
        while (k < count && padded_word(p, &sc->jnodes[k]) && word_node(sc, p, k)) {
            k++;
        }
        if (k - i < 2) {
            continue;
        }
        bool valued = n->type == LSC_JSON_BARE;
        const struct lsc_json_node *last = &sc->jnodes[k - 1];
        size_t off = valued ? n->off : n->key_off, end = node_end(last);
        struct lsc_buf *out = &sc->scanned;
        out->len = 0;
        bool changed = false;
        int rc = lsc_engine_scrub_span(sc, p + off, end - off, out, &changed);
        if (rc == 0 && changed) {
            if (valued) {
                lsc_count_field(sc, p + n->key_off, n->key_len, 1);
            }
            struct lsc_buf *b = &sc->sarena;
            if (!lsc_buf_reserve(b, out->len)) {
                return CB_NOMEM;
            }
            size_t roff = b->len;
            bool eq = memchr(p + off, '=', end - off) != NULL; /* ("a=b=c", "dXNl==") */
            for (size_t c = 0; c < out->len; c++) {
                char x = out->p[c];
                b->p[b->len++] = x == '"' || (x == '=' && !eq) ? '_' : x;
            }
            rc = push_edit(sc, off, end - off, roff, out->len, LSC_CLASS_FIELD);
        }
        if (rc != 0) {
            return rc;
        }
        if (valued && !(sc->jstate[i] & ST_KEY_CLEAN)) {
            rc = scan_value(sc, p, n, true, &changed); /* (its key is a word of its own) */
            if (rc != 0) {
                return rc;
            }
        }
        for (size_t w = i; w < k; w++) {
            sc->jstate[w] |= ST_DONE;
        }
        i = k - 1;
    }
    return 0;
}

/*
 * Is node i's value a secret by a name: its key's (secret_key; known from the key memo when
 * ST_SECRET_KNOWN), a container's it is in (secret_within), or the secret name beside it in
 * a name/value pair (paired_secret)? Node i is named, or marked by secret_within.
 */
static inline bool named_secret(struct lsc_scrubber *sc, const char *p, size_t i)
{
    unsigned char st = sc->jstate[i];
    const struct lsc_json_node *n = &sc->jnodes[i];
    bool secret = st & ST_SECRET_KNOWN
                      ? (st & ST_SECRET_KEY) || ((st & ST_SECRET_HINT) && paired_secret(sc, p, n))
                      : secret_key(p, n) || (n->name == NULL && paired_secret(sc, p, n));
    return secret && !working_directory(p, n);
}

/*
 * Is node i an argument after a secret flag in an array, ["--password", "hunter2"],
 * ["-storepass", "x"] - a container's args, a command line? (A flag with '=' is scanned
 * as name=value; see lsc_secret_flag_name.)
 */
static bool after_secret_flag(const struct lsc_scrubber *sc, const char *p, size_t i)
{
    const struct lsc_json_node *n = &sc->jnodes[i], *f = &sc->jnodes[i - 1];
    if (f->parent != n->parent || f->type != LSC_JSON_STRING || f->escaped || f->len < 4 ||
        p[f->off + 1] != '-') {
        return false;
    }
    /* The name, past the quote and one or two dashes ("-p" has none: a short flag's). */
    size_t s = 2 + (p[f->off + 2] == '-');
    return s < f->len - 1 && lsc_is_alpha((unsigned char)p[f->off + s]) &&
           lsc_secret_flag_name(p + f->off + s, f->len - 1 - s);
}

/* Is node k a string "-" and a flag letter, with at least len bytes (without quotes)? */
static bool short_flag_string(const struct lsc_json_node *k, const char *p, size_t len)
{
    return k->type == LSC_JSON_STRING && !k->escaped && k->len >= len + 2 && p[k->off + 1] == '-' &&
           lsc_short_flag_letter((unsigned char)p[k->off + 2]);
}

/* How many nodes before a short flag's are looked at for its command: an argument list's
 * command comes first, a few arguments before the flag (bounded, so that an array of
 * flags costs a constant each). */
#define COMMAND_NODES 64

/* Is node k a plain string of the array parent (an argument)? */
static bool arg_node(const struct lsc_json_node *k, int32_t parent)
{
    return k->parent == parent && k->type == LSC_JSON_STRING && !k->escaped && k->len >= 2;
}

/* The word of node w without its quotes and path ("/usr/sbin/rabbitmqctl" is rabbitmqctl). */
static const char *command_word(const struct lsc_json_node *w, const char *p, size_t *len)
{
    const char *word = p + w->off + 1;
    *len = w->len - 2;
    const char *slash = memrchr(word, '/', *len);
    if (slash != NULL) {
        *len -= (size_t)(slash + 1 - word);
        word = slash + 1;
    }
    return word;
}

/* The last command lsc_short_flag_command knows among the strings before node i in the
 * array that holds it, COMMAND_NODES nodes back ("/usr/bin/mysql" is mysql); or NULL. */
static const struct lsc_command *command_in_array(const struct lsc_scrubber *sc, const char *p,
                                                  size_t i)
{
    int32_t parent = sc->jnodes[i].parent;
    for (size_t k = i; k-- > (size_t)parent + 1 && i - k <= COMMAND_NODES;) {
        const struct lsc_json_node *w = &sc->jnodes[k];
        if (!arg_node(w, parent)) {
            continue;
        }
        size_t len;
        const char *word = command_word(w, p, &len);
        const struct lsc_command *cmd = lsc_short_flag_command(word, len);
        if (cmd != NULL) {
            return cmd;
        }
    }
    return NULL;
}

/* How many strings htpasswd_arg reads back for htpasswd's arguments and flags. */
#define HTPASSWD_NODES 16

/*
 * Is node i htpasswd's password in an array, as lsc_detect_short_flag finds it in text:
 * ["htpasswd", "-b", "file", "user", "x"], ["htpasswd", "-nb", "user", "x"] - the third
 * argument after the flags, the second with -n (or with two and no -n)? Read back over the
 * arguments, the flags (-C's and -r's number among them) to the command.
 */
static bool htpasswd_arg(const struct lsc_scrubber *sc, const char *p, size_t i)
{
    int32_t parent = sc->jnodes[i].parent;
    size_t k = i, place = 1; /* node i is the place-th argument */
    bool flags = false, flag_b = false, no_file = false;
    while (k-- > (size_t)parent + 1 && i - k <= HTPASSWD_NODES) {
        const struct lsc_json_node *w = &sc->jnodes[k], *before = &sc->jnodes[k - 1];
        if (!arg_node(w, parent)) {
            return false;
        }
        const char *word = p + w->off + 1;
        size_t len = w->len - 2;
        if (len >= 2 && word[0] == '-') {
            flags = true;
            flag_b |= memchr(word + 1, 'b', len - 1) != NULL;
            no_file |= memchr(word + 1, 'n', len - 1) != NULL;
            continue;
        }
        if (k > (size_t)parent + 1 && len > 0 && lsc_is_digit((unsigned char)word[0]) &&
            before->len == 4 && p[before->off + 1] == '-' &&
            (p[before->off + 2] == 'C' || p[before->off + 2] == 'r')) {
            continue; /* -C's number (its flag comes next) */
        }
        if (!flags) {
            if (++place > 3) {
                return false;
            }
            continue;
        }
        /* The word before the flags: the command's. */
        word = command_word(w, p, &len);
        const struct lsc_command *cmd = lsc_short_flag_command(word, len);
        if (!flag_b || cmd == NULL || cmd->form != LSC_FLAG_POSITIONAL) {
            return false;
        }
        size_t want = no_file ? 2 : 3;
        return place == want || (!no_file && place == 2 && sc->jnodes[i].next < 0);
    }
    return false;
}

/*
 * Is node i the password of rabbitmqctl's add_user, change_password or authenticate_user
 * in an array, ["rabbitmqctl", "-n", "rabbit@h", "add_user", "bob", "x"]: the second
 * string after the subcommand, rabbitmqctl a few strings before it?
 */
static bool rabbitmq_arg(const struct lsc_scrubber *sc, const char *p, size_t i)
{
    int32_t parent = sc->jnodes[i].parent;
    if (i < (size_t)parent + 4 || !arg_node(&sc->jnodes[i - 1], parent) ||
        !arg_node(&sc->jnodes[i - 2], parent)) {
        return false;
    }
    const struct lsc_json_node *sub = &sc->jnodes[i - 2];
    if (!lsc_rabbitmq_password_subcommand(p + sub->off + 1, sub->len - 2)) {
        return false;
    }
    /* Back over rabbitmqctl's flags and their values to its name. */
    for (size_t k = i - 3; k > (size_t)parent && i - k <= HTPASSWD_NODES; k--) {
        if (!arg_node(&sc->jnodes[k], parent)) {
            return false;
        }
        size_t len;
        const char *word = command_word(&sc->jnodes[k], p, &len);
        if (len == 11 && memcmp(word, "rabbitmqctl", 11) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Is node i the password of a command lsc_arg_reader_start knows, in an array, as
 * lsc_detect_argument_password finds it in text: ["net", "user", "bob", "x"],
 * ["wpa_passphrase", "ssid", "x"], ["sqlplus", "-s", "u/x@db"] (the whole string goes)? The
 * command's string is a few strings back; the strings after it are read as its words.
 */
static bool argument_password_arg(const struct lsc_scrubber *sc, const char *p, size_t i)
{
    int32_t parent = sc->jnodes[i].parent;
    for (size_t k = i; k-- > (size_t)parent + 1 && i - k <= HTPASSWD_NODES;) {
        const struct lsc_json_node *w = &sc->jnodes[k];
        /* (Escaped strings too: net's resource is one, "\\\\host\\share", and so is a
         * Windows path to net.exe - read as they are written, backslashes doubled.) */
        if (w->parent != parent || w->type != LSC_JSON_STRING || w->len < 2) {
            return false;
        }
        /* (The commands' names end in one of these: net, net1, .exe, wpa_passphrase,
         * sqlplus, sqlldr.) */
        unsigned char last = (unsigned char)p[w->off + w->len - 2] | 32;
        if (last != 't' && last != '1' && last != 'e' && last != 's' && last != 'r') {
            continue;
        }
        size_t len = w->len - 2;
        const char *word = lsc_command_name(p + w->off + 1, &len);
        struct lsc_arg_reader r;
        if (!lsc_arg_reader_start(&r, word, len)) {
            continue;
        }
        for (size_t a = k + 1; a <= i; a++) {
            const struct lsc_json_node *arg = &sc->jnodes[a];
            size_t s, e;
            enum lsc_arg_verdict v =
                lsc_arg_reader_feed(&r, p + arg->off + 1, arg->len - 2, &s, &e);
            if (v != LSC_ARG_MORE) {
                return v == LSC_ARG_SECRET && a == i;
            }
        }
        return false;
    }
    return false;
}

/*
 * Is node i a password a short flag gives in an array, as lsc_detect_short_flag finds one
 * in text: ["mysql", "-u", "root", "-phunter2"] (the whole string goes), ["sshpass", "-p",
 * "x"], ["redis-cli", "-a", "x"], ["smbclient", "-U", "u%x"]? (Not inlined: asked of every
 * string in an array; inlined, it lengthened the record loop by 0.2 % of the instructions
 * on the JSON corpus.)
 */
__attribute__((noinline)) static bool short_flag_secret(const struct lsc_scrubber *sc,
                                                        const char *p, size_t i)
{
    const struct lsc_json_node *n = &sc->jnodes[i], *f = &sc->jnodes[i - 1];
    if (n->parent < 0 || n->type != LSC_JSON_STRING) {
        return false; /* (an unnamed node with a parent is an array's) */
    }
    const struct lsc_json_node *flag;
    if (short_flag_string(n, p, 3)) {
        flag = n; /* glued: "-phunter2" */
    } else if (f->parent == n->parent && f->len == 4 && short_flag_string(f, p, 2)) {
        flag = f; /* apart: "-p", "hunter2" */
    } else {
        return f->parent == n->parent && (htpasswd_arg(sc, p, i) || rabbitmq_arg(sc, p, i) ||
                                          argument_password_arg(sc, p, i));
    }
    const struct lsc_command *cmd = command_in_array(sc, p, i);
    if (cmd == NULL) {
        return argument_password_arg(sc, p, i); /* (["sqlplus", "-s", "u/x@db"]) */
    }
    if (cmd->form == LSC_FLAG_POSITIONAL || strchr(cmd->flags, p[flag->off + 2]) == NULL ||
        cmd->form == (flag == n ? LSC_FLAG_APART : LSC_FLAG_GLUED)) {
        return false;
    }
    /* user%password: a user alone is no password. */
    size_t v = flag == n ? 3 : 1;
    return cmd->after == 0 ||
           (n->len > v + 1 && memchr(p + n->off + v, cmd->after, n->len - v - 1) != NULL);
}

/*
 * A secret name's value is a secret whatever its shape: every value inside the object or
 * array c it names ({"password": ["hunter2", {"pin": 1}]}) is one too, marked so here (its
 * descendants follow it in the nodes). Returns the index after the last of them.
 */
static size_t secret_within(struct lsc_scrubber *sc, size_t c, size_t count)
{
    uint32_t depth = sc->jnodes[c].depth;
    size_t j = c + 1;
    for (; j < count && sc->jnodes[j].depth > depth; j++) {
        sc->jstate[j] |= ST_SECRET_KNOWN | ST_SECRET_KEY;
    }
    return j;
}

static int scrub_record(struct lsc_scrubber *sc, const char *p, size_t count, enum lsc_format f)
{
    sc->record_no++; /* (a new record for paired_secret's memo) */
    const struct lsc_policy *pol = sc->pol;
    classify(sc, p, count);
    if (f == LSC_FORMAT_LOGFMT) {
        int rc = word_runs(sc, p, count);
        if (rc != 0) {
            return rc;
        }
    }
    size_t within = 0; /* nodes before it are in a secret's container, marked (secret_within) */
    for (size_t i = 0; i < count; i++) {
        const struct lsc_json_node *n = &sc->jnodes[i];
        if ((sc->jstate[i] & (ST_REMOVED | ST_DONE)) || n->rm == LSC_RM_NEVER) {
            continue; /* never-removed members are checked structure (digits, a time) */
        }
        int rc = 0;
        const struct lsc_action *a = sc->jact[i];
        if (is_container(n)) {
            rc = remove_children(sc, p, (int32_t)i);
            if (rc == 0 && a != NULL && a->kind == LSC_ACT_URL && n->name != NULL) {
                rc = request_url(sc, p, (int32_t)i, a);
            }
        }
        bool changed = false;
        if (rc == 0 && n->key_len > 0 && !(sc->jstate[i] & ST_KEY_CLEAN)) {
            rc = scan_value(sc, p, n, true, &changed);
            struct lsc_key_memo *m = rc == 0 && !changed ? key_memo(sc, p, (int32_t)i) : NULL;
            if (m != NULL) {
                m->state |= ST_KEY_CLEAN; /* the same text scans the same way on every line */
            }
        }
        if (rc != 0) {
            return rc;
        }
        if (a != NULL) {
            rc = act_on_value(sc, p, n, a, LSC_CLASS_FIELD);
        } else if (pol->detect[LSC_CLASS_SECRET_PARAM] &&
                   (named(n) || (sc->jstate[i] & ST_SECRET_KEY)
                        ? named_secret(sc, p, i)
                        : i > 0 && !is_container(n) &&
                              (after_secret_flag(sc, p, i) || short_flag_secret(sc, p, i)))) {
            if (!is_container(n)) {
                rc = act_on_value(sc, p, n, &pol->detect_action[LSC_CLASS_SECRET_PARAM],
                                  LSC_CLASS_SECRET_PARAM);
            } else if (i >= within) {
                within = secret_within(sc, i, count);
            }
        } else if (n->type == LSC_JSON_STRING || n->type == LSC_JSON_NUMBER ||
                   n->type == LSC_JSON_BARE) {
            rc = scan_value(sc, p, n, false, &changed);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* Parses p[0..len) as format f into sc->jnodes. */
static enum lsc_json_status parse_as(struct lsc_scrubber *sc, enum lsc_format f,
                                     const struct lsc_access_format *acc, const char *p, size_t len,
                                     size_t cap, size_t *count)
{
    switch (f) {
    case LSC_FORMAT_JSON:
        return lsc_json_parse(p, len, sc->jnodes, cap, MAX_DEPTH, count);
    case LSC_FORMAT_LOGFMT:
        return lsc_logfmt_parse(p, len, sc->jnodes, cap, count);
    case LSC_FORMAT_ACCESS:
        return lsc_access_parse(acc, p, len, sc->jnodes, cap, count);
    case LSC_FORMAT_SYSLOG:
        return lsc_syslog_parse(p, len, sc->jnodes, cap, count);
    case LSC_FORMAT_TEXT:
    case LSC_FORMAT_AUTO:
        break;
    }
    return LSC_JSON_SYNTAX;
}

/* Is a parsed logfmt line really logfmt, not a sentence with an '=' in it? */
static bool looks_logfmt(const struct lsc_scrubber *sc, size_t count)
{
    size_t valued = 0;
    for (size_t i = 1; i < count; i++) {
        valued += sc->jnodes[i].type != LSC_JSON_LITERAL;
    }
    return count > 1 && sc->jnodes[1].type != LSC_JSON_LITERAL && valued >= 2 &&
           valued * 2 >= count - 1;
}

/* format auto: the formats a line may be, in the order they are tried. */
static const struct {
    enum lsc_format f;
    int layout; /* ACCESS: index into policy.auto_access */
} candidates[] = {
    {LSC_FORMAT_JSON, 0},   {LSC_FORMAT_SYSLOG, 0}, {LSC_FORMAT_ACCESS, 0},
    {LSC_FORMAT_ACCESS, 1}, {LSC_FORMAT_LOGFMT, 0},
};

static bool try_candidate(struct lsc_scrubber *sc, size_t k, const char *p, size_t len, size_t cap,
                          size_t *count)
{
    enum lsc_format f = candidates[k].f;
    if (f == LSC_FORMAT_JSON && (len == 0 || p[0] != '{')) {
        return false;
    }
    const struct lsc_access_format *acc = sc->pol->auto_access[candidates[k].layout];
    return parse_as(sc, f, acc, p, len, cap, count) == LSC_JSON_OK &&
           (f != LSC_FORMAT_LOGFMT || looks_logfmt(sc, *count));
}

/*
 * format auto: the line is read as the format the stream has shown so far; if it is not
 * that, each candidate is tried (JSON only for a line starting with '{'; logfmt only when
 * the first pair and at least half of all pairs have values) and the first that parses
 * becomes the stream's format. False when none fits: the line is plain text.
 */
static bool sniff(struct lsc_scrubber *sc, const char *p, size_t len, size_t cap, size_t *count)
{
    size_t guess = sc->auto_guess; /* 0: none yet, else candidate index + 1 */
    if (guess > 0 && try_candidate(sc, guess - 1, p, len, cap, count)) {
        return true;
    }
    for (size_t k = 0; k < sizeof candidates / sizeof candidates[0]; k++) {
        if (k + 1 != guess && try_candidate(sc, k, p, len, cap, count)) {
            sc->auto_guess = k + 1;
            return true;
        }
    }
    return false;
}

lsc_error lsc_engine_record_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                                 enum lsc_verdict *verdict)
{
    const struct lsc_policy *pol = sc->pol;
    size_t cap = len / 2 + 2 < MAX_NODES ? len / 2 + 2 : MAX_NODES;
    cap = cap < 64 ? 64 : cap;
    if (cap > sc->jnodes_cap) {
        struct lsc_json_node *nn = realloc(sc->jnodes, cap * sizeof *nn);
        if (nn != NULL) {
            sc->jnodes = nn;
        }
        unsigned char *ns = nn ? realloc(sc->jstate, cap) : NULL;
        if (ns != NULL) {
            sc->jstate = ns;
        }
        const struct lsc_action **na = ns ? realloc(sc->jact, cap * sizeof *na) : NULL;
        if (na == NULL) {
            return lsc_engine_fail_line(sc, LSC_FAIL_NOMEM, len, nl, verdict);
        }
        sc->jact = na;
        sc->jnodes_cap = cap;
    }
    size_t count = 0;
    enum lsc_json_status parsed = LSC_JSON_SYNTAX;
    if (pol->format == LSC_FORMAT_AUTO) {
        parsed = sniff(sc, p, len, cap, &count) ? LSC_JSON_OK : LSC_JSON_SYNTAX;
        if (parsed != LSC_JSON_OK && pol->nfields == 0) {
            return lsc_engine_text_line(sc, p, len, nl, verdict); /* plain text is a format */
        }
    } else {
        parsed = parse_as(sc, pol->format, pol->access, p, len, cap, &count);
    }
    if (parsed != LSC_JSON_OK) {
        sc->st.parse_fallback++;
        if (pol->nfields > 0) {
            /* An allow-list cannot be honoured on a line we cannot read: fail closed. */
            return lsc_engine_fail_line(sc, LSC_FAIL_PARSE, len, nl, verdict);
        }
        return lsc_engine_text_line(sc, p, len, nl, verdict);
    }
    sc->cur_count = count;
    size_t start = sc->out.len;
    size_t kept = sc->gather.bytes;
    uint64_t before[LSC_CLASS_COUNT];
    memcpy(before, sc->st.replacements, sizeof before);
    uint64_t removed_before = sc->st.fields_removed;
    sc->sedits.n = 0;
    sc->sarena.len = 0;
    enum lsc_format fmt =
        pol->format == LSC_FORMAT_AUTO ? candidates[sc->auto_guess - 1].f : pol->format;
    int rc = scrub_record(sc, p, count, fmt);
    if (rc == 0 &&
        (sc->line_pseudo || pol->retention || sc->nextra > 0 || sc->line_next_stage_set)) {
        rc = tag_record(sc, p, len, fmt);
    }
    if (rc == 0) {
        sort_edits(sc->sedits.v, sc->sedits.n);
        size_t pos = 0;
        for (size_t k = 0; k < sc->sedits.n && rc == 0; k++) {
            const struct lsc_edit *e = &sc->sedits.v[k];
            if (!lsc_buf_append(&sc->out, p + pos, e->off - pos) ||
                (e->rlen > 0 && !lsc_buf_append(&sc->out, sc->sarena.p + e->roff, e->rlen))) {
                rc = CB_NOMEM;
            }
            pos = e->off + e->len;
        }
        if (rc == 0) {
            rc = lsc_engine_line_end(sc, p + pos, len - pos, nl, pos == 0);
        }
    }
    if (rc != 0) {
        sc->st.fields_removed = removed_before;
        return lsc_engine_abort_line(sc, rc, start, before, len, nl, verdict);
    }
    return lsc_engine_emitted(sc, start, kept, len, nl, sc->sedits.n > 0, verdict);
}
