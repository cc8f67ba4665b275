/*
 * load.c - reads a policy file (YAML) and its rule packs into a compiled policy.
 *
 * Grammar (documented for users in docs/policy.md):
 *   policy  = version: 1, name, [description], [input], [text], [on_error], [limits],
 *             [tests], and the sections later releases fill: fields, keys, retention
 *   text    = list of { use: PACK [, except: [RULE...]] } or RULE
 *   RULE    = name, (detector: CLASS | pattern: REGEX [validator] [hint]), [action, params]
 *   pack    = pack: NAME, [description], rules: [RULE...]
 * Later RULEs for the same detector replace earlier ones, so a policy can refine a pack.
 * Every error names file:line:col and stops the load.
 */
#include "../action/geo.h"
#include "../format/timestamp.h"
#include "embedded.h"
#include "policy.h"
#include "yaml_doc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE (1u << 20)
#define MAX_RULES 4096
#define MAX_TESTS 4096

struct loader {
    struct lsc_policy *pol;
    const struct lsc_load_opts *opts;
    struct lsc_ydoc *d;
    const char *dir;  /* directory of the policy file, for policy-local packs */
    const char *pack; /* name of the pack being read, NULL for the policy */
};

static const char *const class_words[] = {
#define LSC_CLASS_WORD(name, str) str,
    LSC_CLASS_MAP(LSC_CLASS_WORD)
#undef LSC_CLASS_WORD
        NULL,
};

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Reads a whole file (at most MAX_FILE bytes). */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
    bool bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad || n > MAX_FILE) {
        snprintf(err, errlen, "%s: %s", path,
                 bad ? "cannot read" : "larger than 1 MiB; is this really a policy?");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

__attribute__((format(printf, 4, 5))) static bool fail_at(struct lsc_ydoc *d, size_t line,
                                                          size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lsc_ydoc_fail_at(d, line, col, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- actions ---- */

static const char *const rule_keys[] = {
    "name",   "description", "detector", "pattern",    "validator", "hint",
    "action", "label",       "with",     "keep_first", "keep_last", "mask_char",
    "length", "v4",          "v6",       "render",     "prefix",    NULL,
};

static const char *const action_words[] = {
    "redact",    "replace", "mask",       "truncate",  "truncate-ip",
    "drop-line", "keep",    "user-agent", "pseudonym", NULL,
};

/*
 * pseudonym: prefix (default by what it names: ip_, em_ for e-mail, else ps_), length (hex
 * digits, 16-32, default 16 = 64 bits), render: token | address (addresses only), and v4/v6
 * bits kept in clear with render: address.
 */
static bool parse_pseudonym(struct loader *L, yaml_node_t *rule, const char *name, size_t name_len,
                            bool ip_capable, struct lsc_action *a)
{
    struct lsc_ydoc *d = L->d;
    unsigned long v;
    yaml_node_t *n;
    const char *prefix = "";
    size_t pl = 0; /* none given: chosen per value, ip_, em_ or ps_ */
    (void)name;
    (void)name_len;
    if ((n = lsc_ydoc_get(d, rule, "prefix")) != NULL) {
        if (!lsc_ydoc_str(d, n, "prefix", &prefix, &pl)) {
            return false;
        }
        for (size_t i = 0; i < pl; i++) {
            char c = prefix[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == ':' || c == '.')) {
                return lsc_ydoc_fail(d, n,
                                     "prefix may hold letters, digits, '_', '-', ':' and '.' "
                                     "only (it is written into every format)");
            }
        }
        if (pl > 32) {
            return lsc_ydoc_fail(d, n, "prefix must be at most 32 characters");
        }
    }
    char *t = dup_n(prefix, pl);
    if (t == NULL) {
        return lsc_ydoc_fail(d, rule, "out of memory");
    }
    free(a->text);
    a->text = t;
    a->text_len = pl;
    if (pl == 0 && lsc_ydoc_get(d, rule, "prefix") != NULL) {
        return lsc_ydoc_fail(d, lsc_ydoc_get(d, rule, "prefix"), "prefix must not be empty");
    }
    a->token_hex = 16;
    if ((n = lsc_ydoc_get(d, rule, "length")) != NULL) {
        if (!lsc_ydoc_uint(d, n, "length (hex digits of the token)", 16, 32, &v)) {
            return false;
        }
        a->token_hex = (unsigned)v;
    }
    if ((n = lsc_ydoc_get(d, rule, "render")) != NULL) {
        if (lsc_ydoc_is(n, "address")) {
            if (!ip_capable) {
                return lsc_ydoc_fail(d, n,
                                     "render: address needs addresses: use it with ip: "
                                     "pseudonym or the ipv4/ipv6 detectors");
            }
            a->as_address = true;
        } else if (!lsc_ydoc_is(n, "token")) {
            return lsc_ydoc_fail(d, n, "render must be token (the default) or address");
        }
    }
    a->v4_bits = a->v6_bits = 0;
    if ((n = lsc_ydoc_get(d, rule, "v4")) != NULL) {
        if (!a->as_address || !lsc_ydoc_uint(d, n, "v4 (IPv4 bits kept)", 0, 31, &v)) {
            return d->failed ? false : lsc_ydoc_fail(d, n, "v4 bits kept go with render: address");
        }
        a->v4_bits = (unsigned)v;
    }
    if ((n = lsc_ydoc_get(d, rule, "v6")) != NULL) {
        if (!a->as_address || !lsc_ydoc_uint(d, n, "v6 (IPv6 bits kept)", 0, 127, &v)) {
            return d->failed ? false : lsc_ydoc_fail(d, n, "v6 bits kept go with render: address");
        }
        a->v6_bits = (unsigned)v;
    }
    L->pol->needs_key = true;
    return true;
}

/* Fails if key is present in rule but does not go with the action chosen. */
static bool only_with(struct loader *L, yaml_node_t *rule, const char *key, bool allowed,
                      const char *action)
{
    yaml_node_t *n = lsc_ydoc_get(L->d, rule, key);
    if (n != NULL && !allowed) {
        return lsc_ydoc_fail(L->d, n, "'%s' only goes with action: %s", key, action);
    }
    return true;
}

static bool parse_action(struct loader *L, yaml_node_t *rule, const char *name, size_t name_len,
                         bool ip_capable, struct lsc_action *a)
{
    struct lsc_ydoc *d = L->d;
    yaml_node_t *an = lsc_ydoc_get(d, rule, "action");
    const char *word = "redact";
    size_t wl = 6;
    if (an != NULL && !lsc_ydoc_str(d, an, "action", &word, &wl)) {
        return false;
    }
    yaml_node_t *ipn = an == NULL ? lsc_ydoc_get(d, rule, "ip") : NULL;
    if (ipn != NULL && lsc_ydoc_is(ipn, "pseudonym")) {
        word = "pseudonym"; /* fields: { client_ip: { ip: pseudonym, render: address } } */
        wl = 9;
    } else if (ipn != NULL) {
        word = "truncate-ip"; /* fields: { client_ip: { ip: truncate, v4: 24 } } */
        wl = 11;
    }
    int kind = -1;
    for (int i = 0; action_words[i] != NULL; i++) {
        if (strlen(action_words[i]) == wl && memcmp(action_words[i], word, wl) == 0) {
            kind = i;
        }
    }
    if (kind < 0) {
        if (wl == 10 && memcmp(word, "drop-field", 10) == 0) {
            return lsc_ydoc_fail(d, an,
                                 "drop-field applies to fields, not to text rules; "
                                 "use drop-line, redact or replace");
        }
        const char *hint = lsc_did_you_mean(word, wl, action_words);
        return lsc_ydoc_fail(d, an,
                             "unknown action '%.*s'%s%s%s; expected redact, replace, mask, "
                             "truncate, truncate-ip, pseudonym, user-agent, drop-line or keep",
                             (int)wl, word, hint ? " (did you mean '" : "", hint ? hint : "",
                             hint ? "'?)" : "");
    }
    static const enum lsc_action_kind kinds[] = {
        LSC_ACT_REDACT,   LSC_ACT_REPLACE,     LSC_ACT_MASK,
        LSC_ACT_TRUNCATE, LSC_ACT_IP_TRUNCATE, LSC_ACT_DROP_LINE,
        LSC_ACT_KEEP,     LSC_ACT_USER_AGENT,  LSC_ACT_PSEUDONYM,
    };
    enum lsc_action_kind k = kinds[kind];
    if (k == LSC_ACT_IP_TRUNCATE && !ip_capable) {
        return lsc_ydoc_fail(d, an,
                             "truncate-ip needs addresses: use it with detector ipv4 or "
                             "ipv6, or with validator: ip");
    }
    if (!only_with(L, rule, "label", k == LSC_ACT_REDACT || k == LSC_ACT_IP_TRUNCATE, "redact") ||
        !only_with(L, rule, "with", k == LSC_ACT_REPLACE, "replace") ||
        !only_with(L, rule, "keep_first", k == LSC_ACT_MASK, "mask") ||
        !only_with(L, rule, "keep_last", k == LSC_ACT_MASK, "mask") ||
        !only_with(L, rule, "mask_char", k == LSC_ACT_MASK, "mask") ||
        !only_with(L, rule, "length", k == LSC_ACT_TRUNCATE || k == LSC_ACT_PSEUDONYM,
                   "truncate or pseudonym") ||
        !only_with(L, rule, "v4", k == LSC_ACT_IP_TRUNCATE || k == LSC_ACT_PSEUDONYM,
                   "truncate-ip or pseudonym") ||
        !only_with(L, rule, "v6", k == LSC_ACT_IP_TRUNCATE || k == LSC_ACT_PSEUDONYM,
                   "truncate-ip or pseudonym") ||
        !only_with(L, rule, "render", k == LSC_ACT_PSEUDONYM, "pseudonym") ||
        !only_with(L, rule, "prefix", k == LSC_ACT_PSEUDONYM, "pseudonym")) {
        return false;
    }
    /* Every action has a label: it is also what a non-address gets under truncate-ip. */
    const char *label = name;
    size_t ll = name_len;
    yaml_node_t *n = lsc_ydoc_get(d, rule, "label");
    if (n != NULL && (!lsc_ydoc_str(d, n, "label", &label, &ll) || ll == 0 || ll > 64)) {
        return ll == 0 || ll > 64 ? lsc_ydoc_fail(d, n, "label must be 1 to 64 characters") : false;
    }
    if (!lsc_action_set_redact(a, label, ll)) {
        return lsc_ydoc_fail(d, rule, "out of memory");
    }
    a->kind = k;
    unsigned long v;
    switch (k) {
    case LSC_ACT_REPLACE: {
        n = lsc_ydoc_get(d, rule, "with");
        const char *w;
        size_t wlen;
        if (n == NULL) {
            return lsc_ydoc_fail(d, an, "action replace needs 'with: TEXT'");
        }
        if (!lsc_ydoc_str(d, n, "with", &w, &wlen)) {
            return false;
        }
        char *t = dup_n(w, wlen);
        if (t == NULL) {
            return lsc_ydoc_fail(d, n, "out of memory");
        }
        free(a->text);
        a->text = t;
        a->text_len = wlen;
        break;
    }
    case LSC_ACT_MASK:
        a->mask_char = '*';
        if ((n = lsc_ydoc_get(d, rule, "keep_first")) != NULL) {
            if (!lsc_ydoc_uint(d, n, "keep_first", 0, 64, &v)) {
                return false;
            }
            a->keep_first = (unsigned)v;
        }
        if ((n = lsc_ydoc_get(d, rule, "keep_last")) != NULL) {
            if (!lsc_ydoc_uint(d, n, "keep_last", 0, 64, &v)) {
                return false;
            }
            a->keep_last = (unsigned)v;
        }
        if ((n = lsc_ydoc_get(d, rule, "mask_char")) != NULL) {
            const char *mc;
            size_t ml;
            if (!lsc_ydoc_str(d, n, "mask_char", &mc, &ml)) {
                return false;
            }
            if (ml != 1 || (mc[0] >= '0' && mc[0] <= '9')) {
                /* A digit could rebuild a valid-looking number. */
                return lsc_ydoc_fail(d, n,
                                     "mask_char must be one character that is not a "
                                     "digit, like '*' or 'x'");
            }
            a->mask_char = mc[0];
        }
        break;
    case LSC_ACT_TRUNCATE:
        n = lsc_ydoc_get(d, rule, "length");
        if (n == NULL) {
            return lsc_ydoc_fail(d, an, "action truncate needs 'length: N' (bytes kept)");
        }
        if (!lsc_ydoc_uint(d, n, "length", 0, 1u << 20, &v)) {
            return false;
        }
        a->length = (unsigned)v;
        break;
    case LSC_ACT_PSEUDONYM:
        if (!parse_pseudonym(L, rule, name, name_len, ip_capable, a)) {
            return false;
        }
        break;
    case LSC_ACT_IP_TRUNCATE:
        a->v4_bits = 24;
        a->v6_bits = 48;
        if ((n = lsc_ydoc_get(d, rule, "v4")) != NULL) {
            if (!lsc_ydoc_uint(d, n, "v4 (IPv4 bits kept)", 0, 32, &v)) {
                return false;
            }
            a->v4_bits = (unsigned)v;
        }
        if ((n = lsc_ydoc_get(d, rule, "v6")) != NULL) {
            if (!lsc_ydoc_uint(d, n, "v6 (IPv6 bits kept)", 0, 128, &v)) {
                return false;
            }
            a->v6_bits = (unsigned)v;
        }
        break;
    default:
        break;
    }
    return true;
}

/* ---- rules ---- */

static int find_class(const char *s, size_t len)
{
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        if (c != LSC_CLASS_RULE && strlen(class_words[c]) == len &&
            memcmp(class_words[c], s, len) == 0) {
            return c;
        }
    }
    return -1;
}

static bool parse_validator(struct loader *L, yaml_node_t *n, enum lsc_validator *v)
{
    static const char *const words[] = {"luhn", "iban", "ip", NULL};
    const char *s;
    size_t len;
    if (!lsc_ydoc_str(L->d, n, "validator", &s, &len)) {
        return false;
    }
    for (int i = 0; words[i] != NULL; i++) {
        if (strlen(words[i]) == len && memcmp(words[i], s, len) == 0) {
            *v = (enum lsc_validator)(i + 1);
            return true;
        }
    }
    return lsc_ydoc_fail(L->d, n, "unknown validator '%.*s'; expected luhn, iban or ip", (int)len,
                         s);
}

static bool set_pack(char **slot, const char *pack)
{
    free(*slot);
    *slot = pack ? strdup(pack) : NULL;
    return pack == NULL || *slot != NULL;
}

static bool parse_detector_rule(struct loader *L, yaml_node_t *rule, yaml_node_t *det,
                                const char *name, size_t name_len)
{
    struct lsc_ydoc *d = L->d;
    const char *s;
    size_t len;
    if (!lsc_ydoc_str(d, det, "detector", &s, &len)) {
        return false;
    }
    int cls = find_class(s, len);
    if (cls < 0) {
        const char *hint = lsc_did_you_mean(s, len, class_words);
        /* The detectors' names, from the class table (the classes before RULE), so that a
         * detector added there is named here too. */
        char names[256];
        size_t o = 0;
        for (int c = 0; c < LSC_CLASS_RULE && o < sizeof names; c++) {
            o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", c > 0 ? ", " : "",
                                  class_words[c]);
        }
        return lsc_ydoc_fail(d, det, "unknown detector '%.*s'%s%s%s; the built-in detectors are %s",
                             (int)len, s, hint ? " (did you mean '" : "", hint ? hint : "",
                             hint ? "'?)" : "", names);
    }
    static const char *const not_with_detector[] = {"pattern", "validator", "hint"};
    for (size_t i = 0; i < 3; i++) {
        yaml_node_t *x = lsc_ydoc_get(d, rule, not_with_detector[i]);
        if (x != NULL) {
            return lsc_ydoc_fail(d, x,
                                 "a rule has either 'detector' or 'pattern'; '%s' goes "
                                 "with pattern",
                                 not_with_detector[i]);
        }
    }
    /* Labels default to the class label ("[secret]" for keys), as in the built-in policy. */
    const char *label = name;
    size_t ll = name_len;
    if (lsc_ydoc_get(d, rule, "label") == NULL && lsc_ydoc_get(d, rule, "name") == NULL) {
        label = lsc_class_default_label((lsc_class)cls);
        ll = strlen(label);
    }
    struct lsc_action a = {0};
    if (!parse_action(L, rule, label, ll, cls == LSC_CLASS_IPV4 || cls == LSC_CLASS_IPV6, &a)) {
        free(a.text);
        return false;
    }
    free(L->pol->detect_action[cls].text);
    L->pol->detect_action[cls] = a;
    L->pol->detect[cls] = true;
    if (!set_pack(&L->pol->detect_pack[cls], L->pack)) {
        return lsc_ydoc_fail(d, rule, "out of memory");
    }
    return true;
}

