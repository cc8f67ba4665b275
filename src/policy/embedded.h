/*
 * embedded.h - the rule packs and policies of patterns/, compiled into the binary at build
 * time (see cmake/embed.cmake), so logscrub works without the source tree.
 */
#ifndef LSC_POLICY_EMBEDDED_H
#define LSC_POLICY_EMBEDDED_H

#include <stddef.h>

struct lsc_embedded_file {
    const char *name; /* relative to patterns/: "secrets.yaml", "policies/default.yaml" */
    const char *data;
    size_t len;
};

extern const struct lsc_embedded_file lsc_embedded_files[];
extern const size_t lsc_embedded_count;

/* The file with this name, or NULL. */
const struct lsc_embedded_file *lsc_embedded_find(const char *name);

/* Copies the names (without ".yaml") of the built-in packs into names, at most max. */
size_t lsc_embedded_packs(char names[][64], size_t max);

#endif
