/*
 * scrub.c - applies the plan to one line: built-in detectors, then pattern rules, then the
 * splice that writes the line with its edits into the output buffer.
 *
 * Two paths. When no pattern rule can match the line (no rules, or none of their anchor
 * bytes occur), detector matches are spliced straight into the output as they are found:
 * one pass, no edit list. Otherwise every match becomes an edit; rule matches are added,
 * overlapping edits are merged (the rule's label wins), and the splice runs once.
 * A rule error, or running out of memory, sends the whole line down the on_error path.
 */
#include "../action/action.h"
#include "../detect/chars.h"
#include "../detect/detect.h"
#include "engine.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
/* Inlined here: the tail memo hashes 16 bytes a line, where the call into the library cost
 * more than the hash. */
#define XXH_INLINE_ALL
#include <xxhash.h>

#define OUT_LIMIT ((size_t)1 << 32)

static const char *const fail_names[LSC_FAIL_COUNT] = {
#define LSC_FAIL_STR(name, str) [LSC_FAIL_##name] = str,
    LSC_FAIL_MAP(LSC_FAIL_STR)
#undef LSC_FAIL_STR
};

static const char *const class_names[LSC_CLASS_COUNT] = {
#define LSC_CLASS_STR(name, str) [LSC_CLASS_##name] = str,
    LSC_CLASS_MAP(LSC_CLASS_STR)
#undef LSC_CLASS_STR
};

static const char *const error_msgs[LSC_ERROR_COUNT] = {
#define LSC_ERROR_STR(name, msg) [LSC_##name] = msg,
    LSC_ERROR_MAP(LSC_ERROR_STR)
#undef LSC_ERROR_STR
};

const char *lsc_strerror(lsc_error err)
{
    return (unsigned)err < LSC_ERROR_COUNT ? error_msgs[err] : "unknown error";
}

const char *lsc_class_name(lsc_class cls)
{
    return (unsigned)cls < LSC_CLASS_COUNT ? class_names[cls] : "unknown";
}

const char *lsc_fail_name(lsc_fail why)
{
    return (unsigned)why < LSC_FAIL_COUNT ? fail_names[why] : "unknown";
}

lsc_error lsc_scrubber_new(const struct lsc_policy *pol, struct lsc_scrubber **out)
{
    /* (Its own lines: the workers' scrubbers are made one after the other by one thread,
     * and each is written at every line - see lsc_alloc_unshared.) */
    struct lsc_scrubber *sc = lsc_alloc_unshared(1, sizeof *sc);
    if (sc == NULL) {
        return LSC_ENOMEM;
    }
    sc->pol = pol;
    /* For bench/ (what the memos are worth) and the fuzzers' oracles (they change nothing). */
    sc->memo_off = getenv("LOGSCRUB_NO_MEMO") != NULL;
    sc->out.limit = OUT_LIMIT;
    sc->arena.limit = OUT_LIMIT;
    sc->sarena.limit = OUT_LIMIT;
    sc->scratch.limit = OUT_LIMIT;
    sc->scanned.limit = OUT_LIMIT;
    if (!lsc_rule_scratch_init(&sc->rs, &pol->limits, 1) ||
        (pol->nrules > 0 &&
         (sc->rule_hits = lsc_alloc_unshared(pol->nrules, sizeof *sc->rule_hits)) == NULL)) {
        lsc_rule_scratch_free(&sc->rs);
        free(sc);
        return LSC_ENOMEM;
    }
    *out = sc;
    return LSC_OK;
}

void lsc_scrubber_free(struct lsc_scrubber *sc)
{
    if (sc == NULL) {
        return;
    }
    lsc_rule_scratch_free(&sc->rs);
    free(sc->rule_hits);
    free(sc->field_counts);
    if (sc->subkey != NULL) {
        sodium_free(sc->subkey);
    }
    free(sc->vmemo);
    lsc_buf_free(&sc->out);
    lsc_gather_free(&sc->gather);
    lsc_buf_free(&sc->arena);
    free(sc->edits.v);
    free(sc->jnodes);
    free(sc->jstate);
    free(sc->jact);
    free(sc->ua_memo);
    free(sc->path_memo);
    free(sc->key_memo);
    free(sc->key_last);
    free(sc->clean_memo);
    free(sc->tail_memo);
    free(sc->url_memo);
    free(sc->trunc_memo);
    free(sc->sedits.v);
    lsc_buf_free(&sc->sarena);
    lsc_buf_free(&sc->scratch);
    lsc_buf_free(&sc->scanned);
    free(sc);
}

const struct lsc_stats *lsc_scrubber_stats(const struct lsc_scrubber *sc)
{
    return &sc->st;
}

/* The entry whose name is name[0..len) byte for byte, or NULL. Entries hold no NUL, so
 * name[0..len) with one in it finds none. */