static bool parse_pattern_rule(struct loader *L, yaml_node_t *rule, yaml_node_t *pat,
                               const char *name, size_t name_len)
{
    struct lsc_ydoc *d = L->d;
    struct lsc_policy *pol = L->pol;
    const char *s;
    size_t len;
    if (!lsc_ydoc_str(d, pat, "pattern", &s, &len)) {
        return false;
    }
    if (name == NULL) {
        return lsc_ydoc_fail(d, rule, "a pattern rule needs a 'name'");
    }
    for (size_t i = 0; i < pol->nrules; i++) {
        if (strlen(pol->rules[i].name) == name_len &&
            memcmp(pol->rules[i].name, name, name_len) == 0) {
            return lsc_ydoc_fail(d, lsc_ydoc_get(d, rule, "name"), "duplicate rule name '%.*s'%s%s",
                                 (int)name_len, name,
                                 pol->rules[i].pack ? " (already defined by pack " : "",
                                 pol->rules[i].pack ? pol->rules[i].pack : "");
        }
    }
    if (pol->nrules >= MAX_RULES) {
        return lsc_ydoc_fail(d, rule, "too many rules (at most %d)", MAX_RULES);
    }
    struct lsc_policy_rule *grown = realloc(pol->rules, (pol->nrules + 1) * sizeof *grown);
    if (grown == NULL) {
        return lsc_ydoc_fail(d, rule, "out of memory");
    }
    pol->rules = grown;
    struct lsc_policy_rule *r = &pol->rules[pol->nrules];
    memset(r, 0, sizeof *r);
    yaml_node_t *n = lsc_ydoc_get(d, rule, "validator");
    if (n != NULL && !parse_validator(L, n, &r->validator)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, rule, "hint")) != NULL) {
        const char *h;
        size_t hl;
        if (!lsc_ydoc_str(d, n, "hint", &h, &hl)) {
            return false;
        }
        if (hl == 0) {
            return lsc_ydoc_fail(d, n, "hint must not be empty");
        }
        r->hint = dup_n(h, hl);
        r->hint_len = hl;
    }
    if (!parse_action(L, rule, name, name_len, r->validator == LSC_VALIDATE_IP, &r->action)) {
        free(r->hint);
        free(r->action.text);
        return false;
    }
    char msg[300];
    size_t erroff = 0;
    if (!lsc_rule_compile(&r->re, s, len, msg, sizeof msg, &erroff)) {
        free(r->hint);
        free(r->action.text);
        /* Point at the offending character when the source spells the pattern as is. */
        size_t quote = pat->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? 0 : 1;
        size_t at = pat->start_mark.index + quote;
        bool exact = pat->start_mark.line == pat->end_mark.line && at + len <= d->len &&
                     memcmp(d->text + at, s, len) == 0;
        size_t col = pat->start_mark.column + (exact ? quote + erroff : 0);
        return fail_at(d, pat->start_mark.line, col, "bad regular expression in rule '%.*s': %s",
                       (int)name_len, name, msg);
    }
    r->name = dup_n(name, name_len);
    r->pattern = dup_n(s, len);
    if (r->name == NULL || r->pattern == NULL || !set_pack(&r->pack, L->pack)) {
        lsc_rule_free(&r->re);
        return lsc_ydoc_fail(d, rule, "out of memory");
    }
    pol->nrules++;
    return true;
}

