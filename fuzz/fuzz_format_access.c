/*
 * fuzz_format_access.c - libFuzzer target for nginx/Apache access-log parsing and records:
 * spans stay in the line, and a line that parses still parses, with as many fields, after
 * a policy with an allow-list, the request's url action, user-agent coarsening and the
 * detectors has scrubbed it. The first byte picks the nginx or the Apache combined layout.
 */
#include "format/access.h"
#include "fuzz_roundtrip.h"
#include "logscrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lsc_json_node nodes[4096];

static const char policy_nginx[] =
    "version: 1\nname: fuzz\ninput: {format: nginx}\n"
    "fields:\n  keep: [remote_addr, time_local, request, status, http_referer, "
    "http_user_agent]\n  drop: [request.protocol]\n"
    "  request: {url: {query_keep: [page]}}\n  http_user_agent: {action: user-agent}\n"
    "  http_referer: {action: replace, with: 'a \"b\" \\\\ c'}\n"
    "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";

static const char policy_apache[] =
    "version: 1\nname: fuzz\ninput: {format: apache}\n"
    "fields:\n  drop: ['%u', request.query]\n  '%h': {ip: truncate, v4: 8}\n"
    "text:\n  - use: network\n  - use: pii\n  - use: secrets\n";

static struct lsc_access_format *format(bool apache)
{
    static struct lsc_access_format *f[2];
    if (f[apache] == NULL) {
        const char *s = lsc_access_builtin("combined", apache);
        char err[256];
        f[apache] = lsc_access_compile(s, strlen(s), apache, err, sizeof err);
        if (f[apache] == NULL) {
            abort();
        }
    }
    return f[apache];
}

static size_t want_fields;
static bool apache;

static bool reparse(const char *p, size_t n)
{
    size_t count;
    return lsc_access_parse(format(apache), p, n, nodes, 4096, &count) == LSC_JSON_OK &&
           fuzz_top_members(nodes, count) == want_fields;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct lsc_policy *pol[2];
    if (size == 0) {
        return 0;
    }
    apache = data[0] & 1;
    fuzz_policy(&pol[apache], apache ? policy_apache : policy_nginx);
    const char *p = (const char *)data + 1;
    size--;
    if (memchr(p, '\n', size) != NULL) {
        return 0;
    }
    size_t count = 0;
    if (lsc_access_parse(format(apache), p, size, nodes, 4096, &count) != LSC_JSON_OK) {
        return 0;
    }
    fuzz_check_spans(nodes, count, size);
    want_fields = fuzz_top_members(nodes, count);
    fuzz_roundtrip(pol[apache], p, size, reparse);
    return 0;
}
