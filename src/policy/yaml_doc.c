/*
 * yaml_doc.c - loads one YAML document with libyaml's document API and reports errors the
 * way a compiler does:
 *
 *   policy.yaml:12:5: unknown key 'acton' in a text rule; did you mean 'action'?
 *      12 |     acton: redact
 *         |     ^
 *
 * Only the first error is kept. Node marks from libyaml are 0-based; messages are 1-based.
 */
#include "yaml_doc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool lsc_ydoc_fail_at(struct lsc_ydoc *d, size_t line, size_t col, const char *fmt, va_list ap)
{
    if (d->failed) {
        return false;
    }
    d->failed = true;
    int n = snprintf(d->err, d->errlen, "%s:%zu:%zu: ", d->path, line + 1, col + 1);
    size_t used = n > 0 ? (size_t)n : 0;
    if (used < d->errlen) {
        int m = vsnprintf(d->err + used, d->errlen - used, fmt, ap);
        used += m > 0 ? (size_t)m : 0;
    }
    /* Quote the line and point at the column. */
    const char *p = d->text, *end = d->text + d->len;
    for (size_t l = 0; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    if (p < end && used < d->errlen) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)((nl ? nl : end) - p);
        if (ll > 0 && p[ll - 1] == '\r') {
            ll--;
        }
        if (ll > 160) {
            ll = 160;
        }
        snprintf(d->err + used, d->errlen - used, "\n  %5zu | %.*s\n        | %*s^", line + 1,
                 (int)ll, p, (int)(col < 200 ? col : 200), "");
    }
    return false;
}

bool lsc_ydoc_fail(struct lsc_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t line = n ? n->start_mark.line : 0, col = n ? n->start_mark.column : 0;
    lsc_ydoc_fail_at(d, line, col, fmt, ap);
    va_end(ap);
    return false;
}

static bool fail_mark(struct lsc_ydoc *d, yaml_mark_t m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lsc_ydoc_fail_at(d, m.line, m.column, fmt, ap);
    va_end(ap);
    return false;
}