static bool parse_rule(struct loader *L, yaml_node_t *rule)
{
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, rule, "a text rule") ||
        !lsc_ydoc_check_keys(d, rule, "a text rule", rule_keys)) {
        return false;
    }
    const char *name = NULL;
    size_t name_len = 0;
    yaml_node_t *n = lsc_ydoc_get(d, rule, "name");
    if (n != NULL) {
        if (!lsc_ydoc_str(d, n, "name", &name, &name_len)) {
            return false;
        }
        if (name_len == 0 || name_len > 64) {
            return lsc_ydoc_fail(d, n, "name must be 1 to 64 characters");
        }
    }
    if ((n = lsc_ydoc_get(d, rule, "description")) != NULL) {
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, n, "description", &s, &l)) {
            return false;
        }
    }
    yaml_node_t *det = lsc_ydoc_get(d, rule, "detector");
    yaml_node_t *pat = lsc_ydoc_get(d, rule, "pattern");
    if ((det == NULL) == (pat == NULL)) {
        return lsc_ydoc_fail(d, det ? det : rule,
                             det ? "a rule has either 'detector' or 'pattern', not both"
                                 : "a text rule needs 'detector: CLASS' or 'pattern: REGEX' "
                                   "(or is '- use: PACK')");
    }
    if (det != NULL) {
        if (name == NULL) {
            const char *s;
            size_t l;
            if (!lsc_ydoc_str(d, det, "detector", &s, &l)) {
                return false;
            }
            name = s;
            name_len = l;
        }
        return parse_detector_rule(L, rule, det, name, name_len);
    }
    return parse_pattern_rule(L, rule, pat, name, name_len);
}

/* ---- packs ---- */

static const char *const pack_keys[] = {"pack", "description", "rules", NULL};

/* Is rule node r named (or, for detector rules, detecting) name? */
static bool rule_is(struct lsc_ydoc *d, yaml_node_t *r, const char *name, size_t len)
{
    yaml_node_t *n = lsc_ydoc_get(d, r, "name");
    if (n == NULL) {
        n = lsc_ydoc_get(d, r, "detector");
    }
    return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
           memcmp(n->data.scalar.value, name, len) == 0;
}

