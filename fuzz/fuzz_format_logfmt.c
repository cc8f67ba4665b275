/*
 * fuzz_format_logfmt.c - libFuzzer target for the logfmt tokenizer and logfmt records:
 * spans stay in the line, and a line that parses still parses after an allow-list policy
 * with field actions and the detectors has scrubbed it.
 */
#include "format/logfmt.h"
#include "fuzz_roundtrip.h"
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

static bool reparse(const char *p, size_t n)
{
    size_t count;
    return lsc_logfmt_parse(p, n, nodes, 4096, &count) == LSC_JSON_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lsc_policy *pol;
    fuzz_policy(&pol, policy);
    const char *p = (const char *)data;
    if (memchr(p, '\n', size) != NULL) {
        return 0;
    }
    size_t count = 0;
    if (lsc_logfmt_parse(p, size, nodes, 4096, &count) != LSC_JSON_OK) {
        return 0;
    }
    fuzz_check_spans(nodes, count, size);
    fuzz_roundtrip(pol, p, size, reparse);
    return 0;
}
