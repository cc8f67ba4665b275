/*
 * policy.h - the compiled policy (the plan): immutable once a scrubber uses it, shared by
 * every thread.
 */
#ifndef LSC_POLICY_H
#define LSC_POLICY_H

#include "../detect/rules.h"
#include "logscrub.h"

#include <stdbool.h>
#include <stddef.h>

struct lsc_policy {
    const char *name;
    unsigned v4_bits;       /* IPv4 prefix kept by truncation */
    unsigned v6_bits;       /* IPv6 prefix kept by truncation */
    bool detect[LSC_CLASS_COUNT]; /* which built-in detectors run */
    lsc_on_error on_error;
    struct lsc_rule_limits limits;
    struct lsc_rule *rules;
    size_t nrules;
};

/* Labels written in place of a detected value (the IP classes are truncated instead). */
const char *lsc_policy_label(lsc_class cls, size_t *len);

#endif