/* Loads pack text into the policy, skipping rules named in except (a node of the policy). */
static bool load_pack_text(struct loader *L, const char *path, const char *text, size_t len,
                           const char *pack_name, yaml_node_t *except, struct lsc_ydoc *outer)
{
    struct lsc_ydoc pd;
    if (!lsc_ydoc_load(&pd, path, text, len, outer->err, outer->errlen)) {
        outer->failed = true;
        lsc_ydoc_free(&pd);
        return false;
    }
    struct loader sub = *L;
    sub.d = &pd;
    sub.pack = pack_name;
    yaml_node_t *root = lsc_ydoc_root(&pd);
    bool ok = lsc_ydoc_expect_map(&pd, root, "a rule pack") &&
              lsc_ydoc_check_keys(&pd, root, "a rule pack", pack_keys);
    yaml_node_t *rules = ok ? lsc_ydoc_get(&pd, root, "rules") : NULL;
    if (ok && rules == NULL) {
        ok = lsc_ydoc_fail(&pd, root, "a rule pack needs 'rules:'");
    }
    ok = ok && lsc_ydoc_expect_seq(&pd, rules, "rules");
    /* Every name in except must exist in the pack. */
    if (ok && except != NULL) {
        for (yaml_node_item_t *e = except->data.sequence.items.start;
             ok && e < except->data.sequence.items.top; e++) {
            yaml_node_t *en = lsc_ydoc_node(outer, *e);
            const char *s;
            size_t l;
            if (!lsc_ydoc_str(outer, en, "an except entry", &s, &l)) {
                ok = false;
                break;
            }
            bool found = false;
            for (yaml_node_item_t *it = rules->data.sequence.items.start;
                 it < rules->data.sequence.items.top && !found; it++) {
                found = rule_is(&pd, lsc_ydoc_node(&pd, *it), s, l);
            }
            if (!found) {
                ok = lsc_ydoc_fail(outer, en, "pack %s has no rule '%.*s'", pack_name, (int)l, s);
            }
        }
    }
    for (yaml_node_item_t *it = ok ? rules->data.sequence.items.start : NULL;
         ok && it < rules->data.sequence.items.top; it++) {
        yaml_node_t *r = lsc_ydoc_node(&pd, *it);
        bool skip = false;
        for (yaml_node_item_t *e = except ? except->data.sequence.items.start : NULL;
             e != NULL && e < except->data.sequence.items.top && !skip; e++) {
            yaml_node_t *en = lsc_ydoc_node(outer, *e);
            skip = rule_is(&pd, r, (const char *)en->data.scalar.value, en->data.scalar.length);
        }
        if (!skip) {
            ok = parse_rule(&sub, r);
        }
    }
    if (!ok) {
        outer->failed = true; /* the pack's own error is already in err */
    }
    lsc_ydoc_free(&pd);
    return ok;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool use_pack(struct loader *L, yaml_node_t *item)
{
    static const char *const use_keys[] = {"use", "except", NULL};
    struct lsc_ydoc *d = L->d;
    if (L->pack != NULL) {
        return lsc_ydoc_fail(d, item, "a rule pack cannot use another pack");
    }
    if (!lsc_ydoc_check_keys(d, item, "a pack reference", use_keys)) {
        return false;
    }
    yaml_node_t *un = lsc_ydoc_get(d, item, "use");
    yaml_node_t *except = lsc_ydoc_get(d, item, "except");
    const char *name;
    size_t nl;
    if (!lsc_ydoc_str(d, un, "use", &name, &nl) ||
        (except != NULL && !lsc_ydoc_expect_seq(d, except, "except"))) {
        return false;
    }
    if (nl == 0 || nl > 200) {
        return lsc_ydoc_fail(d, un,
                             "use needs a pack name like 'secrets' or a path like "
                             "'./packs/mine.yaml'");
    }
    char nm[256];
    snprintf(nm, sizeof nm, "%.*s", (int)nl, name);
    char path[4096 + 320];
    bool local = strchr(nm, '/') != NULL || (nl > 5 && strcmp(nm + nl - 5, ".yaml") == 0);
    if (!local && L->opts != NULL && L->opts->patterns_dir != NULL) {
        snprintf(path, sizeof path, "%s/%s.yaml", L->opts->patterns_dir, nm);
        if (file_exists(path)) {
            local = true;
        }
    } else if (local) {
        const char *rel = strncmp(nm, "./", 2) == 0 ? nm + 2 : nm;
        if (nm[0] == '/' || strcmp(L->dir, ".") == 0) {
            snprintf(path, sizeof path, "%s", nm);
        } else {
            snprintf(path, sizeof path, "%s/%s", L->dir, rel);
        }
    }
    if (local) {
        size_t len;
        char sub_err[512];
        char *text = read_file(path, &len, sub_err, sizeof sub_err);
        if (text == NULL) {
            return lsc_ydoc_fail(d, un, "cannot use pack: %s", sub_err);
        }
        bool ok = load_pack_text(L, path, text, len, nm, except, d);
        free(text);
        return ok;
    }
    char file[280];
    snprintf(file, sizeof file, "%s.yaml", nm);
    const struct lsc_embedded_file *e = lsc_embedded_find(file);
    if (e == NULL || strncmp(e->name, "policies/", 9) == 0) {
        char names[15][64];
        const char *packs[16];
        size_t k = lsc_embedded_packs(names, 15);
        for (size_t i = 0; i < k; i++) {
            packs[i] = names[i];
        }
        packs[k] = NULL;
        const char *hint = lsc_did_you_mean(nm, nl, packs);
        char list[256] = "";
        for (size_t i = 0; i < k; i++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", packs[i]);
        }
        return lsc_ydoc_fail(d, un, "unknown pack '%s'%s%s%s; built-in packs: %s", nm,
                             hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "",
                             list);
    }
    char shown[300];
    snprintf(shown, sizeof shown, "<built-in>/patterns/%s", e->name);
    return load_pack_text(L, shown, e->data, e->len, nm, except, d);
}

/* ---- top-level sections ---- */

/* 30d, 12w, 3mo, 1y, 36h, 90m, 600s: seconds, or calendar months for mo and y. */
static bool parse_duration(struct loader *L, yaml_node_t *n, const char *what, int64_t *secs,
                           unsigned *months)
{
    const char *s;
    size_t len;
    if (!lsc_ydoc_str(L->d, n, what, &s, &len)) {
        return false;
    }
    size_t i = 0;
    int64_t v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 6) {
        v = v * 10 + (s[i] - '0');
        i++;
    }
    const char *unit = s + i;
    size_t ul = len - i;
    static const struct {
        const char *u;
        int64_t secs;
        unsigned months;
    } units[] = {{"s", 1, 0},      {"m", 60, 0}, {"h", 3600, 0}, {"d", 86400, 0},
                 {"w", 604800, 0}, {"mo", 0, 1}, {"y", 0, 12}};
    for (size_t k = 0; i > 0 && v > 0 && k < sizeof units / sizeof units[0]; k++) {
        if (strlen(units[k].u) == ul && memcmp(units[k].u, unit, ul) == 0) {
            *secs = v * units[k].secs;
            *months = (unsigned)v * units[k].months;
            return true;
        }
    }
    return lsc_ydoc_fail(L->d, n,
                         "%s must be a positive number and a unit (s, m, h, d, w; mo and y for "
                         "calendar months and years), like 30d or 3mo",
                         what);
}

/* retention: 90d, or { for: 90d, tag: true | false, name: _expires } */
static bool parse_retention(struct loader *L, yaml_node_t *n)
{
    static const char *const keys[] = {"for", "tag", "name", NULL};
    struct lsc_ydoc *d = L->d;
    struct lsc_policy *pol = L->pol;
    yaml_node_t *dur = n;
    pol->tag_expiry = true;
    if (n->type == YAML_MAPPING_NODE) {
        if (!lsc_ydoc_check_keys(d, n, "retention", keys)) {
            return false;
        }
        if ((dur = lsc_ydoc_get(d, n, "for")) == NULL) {
            return lsc_ydoc_fail(d, n, "retention needs 'for: DURATION', like for: 90d");
        }
        yaml_node_t *x;
        if ((x = lsc_ydoc_get(d, n, "tag")) != NULL) {
            if (!lsc_ydoc_is(x, "true") && !lsc_ydoc_is(x, "false")) {
                return lsc_ydoc_fail(d, x, "tag must be true or false");
            }
            pol->tag_expiry = lsc_ydoc_is(x, "true");
        }
        if ((x = lsc_ydoc_get(d, n, "name")) != NULL) {
            const char *s;
            size_t l;
            if (!lsc_ydoc_str(d, x, "retention.name", &s, &l)) {
                return false;
            }
            for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '@' || c == '.')) {
                    l = 0;
                }
            }
            if (l == 0 || l > 64) {
                return lsc_ydoc_fail(d, x,
                                     "name must be 1 to 64 letters, digits, '_', '-', '@' or "
                                     "'.'");
            }
            pol->expiry_name = dup_n(s, l);
        }
    }
    if (!parse_duration(L, dur, "retention", &pol->retention_secs, &pol->retention_months)) {
        return false;
    }
    pol->retention = true;
    return true;
}

static bool parse_input(struct loader *L, yaml_node_t *in)
{
    static const char *const keys[] = {"format", "log_format", "timestamp", NULL};
    static const char *const formats[] = {"auto", "text",   "nginx",  "apache",
                                          "json", "logfmt", "syslog", NULL};
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, in, "input") || !lsc_ydoc_check_keys(d, in, "input", keys)) {
        return false;
    }
    yaml_node_t *f = lsc_ydoc_get(d, in, "format");
    yaml_node_t *lf = lsc_ydoc_get(d, in, "log_format");
    const char *s = "text", *lfs = NULL;
    size_t l = 4, lfl = 0;
    if (f != NULL) {
        if (!lsc_ydoc_str(d, f, "format", &s, &l)) {
            return false;
        }
        int k = -1;
        for (int i = 0; formats[i] != NULL; i++) {
            if (strlen(formats[i]) == l && memcmp(formats[i], s, l) == 0) {
                k = i;
            }
        }
        if (k < 0) {
            const char *hint = lsc_did_you_mean(s, l, formats);
            return lsc_ydoc_fail(d, f,
                                 "unknown format '%.*s'%s%s%s; expected auto, text, nginx, "
                                 "apache, json, logfmt or syslog",
                                 (int)l, s, hint ? " (did you mean '" : "", hint ? hint : "",
                                 hint ? "'?)" : "");
        }
        s = formats[k];
    }
    if (lf != NULL) {
        if (!lsc_ydoc_str(d, lf, "log_format", &lfs, &lfl)) {
            return false;
        }
        if (strcmp(s, "nginx") != 0 && strcmp(s, "apache") != 0) {
            return lsc_ydoc_fail(d, lf,
                                 "log_format goes with format: nginx or format: apache (it is "
                                 "the log_format or LogFormat line of their configuration)");
        }
    }
    char err[256] = "";
    if (!lsc_policy_set_format_ex(L->pol, s, lfs, lfl, err, sizeof err)) {
        return lsc_ydoc_fail(d, lf ? lf : f, "%s", err);
    }
    if ((f = lsc_ydoc_get(d, in, "timestamp")) != NULL) {
        static const char *const tkeys[] = {"field", "layout", NULL};
        yaml_node_t *fn;
        if (!lsc_ydoc_expect_map(d, f, "input.timestamp") ||
            !lsc_ydoc_check_keys(d, f, "input.timestamp", tkeys) ||
            (fn = lsc_ydoc_get(d, f, "field")) == NULL) {
            return d->failed ? false
                             : lsc_ydoc_fail(d, f,
                                             "input.timestamp needs 'field: NAME' (the member "
                                             "holding the record's time)");
        }
        if (!lsc_ydoc_str(d, fn, "input.timestamp.field", &s, &l) || l == 0) {
            return d->failed ? false : lsc_ydoc_fail(d, fn, "the timestamp field is empty");
        }
        free(L->pol->ts_field);
        L->pol->ts_field = dup_n(s, l);
        yaml_node_t *ln = lsc_ydoc_get(d, f, "layout");
        if (ln != NULL) {
            if (!lsc_ydoc_str(d, ln, "input.timestamp.layout", &s, &l)) {
                return false;
            }
            int lay = lsc_time_layout_by_name(s, l);
            if (lay < 0) {
                return lsc_ydoc_fail(d, ln,
                                     "layout must be access (22/Nov/2026:10:00:00 +0000), "
                                     "rfc3339, epoch, epoch_ms or bsd (Nov 22 10:00:00)");
            }
            L->pol->ts_layout = lay;
        }
    }
    return true;
}

