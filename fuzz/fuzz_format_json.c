/*
 * fuzz_format_json.c - libFuzzer target for the JSON tokenizer and the JSON-lines engine.
 *
 * Properties: spans stay inside the line and children inside their parents; and the
 * round trip: a line that parses as one JSON object comes out of an allow-list policy
 * (keep, drop, field actions, detectors) as a line that parses too.
 */
#include "format/json.h"
#include "logscrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lsc_json_node nodes[4096];

static const char policy[] = "version: 1\nname: fuzz\ninput: {format: json}\n"
                             "fields:\n  keep: [a, b, c.d, 'e[*].f', u]\n  drop: [b.x]\n"
                             "  a: {action: mask, keep_last: 2}\n  c.d: {ip: truncate}\n"
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
        return 0; /* one line per input */
    }
    size_t count = 0;
    enum lsc_json_status st = lsc_json_parse(p, size, nodes, 4096, 64, &count);
    if (st != LSC_JSON_OK) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        const struct lsc_json_node *n = &nodes[i];
        if (n->off + n->len > size || (n->key_len && n->key_off + n->key_len > n->off)) {
            abort();
        }
        if (n->parent >= 0) {
            const struct lsc_json_node *par = &nodes[n->parent];
            if (n->off < par->off || n->off + n->len > par->off + par->len) {
                abort();
            }
        }
    }
    struct lsc_scrubber *sc;
    const char *out;
    size_t outlen;
    if (lsc_scrubber_new(pol, &sc) != LSC_OK ||
        lsc_scrub_buffer(sc, p, size, &out, &outlen) != LSC_OK) {
        abort();
    }
    const struct lsc_stats *stats = lsc_scrubber_stats(sc);
    if (stats->emitted == 1 && stats->failed == 0) {
        char *copy = malloc(outlen + 1);
        memcpy(copy, out, outlen);
        size_t c2;
        if (count <= 4096 && lsc_json_parse(copy, outlen, nodes, 4096, 64, &c2) != LSC_JSON_OK) {
            abort(); /* scrubbing broke the JSON */
        }
        free(copy);
    }
    lsc_scrubber_free(sc);
    return 0;
}