static struct lsc_field_count *field_entry(struct lsc_scrubber *sc, const char *name, size_t len)
{
    for (size_t i = 0; i < sc->nfield_counts; i++) {
        struct lsc_field_count *c = &sc->field_counts[i];
        if (c->len == len && memcmp(c->name, name, len) == 0) {
            return c;
        }
    }
    return NULL;
}

void lsc_count_field(struct lsc_scrubber *sc, const char *name, size_t len, uint64_t n)
{
    /* The name as a C string reads: up to its first NUL, in the room an entry has. */
    size_t room = sizeof sc->field_counts->name - 1;
    len = len < room ? len : room;
    struct lsc_field_count *c = field_entry(sc, name, len);
    if (c == NULL) {
        const char *nul = memchr(name, '\0', len);
        if (nul != NULL) {
            len = (size_t)(nul - name);
            c = field_entry(sc, name, len);
        }
    }
    if (c != NULL) {
        c->n += n;
        return;
    }
    if (sc->field_counts == NULL &&
        (sc->field_counts = calloc(LSC_FIELD_COUNTS, sizeof *sc->field_counts)) == NULL) {
        return; /* (a metric, not a line: nothing fails for it) */
    }
    if (sc->nfield_counts >= LSC_FIELD_COUNTS - 1) {
        /* The table is full: the last entry counts every name not in it. */
        struct lsc_field_count *o = &sc->field_counts[LSC_FIELD_COUNTS - 1];
        if (sc->nfield_counts == LSC_FIELD_COUNTS - 1) {
            o->len = (uint8_t)snprintf(o->name, sizeof o->name, "(other)");
            o->n = 0;
            sc->nfield_counts++;
        }
        o->n += n;
        return;
    }
    /* (The table is calloc'd: the bytes after the name stay 0, as its end.) */
    c = &sc->field_counts[sc->nfield_counts++];
    memcpy(c->name, name, len);
    c->len = (uint8_t)len;
    c->n = n;
}

void lsc_stats_add(struct lsc_stats *to, const struct lsc_stats *from)
{
    /* Every member of lsc_stats is a uint64_t counter (see logscrub.h): word by word. */
    _Static_assert(sizeof(struct lsc_stats) % sizeof(uint64_t) == 0, "only counters");
    uint64_t w[sizeof(struct lsc_stats) / sizeof(uint64_t)];
    const uint64_t *f = (const uint64_t *)(const void *)from;
    memcpy(w, to, sizeof w);
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        w[i] += f[i];
    }
    memcpy(to, w, sizeof w);
}

void lsc_scrubber_merge_counts(struct lsc_scrubber *to, const struct lsc_scrubber *from)
{
    lsc_stats_add(&to->st, &from->st);
    for (size_t k = 0; k < to->pol->nrules && from->rule_hits != NULL; k++) {
        to->rule_hits[k] += from->rule_hits[k];
    }
    for (size_t i = 0; i < from->nfield_counts; i++) {
        lsc_count_field(to, from->field_counts[i].name, from->field_counts[i].len,
                        from->field_counts[i].n);
    }
}

/*
 * Renders action a for the value line[off..off+len) at dst (sized by lsc_action_max_len).
 * A bare JSON value after a quoted secret name gets quotes, so the line stays valid JSON.
 */
static size_t render(struct lsc_scrubber *sc, const struct lsc_action *a, const char *line,
                     size_t off, size_t len, const struct lsc_ip *ip, lsc_class cls, bool quote,
                     char *dst)
{
    if (!quote) {
        return lsc_engine_render(sc, a, line + off, len, ip, cls, dst);
    }
    dst[0] = '"';
    size_t r = lsc_engine_render(sc, a, line + off, len, ip, cls, dst + 1);
    dst[r + 1] = '"';
    return r + 2;
}

/* The address of an IP match; other classes' matches carry none (their ip is stale). */
static const struct lsc_ip *match_ip(const struct lsc_match *m)
{
    return m->cls == LSC_CLASS_IPV4 || m->cls == LSC_CLASS_IPV6 ? &m->ip : NULL;
}

/*
 * Is the replacement out[0..n), just rendered, the same as the value in[0..n)? Compared byte
 * by byte from the end: out was stored in pieces a moment ago, and a wide load over several
 * pieces (memcmp's) cannot take them from the store buffer but waits until they are written;
 * an address, the common value, differs in its last bytes, where the host part is. (A long
 * value is compared at once.)
 */
static inline bool same_as_value(const char *out, const char *in, size_t n)
{
    if (n > 64) {
        return memcmp(out, in, n) == 0;
    }
    while (n > 0 && out[n - 1] == in[n - 1]) {
        n--;
    }
    return n == 0;
}

_Static_assert(sizeof(((struct lsc_trunc_memo *)0)->out) <= LSC_PSEUDONYM_MAX,
               "direct_match copies a whole memo slot into the room lsc_action_max_len gives");

/* ---- direct path: splice matches as the detectors find them ---- */

