/*
 * default.c - the embedded default policy and the calls that tune a policy in code.
 *
 * The default policy is what `logscrub < access.log` runs with no configuration: IPv4
 * truncated to /24, IPv6 to /48, every built-in detector on, and any line the scrubber
 * cannot vouch for replaced by a redaction marker.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MATCH_LIMIT 1000000u
#define DEFAULT_DEPTH_LIMIT 10000u
#define DEFAULT_HEAP_LIMIT_KIB 20000u

static const struct {
    const char *text;
    size_t len;
} labels[LSC_CLASS_COUNT] = {
#define LSC_LABEL(name, str) [LSC_CLASS_##name] = {"[" str "]", sizeof("[" str "]") - 1},
    LSC_CLASS_MAP(LSC_LABEL)
#undef LSC_LABEL
};

/* Shorter, readable labels for the classes whose stat name is not the best label. */
const char *lsc_policy_label(lsc_class cls, size_t *len)
{
    switch (cls) {
    case LSC_CLASS_AUTH:
    case LSC_CLASS_API_KEY:
    case LSC_CLASS_URL_PASSWORD:
    case LSC_CLASS_SECRET_PARAM:
        *len = 8;
        return "[secret]";
    case LSC_CLASS_PRIVATE_KEY:
        *len = 13;
        return "[private-key]";
    default:
        *len = labels[cls].len;
        return labels[cls].text;
    }
}

lsc_error lsc_policy_default(struct lsc_policy **out)
{
    struct lsc_policy *pol = calloc(1, sizeof *pol);
    if (pol == NULL) {
        return LSC_ENOMEM;
    }
    pol->name = "default (built-in)";
    pol->v4_bits = 24;
    pol->v6_bits = 48;
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        pol->detect[c] = true;
    }
    pol->on_error = LSC_ON_ERROR_REDACT_LINE;
    pol->limits.match_limit = DEFAULT_MATCH_LIMIT;
    pol->limits.depth_limit = DEFAULT_DEPTH_LIMIT;
    pol->limits.heap_limit_kib = DEFAULT_HEAP_LIMIT_KIB;
    *out = pol;
    return LSC_OK;
}

void lsc_policy_free(struct lsc_policy *pol)
{
    if (pol == NULL) {
        return;
    }
    for (size_t i = 0; i < pol->nrules; i++) {
        lsc_rule_free(&pol->rules[i]);
    }
    free(pol->rules);
    free(pol);
}

lsc_error lsc_policy_add_rule(struct lsc_policy *pol, const char *label, const char *pattern,
                              char *errbuf, size_t errlen)
{
    if (pol == NULL || label == NULL || pattern == NULL || label[0] == '\0') {
        return LSC_EINVAL;
    }
    struct lsc_rule *grown = realloc(pol->rules, (pol->nrules + 1) * sizeof *grown);
    if (grown == NULL) {
        return LSC_ENOMEM;
    }
    pol->rules = grown;
    if (!lsc_rule_compile(&pol->rules[pol->nrules], label, pattern, errbuf, errlen)) {
        return LSC_EREGEX;
    }
    pol->nrules++;
    return LSC_OK;
}

void lsc_policy_set_ip_mask(struct lsc_policy *pol, unsigned v4_bits, unsigned v6_bits)
{
    pol->v4_bits = v4_bits > 32 ? 32 : v4_bits;
    pol->v6_bits = v6_bits > 128 ? 128 : v6_bits;
}

void lsc_policy_set_on_error(struct lsc_policy *pol, lsc_on_error mode)
{
    pol->on_error = mode;
}

void lsc_policy_set_match_limit(struct lsc_policy *pol, uint32_t match_limit)
{
    pol->limits.match_limit = match_limit;
}
