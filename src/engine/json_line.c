/*
 * json_line.c - scrubbing a structured record: a JSON line or a logfmt line.
 *
 * The line is tokenized (src/format/json.c or logfmt.c) into nodes that point into it. Each member
 * gets a state from the policy's fields: removed (not in fields.keep, or in fields.drop), kept
 * whole, or kept as a container because a listed path runs through it. Removed members
 * become deletions that take one comma with them, so the object stays valid JSON; kept
 * values get their field action, or the secret_param action when their key names a secret,
 * or else the text detectors and pattern rules - on the decoded string, re-escaped after.
 * All changes are edits spliced into the original bytes: key order and spacing survive.
 * In logfmt, removing a pair takes one space with it, and a value that needs quoting after
 * an action is written as a quoted string.
 * A line that does not parse falls back to the text path, or fails closed when the policy
 * has field rules (text scanning cannot honour an allow-list).
 */
#include "../detect/detect.h"
#include "../format/logfmt.h"
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NODES 100000
#define MAX_DEPTH 64

enum { ST_REMOVED = 1, ST_WHOLE = 2, ST_CONTAINER = 4 };

static bool is_container(const struct lsc_json_node *n)
{
    return n->type == LSC_JSON_OBJECT || n->type == LSC_JSON_ARRAY;
}

static size_t node_start(const struct lsc_json_node *n)
{
    return n->key_len ? n->key_off : n->off;
}

static size_t node_end(const struct lsc_json_node *n)
{
    return n->off + n->len;
}

/* Where a key's text is: between its quotes, or all of it for a bare logfmt key. */
static void key_content(const struct lsc_json_node *n, size_t *off, size_t *len)
{
    *off = n->key_bare ? n->key_off : n->key_off + 1;
    *len = n->key_bare ? n->key_len : n->key_len - 2;
}

static bool key_equals(const char *line, const struct lsc_json_node *x, const char *seg, size_t sl)
{
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
        if (x->key_len == 0 ? !any : (any || !key_equals(line, x, path->segs[d], path->lens[d]))) {
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
 * Replaces a value by text[0..tl) (unescaped): between the quotes of a string, or as a new
 * JSON string in place of a number, so the record stays valid JSON.
 */
static int replace_value(struct lsc_scrubber *sc, const struct lsc_json_node *n, const char *text,
                         size_t tl, lsc_class cls)
{
    struct lsc_buf *b = &sc->sarena;
    if (!lsc_buf_reserve(b, tl * 6 + 2)) {
        return CB_NOMEM;
    }
    bool str = n->type == LSC_JSON_STRING;
    size_t roff = b->len;
    if (n->type == LSC_JSON_BARE && bare_safe(text, tl)) {
        memcpy(b->p + roff, text, tl); /* logfmt: a bare value stays bare when it can */
        b->len += tl;
        return push_edit(sc, n->off, n->len, roff, tl, cls);
    }
    char *o = b->p + roff;
    size_t w = 0;
    if (!str) {
        o[w++] = '"';
    }
    w += lsc_json_escape(text, tl, o + w);
    if (!str) {
        o[w++] = '"';
    }
    b->len += w;
    return push_edit(sc, str ? n->off + 1 : n->off, str ? n->len - 2 : n->len, roff, w, cls);
}

/* The value's (or key's) text, decoded when it has escapes (into sc->scratch). */
static const char *value_text(struct lsc_scrubber *sc, const char *line,
                              const struct lsc_json_node *n, bool key, size_t *tl, int *rc)
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
    } else {
        *tl = n->len; /* numbers and bare logfmt values: the bytes themselves */
        return line + n->off;
    }
    if (!esc) {
        *tl = len;
        return line + off;
    }
    sc->scratch.len = 0;
    if (!lsc_buf_reserve(&sc->scratch, len)) {
        *rc = CB_NOMEM;
        return NULL;
    }
    *tl = lsc_json_unescape(line + off, len, sc->scratch.p);
    return sc->scratch.p;
}

/* A bare logfmt key stays bare: bytes that would end it become '_'. */
static int replace_bare_key(struct lsc_scrubber *sc, const struct lsc_json_node *n,
                            const char *text, size_t tl)
{
    struct lsc_buf *b = &sc->sarena;
    if (!lsc_buf_reserve(b, tl + 1)) {
        return CB_NOMEM;
    }
    size_t roff = b->len;
    for (size_t i = 0; i < tl; i++) {
        char c = text[i];
        b->p[b->len++] = c == ' ' || c == '\t' || c == '=' || c == '"' ? '_' : c;
    }
    if (tl == 0) {
        b->p[b->len++] = '_';
    }
    return push_edit(sc, n->key_off, n->key_len, roff, b->len - roff, LSC_CLASS_FIELD);
}

