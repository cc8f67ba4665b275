/*
 * yaml_doc.h - a YAML document (libyaml's node tree) with the source text kept, so every
 * error can name file:line:col, quote the line and point at the column.
 */
#ifndef LSC_POLICY_YAML_DOC_H
#define LSC_POLICY_YAML_DOC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

struct lsc_ydoc {
    const char *path; /* as shown in messages */
    const char *text; /* the source, not owned */
    size_t len;
    yaml_document_t doc;
    bool loaded;
    char *err; /* where the first error goes */
    size_t errlen;
    bool failed;
};

/* Parses text as one YAML document. On failure the error is written and false returned. */
bool lsc_ydoc_load(struct lsc_ydoc *d, const char *path, const char *text, size_t len, char *err,
                   size_t errlen);
void lsc_ydoc_free(struct lsc_ydoc *d);

/* Records an error at node n (or at mark when n is NULL); keeps only the first. False. */
__attribute__((format(printf, 3, 4))) bool lsc_ydoc_fail(struct lsc_ydoc *d, const yaml_node_t *n,
                                                         const char *fmt, ...);
bool lsc_ydoc_fail_at(struct lsc_ydoc *d, size_t line, size_t col, const char *fmt, va_list ap);

yaml_node_t *lsc_ydoc_root(struct lsc_ydoc *d);
yaml_node_t *lsc_ydoc_node(struct lsc_ydoc *d, int id);

/* Mapping helpers. check_keys fails on a key not in allowed (with "did you mean"), a
 * duplicate key, or a key that is not a plain string. */
bool lsc_ydoc_check_keys(struct lsc_ydoc *d, yaml_node_t *map, const char *what,
                         const char *const *allowed);
yaml_node_t *lsc_ydoc_get(struct lsc_ydoc *d, yaml_node_t *map, const char *key);

/* Typed reads; each fails with "expected ..." at the node. */
bool lsc_ydoc_expect_map(struct lsc_ydoc *d, yaml_node_t *n, const char *what);
bool lsc_ydoc_expect_seq(struct lsc_ydoc *d, yaml_node_t *n, const char *what);
bool lsc_ydoc_str(struct lsc_ydoc *d, yaml_node_t *n, const char *what, const char **s,
                  size_t *len);
bool lsc_ydoc_uint(struct lsc_ydoc *d, yaml_node_t *n, const char *what, unsigned long min,
                   unsigned long max, unsigned long *out);
bool lsc_ydoc_bool(struct lsc_ydoc *d, yaml_node_t *n, const char *what, bool *out);
bool lsc_ydoc_is(const yaml_node_t *n, const char *s);

/* The closest of candidates to word (edit distance <= 2), or NULL. */
const char *lsc_did_you_mean(const char *word, size_t len, const char *const *candidates);

#endif