struct direct {
    struct lsc_scrubber *sc;
    struct lsc_buf *dst;
    const char *line;
    size_t pos; /* line bytes before pos are already in the output */
    bool changed;
};

static int direct_match(void *ctx, const struct lsc_match *m)
{
    struct direct *d = ctx;
    struct lsc_scrubber *sc = d->sc;
    const struct lsc_action *a = &sc->pol->detect_action[m->cls];
    if (!sc->pol->detect[m->cls] || a->kind == LSC_ACT_KEEP) {
        return 0;
    }
    if (a->kind == LSC_ACT_DROP_LINE) {
        return CB_DROP;
    }
    size_t gap = m->off - d->pos;
    if (!lsc_buf_reserve(d->dst, gap + lsc_action_max_len(a, m->len))) {
        return CB_NOMEM;
    }
    char *dst = d->dst->p + d->dst->len + gap;
    size_t rlen;
    struct lsc_trunc_memo *tm;
    if (m->cls == LSC_CLASS_IPV6 && a->kind == LSC_ACT_IP_TRUNCATE && sc->trunc_memo != NULL &&
        !m->quote) {
        /* What render would come to, without the calls (a line of addresses; an address
         * match is never quoted - only a secret's value is - but a quoted one would go to
         * render, which writes the quotes). A slot that holds it is copied whole (a fixed
         * size, no call): lsc_action_max_len reserved room for at least LSC_PSEUDONYM_MAX.
         * (The memo itself is made by render's first call.) */
        tm = lsc_trunc_slot(sc, &m->ip);
        if (lsc_trunc_holds(tm, a, &m->ip)) {
            memcpy(dst, tm->out, sizeof tm->out);
            rlen = tm->out_len;
        } else {
            rlen = lsc_ip_truncate(&m->ip, a->v4_bits, a->v6_bits, dst);
            lsc_trunc_keep(tm, a, &m->ip, dst, rlen);
        }
    } else if (m->cls == LSC_CLASS_IPV4 && a->kind == LSC_ACT_IP_TRUNCATE && !m->quote) {
        /* What render comes to, through three calls, for an IPv4 address; for /24 (the
         * default) mostly the address's own bytes up to its last dot and "0". */
        rlen =
            a->v4_bits == 24 ? lsc_ip4_truncate24_text(&m->ip, d->line + m->off, m->len, dst) : 0;
        if (rlen == 0) {
            rlen = lsc_ip_truncate(&m->ip, a->v4_bits, a->v6_bits, dst);
        }
    } else if ((a->kind == LSC_ACT_REDACT || a->kind == LSC_ACT_REPLACE) && !m->quote) {
        /* What render comes to, through three calls, for a label ("[secret]"). */
        lsc_copy_short(dst, a->text, a->text_len);
        rlen = a->text_len;
    } else {
        rlen = render(sc, a, d->line, m->off, m->len, match_ip(m), m->cls, m->quote, dst);
    }
    if (rlen == m->len && same_as_value(dst, d->line + m->off, rlen)) {
        return 0; /* already as coarse as the policy asks (1.2.3.0) */
    }
    lsc_copy_short(d->dst->p + d->dst->len, d->line + d->pos, gap);
    d->dst->len += gap + rlen;
    d->pos = m->off + m->len;
    d->changed = true;
    sc->st.replacements[m->cls]++;
    return 0;
}

/* ---- edit path: collect, add rule matches, merge, splice ---- */

/* Renders a into the arena and records the edit, unless it changes nothing. */
static int add_edit(struct lsc_scrubber *sc, const char *line, size_t off, size_t len,
                    const struct lsc_action *a, const struct lsc_ip *ip, bool quote, lsc_class cls)
{
    if (!lsc_buf_reserve(&sc->arena, lsc_action_max_len(a, len))) {
        return CB_NOMEM;
    }
    char *dst = sc->arena.p + sc->arena.len;
    size_t rlen = render(sc, a, line, off, len, ip, cls, quote, dst);
    if (rlen == len && same_as_value(dst, line + off, len)) {
        return 0;
    }
    if (!lsc_edit_push(&sc->edits, (struct lsc_edit){off, len, sc->arena.len, rlen, cls})) {
        return CB_NOMEM;
    }
    sc->arena.len += rlen;
    return 0;
}

struct collect {
    struct lsc_scrubber *sc;
    const char *line;
    const struct lsc_policy_rule *rule;
};

static int collect_match(void *ctx, const struct lsc_match *m)
{
    struct collect *c = ctx;
    const struct lsc_action *a = &c->sc->pol->detect_action[m->cls];
    if (!c->sc->pol->detect[m->cls] || a->kind == LSC_ACT_KEEP) {
        return 0;
    }
    if (a->kind == LSC_ACT_DROP_LINE) {
        return CB_DROP;
    }
    return add_edit(c->sc, c->line, m->off, m->len, a, match_ip(m), m->quote, m->cls);
}

