/*
 * fuzz_format_syslog.c - libFuzzer target for RFC 5424 / RFC 3164 parsing and syslog
 * records: spans stay in the line, and a line that parses still parses, with as many
 * members, after an allow-list policy with structured-data paths and the detectors.
 */
#include "format/syslog.h"
#include "fuzz_roundtrip.h"
#include "logscrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lsc_json_node nodes[4096];

static const char policy[] =
    "version: 1\nname: fuzz\ninput: {format: syslog}\n"
    "fields:\n  keep: [timestamp, app_name, message, structured_data.meta, "
    "structured_data.a.x]\n  structured_data.meta.ip: {ip: truncate}\n"
    "  app_name: {action: replace, with: 'a b]\"'}\n"
    "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";

static size_t want_fields;
static bool tagless; /* an RFC 3164 line without "tag:" (see reparse) */

static bool has_member(size_t count, const char *name)
{
    for (size_t i = 1; i < count; i++) {
        if (nodes[i].name != NULL && strcmp(nodes[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool reparse(const char *p, size_t n)
{
    size_t count;
    if (lsc_syslog_parse(p, n, nodes, 4096, &count) != LSC_JSON_OK) {
        return false;
    }
    /* RFC 3164 has no marker for "no tag": a tagless message whose scrubbing joins its first
     * words (a card number with spaces becomes [card]) may read as "tag: msg" after. Every
     * byte is still scrubbed; only then may the member count grow. */
    return tagless ? fuzz_top_members(nodes, count) >= want_fields
                   : fuzz_top_members(nodes, count) == want_fields;
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
    if (lsc_syslog_parse(p, size, nodes, 4096, &count) != LSC_JSON_OK) {
        return 0;
    }
    fuzz_check_spans(nodes, count, size);
    want_fields = fuzz_top_members(nodes, count);
    tagless = !has_member(count, "app_name") && !has_member(count, "version");
    fuzz_roundtrip(pol, p, size, reparse);
    return 0;
}
