/*
 * fuzz_roundtrip.h - the properties shared by the structured-format fuzz targets: a line
 * its parser accepts, once scrubbed by an allow-list policy, is still accepted; and the
 * memos change nothing - the line three times over comes out of one scrubber exactly as
 * out of one with the memos off (the second and third copies meet remembered keys, clean
 * values and url results).
 */
#ifndef LSC_FUZZ_ROUNDTRIP_H
#define LSC_FUZZ_ROUNDTRIP_H

#include "engine/engine.h"
#include "format/json.h"
#include "logscrub.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Aborts unless every node's key and value span lies inside the line p[0..size). */
static inline void fuzz_check_spans(const struct lsc_json_node *nodes, size_t count, size_t size)
{
    for (size_t i = 1; i < count; i++) {
        if (nodes[i].key_off + nodes[i].key_len > size || nodes[i].off + nodes[i].len > size) {
            abort();
        }
    }
}

/* How many top-level members (depth 1) a parsed record has. */
static inline size_t fuzz_top_members(const struct lsc_json_node *nodes, size_t count)
{
    size_t top = 0;
    for (size_t i = 1; i < count; i++) {
        top += nodes[i].depth == 1;
    }
    return top;
}

/* Loads the policy once per process; aborts if it does not load. */
static inline struct lsc_policy *fuzz_policy(struct lsc_policy **slot, const char *yaml)
{
    if (*slot == NULL) {
        char err[1024];
        if (lsc_policy_load_buffer("fuzz.yaml", yaml, strlen(yaml), NULL, slot, err, sizeof err) !=
            LSC_OK) {
            abort();
        }
    }
    return *slot;
}

/* Scrubs p[0..size) with pol; aborts if an emitted line no longer satisfies parses(). */
static inline void fuzz_roundtrip(const struct lsc_policy *pol, const char *p, size_t size,
                                  bool (*parses)(const char *, size_t))
{
    struct lsc_scrubber *sc;
    const char *out;
    size_t outlen;
    if (lsc_scrubber_new(pol, &sc) != LSC_OK ||
        lsc_scrub_buffer(sc, p, size, &out, &outlen) != LSC_OK) {
        abort();
    }
    const struct lsc_stats *st = lsc_scrubber_stats(sc);
    if (st->emitted == 1 && st->failed == 0) {
        char *copy = malloc(outlen + 1); /* an exact-size copy, so ASan sees overreads */
        memcpy(copy, out, outlen);
        if (!parses(copy, outlen)) {
            abort(); /* scrubbing broke the format */
        }
        free(copy);
    }
    lsc_scrubber_free(sc);
    char *thrice = malloc(3 * size + 2);
    for (int k = 0; k < 3; k++) {
        memcpy(thrice + k * (size + 1), p, size);
        if (k < 2) {
            thrice[k * (size + 1) + size] = '\n';
        }
    }
    const char *memo_out, *plain_out;
    size_t memo_len, plain_len;
    struct lsc_scrubber *memo, *plain;
    if (lsc_scrubber_new(pol, &memo) != LSC_OK || lsc_scrubber_new(pol, &plain) != LSC_OK) {
        abort();
    }
    plain->memo_off = true;
    if (lsc_scrub_buffer(memo, thrice, 3 * size + 2, &memo_out, &memo_len) != LSC_OK ||
        lsc_scrub_buffer(plain, thrice, 3 * size + 2, &plain_out, &plain_len) != LSC_OK ||
        memo_len != plain_len || memcmp(memo_out, plain_out, memo_len) != 0) {
        abort(); /* a memo changed the output */
    }
    lsc_scrubber_free(memo);
    lsc_scrubber_free(plain);
    free(thrice);
}

#endif