/* Does a regex match pass the rule's validator? ip receives the address for VALIDATE_IP. */
static bool validate(enum lsc_validator v, const char *p, size_t n, struct lsc_ip *ip)
{
    char buf[40];
    size_t k = 0;
    switch (v) {
    case LSC_VALIDATE_LUHN:
        for (size_t i = 0; i < n; i++) {
            if (p[i] >= '0' && p[i] <= '9') {
                if (k == 19) {
                    return false;
                }
                buf[k++] = p[i];
            }
        }
        return k >= 13 && lsc_luhn_valid(buf, k);
    case LSC_VALIDATE_IBAN:
        for (size_t i = 0; i < n; i++) {
            if (p[i] != ' ') {
                if (k == 34) {
                    return false;
                }
                buf[k++] = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 32) : p[i];
            }
        }
        return lsc_iban_valid(buf, k);
    case LSC_VALIDATE_IP:
        memset(ip, 0, sizeof *ip);
        if (n > 0 && lsc_ip4_parse(p, p + n, ip->bytes) == n) {
            ip->family = 4;
            return true;
        }
        return n > 0 && lsc_ip6_parse(p, p + n, ip) == n;
    default:
        return true;
    }
}

static int collect_rule_match(void *ctx, size_t off, size_t len)
{
    struct collect *c = ctx;
    const struct lsc_policy_rule *r = c->rule;
    struct lsc_ip ip = {0};
    if (!validate(r->validator, c->line + off, len, &ip)) {
        return 0;
    }
    if (r->action.kind == LSC_ACT_KEEP) {
        return 0;
    }
    if (r->action.kind == LSC_ACT_DROP_LINE) {
        return CB_DROP;
    }
    int rc = add_edit(c->sc, c->line, off, len, &r->action, ip.family ? &ip : NULL, false,
                      LSC_CLASS_RULE);
    if (rc == 0) {
        c->sc->rule_hits[r - c->sc->pol->rules]++;
    }
    return rc;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct lsc_edit *x = a, *y = b;
    if (x->off != y->off) {
        return x->off < y->off ? -1 : 1;
    }
    return x->len > y->len ? -1 : x->len < y->len;
}

/* Sorts edits and merges overlaps into one edit covering both; a rule's label wins. */
static void merge_edits(struct lsc_scrubber *sc)
{
    if (sc->edits.n < 2) {
        return;
    }
    qsort(sc->edits.v, sc->edits.n, sizeof *sc->edits.v, edit_cmp);
    size_t w = 0;
    for (size_t r = 1; r < sc->edits.n; r++) {
        struct lsc_edit *a = &sc->edits.v[w], *b = &sc->edits.v[r];
        if (b->off < a->off + a->len) {
            size_t end = b->off + b->len > a->off + a->len ? b->off + b->len : a->off + a->len;
            if (a->cls != LSC_CLASS_RULE && b->cls == LSC_CLASS_RULE) {
                a->roff = b->roff;
                a->rlen = b->rlen;
                a->cls = b->cls;
            }
            a->len = end - a->off;
        } else {
            sc->edits.v[++w] = *b;
        }
    }
    sc->edits.n = w + 1;
}

/* Appends the line up to the end of its last edit; *tail is where the unchanged rest starts. */
static bool splice(struct lsc_scrubber *sc, const char *p, struct lsc_buf *dst, size_t *tail)
{
    size_t pos = 0;
    for (size_t k = 0; k < sc->edits.n; k++) {
        const struct lsc_edit *e = &sc->edits.v[k];
        if (!lsc_buf_append(dst, p + pos, e->off - pos) ||
            (e->rlen > 0 && !lsc_buf_append(dst, sc->arena.p + e->roff, e->rlen))) {
            return false;
        }
        pos = e->off + e->len;
    }
    *tail = pos;
    return true;
}

static const char *marker_for(lsc_fail why, size_t *len)
{
    static const char *const markers[LSC_FAIL_COUNT] = {
#define LSC_MARKER(name, str) [LSC_FAIL_##name] = "[logscrub: line redacted: " str "]",
        LSC_FAIL_MAP(LSC_MARKER)
#undef LSC_MARKER
    };
    *len = strlen(markers[why]);
    return markers[why];
}

lsc_error lsc_engine_fail_line(struct lsc_scrubber *sc, lsc_fail why, size_t len, bool nl,
                               enum lsc_verdict *verdict)
{
    sc->st.lines_in++;
    sc->st.bytes_in += len + nl;
    sc->st.failed++;
    sc->st.fail_reason[why]++;
    switch (sc->pol->on_error) {
    case LSC_ON_ERROR_DROP:
        sc->st.dropped++;
        *verdict = LSC_VERDICT_DROPPED;
        return LSC_OK;
    case LSC_ON_ERROR_QUARANTINE:
        sc->st.quarantined++;
        *verdict = LSC_VERDICT_QUARANTINE;
        return LSC_OK;
    default:
        break;
    }
    size_t mlen;
    const char *marker = marker_for(why, &mlen);
    if (!lsc_buf_reserve(&sc->out, mlen + 1)) {
        return LSC_ENOMEM;
    }
    memcpy(sc->out.p + sc->out.len, marker, mlen);
    sc->out.len += mlen;
    if (nl) {
        sc->out.p[sc->out.len++] = '\n';
    }
    sc->st.emitted++;
    sc->st.changed++;
    sc->st.bytes_out += mlen + nl;
    *verdict = LSC_VERDICT_EMITTED;
    return LSC_OK;
}