/* Applies a policy action to a kept value. */
static int act_on_value(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n,
                        const struct lsc_action *a, lsc_class cls)
{
    if (a->kind == LSC_ACT_KEEP || n->type == LSC_JSON_LITERAL || is_container(n)) {
        return 0; /* null/true/false hide nothing; containers: their members are scanned */
    }
    if (a->kind == LSC_ACT_DROP_LINE) {
        return CB_DROP;
    }
    int rc;
    size_t tl;
    const char *t = value_text(sc, line, n, false, &tl, &rc);
    if (rc != 0) {
        return rc;
    }
    struct lsc_ip ip = {0};
    if (a->kind == LSC_ACT_IP_TRUNCATE) {
        if (tl > 0 && lsc_ip4_parse(t, t + tl, ip.bytes) == tl) {
            ip.family = 4;
        } else if (tl == 0 || lsc_ip6_parse(t, t + tl, &ip) != tl) {
            ip.family = 0; /* not an address: the label stands in */
        }
    }
    size_t cap = lsc_action_max_len(a, tl);
    char small[512];
    char *out = cap <= sizeof small ? small : malloc(cap);
    if (out == NULL) {
        return CB_NOMEM;
    }
    size_t ol = lsc_action_render(a, t, tl, ip.family ? &ip : NULL, out);
    rc = 0;
    if (a->kind == LSC_ACT_URL) {
        /* What the URL keeps still goes through the detectors and rules. */
        struct lsc_buf *s2 = &sc->scanned;
        s2->len = 0;
        bool changed = false;
        rc = lsc_engine_scrub_span(sc, out, ol, s2, &changed);
        if (rc == 0 && (changed || ol != tl)) {
            sc->st.replacements[cls] += ol != tl;
            rc = replace_value(sc, n, s2->p ? s2->p : "", s2->len, cls);
        }
        if (out != small) {
            free(out);
        }
        return rc;
    }
    if (ol != tl || memcmp(out, t, tl) != 0) {
        sc->st.replacements[cls]++;
        rc = replace_value(sc, n, out, ol, cls);
    }
    if (out != small) {
        free(out);
    }
    return rc;
}

