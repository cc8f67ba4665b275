/*
 * fuzz_format_json.c - libFuzzer target for the JSON tokenizer and the JSON-lines engine.
 *
 * Properties: spans stay inside the line and children inside their parents; and the
 * round trip: a line that parses as one JSON object comes out of an allow-list policy
 * (keep, drop, field actions, detectors), and of one with no allow-list (secret names
 * acting on arrays, objects and name/value pairs), as a line that parses too.
 */
#include "format/json.h"
#include "fuzz_roundtrip.h"
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

/* No allow-list: every member stays, and secret names act on what they name (arrays,
 * objects, name/value pairs) - the line must still parse. */
static const char open_policy[] = "version: 1\nname: fuzz-open\ninput: {format: json}\n"
                                  "text:\n  - use: secrets\n  - use: pii\n";

static bool reparse(const char *p, size_t n)
{
    size_t count;
    return lsc_json_parse(p, n, nodes, 4096, 64, &count) == LSC_JSON_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lsc_policy *pol, *open;
    fuzz_policy(&pol, policy);
    fuzz_policy(&open, open_policy);
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
    fuzz_roundtrip(pol, p, size, reparse);
    fuzz_roundtrip(open, p, size, reparse);
    return 0;
}