/* Can this rule match the line at all? Its hint and its required byte must be present. */
static bool rule_may_match(const struct lsc_policy_rule *r, const char *p, size_t len)
{
    if (r->hint_len > 0 && (len < r->hint_len || memmem(p, len, r->hint, r->hint_len) == NULL)) {
        return false;
    }
    return r->re.anchor < 0 || r->re.anchor_caseless || memchr(p, r->re.anchor, len) != NULL;
}

static bool any_rule_may_match(const struct lsc_policy *pol, const char *p, size_t len)
{
    for (size_t k = 0; k < pol->nrules; k++) {
        if (rule_may_match(&pol->rules[k], p, len)) {
            return true;
        }
    }
    return false;
}

_Static_assert(LSC_SHORT_NUMBER_MAX < LSC_TIMESTAMP_MIN, "short numbers are shorter");

/* A text no detector finds anything in by itself: a date and time, a short number
 * (lsc_detect_is_timestamp, lsc_detect_is_short_number). Their lengths do not overlap, so
 * the length picks the one check that can hold. */
static inline bool holds_nothing(const char *p, size_t len)
{
    /* (A line of text is longer than either: one compare for it.) */
    if (len > LSC_TIMESTAMP_MAX) {
        return false;
    }
    if (len > LSC_SHORT_NUMBER_MAX) {
        return lsc_detect_is_timestamp(p, len);
    }
    /* A short value that starts with neither a digit nor '-' - a level, a method, a name -
     * is no number: one test before the call. */
    return len > 0 && (lsc_is_digit((unsigned char)p[0]) || p[0] == '-') &&
           lsc_detect_is_short_number(p, len);
}

bool lsc_engine_span_clean(const struct lsc_scrubber *sc, const char *p, size_t len)
{
    return holds_nothing(p, len) && !any_rule_may_match(sc->pol, p, len);
}

/* The policy dropped the line (a drop-line action matched). */
static lsc_error drop_line(struct lsc_scrubber *sc, size_t len, bool nl, enum lsc_verdict *v)
{
    sc->st.lines_in++;
    sc->st.bytes_in += len + nl;
    sc->st.dropped++;
    *v = LSC_VERDICT_DROPPED;
    return LSC_OK;
}

/*
 * lsc_engine_scrub_span but for its last step: the bytes p[*tail..len) after the last
 * change are left for the caller to append. The detectors skip what known says holds no
 * match, and *reach tells where their last match ended (lsc_detect_text_from).
 */
static int scrub_span_head(struct lsc_scrubber *sc, const char *p, size_t len, struct lsc_buf *dst,
                           bool *changed, size_t *tail, const struct lsc_known *known,
                           size_t *reach)
{
    const struct lsc_policy *pol = sc->pol;
    bool scan = !holds_nothing(p, len);
    *reach = 0;
    if (!any_rule_may_match(pol, p, len)) {
        struct direct d = {sc, dst, p, 0, false};
        int rc = scan ? lsc_detect_text_from(p, len, known, reach, direct_match, &d) : 0;
        if (rc != 0) {
            return rc;
        }
        *changed = d.changed;
        *tail = d.pos;
        return 0;
    }
    sc->edits.n = 0;
    sc->arena.len = 0;
    struct collect c = {sc, p, NULL};
    int rc = scan ? lsc_detect_text_from(p, len, known, reach, collect_match, &c) : 0;
    size_t builtin = sc->edits.n;
    for (size_t k = 0; k < pol->nrules && rc == 0; k++) {
        c.rule = &pol->rules[k];
        if (rule_may_match(c.rule, p, len)) {
            /* < 0: match/depth/heap limit, JIT stack, anything but "no match". */
            rc = lsc_rule_scan(&c.rule->re, &sc->rs, p, len, collect_rule_match, &c);
        }
    }
    if (rc != 0) {
        return rc;
    }
    for (size_t k = 0; k < builtin; k++) {
        sc->st.replacements[sc->edits.v[k].cls]++;
    }
    sc->st.replacements[LSC_CLASS_RULE] += sc->edits.n - builtin;
    merge_edits(sc);
    *changed = sc->edits.n > 0;
    return splice(sc, p, dst, tail) ? 0 : CB_NOMEM;
}

