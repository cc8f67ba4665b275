/*
 * rules.h - user pattern rules run through PCRE2 JIT.
 */
#ifndef LSC_DETECT_RULES_H
#define LSC_DETECT_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A compiled rule: immutable after lsc_rule_compile, shared by every thread. */
struct lsc_rule {
    pcre2_code *code;
    bool jit;   /* JIT code exists (PCRE2_INFO_JITSIZE > 0) */
    int anchor; /* a byte every match contains (PCRE2_INFO_LASTCODEUNIT), or -1 */
    bool anchor_caseless;
};

/*
 * Memory one thread writes as it scrubs may be allocated by another (a worker's scrubber is
 * made before the worker starts), and two such blocks made one after the other lie side by
 * side: a cache line holding the end of one and the start of the other is written by two
 * cores, and each write sends it across (false sharing; parallel.c's header says what it
 * cost). lsc_alloc_unshared gives a block of its own lines: zeroed, starting on a multiple
 * of LSC_UNSHARED bytes and that many bytes long, so nothing else lies on its lines nor on
 * the line fetched with each of them (a core fetches lines in pairs). Like calloc: NULL when
 * n * size overflows or memory is short; freed with free().
 */
#define LSC_UNSHARED 128
void *lsc_alloc_unshared(size_t n, size_t size);

/* Per-thread matching state: one match data, match context and JIT stack, reused, each in
 * lines of its own (through gctx, whose allocator is lsc_alloc_unshared). */
struct lsc_rule_scratch {
    pcre2_general_context *gctx;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
};

struct lsc_rule_limits {
    uint32_t match_limit;
    uint32_t depth_limit;
    uint32_t heap_limit_kib;
};

/*
 * Compiles pattern (with no UTF assumption: log bytes are not valid UTF-8) and JITs it.
 * On failure returns false with PCRE2's message and the offset in errbuf.
 */
bool lsc_rule_compile(struct lsc_rule *r, const char *pattern, size_t pattern_len, char *errbuf,
                      size_t errlen, size_t *erroff);
void lsc_rule_free(struct lsc_rule *r);

bool lsc_rule_scratch_init(struct lsc_rule_scratch *s, const struct lsc_rule_limits *lim,
                           uint32_t max_ovector);
void lsc_rule_scratch_free(struct lsc_rule_scratch *s);

typedef int (*lsc_rule_match_fn)(void *ctx, size_t off, size_t len);

/*
 * Runs r over p[0..n) and calls fn for every non-empty match, left to right.
 * Returns 0 when the scan finished, a PCRE2 error code (< 0, never PCRE2_ERROR_NOMATCH)
 * when matching failed - the caller must fail closed - or fn's non-zero value.
 */
int lsc_rule_scan(const struct lsc_rule *r, struct lsc_rule_scratch *s, const char *p, size_t n,
                  lsc_rule_match_fn fn, void *ctx);

#endif