/* Parses "a.b[*].c" into segments; false (with an error at n) if malformed. */
static bool parse_path(struct loader *L, yaml_node_t *n, const char *s, size_t len,
                       struct lsc_path *out)
{
    memset(out, 0, sizeof *out);
    out->segs = calloc(32, sizeof *out->segs);
    out->lens = calloc(32, sizeof *out->lens);
    out->text = dup_n(s, len);
    if (out->segs == NULL || out->lens == NULL || out->text == NULL) {
        return lsc_ydoc_fail(L->d, n, "out of memory");
    }
    size_t i = 0;
    while (i <= len) {
        size_t e = i;
        while (e < len && s[e] != '.' && s[e] != '[') {
            e++;
        }
        if (e > i) {
            if (out->n == 32) {
                return lsc_ydoc_fail(L->d, n, "field path '%.*s' is deeper than 32", (int)len, s);
            }
            out->segs[out->n] = dup_n(s + i, e - i);
            out->lens[out->n++] = e - i;
        } else if (e == len || s[e] == '.') {
            return lsc_ydoc_fail(L->d, n,
                                 "field path '%.*s' has an empty part; write a.b.c or "
                                 "a[*].b",
                                 (int)len, s);
        }
        while (e + 3 <= len && memcmp(s + e, "[*]", 3) == 0) {
            if (out->n == 32) {
                return lsc_ydoc_fail(L->d, n, "field path '%.*s' is deeper than 32", (int)len, s);
            }
            out->segs[out->n] = dup_n("[*]", 3);
            out->lens[out->n++] = 3;
            e += 3;
        }
        if (e == len) {
            break;
        }
        if (s[e] != '.' || e + 1 == len) {
            return lsc_ydoc_fail(L->d, n,
                                 "field path '%.*s' is not of the form a.b.c or a[*].b "
                                 "(only [*] may stand in brackets)",
                                 (int)len, s);
        }
        i = e + 1;
    }
    for (size_t k = 0; k < out->n; k++) {
        if (out->segs[k] == NULL) {
            return lsc_ydoc_fail(L->d, n, "out of memory");
        }
    }
    return true;
}

static struct lsc_field_rule *new_field(struct loader *L, yaml_node_t *n)
{
    struct lsc_policy *pol = L->pol;
    if (pol->nfields >= MAX_RULES) {
        lsc_ydoc_fail(L->d, n, "too many field rules (at most %d)", MAX_RULES);
        return NULL;
    }
    struct lsc_field_rule *g = realloc(pol->fields, (pol->nfields + 1) * sizeof *g);
    if (g == NULL) {
        lsc_ydoc_fail(L->d, n, "out of memory");
        return NULL;
    }
    pol->fields = g;
    memset(&g[pol->nfields], 0, sizeof *g);
    return &g[pol->nfields++];
}

static bool parse_field_list(struct loader *L, yaml_node_t *list, enum lsc_field_kind kind)
{
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++) {
        yaml_node_t *fn = lsc_ydoc_node(L->d, *it);
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(L->d, fn, "a field name", &s, &l)) {
            return false;
        }
        struct lsc_field_rule *fr = new_field(L, fn);
        if (fr == NULL) {
            return false;
        }
        fr->kind = kind;
        if (!parse_path(L, fn, s, l, &fr->path)) {
            return false;
        }
    }
    return true;
}

/* url: { query_keep: [names] } or { query_drop: [names] } */
static bool parse_url(struct loader *L, yaml_node_t *n, struct lsc_action *a)
{
    static const char *const keys[] = {"query_keep", "query_drop", "segments", NULL};
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, n, "url") || !lsc_ydoc_check_keys(d, n, "url", keys)) {
        return false;
    }
    yaml_node_t *qk = lsc_ydoc_get(d, n, "query_keep");
    yaml_node_t *qd = lsc_ydoc_get(d, n, "query_drop");
    if ((qk == NULL) == (qd == NULL)) {
        return lsc_ydoc_fail(d, n,
                             "url needs either query_keep: [names] (an allow-list) or "
                             "query_drop: [names]");
    }
    yaml_node_t *seg = lsc_ydoc_get(d, n, "segments");
    if (seg != NULL && !lsc_ydoc_is(seg, "keep") && !lsc_ydoc_is(seg, "replace")) {
        return lsc_ydoc_fail(d, seg,
                             "segments must be replace (the default: path segments that look "
                             "like ids become :uuid, :hex, :token, :email) or keep");
    }
    a->keep_segments = seg != NULL && lsc_ydoc_is(seg, "keep");
    yaml_node_t *list = qk ? qk : qd;
    if (!lsc_ydoc_expect_seq(d, list, qk ? "query_keep" : "query_drop")) {
        return false;
    }
    size_t count = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    a->kind = LSC_ACT_URL;
    a->query_keep = qk != NULL;
    a->query = calloc(count ? count : 1, sizeof *a->query);
    if (a->query == NULL) {
        return lsc_ydoc_fail(d, n, "out of memory");
    }
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top;
         it++) {
        yaml_node_t *qn = lsc_ydoc_node(d, *it);
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, qn, "a query parameter name", &s, &l)) {
            return false;
        }
        char *name = dup_n(s, l);
        if (name == NULL) {
            return lsc_ydoc_fail(d, qn, "out of memory");
        }
        for (size_t i = 0; i < l; i++) {
            name[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
        }
        a->query[a->nquery++] = name;
    }
    return true;
}

/* A path as written in the policy, relative ones taken from the policy's folder. */
static void resolve(const struct loader *L, const char *s, size_t l, char *out, size_t cap)
{
    if (l > 0 && s[0] != '/' && strcmp(L->dir, ".") != 0) {
        snprintf(out, cap, "%s/%.*s", L->dir, (int)l, s);
    } else {
        snprintf(out, cap, "%.*s", (int)l, s);
    }
}