int lsc_engine_scrub_span(struct lsc_scrubber *sc, const char *p, size_t len, struct lsc_buf *dst,
                          bool *changed)
{
    size_t tail = 0, reach;
    struct lsc_known known = {SIZE_MAX, !sc->memo_off};
    int rc = scrub_span_head(sc, p, len, dst, changed, &tail, &known, &reach);
    if (rc == 0 && !lsc_buf_append(dst, p + tail, len - tail)) {
        rc = CB_NOMEM;
    }
    return rc;
}

int lsc_engine_line_end(struct lsc_scrubber *sc, const char *p, size_t len, bool nl, bool whole)
{
    struct lsc_gather *g = &sc->gather;
    if (g->on && len > 0 && (whole || len >= lsc_gather_min(g)) && (!nl || p[len] == '\n')) {
        /* One step, so a failure leaves the output as it was. */
        return lsc_gather_keep(g, &sc->out, p, len + nl) ? 0 : CB_NOMEM;
    }
    if (nl && p[len] == '\n') {
        return lsc_buf_append(&sc->out, p, len + 1) ? 0 : CB_NOMEM; /* the newline too */
    }
    return lsc_buf_append(&sc->out, p, len) && (!nl || lsc_buf_append(&sc->out, "\n", 1))
               ? 0
               : CB_NOMEM;
}

/* Counts a line that went through: what it wrote since out held start bytes and the
 * references kept bytes (lsc_engine_line_end wrote its end and newline). */
lsc_error lsc_engine_emitted(struct lsc_scrubber *sc, size_t start, size_t kept, size_t len,
                             bool nl, bool changed, enum lsc_verdict *verdict)
{
    sc->st.lines_in++;
    sc->st.emitted++;
    sc->st.changed += changed;
    sc->st.bytes_in += len + nl;
    sc->st.bytes_out += (sc->out.len + sc->gather.bytes) - (start + kept);
    *verdict = LSC_VERDICT_EMITTED;
    return LSC_OK;
}

/* Undoes a half-scrubbed line and sends it down the right path for what stopped it. */
lsc_error lsc_engine_abort_line(struct lsc_scrubber *sc, int rc, size_t start,
                                const uint64_t *before, size_t len, bool nl,
                                enum lsc_verdict *verdict)
{
    sc->out.len = start;
    memcpy(sc->st.replacements, before, sizeof sc->st.replacements);
    if (rc == CB_DROP) {
        return drop_line(sc, len, nl, verdict);
    }
    return lsc_engine_fail_line(sc, rc < 0 ? LSC_FAIL_RULE_ERROR : LSC_FAIL_NOMEM, len, nl,
                                verdict);
}

/* The length of p without the tags logscrub appends to text lines, at its end. */
static size_t strip_tags(const char *p, size_t len)
{
    static const char *const tags[] = {" key_epoch=", " expires=", " next_stage=", NULL};
    for (bool again = true; again;) {
        again = false;
        for (int k = 0; tags[k] != NULL && !again; k++) {
            size_t tl = strlen(tags[k]);
            /* The tag's value runs to the end of the line and holds no space. */
            size_t e = len;
            while (e > 0 && p[e - 1] != ' ') {
                e--;
            }
            if (e > 0 && len - (e - 1) > tl && memcmp(p + e - 1, tags[k], tl) == 0) {
                len = e - 1;
                again = true;
            }
        }
    }
    return len;
}

lsc_error lsc_engine_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                          enum lsc_verdict *verdict)
{
    const struct lsc_policy *pol = sc->pol;
    if (pol->writes_tags) {
        size_t kept = strip_tags(p, len); /* an earlier run's tags: written afresh */
        sc->st.bytes_in += len - kept;    /* they were read all the same */
        len = kept;
    }
    sc->cur_line = p;
    sc->cur_len = len;
    sc->cur_count = 0;
    sc->line_time_known = false;
    sc->line_period_known = false;
    sc->line_next_stage_set = false;
    sc->line_now = 0;
    sc->line_pseudo = false;
    if (pol->format == LSC_FORMAT_TEXT ||
        (pol->format == LSC_FORMAT_AUTO && pol->nfields == 0 && (len == 0 || p[0] != '{'))) {
        /* Without field rules, only JSON gains from its structure (escapes decoded, headers
         * dropped, validity kept); every other line is scanned whole, which is faster. */
        return lsc_engine_text_line(sc, p, len, nl, verdict);
    }
    return lsc_engine_record_line(sc, p, len, nl, verdict);
}

struct lsc_text_memo *lsc_text_memo_slot(struct lsc_text_memo **table, size_t slots, const char *t,
                                         size_t tl, uint64_t *h)
{
    if (*table == NULL && (*table = calloc(slots, sizeof **table)) == NULL) {
        return NULL;
    }
    *h = XXH3_64bits(t, tl) | 1;
    return &(*table)[*h % slots];
}

bool lsc_text_memo_hit(struct lsc_text_memo *m, uint64_t h, const char *t, size_t tl)
{
    if (m->hash == h && m->len == tl && memcmp(m->text, t, tl) == 0) {
        lsc_memo_hit(&m->hits);
        return true;
    }
    return false;
}

