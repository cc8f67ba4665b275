/*
 * fuzz_detect_text.c - libFuzzer target for the text detectors and the scrub engine.
 *
 * Invariants checked on every input: no crash or sanitizer report; exactly one output line
 * per input line (on_error redact-line never drops); the accounting identity holds; and the
 * shortcuts change nothing - the memo of line tails known to hold no match, the jump over
 * access times: a scrubber made with LOGSCRUB_NO_MEMO (which turns both off) gives the
 * same bytes. The input goes through the default policy alone too: without a pattern rule
 * the engine splices each match as it comes (direct_match), trusting the detectors to give
 * them in order and apart - a match that overlaps the one before is a crash there.
 */
#define _POSIX_C_SOURCE 200809L /* setenv (the fuzz build has no _GNU_SOURCE) */
#include "logscrub.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_nl(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c += p[i] == '\n';
    }
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lsc_policy *pol, *direct;
    if (pol == NULL) {
        char err[256];
        if (lsc_policy_default(&direct) != LSC_OK || lsc_policy_default(&pol) != LSC_OK ||
            lsc_policy_add_rule(pol, "r", "(?i)ticket-[0-9]+|(x+x+)+y", err, sizeof err) !=
                LSC_OK) {
            abort();
        }
        lsc_policy_set_match_limit(pol, 5000);
    }
    struct lsc_scrubber *sc;
    if (lsc_scrubber_new(pol, &sc) != LSC_OK) {
        abort();
    }
    const char *out;
    size_t outlen;
    if (lsc_scrub_buffer(sc, (const char *)data, size, &out, &outlen) != LSC_OK) {
        abort();
    }
    const struct lsc_stats *st = lsc_scrubber_stats(sc);
    if (count_nl(out, outlen) != count_nl((const char *)data, size) ||
        st->lines_in != st->emitted + st->dropped + st->quarantined || st->bytes_in != size) {
        fprintf(stderr, "invariant broken\n");
        abort();
    }
    struct lsc_scrubber *plain;
    setenv("LOGSCRUB_NO_MEMO", "1", 1);
    if (lsc_scrubber_new(pol, &plain) != LSC_OK) {
        abort();
    }
    unsetenv("LOGSCRUB_NO_MEMO");
    const char *out2;
    size_t outlen2;
    /* (sc's output stays valid: each scrubber has its own buffer) */
    if (lsc_scrub_buffer(plain, (const char *)data, size, &out2, &outlen2) != LSC_OK ||
        outlen2 != outlen || memcmp(out, out2, outlen) != 0) {
        fprintf(stderr, "the shortcuts changed the output\n");
        abort();
    }
    lsc_scrubber_free(plain);
    struct lsc_scrubber *d;
    const char *out3;
    size_t outlen3;
    if (lsc_scrubber_new(direct, &d) != LSC_OK ||
        lsc_scrub_buffer(d, (const char *)data, size, &out3, &outlen3) != LSC_OK ||
        count_nl(out3, outlen3) != count_nl((const char *)data, size)) {
        abort();
    }
    lsc_scrubber_free(d);
    lsc_scrubber_free(sc);
    return 0;
}