bool lsc_ydoc_load(struct lsc_ydoc *d, const char *path, const char *text, size_t len, char *err,
                   size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    d->text = text;
    d->len = len;
    d->err = err;
    d->errlen = errlen;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        yaml_mark_t m = {0, 0, 0};
        return fail_mark(d, m, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok = yaml_parser_load(&parser, &d->doc) != 0;
    if (!ok) {
        const char *problem = parser.problem ? parser.problem : "not valid YAML";
        if (parser.context != NULL) {
            fail_mark(d, parser.problem_mark, "not valid YAML: %s %s", problem, parser.context);
        } else {
            fail_mark(d, parser.problem_mark, "not valid YAML: %s", problem);
        }
    } else {
        d->loaded = true;
        if (yaml_document_get_root_node(&d->doc) == NULL) {
            yaml_mark_t m = {0, 0, 0};
            ok = fail_mark(d, m, "the file is empty; a policy starts with 'version: 1'");
        }
    }
    yaml_parser_delete(&parser);
    return ok;
}

void lsc_ydoc_free(struct lsc_ydoc *d)
{
    if (d != NULL && d->loaded) {
        yaml_document_delete(&d->doc);
        d->loaded = false;
    }
}

yaml_node_t *lsc_ydoc_root(struct lsc_ydoc *d)
{
    return yaml_document_get_root_node(&d->doc);
}

yaml_node_t *lsc_ydoc_node(struct lsc_ydoc *d, int id)
{
    return yaml_document_get_node(&d->doc, id);
}

bool lsc_ydoc_is(const yaml_node_t *n, const char *s)
{
    size_t l = strlen(s);
    return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == l &&
           memcmp(n->data.scalar.value, s, l) == 0;
}

static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t row[64];
    if (la >= 63 || lb >= 63) {
        return 99;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best) {
                best = row[j] + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *lsc_did_you_mean(const char *word, size_t len, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; candidates[i] != NULL; i++) {
        size_t dd = edit_distance(word, len, candidates[i], strlen(candidates[i]));
        if (dd < best_d) {
            best_d = dd;
            best = candidates[i];
        }
    }
    return best;
}

static void list_keys(const char *const *allowed, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; allowed[i] != NULL && used < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i ? ", " : "", allowed[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

bool lsc_ydoc_check_keys(struct lsc_ydoc *d, yaml_node_t *map, const char *what,
                         const char *const *allowed)
{
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = lsc_ydoc_node(d, pr->key);
        if (k == NULL || k->type != YAML_SCALAR_NODE) {
            return lsc_ydoc_fail(d, k, "keys in %s must be plain words", what);
        }
        const char *ks = (const char *)k->data.scalar.value;
        size_t kl = k->data.scalar.length;
        bool known = false;
        for (size_t i = 0; allowed[i] != NULL && !known; i++) {
            known = strlen(allowed[i]) == kl && memcmp(allowed[i], ks, kl) == 0;
        }
        if (!known) {
            const char *hint = lsc_did_you_mean(ks, kl, allowed);
            if (hint != NULL) {
                return lsc_ydoc_fail(d, k, "unknown key '%.*s' in %s; did you mean '%s'?", (int)kl,
                                     ks, what, hint);
            }
            char keys[512];
            list_keys(allowed, keys, sizeof keys);
            return lsc_ydoc_fail(d, k, "unknown key '%.*s' in %s; expected one of: %s", (int)kl, ks,
                                 what, keys);
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < pr; q++) {
            yaml_node_t *k2 = lsc_ydoc_node(d, q->key);
            if (k2 != NULL && k2->type == YAML_SCALAR_NODE && k2->data.scalar.length == kl &&
                memcmp(k2->data.scalar.value, ks, kl) == 0) {
                return lsc_ydoc_fail(d, k, "duplicate key '%.*s' in %s (first on line %zu)",
                                     (int)kl, ks, what, k2->start_mark.line + 1);
            }
        }
    }
    return true;
}

yaml_node_t *lsc_ydoc_get(struct lsc_ydoc *d, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE) {
        return NULL;
    }
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        if (lsc_ydoc_is(lsc_ydoc_node(d, pr->key), key)) {
            return lsc_ydoc_node(d, pr->value);
        }
    }
    return NULL;
}

static const char *type_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a single value";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping (key: value)";
    default:
        return "nothing";
    }
}

bool lsc_ydoc_expect_map(struct lsc_ydoc *d, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_MAPPING_NODE) {
        return lsc_ydoc_fail(d, n, "%s must be a mapping (key: value), not %s", what, type_name(n));
    }
    return true;
}

bool lsc_ydoc_expect_seq(struct lsc_ydoc *d, yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        return lsc_ydoc_fail(d, n, "%s must be a list (- item), not %s", what, type_name(n));
    }
    return true;
}

bool lsc_ydoc_str(struct lsc_ydoc *d, yaml_node_t *n, const char *what, const char **s, size_t *len)
{
    if (n->type != YAML_SCALAR_NODE) {
        return lsc_ydoc_fail(d, n, "%s must be a string, not %s", what, type_name(n));
    }
    *s = (const char *)n->data.scalar.value;
    *len = n->data.scalar.length;
    return true;
}

bool lsc_ydoc_uint(struct lsc_ydoc *d, yaml_node_t *n, const char *what, unsigned long min,
                   unsigned long max, unsigned long *out)
{
    const char *s = NULL;
    size_t len = 0;
    if (!lsc_ydoc_str(d, n, what, &s, &len)) {
        return false;
    }
    unsigned long v = 0;
    bool ok = len > 0 && len <= 10;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (!ok || v < min || v > max) {
        return lsc_ydoc_fail(d, n, "%s must be a whole number from %lu to %lu, not '%.*s'", what,
                             min, max, (int)(len < 40 ? len : 40), s);
    }
    *out = v;
    return true;
}

bool lsc_ydoc_bool(struct lsc_ydoc *d, yaml_node_t *n, const char *what, bool *out)
{
    if (lsc_ydoc_is(n, "true")) {
        *out = true;
        return true;
    }
    if (lsc_ydoc_is(n, "false")) {
        *out = false;
        return true;
    }
    return lsc_ydoc_fail(d, n, "%s must be true or false", what);
}