void lsc_text_memo_keep(struct lsc_text_memo *m, uint64_t h, const char *t, size_t tl)
{
    if (lsc_memo_may_take(m->hash, &m->hits)) {
        m->hash = h;
        m->len = (uint16_t)tl;
        memcpy(m->text, t, tl);
    }
}

/* The tail memo, and in *bi the bucket and in *h the hash for the line p[0..len); NULL when
 * no tail of it can be remembered (no closing quote, too short, the memo off, no memory). */
static struct lsc_tail_memo *tail_memo(struct lsc_scrubber *sc, const char *p, size_t len,
                                       uint32_t *h, size_t *bi)
{
    if (len <= LSC_TAIL_KEY || p[len - 1] != '"' || sc->memo_off) {
        return NULL;
    }
    if (sc->tail_memo == NULL && (sc->tail_memo = calloc(1, sizeof *sc->tail_memo)) == NULL) {
        return NULL;
    }
    /* The last 16 bytes mixed as the truncation memo mixes an address (lsc_mix16), folded:
     * a line's first dependent step, so the shortest chain wins (XXH3 took 0.5 % more
     * instructions and time on nginx). Only a bucket and a tag: a tail found is compared in
     * full, so a collision - chance or crafted - costs a compare, never a skipped scan. */
    _Static_assert(LSC_TAIL_KEY == 16, "lsc_mix16 takes 16 bytes");
    uint64_t x = lsc_mix16(p + len - LSC_TAIL_KEY);
    x ^= x >> 29;
    *h = (uint32_t)x | 1;
    *bi = (size_t)(x >> 32) % LSC_TAIL_MEMO_BUCKETS;
    return sc->tail_memo;
}

/* A bit for each tail of bucket b with the hash h. */
static inline unsigned tail_ways(const struct lsc_tail_bucket *b, uint32_t h)
{
#ifdef __SSE2__
    _Static_assert(LSC_TAIL_MEMO_WAYS == 8, "two loads of four hashes");
    __m128i key = _mm_set1_epi32((int)h);
    __m128i lo = _mm_loadu_si128((const __m128i *)(const void *)b->hash);
    __m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(b->hash + 4));
    return (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, key))) |
           (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, key))) << 4;
#else
    unsigned ways = 0;
    for (unsigned w = 0; w < LSC_TAIL_MEMO_WAYS; w++) {
        ways |= (unsigned)(b->hash[w] == h) << w;
    }
    return ways;
#endif
}

/* Where the longest tail of bucket bi that ends p[0..len) starts, if a cut holds there
 * (lsc_detect_tail_cut_holds); SIZE_MAX when none does. *last tells whether it is a line's
 * last field alone. The longest is compared first: a user agent's tail ends a line whenever
 * a referrer's and user agent's does. (The quote before a tail is tested before its bytes
 * are: tails of other lengths after the same user agent fail there, at one byte's cost.) */
static size_t tail_find(struct lsc_tail_memo *tm, size_t bi, uint32_t h, const char *p, size_t len,
                        bool *last)
{
    struct lsc_tail_bucket *b = &tm->bucket[bi];
    unsigned ways = tail_ways(b, h);
    unsigned order[LSC_TAIL_MEMO_WAYS], count = 0; /* those after a quote, longest first */
    for (; ways != 0; ways &= ways - 1) {
        unsigned w = (unsigned)__builtin_ctz(ways);
        size_t tl = b->len[w];
        if (tl < len && p[len - tl - 1] == '"') {
            unsigned k = count++;
            for (; k > 0 && b->len[order[k - 1]] < tl; k--) {
                order[k] = order[k - 1];
            }
            order[k] = w;
        }
    }
    for (unsigned k = 0; k < count; k++) {
        size_t c = len - b->len[order[k]];
        if (memcmp(tm->text[bi][order[k]], p + c, len - c) == 0 &&
            lsc_detect_tail_cut_holds(p, len, c)) {
            b->used[order[k]] = ++tm->clock;
            *last = b->last[order[k]];
            return c;
        }
    }
    return SIZE_MAX;
}

/* Remembers the tail p[c..len), which held no match, in bucket bi (the line's hash h): in an
 * empty place, or in the one least recently used. (Over the tests' real Apache log, 10,000
 * lines, that skips 1.04 MB of tails; a slot a tail, kept by its hits, skipped 0.94 MB, and
 * a memo that forgets nothing would skip about 1.11.) */