/* fields: { client_ip: { ip: geo, db: [a.mmdb, b.mmdb], geo: [country, asn], unknown: '-' } } */
static bool parse_geo(struct loader *L, yaml_node_t *v, struct lsc_action *a)
{
    static const char *const keys[] = {"ip", "db", "geo", "unknown", NULL};
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_check_keys(d, v, "an ip: geo rule", keys)) {
        return false;
    }
    yaml_node_t *db = lsc_ydoc_get(d, v, "db");
    if (db == NULL) {
        return lsc_ydoc_fail(d, v,
                             "ip: geo needs 'db: FILE.mmdb' (or a list: a country or city "
                             "database and an ASN database)");
    }
    char paths[4][4096];
    const char *pp[4];
    size_t np = 0;
    yaml_node_item_t *it = db->type == YAML_SEQUENCE_NODE ? db->data.sequence.items.start : NULL;
    size_t count = it ? (size_t)(db->data.sequence.items.top - it) : 1;
    if (count == 0 || count > 4) {
        return lsc_ydoc_fail(d, db, "db lists 1 to 4 databases");
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *x = it ? lsc_ydoc_node(d, it[i]) : db;
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, x, "a database file", &s, &l)) {
            return false;
        }
        resolve(L, s, l, paths[np], sizeof paths[np]);
        pp[np] = paths[np];
        np++;
    }
    int fields[LSC_GEO_FIELD_COUNT];
    size_t nf = 0;
    yaml_node_t *gn = lsc_ydoc_get(d, v, "geo");
    if (gn == NULL) {
        fields[nf++] = LSC_GEO_COUNTRY;
    } else {
        if (!lsc_ydoc_expect_seq(d, gn, "geo")) {
            return false;
        }
        for (yaml_node_item_t *g = gn->data.sequence.items.start; g < gn->data.sequence.items.top;
             g++) {
            yaml_node_t *x = lsc_ydoc_node(d, *g);
            const char *s;
            size_t l;
            if (!lsc_ydoc_str(d, x, "a geo field", &s, &l)) {
                return false;
            }
            int f = lsc_geo_field_by_name(s, l);
            if (f < 0 || nf == LSC_GEO_FIELD_COUNT) {
                return lsc_ydoc_fail(d, x,
                                     "unknown geo field '%.*s'; expected country, continent, "
                                     "asn, as_org or city",
                                     (int)l, s);
            }
            fields[nf++] = f;
        }
        if (nf == 0) {
            return lsc_ydoc_fail(d, gn, "geo lists at least one field");
        }
    }
    char unknown[17] = "-";
    yaml_node_t *un = lsc_ydoc_get(d, v, "unknown");
    if (un != NULL) {
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, un, "unknown", &s, &l)) {
            return false;
        }
        if (l == 0 || l > 16) {
            return lsc_ydoc_fail(d, un, "unknown must be 1 to 16 characters");
        }
        snprintf(unknown, sizeof unknown, "%.*s", (int)l, s);
    }
    char err[512];
    struct lsc_geo *g = lsc_geo_open(pp, np, fields, nf, unknown, err, sizeof err);
    if (g == NULL) {
        return lsc_ydoc_fail(d, db, "%s", err);
    }
    struct lsc_geo **ng = realloc(L->pol->geos, (L->pol->ngeos + 1) * sizeof *ng);
    if (ng == NULL) {
        lsc_geo_free(g);
        return lsc_ydoc_fail(d, db, "out of memory");
    }
    L->pol->geos = ng;
    ng[L->pol->ngeos++] = g;
    /* A value that is not an address gets the unknown text too. */
    char *t = dup_n(unknown, strlen(unknown));
    if (t == NULL) {
        return lsc_ydoc_fail(d, db, "out of memory");
    }
    free(a->text);
    a->text = t;
    a->text_len = strlen(unknown);
    a->kind = LSC_ACT_GEO;
    a->geo = g;
    return true;
}

/* A field's action from its rule (a mapping): ip:, url:, or any action of a text rule. */
static bool parse_field_action(struct loader *L, yaml_node_t *v, const char *label,
                               struct lsc_action *a)
{
    struct lsc_ydoc *d = L->d;
    yaml_node_t *ip = lsc_ydoc_get(d, v, "ip");
    if (ip != NULL) {
        if (!lsc_ydoc_is(ip, "truncate") && !lsc_ydoc_is(ip, "pseudonym") &&
            !lsc_ydoc_is(ip, "geo")) {
            return lsc_ydoc_fail(d, ip, "ip must be truncate, pseudonym or geo");
        }
        if (lsc_ydoc_get(d, v, "action") != NULL) {
            return lsc_ydoc_fail(d, ip, "write either 'ip:' or 'action:', not both");
        }
        if (lsc_ydoc_is(ip, "geo")) {
            return parse_geo(L, v, a);
        }
    }
    yaml_node_t *url = lsc_ydoc_get(d, v, "url");
    if (url != NULL) {
        if (v->data.mapping.pairs.top - v->data.mapping.pairs.start != 1) {
            return lsc_ydoc_fail(d, url, "url: goes alone in a field's rule");
        }
        return parse_url(L, url, a);
    }
    static const char *const geo_only[] = {"db", "geo", "unknown", NULL};
    for (int g = 0; geo_only[g] != NULL; g++) {
        yaml_node_t *x = lsc_ydoc_get(d, v, geo_only[g]);
        if (x != NULL) {
            return lsc_ydoc_fail(d, x, "'%s' only goes with ip: geo", geo_only[g]);
        }
    }
    return parse_action(L, v, label, strlen(label), true, a);
}

/*
 * Staged retention: [ {for: 7d, keep: true}, {for: 30d, ip: truncate}, {then: drop} ].
 * Each stage but the last says until when (the record's time plus a duration, the ends
 * increasing) and what: keep: true, or a field action. The last is {then: drop} or
 * {then: keep} (the value stays as the stages before left it).
 */
static bool parse_stages(struct loader *L, yaml_node_t *list, struct lsc_field_rule *fr)
{
    static const char *const stage_keys[] = {
        "for",       "then",      "keep",   "action", "label",   "with", "keep_first",
        "keep_last", "mask_char", "length", "v4",     "v6",      "ip",   "url",
        "render",    "prefix",    "db",     "geo",    "unknown", NULL,
    };
    struct lsc_ydoc *d = L->d;
    size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (n < 2 || n > 8) {
        return lsc_ydoc_fail(d, list,
                             "stages are a list of 2 to 8: {for: 7d, keep: true}, {for: 30d, "
                             "ip: truncate}, ..., {then: drop}");
    }
    fr->kind = LSC_FIELD_STAGED;
    fr->stages = calloc(n, sizeof *fr->stages);
    if (fr->stages == NULL) {
        return lsc_ydoc_fail(d, list, "out of memory");
    }
    int64_t prev_end = -1;
    const char *label = fr->path.segs[fr->path.n - 1];
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *st = lsc_ydoc_node(d, list->data.sequence.items.start[i]);
        struct lsc_stage *sg = &fr->stages[fr->nstages++];
        if (!lsc_ydoc_expect_map(d, st, "a stage") ||
            !lsc_ydoc_check_keys(d, st, "a stage", stage_keys)) {
            return false;
        }
        yaml_node_t *fo = lsc_ydoc_get(d, st, "for");
        yaml_node_t *then = lsc_ydoc_get(d, st, "then");
        bool last = i + 1 == n;
        if (last != (then != NULL) || (fo != NULL) == (then != NULL)) {
            return lsc_ydoc_fail(d, st,
                                 last ? "the last stage is {then: drop} or {then: keep}"
                                      : "every stage but the last has 'for: DURATION' (and "
                                        "only the last has 'then:')");
        }
        if (last) {
            if (!lsc_ydoc_is(then, "drop") && !lsc_ydoc_is(then, "keep")) {
                return lsc_ydoc_fail(d, then, "then must be drop or keep");
            }
            if (st->data.mapping.pairs.top - st->data.mapping.pairs.start != 1) {
                return lsc_ydoc_fail(d, st, "the last stage holds only 'then:'");
            }
            sg->last = true;
            sg->drop = lsc_ydoc_is(then, "drop");
            sg->keep = !sg->drop;
            sg->action.kind = LSC_ACT_KEEP;
            continue;
        }
        if (!parse_duration(L, fo, "for", &sg->secs, &sg->months)) {
            return false;
        }
        int64_t end = lsc_time_add(0, sg->months, sg->secs);
        if (end <= prev_end) {
            return lsc_ydoc_fail(d, fo,
                                 "stage ends must increase (each 'for' counts from the "
                                 "record's time)");
        }
        prev_end = end;
        yaml_node_t *keep = lsc_ydoc_get(d, st, "keep");
        if (keep != NULL) {
            if (!lsc_ydoc_is(keep, "true") ||
                st->data.mapping.pairs.top - st->data.mapping.pairs.start != 2) {
                return lsc_ydoc_fail(d, keep, "a stage is 'keep: true' or an action, not both");
            }
            sg->keep = true;
            sg->action.kind = LSC_ACT_KEEP;
            continue;
        }
        if (st->data.mapping.pairs.top - st->data.mapping.pairs.start < 2) {
            return lsc_ydoc_fail(d, st, "a stage needs 'keep: true' or an action");
        }
        if (!parse_field_action(L, st, label, &sg->action)) {
            return false;
        }
    }
    L->pol->has_staged = true;
    return true;
}