/* Runs the text detectors and rules over a string value, a number, or a key. */
static int scan_value(struct lsc_scrubber *sc, const char *line, const struct lsc_json_node *n,
                      bool key)
{
    int rc;
    size_t tl;
    const char *t = value_text(sc, line, n, key, &tl, &rc);
    if (rc != 0) {
        return rc;
    }
    struct lsc_buf *out = &sc->scanned;
    out->len = 0;
    bool changed = false;
    rc = lsc_engine_scrub_span(sc, t, tl, out, &changed);
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

/* Decides removed / kept whole / kept as container for every node. */
static void classify(struct lsc_scrubber *sc, const char *line, size_t count)
{
    const struct lsc_policy *pol = sc->pol;
    unsigned char *state = sc->jstate;
    state[0] = pol->has_keep ? ST_CONTAINER : ST_WHOLE;
    for (size_t i = 1; i < count; i++) {
        unsigned char ps = state[sc->jnodes[i].parent];
        if (ps & ST_REMOVED) {
            state[i] = ST_REMOVED;
            continue;
        }
        unsigned char st = ST_WHOLE;
        if (!(ps & ST_WHOLE)) {
            int best = 0;
            for (size_t f = 0; f < pol->nfields && best != 1; f++) {
                if (pol->fields[f].kind == LSC_FIELD_KEEP) {
                    int m = path_match(sc, line, (int32_t)i, &pol->fields[f].path);
                    best = m == 1 ? 1 : (m == 2 ? 2 : best);
                }
            }
            st = best == 1                                   ? ST_WHOLE
                 : best == 2 && is_container(&sc->jnodes[i]) ? ST_CONTAINER
                                                             : ST_REMOVED;
        }
        for (size_t f = 0; f < pol->nfields && st != ST_REMOVED; f++) {
            if (pol->fields[f].kind == LSC_FIELD_DROP &&
                path_match(sc, line, (int32_t)i, &pol->fields[f].path) == 1) {
                st = ST_REMOVED;
            }
        }
        state[i] = st;
    }
}

/* Deletions for the removed children of container c, each taking one comma along. */
static int remove_children(struct lsc_scrubber *sc, int32_t c)
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

static const struct lsc_action *field_action(const struct lsc_scrubber *sc, const char *line,
                                             int32_t i)
{
    const struct lsc_action *a = NULL;
    for (size_t f = 0; f < sc->pol->nfields; f++) {
        const struct lsc_field_rule *fr = &sc->pol->fields[f];
        if (fr->kind == LSC_FIELD_ACTION && path_match(sc, line, i, &fr->path) == 1) {
            a = &fr->action; /* the last one written wins */
        }
    }
    return a;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct lsc_edit *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

static bool secret_key(const char *line, const struct lsc_json_node *n)
{
    size_t ko, kl;
    key_content(n, &ko, &kl);
    return kl > 0 && lsc_secret_name(line + ko, kl);
}

static int scrub_record(struct lsc_scrubber *sc, const char *p, size_t count)
{
    const struct lsc_policy *pol = sc->pol;
    classify(sc, p, count);
    for (size_t i = 0; i < count; i++) {
        const struct lsc_json_node *n = &sc->jnodes[i];
        if (sc->jstate[i] & ST_REMOVED) {
            continue;
        }
        int rc = 0;
        if (is_container(n)) {
            rc = remove_children(sc, (int32_t)i);
        }
        const struct lsc_action *a = i > 0 ? field_action(sc, p, (int32_t)i) : NULL;
        if (rc == 0 && n->key_len > 0) {
            rc = scan_value(sc, p, n, true);
        }
        if (rc != 0) {
            return rc;
        }
        if (a != NULL) {
            rc = act_on_value(sc, p, n, a, LSC_CLASS_FIELD);
        } else if (n->key_len > 0 && pol->detect[LSC_CLASS_SECRET_PARAM] && secret_key(p, n)) {
            rc = act_on_value(sc, p, n, &pol->detect_action[LSC_CLASS_SECRET_PARAM],
                              LSC_CLASS_SECRET_PARAM);
        } else if (n->type == LSC_JSON_STRING || n->type == LSC_JSON_NUMBER ||
                   n->type == LSC_JSON_BARE) {
            rc = scan_value(sc, p, n, false);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

lsc_error lsc_engine_record_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                                 enum lsc_verdict *verdict)
{
    const struct lsc_policy *pol = sc->pol;
    size_t cap = len / 2 + 2 < MAX_NODES ? len / 2 + 2 : MAX_NODES;
    if (cap > sc->jnodes_cap) {
        struct lsc_json_node *nn = realloc(sc->jnodes, cap * sizeof *nn);
        unsigned char *ns = nn ? realloc(sc->jstate, cap) : NULL;
        if (nn != NULL) {
            sc->jnodes = nn;
        }
        if (ns == NULL) {
            return lsc_engine_fail_line(sc, LSC_FAIL_NOMEM, len, nl, verdict);
        }
        sc->jstate = ns;
        sc->jnodes_cap = cap;
    }
    size_t count = 0;
    enum lsc_json_status parsed = pol->format == LSC_FORMAT_LOGFMT
                                      ? lsc_logfmt_parse(p, len, sc->jnodes, cap, &count)
                                      : lsc_json_parse(p, len, sc->jnodes, cap, MAX_DEPTH, &count);
    if (parsed != LSC_JSON_OK) {
        sc->st.parse_fallback++;
        if (pol->nfields > 0) {
            /* An allow-list cannot be honoured on a line we cannot read: fail closed. */
            return lsc_engine_fail_line(sc, LSC_FAIL_PARSE, len, nl, verdict);
        }
        return lsc_engine_text_line(sc, p, len, nl, verdict);
    }
    size_t start = sc->out.len;
    uint64_t before[LSC_CLASS_COUNT];
    memcpy(before, sc->st.replacements, sizeof before);
    uint64_t removed_before = sc->st.fields_removed;
    sc->sedits.n = 0;
    sc->sarena.len = 0;
    int rc = scrub_record(sc, p, count);
    if (rc == 0) {
        if (sc->sedits.n > 1) {
            qsort(sc->sedits.v, sc->sedits.n, sizeof *sc->sedits.v, edit_cmp);
        }
        size_t pos = 0;
        for (size_t k = 0; k < sc->sedits.n && rc == 0; k++) {
            const struct lsc_edit *e = &sc->sedits.v[k];
            if (!lsc_buf_append(&sc->out, p + pos, e->off - pos) ||
                (e->rlen > 0 && !lsc_buf_append(&sc->out, sc->sarena.p + e->roff, e->rlen))) {
                rc = CB_NOMEM;
            }
            pos = e->off + e->len;
        }
        if (rc == 0 && !lsc_buf_append(&sc->out, p + pos, len - pos)) {
            rc = CB_NOMEM;
        }
    }
    if (rc != 0) {
        sc->st.fields_removed = removed_before;
        return lsc_engine_abort_line(sc, rc, start, before, len, nl, verdict);
    }
    return lsc_engine_emitted(sc, start, len, nl, sc->sedits.n > 0, verdict);
}
