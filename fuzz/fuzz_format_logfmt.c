/*
 * fuzz_format_logfmt.c - libFuzzer target for the logfmt tokenizer and logfmt records:
 * spans stay in the line, and a line that parses still parses after an allow-list policy
 * with field actions and the detectors has scrubbed it.
 */
#include "format/logfmt.h"
#include "logscrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lsc_json_node nodes[4096];

static const char policy[] =
    "version: 1\nname: fuzz\ninput: {format: logfmt}\n"
    "fields:\n  keep: [a, b, c, u, msg]\n  a: {action: mask, keep_last: 2}\n"
    "  b: {action: replace, with: 'x \"y\" z'}\n  c: {ip: truncate}\n"
    "  u: {url: {query_keep: [page]}}\n"
    "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lsc_policy *pol;
    if (pol == NULL) {
        char err[1024];
        if (lsc_policy_load_buffer("fuzz.yaml", policy, sizeof policy - 1, NULL, &pol, err,
                                   sizeof err) != LSC_OK) {
            abort();
        }
    }
    const char *p = (const char *)data;
    if (memchr(p, '\n', size) != NULL) {
        return 0;
    }
    size_t count = 0;
    if (lsc_logfmt_parse(p, size, nodes, 4096, &count) != LSC_JSON_OK) {
        return 0;
    }
    for (size_t i = 1; i < count; i++) {
        if (nodes[i].key_off + nodes[i].key_len > size || nodes[i].off + nodes[i].len > size) {
            abort();
        }
    }
    struct lsc_scrubber *sc;
    const char *out;
    size_t outlen;
    if (lsc_scrubber_new(pol, &sc) != LSC_OK ||
        lsc_scrub_buffer(sc, p, size, &out, &outlen) != LSC_OK) {
        abort();
    }
    const struct lsc_stats *st = lsc_scrubber_stats(sc);
    if (st->emitted == 1 && st->failed == 0) {
        char *copy = malloc(outlen + 1);
        memcpy(copy, out, outlen);
        size_t c2;
        if (lsc_logfmt_parse(copy, outlen, nodes, 4096, &c2) != LSC_JSON_OK) {
            abort(); /* scrubbing broke the logfmt */
        }
        free(copy);
    }
    lsc_scrubber_free(sc);
    return 0;
}