/* fields: keep/drop lists (no field both kept and dropped) and per-field actions. */
static bool parse_fields(struct loader *L, yaml_node_t *fields)
{
    static const char *const action_keys[] = {
        "action", "label", "with", "keep_first", "keep_last", "mask_char",
        "length", "v4",    "v6",   "ip",         "url",       "render",
        "prefix", "db",    "geo",  "add",        "unknown",   NULL,
    };
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, fields, "fields")) {
        return false;
    }
    yaml_node_t *keep = lsc_ydoc_get(d, fields, "keep");
    yaml_node_t *drop = lsc_ydoc_get(d, fields, "drop");
    if ((keep != NULL && !lsc_ydoc_expect_seq(d, keep, "fields.keep")) ||
        (drop != NULL && !lsc_ydoc_expect_seq(d, drop, "fields.drop"))) {
        return false;
    }
    for (yaml_node_item_t *a = drop ? drop->data.sequence.items.start : NULL;
         a != NULL && a < drop->data.sequence.items.top; a++) {
        yaml_node_t *dn = lsc_ydoc_node(d, *a);
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, dn, "a field name", &s, &l)) {
            return false;
        }
        for (yaml_node_item_t *b = keep ? keep->data.sequence.items.start : NULL;
             b != NULL && b < keep->data.sequence.items.top; b++) {
            yaml_node_t *kn = lsc_ydoc_node(d, *b);
            if (kn->type == YAML_SCALAR_NODE && kn->data.scalar.length == l &&
                memcmp(kn->data.scalar.value, s, l) == 0) {
                return lsc_ydoc_fail(d, dn,
                                     "field '%.*s' is both kept (line %zu) and dropped; a field "
                                     "is either in fields.keep or in fields.drop",
                                     (int)l, s, kn->start_mark.line + 1);
            }
        }
    }
    if (L->pol->format == LSC_FORMAT_TEXT) {
        return lsc_ydoc_fail(d, fields,
                             "field rules need a structure: set input.format to auto, nginx, "
                             "apache, json, logfmt or syslog (text is one value per line)");
    }
    if ((keep != NULL && !parse_field_list(L, keep, LSC_FIELD_KEEP)) ||
        (drop != NULL && !parse_field_list(L, drop, LSC_FIELD_DROP))) {
        return false;
    }
    L->pol->has_keep = keep != NULL;
    for (yaml_node_pair_t *pr = fields->data.mapping.pairs.start;
         pr < fields->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = lsc_ydoc_node(d, pr->key);
        yaml_node_t *v = lsc_ydoc_node(d, pr->value);
        const char *s;
        size_t l;
        if (!lsc_ydoc_str(d, k, "a field name", &s, &l)) {
            return false;
        }
        if ((l == 4 && memcmp(s, "keep", 4) == 0) || (l == 4 && memcmp(s, "drop", 4) == 0)) {
            continue;
        }
        char what[160];
        snprintf(what, sizeof what, "the rule for field '%.*s'", (int)(l < 100 ? l : 100), s);
        struct lsc_field_rule *fr = NULL;
        if (v->type == YAML_SEQUENCE_NODE) {
            if ((fr = new_field(L, k)) == NULL || !parse_path(L, k, s, l, &fr->path) ||
                !parse_stages(L, v, fr)) {
                return false;
            }
            continue;
        }
        if (!lsc_ydoc_expect_map(d, v, what) || !lsc_ydoc_check_keys(d, v, what, action_keys)) {
            return false;
        }
        if ((fr = new_field(L, k)) == NULL || !parse_path(L, k, s, l, &fr->path)) {
            return false;
        }
        fr->kind = LSC_FIELD_ACTION;
        const char *label = fr->path.segs[fr->path.n - 1];
        if (!parse_field_action(L, v, label, &fr->action)) {
            return false;
        }
    }
    return true;
}

/* keys: { file: PATH, rotate: none | daily | weekly | monthly, tag: true | false } */
static bool parse_keys(struct loader *L, yaml_node_t *n)
{
    static const char *const keys[] = {"file", "rotate", "tag", NULL};
    static const char *const rotations[] = {"none", "daily", "weekly", "monthly", NULL};
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, n, "keys") || !lsc_ydoc_check_keys(d, n, "keys", keys)) {
        return false;
    }
    yaml_node_t *x;
    const char *s;
    size_t l;
    if ((x = lsc_ydoc_get(d, n, "file")) != NULL) {
        if (!lsc_ydoc_str(d, x, "keys.file", &s, &l)) {
            return false;
        }
        char path[4096];
        resolve(L, s, l, path, sizeof path);
        free(L->pol->key_file);
        L->pol->key_file = strdup(path);
    }
    if ((x = lsc_ydoc_get(d, n, "rotate")) != NULL) {
        if (!lsc_ydoc_str(d, x, "keys.rotate", &s, &l)) {
            return false;
        }
        int k = -1;
        for (int i = 0; rotations[i] != NULL; i++) {
            if (strlen(rotations[i]) == l && memcmp(rotations[i], s, l) == 0) {
                k = i;
            }
        }
        if (k < 0) {
            return lsc_ydoc_fail(d, x, "rotate must be none, daily, weekly or monthly");
        }
        L->pol->rotate = (enum lsc_rotate)k;
    }
    if ((x = lsc_ydoc_get(d, n, "tag")) != NULL) {
        if (!lsc_ydoc_is(x, "true") && !lsc_ydoc_is(x, "false")) {
            return lsc_ydoc_fail(d, x, "tag must be true or false");
        }
        L->pol->tag_epoch = lsc_ydoc_is(x, "true");
    }
    return true;
}

/*
 * The key for a policy that makes pseudonyms: $LOGSCRUB_KEY_FILE, else keys.file, else
 * $CREDENTIALS_DIRECTORY/logscrub.key (systemd's LoadCredential=). Never from the command
 * line, where other users could read it.
 */
static bool load_key(struct loader *L, yaml_node_t *root)
{
    struct lsc_policy *pol = L->pol;
    lsc_key_mode mode = L->opts ? L->opts->key_mode : LSC_KEY_LOAD;
    if (!pol->needs_key || mode == LSC_KEY_NONE) {
        return true;
    }
    if (mode == LSC_KEY_TEST) {
        return lsc_key_test(&pol->key) || lsc_ydoc_fail(L->d, root, "out of memory");
    }
    char cred[4096];
    const char *path = getenv("LOGSCRUB_KEY_FILE");
    if (path == NULL || path[0] == '\0') {
        path = pol->key_file;
    }
    const char *cd = getenv("CREDENTIALS_DIRECTORY");
    if (path == NULL && cd != NULL && cd[0] != '\0') {
        snprintf(cred, sizeof cred, "%s/logscrub.key", cd);
        path = cred;
    }
    if (path == NULL) {
        return lsc_ydoc_fail(L->d, root,
                             "this policy makes pseudonyms, so it needs a key: create one with "
                             "'logscrub keygen /etc/logscrub/key', then name it in the policy "
                             "(keys: { file: /etc/logscrub/key }) or in $LOGSCRUB_KEY_FILE");
    }
    char err[1024];
    if (!lsc_key_load(path, &pol->key, err, sizeof err)) {
        yaml_node_t *keys = lsc_ydoc_get(L->d, root, "keys");
        return lsc_ydoc_fail(L->d, keys ? keys : root, "%s", err);
    }
    return true;
}

static bool parse_on_error(struct loader *L, yaml_node_t *n)
{
    struct lsc_ydoc *d = L->d;
    if (lsc_ydoc_is(n, "redact-line")) {
        L->pol->on_error = LSC_ON_ERROR_REDACT_LINE;
        return true;
    }
    if (lsc_ydoc_is(n, "drop")) {
        L->pol->on_error = LSC_ON_ERROR_DROP;
        return true;
    }
    if (lsc_ydoc_is(n, "quarantine")) {
        return lsc_ydoc_fail(d, n,
                             "quarantine needs a file: on_error: { quarantine: "
                             "/var/lib/logscrub/quarantine.log }");
    }
    if (n->type == YAML_MAPPING_NODE) {
        static const char *const keys[] = {"quarantine", NULL};
        yaml_node_t *q;
        const char *s;
        size_t l;
        if (!lsc_ydoc_check_keys(d, n, "on_error", keys) ||
            (q = lsc_ydoc_get(d, n, "quarantine")) == NULL ||
            !lsc_ydoc_str(d, q, "on_error.quarantine", &s, &l)) {
            return d->failed ? false : lsc_ydoc_fail(d, n, "on_error needs 'quarantine: FILE'");
        }
        if (l == 0) {
            return lsc_ydoc_fail(d, q, "the quarantine file name is empty");
        }
        free(L->pol->quarantine_path);
        L->pol->quarantine_path = dup_n(s, l);
        L->pol->on_error = LSC_ON_ERROR_QUARANTINE;
        return true;
    }
    return lsc_ydoc_fail(d, n, "on_error must be redact-line, drop, or { quarantine: FILE }");
}

