/*
 * rules.c - user pattern rules through PCRE2 (doc/pcre2api.3, doc/pcre2jit.3).
 *
 * Patterns are compiled once, without PCRE2_UTF (log bytes are arbitrary), and JIT-compiled
 * with PCRE2_JIT_COMPLETE. Matching uses per-thread match data, a match context carrying
 * the match/depth/heap limits and a JIT stack. Before any regex runs, the "last code unit"
 * PCRE2 reports (a byte every match must contain) is looked for with memchr; a line without
 * it cannot match and costs no regex call.
 */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (1024 * 1024)

bool lsc_rule_compile(struct lsc_rule *r, const char *pattern, size_t pattern_len, char *errbuf,
                      size_t errlen, size_t *erroff)
{
    memset(r, 0, sizeof *r);
    r->anchor = -1;
    int errcode;
    PCRE2_SIZE off;
    r->code = pcre2_compile((PCRE2_SPTR)pattern, pattern_len, 0, &errcode, &off, NULL);
    if (r->code == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        snprintf(errbuf, errlen, "%s at offset %zu", (const char *)msg, (size_t)off);
        *erroff = (size_t)off;
        return false;
    }
    if (pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0) {
        size_t jitsize = 0;
        r->jit = pcre2_pattern_info(r->code, PCRE2_INFO_JITSIZE, &jitsize) == 0 && jitsize > 0;
    }
    uint32_t have_last = 0;
    if (pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODETYPE, &have_last) == 0 && have_last == 1) {
        uint32_t unit = 0;
        pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODEUNIT, &unit);
        uint32_t opts = 0;
        pcre2_pattern_info(r->code, PCRE2_INFO_ALLOPTIONS, &opts);
        r->anchor = (int)unit;
        r->anchor_caseless = (opts & PCRE2_CASELESS) != 0;
    }
    return true;
}

void lsc_rule_free(struct lsc_rule *r)
{
    if (r == NULL) {
        return;
    }
    pcre2_code_free(r->code);
    memset(r, 0, sizeof *r);
}

void *lsc_alloc_unshared(size_t n, size_t size)
{
    if (size != 0 && n > (SIZE_MAX - LSC_UNSHARED) / size) {
        return NULL;
    }
    size_t len = (n * size + LSC_UNSHARED - 1) / LSC_UNSHARED * LSC_UNSHARED;
    void *p = aligned_alloc(LSC_UNSHARED, len > 0 ? len : LSC_UNSHARED);
    if (p != NULL) {
        memset(p, 0, len);
    }
    return p;
}

static void *unshared_malloc(PCRE2_SIZE size, void *data)
{
    (void)data;
    return lsc_alloc_unshared(1, size);
}

static void unshared_free(void *p, void *data)
{
    (void)data;
    free(p);
}

bool lsc_rule_scratch_init(struct lsc_rule_scratch *s, const struct lsc_rule_limits *lim,
                           uint32_t max_ovector)
{
    memset(s, 0, sizeof *s);
    s->gctx = pcre2_general_context_create(unshared_malloc, unshared_free, NULL);
    if (s->gctx == NULL) {
        return false;
    }
    s->md = pcre2_match_data_create(max_ovector > 0 ? max_ovector : 1, s->gctx);
    s->mctx = pcre2_match_context_create(s->gctx);
    s->stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, s->gctx);
    if (s->md == NULL || s->mctx == NULL || s->stack == NULL) {
        lsc_rule_scratch_free(s);
        return false;
    }
    pcre2_set_match_limit(s->mctx, lim->match_limit);
    pcre2_set_depth_limit(s->mctx, lim->depth_limit);
    pcre2_set_heap_limit(s->mctx, lim->heap_limit_kib);
    pcre2_jit_stack_assign(s->mctx, NULL, s->stack);
    return true;
}

void lsc_rule_scratch_free(struct lsc_rule_scratch *s)
{
    if (s == NULL) {
        return;
    }
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_jit_stack_free(s->stack);
    pcre2_general_context_free(s->gctx);
    memset(s, 0, sizeof *s);
}

static bool has_anchor(const struct lsc_rule *r, const char *p, size_t n)
{
    if (r->anchor < 0) {
        return true;
    }
    if (memchr(p, r->anchor, n) != NULL) {
        return true;
    }
    if (r->anchor_caseless && r->anchor < 128) {
        int c = r->anchor;
        int other = (c >= 'a' && c <= 'z') ? c - 32 : (c >= 'A' && c <= 'Z') ? c + 32 : -1;
        return other >= 0 && memchr(p, other, n) != NULL;
    }
    return false;
}

int lsc_rule_scan(const struct lsc_rule *r, struct lsc_rule_scratch *s, const char *p, size_t n,
                  lsc_rule_match_fn fn, void *ctx)
{
    if (!has_anchor(r, p, n)) {
        return 0;
    }
    size_t start = 0;
    while (start <= n) {
        int rc;
        if (r->jit) {
            rc = pcre2_jit_match(r->code, (PCRE2_SPTR)p, n, start, 0, s->md, s->mctx);
        } else {
            rc = pcre2_match(r->code, (PCRE2_SPTR)p, n, start, 0, s->md, s->mctx);
        }
        if (rc == PCRE2_ERROR_NOMATCH) {
            return 0;
        }
        if (rc < 0) {
            return rc;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
        size_t ms = ov[0], me = ov[1];
        if (me < ms) {
            /* \K in a lookahead can report end before start: treat as a failure. */
            return PCRE2_ERROR_INTERNAL;
        }
        if (me > ms) {
            int frc = fn(ctx, ms, me - ms);
            if (frc != 0) {
                return frc;
            }
            start = me;
        } else {
            start = me + 1;
        }
    }
    return 0;
}