static void tail_keep(struct lsc_tail_memo *tm, size_t bi, uint32_t h, const char *p, size_t len,
                      size_t c)
{
    size_t tl = len - c;
    if (tl < LSC_TAIL_KEY || tl > LSC_TAIL_MEMO_LEN) {
        return;
    }
    struct lsc_tail_bucket *b = &tm->bucket[bi];
    unsigned v = 0;
    for (unsigned w = 0; w < LSC_TAIL_MEMO_WAYS; w++) {
        if (b->hash[w] == 0) {
            v = w;
            break;
        }
        /* (Ages read as differences: a clock that wraps changes nothing.) */
        v = tm->clock - b->used[w] > tm->clock - b->used[v] ? w : v;
    }
    b->hash[v] = h;
    b->used[v] = ++tm->clock;
    b->len[v] = (uint16_t)tl;
    b->last[v] = memchr(p + c, '"', tl - 1) == NULL;
    memcpy(tm->text[bi][v], p + c, tl);
}

/*
 * The detectors' part of a text line: a tail after a cut (lsc_detect_tail_cuts) that an
 * earlier line showed to hold no match is skipped, and tails this scan shows to hold none
 * are remembered. Only tails without any match are kept - not merely unchanged ones - and
 * they are compared in full, so a hash collision costs a scan and nothing else. A tail found
 * at the line's end needs no search for its quotes (lsc_detect_tail_cut_holds): the cuts are
 * looked for only when none is. An access log's time is jumped over
 * (lsc_detect_access_time). $LOGSCRUB_NO_MEMO turns both off.
 */
static int scrub_text_head(struct lsc_scrubber *sc, const char *p, size_t len, bool *changed,
                           size_t *tail)
{
    size_t cuts[2], ncut = 0, reach, bi = 0;
    uint32_t h = 0;
    struct lsc_known known = {SIZE_MAX, !sc->memo_off};
    struct lsc_tail_memo *tm = tail_memo(sc, p, len, &h, &bi);
    if (tm != NULL) {
        bool last = false;
        known.tail = tail_find(tm, bi, h, p, len, &last);
        if (known.tail == SIZE_MAX) {
            ncut = lsc_detect_tail_cuts(p, len, cuts);
        } else if (last) {
            /* The user agent alone: the referrer's tail, if it has one, is remembered too
             * when it holds no match. */
            cuts[0] = lsc_detect_tail_cut_before(p, len, known.tail);
            ncut = cuts[0] != 0;
        }
    }
    int rc = scrub_span_head(sc, p, len, &sc->out, changed, tail, &known, &reach);
    for (size_t k = 0; k < ncut && rc == 0; k++) {
        if (reach <= cuts[k]) {
            tail_keep(tm, bi, h, p, len, cuts[k]);
        }
    }
    return rc;
}

lsc_error lsc_engine_text_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                               enum lsc_verdict *verdict)
{
    size_t start = sc->out.len;
    size_t kept = sc->gather.bytes;
    uint64_t before[LSC_CLASS_COUNT];
    memcpy(before, sc->st.replacements, sizeof before);
    bool changed = false;
    size_t tail = 0;
    int rc = scrub_text_head(sc, p, len, &changed, &tail);
    if (rc == 0 && (sc->line_pseudo || sc->pol->retention || sc->line_next_stage_set)) {
        char tags[160];
        size_t tl = lsc_engine_text_tags(sc, tags);
        if (tl > 0) {
            /* The tags go between the line and its newline. */
            rc =
                lsc_buf_append(&sc->out, p + tail, len - tail) && lsc_buf_append(&sc->out, tags, tl)
                    ? 0
                    : CB_NOMEM;
            tail = len;
            changed = true;
        }
    }
    if (rc == 0) {
        rc = lsc_engine_line_end(sc, p + tail, len - tail, nl, tail == 0);
    }
    if (rc != 0) {
        return lsc_engine_abort_line(sc, rc, start, before, len, nl, verdict);
    }
    return lsc_engine_emitted(sc, start, kept, len, nl, changed, verdict);
}

lsc_error lsc_scrub_buffer(struct lsc_scrubber *sc, const char *in, size_t len, const char **out,
                           size_t *outlen)
{
    sc->out.len = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nlp = memchr(in + pos, '\n', len - pos);
        size_t l = nlp ? (size_t)(nlp - in) - pos : len - pos;
        enum lsc_verdict v;
        lsc_error err = lsc_engine_line(sc, in + pos, l, nlp != NULL, &v);
        if (err != LSC_OK) {
            return err;
        }
        pos += l + (nlp != NULL);
    }
    *out = sc->out.p ? sc->out.p : "";
    *outlen = sc->out.len;
    return LSC_OK;
}

bool lsc_quarantine_append(struct lsc_buf *q, const char *p, size_t len, bool nl)
{
    return q == NULL || (lsc_buf_append(q, p, len) && (!nl || lsc_buf_append(q, "\n", 1)));
}

lsc_error lsc_engine_line_q(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                            struct lsc_buf *q)
{
    enum lsc_verdict v = LSC_VERDICT_EMITTED;
    lsc_error err = lsc_engine_line(sc, p, len, nl, &v);
    if (err == LSC_OK && v == LSC_VERDICT_QUARANTINE && !lsc_quarantine_append(q, p, len, nl)) {
        err = LSC_ENOMEM;
    }
    return err;
}