static bool parse_limits(struct loader *L, yaml_node_t *n)
{
    static const char *const keys[] = {"match_limit", "depth_limit", "heap_limit_kib", NULL};
    struct lsc_ydoc *d = L->d;
    if (!lsc_ydoc_expect_map(d, n, "limits") || !lsc_ydoc_check_keys(d, n, "limits", keys)) {
        return false;
    }
    unsigned long v;
    yaml_node_t *x;
    if ((x = lsc_ydoc_get(d, n, "match_limit")) != NULL) {
        if (!lsc_ydoc_uint(d, x, "match_limit", 1, 4000000000ul, &v)) {
            return false;
        }
        L->pol->limits.match_limit = (uint32_t)v;
    }
    if ((x = lsc_ydoc_get(d, n, "depth_limit")) != NULL) {
        if (!lsc_ydoc_uint(d, x, "depth_limit", 1, 4000000000ul, &v)) {
            return false;
        }
        L->pol->limits.depth_limit = (uint32_t)v;
    }
    if ((x = lsc_ydoc_get(d, n, "heap_limit_kib")) != NULL) {
        if (!lsc_ydoc_uint(d, x, "heap_limit_kib", 1, 4000000000ul, &v)) {
            return false;
        }
        L->pol->limits.heap_limit_kib = (uint32_t)v;
    }
    return true;
}

static bool parse_tests(struct loader *L, yaml_node_t *tests)
{
    static const char *const keys[] = {"in", "out", "dropped", "now", NULL};
    struct lsc_ydoc *d = L->d;
    struct lsc_policy *pol = L->pol;
    if (!lsc_ydoc_expect_seq(d, tests, "tests")) {
        return false;
    }
    size_t count = (size_t)(tests->data.sequence.items.top - tests->data.sequence.items.start);
    if (count > MAX_TESTS) {
        return lsc_ydoc_fail(d, tests, "too many tests (at most %d)", MAX_TESTS);
    }
    pol->tests = calloc(count ? count : 1, sizeof *pol->tests);
    if (pol->tests == NULL) {
        return lsc_ydoc_fail(d, tests, "out of memory");
    }
    for (yaml_node_item_t *it = tests->data.sequence.items.start;
         it < tests->data.sequence.items.top; it++) {
        yaml_node_t *t = lsc_ydoc_node(d, *it);
        if (!lsc_ydoc_expect_map(d, t, "a test") || !lsc_ydoc_check_keys(d, t, "a test", keys)) {
            return false;
        }
        yaml_node_t *in = lsc_ydoc_get(d, t, "in");
        yaml_node_t *out = lsc_ydoc_get(d, t, "out");
        yaml_node_t *dropped = lsc_ydoc_get(d, t, "dropped");
        yaml_node_t *now = lsc_ydoc_get(d, t, "now");
        struct lsc_policy_test *pt = &pol->tests[pol->ntests];
        const char *s;
        size_t l;
        if (in == NULL) {
            return lsc_ydoc_fail(d, t, "a test needs 'in: LINE'");
        }
        if ((out == NULL) == (dropped == NULL)) {
            return lsc_ydoc_fail(d, t, "a test needs either 'out: LINE' or 'dropped: true'");
        }
        if (!lsc_ydoc_str(d, in, "in", &s, &l)) {
            return false;
        }
        if (memchr(s, '\n', l) != NULL) {
            return lsc_ydoc_fail(d, in, "a test's 'in' is one line: no newline inside");
        }
        pt->in = dup_n(s, l);
        pt->in_len = l;
        pt->line = (unsigned)t->start_mark.line + 1;
        pol->ntests++;
        if (pt->in == NULL) {
            return lsc_ydoc_fail(d, t, "out of memory");
        }
        /* now: the time the test runs at (staged retention depends on the record's age). */
        if (now != NULL && (!lsc_ydoc_str(d, now, "now", &s, &l) ||
                            !lsc_time_parse_as(LSC_LAYOUT_RFC3339, s, l, 0, &pt->now))) {
            return lsc_ydoc_fail(d, now, "'now' wants an RFC 3339 time like 2026-11-22T10:00:00Z");
        }
        if (dropped != NULL) {
            if (!lsc_ydoc_bool(d, dropped, "dropped", &pt->dropped)) {
                return false;
            }
            if (!pt->dropped) {
                return lsc_ydoc_fail(d, dropped, "write 'out: LINE' for a line that is kept");
            }
        } else {
            if (!lsc_ydoc_str(d, out, "out", &s, &l)) {
                return false;
            }
            pt->out = dup_n(s, l);
            pt->out_len = l;
            if (pt->out == NULL) {
                return lsc_ydoc_fail(d, t, "out of memory");
            }
        }
    }
    return true;
}

static const char *const top_keys[] = {
    "version", "name",  "description", "input", "text",      "on_error",
    "limits",  "tests", "fields",      "keys",  "retention", NULL,
};

static bool parse_policy(struct loader *L)
{
    struct lsc_ydoc *d = L->d;
    struct lsc_policy *pol = L->pol;
    yaml_node_t *root = lsc_ydoc_root(d);
    if (!lsc_ydoc_expect_map(d, root, "a policy") ||
        !lsc_ydoc_check_keys(d, root, "a policy", top_keys)) {
        return false;
    }
    yaml_node_t *n = lsc_ydoc_get(d, root, "version");
    if (n == NULL) {
        return lsc_ydoc_fail(d, root, "a policy starts with 'version: 1'");
    }
    if (!lsc_ydoc_is(n, "1")) {
        return lsc_ydoc_fail(d, n, "unsupported policy version; this logscrub reads version 1");
    }
    const char *s;
    size_t l;
    if ((n = lsc_ydoc_get(d, root, "name")) == NULL) {
        return lsc_ydoc_fail(d, root,
                             "a policy needs a 'name' (it appears in --stats and "
                             "reports)");
    }
    if (!lsc_ydoc_str(d, n, "name", &s, &l)) {
        return false;
    }
    if (l == 0 || l > 128) {
        return lsc_ydoc_fail(d, n, "name must be 1 to 128 characters");
    }
    pol->name = dup_n(s, l);
    if ((n = lsc_ydoc_get(d, root, "description")) != NULL) {
        if (!lsc_ydoc_str(d, n, "description", &s, &l)) {
            return false;
        }
        while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == ' ')) {
            l--; /* folded scalars (>) end with a newline */
        }
        pol->description = dup_n(s, l);
    }
    if ((n = lsc_ydoc_get(d, root, "input")) != NULL && !parse_input(L, n)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, root, "fields")) != NULL && !parse_fields(L, n)) {
        return false;
    }
    L->pol->tag_epoch = true;
    if ((n = lsc_ydoc_get(d, root, "keys")) != NULL && !parse_keys(L, n)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, root, "retention")) != NULL && !parse_retention(L, n)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, root, "text")) != NULL) {
        if (!lsc_ydoc_expect_seq(d, n, "text")) {
            return false;
        }
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            yaml_node_t *item = lsc_ydoc_node(d, *it);
            bool ok = item->type == YAML_MAPPING_NODE && lsc_ydoc_get(d, item, "use") != NULL
                          ? use_pack(L, item)
                          : parse_rule(L, item);
            if (!ok) {
                return false;
            }
        }
    }
    if ((n = lsc_ydoc_get(d, root, "on_error")) != NULL && !parse_on_error(L, n)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, root, "limits")) != NULL && !parse_limits(L, n)) {
        return false;
    }
    if ((n = lsc_ydoc_get(d, root, "tests")) != NULL && !parse_tests(L, n)) {
        return false;
    }
    pol->writes_tags = (pol->retention && pol->tag_expiry) || pol->has_staged ||
                       (pol->needs_key && pol->tag_epoch);
    return load_key(L, root);
}

lsc_error lsc_policy_load_buffer(const char *path, const char *text, size_t len,
                                 const struct lsc_load_opts *opts, struct lsc_policy **out,
                                 char *err, size_t errlen)
{
    struct lsc_policy *pol = lsc_policy_alloc();
    if (pol == NULL) {
        snprintf(err, errlen, "out of memory");
        return LSC_ENOMEM;
    }
    pol->source = strdup(path);
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    }
    struct lsc_ydoc d;
    struct loader L = {pol, opts, &d, dir, NULL};
    bool ok = lsc_ydoc_load(&d, path, text, len, err, errlen) && parse_policy(&L);
    lsc_ydoc_free(&d);
    if (!ok) {
        lsc_policy_free(pol);
        return LSC_EPOLICY;
    }
    *out = pol;
    return LSC_OK;
}

lsc_error lsc_policy_load(const char *path, const struct lsc_load_opts *opts,
                          struct lsc_policy **out, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, &len, err, errlen);
    if (text == NULL) {
        return LSC_EOPEN;
    }
    lsc_error rc = lsc_policy_load_buffer(path, text, len, opts, out, err, errlen);
    free(text);
    return rc;
}
