/*
 * default.c - the embedded default policy, policy memory, and the calls that tune a policy
 * in code.
 *
 * The default policy is what `logscrub < access.log` runs with no configuration: IPv4
 * truncated to /24, IPv6 to /48, every other built-in detector redacting with its label,
 * and any line the scrubber cannot vouch for replaced by a redaction marker. It is
 * patterns/policies/default.yaml, compiled into the binary and loaded like any policy.
 */
#include "../action/geo.h"
#include "embedded.h"
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MATCH_LIMIT 1000000u
#define DEFAULT_DEPTH_LIMIT 10000u
#define DEFAULT_HEAP_LIMIT_KIB 20000u

const char *lsc_class_default_label(lsc_class cls)
{
    switch (cls) {
    case LSC_CLASS_IPV4:
    case LSC_CLASS_IPV6:
        return "ip";
    case LSC_CLASS_AUTH:
    case LSC_CLASS_API_KEY:
    case LSC_CLASS_URL_PASSWORD:
    case LSC_CLASS_SECRET_PARAM:
    case LSC_CLASS_PASSWORD_HASH:
        return "secret";
    case LSC_CLASS_PRIVATE_KEY:
        return "private-key";
    default:
        return lsc_class_name(cls);
    }
}

bool lsc_action_set_redact(struct lsc_action *a, const char *label, size_t len)
{
    char *t = malloc(len + 3);
    if (t == NULL) {
        return false;
    }
    t[0] = '[';
    memcpy(t + 1, label, len);
    t[len + 1] = ']';
    t[len + 2] = '\0';
    free(a->text);
    a->text = t;
    a->text_len = len + 2;
    a->kind = LSC_ACT_REDACT;
    return true;
}

struct lsc_policy *lsc_policy_alloc(void)
{
    struct lsc_policy *pol = calloc(1, sizeof *pol);
    if (pol == NULL) {
        return NULL;
    }
    pol->on_error = LSC_ON_ERROR_REDACT_LINE;
    pol->limits.match_limit = DEFAULT_MATCH_LIMIT;
    pol->limits.depth_limit = DEFAULT_DEPTH_LIMIT;
    pol->limits.heap_limit_kib = DEFAULT_HEAP_LIMIT_KIB;
    return pol;
}

lsc_error lsc_policy_default(struct lsc_policy **out)
{
    /* The default is patterns/policies/default.yaml, compiled in: one definition, one hash. */
    const struct lsc_embedded_file *e = lsc_embedded_find("policies/default.yaml");
    if (e == NULL) {
        return LSC_EPOLICY;
    }
    char err[512];
    return lsc_policy_load_buffer("<built-in>/patterns/policies/default.yaml", e->data, e->len,
                                  NULL, out, err, sizeof err);
}

static void free_action(struct lsc_action *a)
{
    free(a->text);
    a->text = NULL;
    for (size_t i = 0; i < a->nquery; i++) {
        free(a->query[i]);
    }
    free(a->query);
    a->query = NULL;
    a->nquery = 0;
}

void lsc_policy_free(struct lsc_policy *pol)
{
    if (pol == NULL) {
        return;
    }
    for (size_t i = 0; i < pol->nrules; i++) {
        struct lsc_policy_rule *r = &pol->rules[i];
        lsc_rule_free(&r->re);
        free(r->name);
        free(r->pattern);
        free(r->pack);
        free(r->hint);
        free_action(&r->action);
    }
    free(pol->rules);
    for (size_t i = 0; i < pol->ntests; i++) {
        free(pol->tests[i].in);
        free(pol->tests[i].out);
    }
    free(pol->tests);
    for (size_t i = 0; i < pol->nfields; i++) {
        struct lsc_path *pp = &pol->fields[i].path;
        for (size_t k = 0; k < pp->n; k++) {
            free(pp->segs[k]);
        }
        free(pp->segs);
        free(pp->lens);
        free(pp->text);
        free_action(&pol->fields[i].action);
        for (size_t k = 0; k < pol->fields[i].nstages; k++) {
            free_action(&pol->fields[i].stages[k].action);
        }
        free(pol->fields[i].stages);
    }
    free(pol->fields);
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        free_action(&pol->detect_action[c]);
        free(pol->detect_pack[c]);
    }
    free(pol->name);
    free(pol->description);
    free(pol->source);
    free(pol->quarantine_path);
    lsc_key_free(&pol->key);
    free(pol->key_file);
    free(pol->ts_field);
    free(pol->expiry_name);
    for (size_t i = 0; i < pol->ngeos; i++) {
        lsc_geo_free(pol->geos[i]);
    }
    free(pol->geos);
    lsc_access_free(pol->access);
    lsc_access_free(pol->auto_access[0]);
    lsc_access_free(pol->auto_access[1]);
    free(pol);
}

lsc_error lsc_policy_add_rule(struct lsc_policy *pol, const char *label, const char *pattern,
                              char *errbuf, size_t errlen)
{
    if (pol == NULL || label == NULL || pattern == NULL || label[0] == '\0') {
        return LSC_EINVAL;
    }
    struct lsc_policy_rule *grown = realloc(pol->rules, (pol->nrules + 1) * sizeof *grown);
    if (grown == NULL) {
        return LSC_ENOMEM;
    }
    pol->rules = grown;
    struct lsc_policy_rule *r = &pol->rules[pol->nrules];
    memset(r, 0, sizeof *r);
    size_t erroff;
    if (!lsc_rule_compile(&r->re, pattern, strlen(pattern), errbuf, errlen, &erroff)) {
        return LSC_EREGEX;
    }
    r->name = strdup(label);
    r->pattern = strdup(pattern);
    if (r->name == NULL || r->pattern == NULL ||
        !lsc_action_set_redact(&r->action, label, strlen(label))) {
        lsc_rule_free(&r->re);
        free(r->name);
        free(r->pattern);
        free(r->action.text);
        return LSC_ENOMEM;
    }
    pol->nrules++;
    return LSC_OK;
}

void lsc_policy_set_ip_mask(struct lsc_policy *pol, unsigned v4_bits, unsigned v6_bits)
{
    for (int c = LSC_CLASS_IPV4; c <= LSC_CLASS_IPV6; c++) {
        if (v4_bits <= 32) {
            pol->detect_action[c].v4_bits = v4_bits;
        }
        if (v6_bits <= 128) {
            pol->detect_action[c].v6_bits = v6_bits;
        }
    }
}

lsc_on_error lsc_policy_on_error(const struct lsc_policy *pol)
{
    return pol->on_error;
}

const char *lsc_policy_quarantine_path(const struct lsc_policy *pol)
{
    return pol->quarantine_path;
}

void lsc_policy_set_on_error(struct lsc_policy *pol, lsc_on_error mode)
{
    pol->on_error = mode;
}

void lsc_policy_set_match_limit(struct lsc_policy *pol, uint32_t match_limit)
{
    pol->limits.match_limit = match_limit;
}
