/*
 * policy.h - the compiled policy (the plan): immutable once a scrubber uses it, shared by
 * every thread. Built by default.c (the embedded default) or load.c (a YAML policy file).
 */
#ifndef LSC_POLICY_H
#define LSC_POLICY_H

#include "../action/action.h"
#include "../detect/rules.h"
#include "../format/access.h"
#include "keys.h"
#include "logscrub.h"

#include <stdbool.h>
#include <stddef.h>

/* Checks a regex match must pass before it counts. */
enum lsc_validator {
    LSC_VALIDATE_NONE,
    LSC_VALIDATE_LUHN, /* the digits of the match are a Luhn-valid 13-19 digit number */
    LSC_VALIDATE_IBAN, /* the match, spaces removed, is a mod-97-valid IBAN */
    LSC_VALIDATE_IP,   /* the whole match parses as an IPv4 or IPv6 address */
};

/* A pattern rule: a PCRE2 regex, an optional validator and literal hint, and an action. */
struct lsc_policy_rule {
    char *name;
    char *pattern;
    char *pack; /* the pack it came from, or NULL for the policy itself */
    struct lsc_rule re;
    enum lsc_validator validator;
    char *hint; /* a literal every match contains; the regex runs only if present */
    size_t hint_len;
    struct lsc_action action;
};

/* One embedded example: a line in, the line expected out (or that it is dropped). */
struct lsc_policy_test {
    char *in;
    size_t in_len;
    char *out;
    size_t out_len;
    bool dropped;
    int64_t now;   /* now: the time the test runs at (0: the processing time) */
    unsigned line; /* where it is written in the policy file */
};

enum lsc_format {
    LSC_FORMAT_TEXT,   /* the whole line is one value */
    LSC_FORMAT_JSON,   /* one JSON object per line */
    LSC_FORMAT_LOGFMT, /* key=value pairs */
    LSC_FORMAT_ACCESS, /* nginx or Apache, by the policy's compiled log format */
    LSC_FORMAT_SYSLOG, /* RFC 5424 or RFC 3164 */
    LSC_FORMAT_AUTO,   /* recognised per stream, and per line when lines disagree */
};

/* The name of a format for messages and --explain ("json", "nginx" ...). */
const char *lsc_format_name(const struct lsc_policy *pol, enum lsc_format f);

/* A path into a structured record: "a.b[*].c" is the segments a, b, [*], c. */
struct lsc_path {
    char **segs; /* owned; "[*]" matches any array index */
    size_t *lens;
    size_t n;
    char *text; /* as written, for messages and --explain */
};

enum lsc_field_kind {
    LSC_FIELD_KEEP,   /* fields.keep: the allow-list */
    LSC_FIELD_DROP,   /* fields.drop */
    LSC_FIELD_ACTION, /* fields.NAME: { action: ... } */
    LSC_FIELD_STAGED, /* fields.NAME: [ {for: 7d, ...}, {for: 30d, ...}, {then: drop} ] */
};

/* One stage of a field's retention: until the record is this old, do this. */
struct lsc_stage {
    int64_t secs; /* the stage ends at the record's time + months + secs */
    unsigned months;
    bool last; /* then: no end */
    bool drop; /* the field is removed */
    bool keep; /* keep: true / then: keep - kept as any allowed value (scanned), no action */
    struct lsc_action action;
};

struct lsc_field_rule {
    enum lsc_field_kind kind;
    struct lsc_path path;
    struct lsc_action action; /* LSC_FIELD_ACTION */
    struct lsc_stage *stages; /* LSC_FIELD_STAGED */
    size_t nstages;
};

struct lsc_policy {
    char *name;
    char *description;
    char *source; /* file the policy was loaded from, or "built-in" */
    enum lsc_format format;
    struct lsc_access_format *access; /* LSC_FORMAT_ACCESS: the compiled log format */
    /* LSC_FORMAT_AUTO: the access-log layouts recognised (combined, common). */
    struct lsc_access_format *auto_access[2];
    struct lsc_field_rule *fields;
    size_t nfields;
    bool has_keep;                /* an allow-list is in force: unlisted members are removed */
    bool detect[LSC_CLASS_COUNT]; /* which built-in detectors run */
    struct lsc_action detect_action[LSC_CLASS_COUNT];
    char *detect_pack[LSC_CLASS_COUNT]; /* where each detector's rule came from */
    lsc_on_error on_error;
    char *quarantine_path; /* on_error quarantine: where the raw lines go */
    struct lsc_rule_limits limits;
    struct lsc_policy_rule *rules;
    size_t nrules;
    struct lsc_policy_test *tests;
    size_t ntests;
    /* Pseudonyms (keys:). */
    bool needs_key;         /* some action is a pseudonym */
    struct lsc_key key;     /* loaded when needed (or the test key for `logscrub test`) */
    enum lsc_rotate rotate; /* keys.rotate */
    bool tag_epoch;         /* keys.tag: write the key epoch into records with pseudonyms */
    char *key_file;         /* keys.file as written, resolved against the policy's folder */
    char *ts_field;         /* input.timestamp.field, or NULL for the usual names */
    int ts_layout;          /* input.timestamp.layout (enum lsc_time_layout), 0: any */
    /* Retention (retention:): every kept record is tagged with when it must be gone. */
    bool has_staged;  /* some field has stages (its treatment depends on the record's age) */
    bool writes_tags; /* retention, stages or key epochs: tags a run writes (and rewrites) */
    bool retention;
    int64_t retention_secs;    /* s, m, h, d, w */
    unsigned retention_months; /* mo, y: calendar months */
    bool tag_expiry;           /* retention.tag */
    char *expiry_name;         /* JSON/logfmt member name (default _expires); text: "expires" */
    struct lsc_geo **geos;     /* GeoIP lookups used by ip: geo actions (owned) */
    size_t ngeos;
};

/*
 * Sets pol's format by name: text, auto, json, logfmt, syslog, or nginx / apache with an
 * optional log format (a built-in name such as combined, or a format string; NULL means
 * combined). Returns false with a message in err when the log format does not compile.
 */
bool lsc_policy_set_format_ex(struct lsc_policy *pol, const char *name, const char *log_format,
                              size_t log_format_len, char *err, size_t errlen);

/* A fresh policy with nothing enabled and default limits, or NULL. */
struct lsc_policy *lsc_policy_alloc(void);

/* Sets a to "redact with [label]" (a's old text is freed). Returns false on ENOMEM. */
bool lsc_action_set_redact(struct lsc_action *a, const char *label, size_t len);

/* The label a built-in detector class uses by default ("email" for [email]). */
const char *lsc_class_default_label(lsc_class cls);

#endif
