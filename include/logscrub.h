/*
 * logscrub.h - the public API of logscrub.
 *
 * A policy says what to remove or coarsen; a scrubber applies one policy to lines and owns
 * the per-thread scratch (edit lists, PCRE2 match data, counters). A policy is immutable once
 * a scrubber has been made from it and may be shared by many scrubbers; a scrubber belongs to
 * one thread.
 *
 * Every function returns an lsc_error; results come back through out-parameters.
 */
#ifndef LOGSCRUB_H
#define LOGSCRUB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSC_VERSION "0.1.0"

/* X-macro: name, exit-status class, message. */
#define LSC_ERROR_MAP(XX)                                                                          \
    XX(OK, "success")                                                                              \
    XX(ENOMEM, "out of memory")                                                                    \
    XX(EINVAL, "invalid argument")                                                                 \
    XX(EREGEX, "regular expression does not compile")                                              \
    XX(EREAD, "read error")                                                                        \
    XX(EWRITE, "write error")                                                                      \
    XX(EPIPE, "output closed by the reader (broken pipe)")                                         \
    XX(EOPEN, "cannot open file")                                                                  \
    XX(EPOLICY, "invalid policy")                                                                  \
    XX(EARCHIVE, "compressed input is truncated or corrupt")

typedef enum {
#define LSC_ERROR_ENUM(name, msg) LSC_##name,
    LSC_ERROR_MAP(LSC_ERROR_ENUM)
#undef LSC_ERROR_ENUM
        LSC_ERROR_COUNT
} lsc_error;

/* What the built-in detectors find; each has a counter and a stable name for --stats. */
#define LSC_CLASS_MAP(XX)                                                                          \
    XX(IPV4, "ipv4")                                                                               \
    XX(IPV6, "ipv6")                                                                               \
    XX(EMAIL, "email")                                                                             \
    XX(CARD, "card")                                                                               \
    XX(IBAN, "iban")                                                                               \
    XX(JWT, "jwt")                                                                                 \
    XX(AUTH, "auth_header")                                                                        \
    XX(API_KEY, "api_key")                                                                         \
    XX(PRIVATE_KEY, "private_key")                                                                 \
    XX(URL_PASSWORD, "url_password")                                                               \
    XX(SECRET_PARAM, "secret_param")                                                               \
    XX(PASSWORD_HASH, "password_hash")                                                             \
    XX(RULE, "rule")                                                                               \
    XX(FIELD, "field")

typedef enum {
#define LSC_CLASS_ENUM(name, str) LSC_CLASS_##name,
    LSC_CLASS_MAP(LSC_CLASS_ENUM)
#undef LSC_CLASS_ENUM
        LSC_CLASS_COUNT
} lsc_class;

/* What happens to a line the scrubber cannot vouch for (rule error, oversize line). */
typedef enum {
    LSC_ON_ERROR_REDACT_LINE, /* emit a marker line in its place (the default) */
    LSC_ON_ERROR_DROP,        /* emit nothing; counted as dropped */
    LSC_ON_ERROR_QUARANTINE,  /* write the raw line to the quarantine fd; counted */
} lsc_on_error;

/* Why a line took the fail-closed path. */
#define LSC_FAIL_MAP(XX)                                                                           \
    XX(RULE_ERROR, "rule-error")                                                                   \
    XX(OVERSIZE, "oversize")                                                                       \
    XX(NOMEM, "no-memory")                                                                         \
    XX(PARSE, "parse-error")

typedef enum {
#define LSC_FAIL_ENUM(name, str) LSC_FAIL_##name,
    LSC_FAIL_MAP(LSC_FAIL_ENUM)
#undef LSC_FAIL_ENUM
        LSC_FAIL_COUNT
} lsc_fail;

struct lsc_stats {
    uint64_t lines_in;
    uint64_t emitted;     /* lines written, scrubbed or replaced by a redaction marker */
    uint64_t dropped;     /* lines the policy or on_error=drop removed */
    uint64_t quarantined; /* lines written raw to the quarantine file instead */
    uint64_t changed;     /* emitted lines that differ from their input */
    uint64_t failed;      /* lines that took the fail-closed path, any outcome */
    uint64_t fail_reason[LSC_FAIL_COUNT];
    uint64_t replacements[LSC_CLASS_COUNT];
    uint64_t bytes_in;
    uint64_t bytes_out;
    uint64_t parse_fallback; /* lines that did not parse as the policy's format */
    uint64_t fields_removed; /* members removed by fields.keep / fields.drop */
    uint64_t pseudonyms;     /* values replaced by keyed pseudonyms */
    uint64_t time_fallback;  /* records whose own time was not found: processing time used */
    uint64_t memo_hits;      /* pseudonym and geo results taken from the per-thread memo */
    uint64_t memo_misses;
};

struct lsc_policy;
struct lsc_scrubber;

const char *lsc_strerror(lsc_error err);
const char *lsc_class_name(lsc_class cls);
const char *lsc_fail_name(lsc_fail why);

/*
 * lsc_policy_default makes the embedded default policy: IPv4 truncated to /24, IPv6 to /48,
 * every built-in detector on, on_error redact-line. The caller frees it with
 * lsc_policy_free.
 */
lsc_error lsc_policy_default(struct lsc_policy **out);
void lsc_policy_free(struct lsc_policy *pol);

/* Where a policy that makes pseudonyms gets its key. */
typedef enum {
    LSC_KEY_LOAD, /* $LOGSCRUB_KEY_FILE, else keys.file, else $CREDENTIALS_DIRECTORY/logscrub.key */
    LSC_KEY_TEST, /* the fixed public test key (logscrub test: examples need fixed outputs) */
    LSC_KEY_NONE, /* no key (logscrub check: validate without one) */
} lsc_key_mode;

struct lsc_load_opts {
    const char *patterns_dir; /* packs found here (NAME.yaml) replace the built-in ones */
    lsc_key_mode key_mode;
};

/*
 * lsc_policy_load reads a YAML policy file and the rule packs it uses. On failure it returns
 * LSC_EOPEN or LSC_EPOLICY and err holds a message naming file:line:col, quoting the line
 * and saying what was expected. opts may be NULL. lsc_policy_load_buffer does the same for
 * text already in memory; path is only used in messages and to find policy-local packs.
 */
lsc_error lsc_policy_load(const char *path, const struct lsc_load_opts *opts,
                          struct lsc_policy **out, char *err, size_t errlen);
lsc_error lsc_policy_load_buffer(const char *path, const char *text, size_t len,
                                 const struct lsc_load_opts *opts, struct lsc_policy **out,
                                 char *err, size_t errlen);

/*
 * lsc_policy_explain writes the compiled plan in plain words into a malloc'd string
 * (*text, caller frees). The policy hash is the SHA-256 of this text without its hash line,
 * so it changes exactly when what the policy does changes (packs included).
 */
lsc_error lsc_policy_explain(const struct lsc_policy *pol, char **text);
/* The policy hash as 64 hex digits and a NUL. */
lsc_error lsc_policy_hash(const struct lsc_policy *pol, char hex[65]);
const char *lsc_policy_name(const struct lsc_policy *pol);

/*
 * lsc_policy_add_rule adds a PCRE2 rule whose matches are replaced by "[label]". The pattern
 * is compiled and JIT-compiled now; on LSC_EREGEX, errbuf holds PCRE2's message and offset.
 * name and label are copied.
 */
lsc_error lsc_policy_add_rule(struct lsc_policy *pol, const char *label, const char *pattern,
                              char *errbuf, size_t errlen);

/* Tuning and failure handling; each takes effect for scrubbers made afterwards. */
/* Bits kept by IP truncation; a value past 32 (IPv4) or 128 (IPv6) leaves that one as is. */
void lsc_policy_set_ip_mask(struct lsc_policy *pol, unsigned v4_bits, unsigned v6_bits);
lsc_on_error lsc_policy_on_error(const struct lsc_policy *pol);
/*
 * Overrides the input format: "text" scans whole lines; "json", "logfmt", "syslog",
 * "nginx" and "apache" (their combined layout) read each line as that structure; "auto"
 * recognises the structure per stream and per line. LSC_EINVAL for other names, or for
 * "text" when the policy has field rules (they need a structure).
 */
lsc_error lsc_policy_set_format(struct lsc_policy *pol, const char *format);
/* The quarantine file a policy names (on_error: { quarantine: FILE }), or NULL. */
const char *lsc_policy_quarantine_path(const struct lsc_policy *pol);
void lsc_policy_set_on_error(struct lsc_policy *pol, lsc_on_error mode);
void lsc_policy_set_match_limit(struct lsc_policy *pol, uint32_t match_limit);

/*
 * lsc_scrubber_new makes per-thread state for pol, which must outlive the scrubber and not be
 * changed while it lives.
 */
lsc_error lsc_scrubber_new(const struct lsc_policy *pol, struct lsc_scrubber **out);
void lsc_scrubber_free(struct lsc_scrubber *sc);

/*
 * lsc_scrub_buffer scrubs every line of in[0..len) (the last one may lack a newline) and
 * returns the output in *out, which the scrubber owns and reuses: it is valid until the next
 * call on sc. Quarantined lines are not written anywhere by this function; they are
 * counted.
 */
lsc_error lsc_scrub_buffer(struct lsc_scrubber *sc, const char *in, size_t len, const char **out,
                           size_t *outlen);

struct lsc_sink;

struct lsc_stream_opts {
    size_t max_line;         /* longest line scrubbed in full; longer ones fail closed */
    int quarantine_fd;       /* where quarantined lines go; -1 when on_error is not quarantine */
    struct lsc_sink *sink;   /* if not NULL, output goes here (compressed) instead of out_fd */
    char archive_error[128]; /* set with LSC_EARCHIVE: what is wrong with the input */
};

/*
 * lsc_scrub_fd streams in_fd to out_fd until end of input. gzip and zstd input is
 * decompressed (recognised by its magic bytes). Output is flushed whenever input would
 * block, so interactive pipes see lines promptly. Returns LSC_EREAD, LSC_EWRITE or
 * LSC_EPIPE on I/O failure, with errno set, and LSC_EARCHIVE (opts->archive_error says
 * why) for a truncated or corrupt archive - after writing the lines read before it.
 */
lsc_error lsc_scrub_fd(struct lsc_scrubber *sc, int in_fd, int out_fd,
                       struct lsc_stream_opts *opts);

/*
 * lsc_scrub_fd_parallel does what lsc_scrub_fd does with `jobs` workers taking turns
 * reading the input and writing the output in order - the calling thread with sc, and
 * jobs - 1 threads each with a scrubber of its own for sc's policy: the output is
 * byte-identical, in input order. The other workers' counters are added to sc's.
 */
lsc_error lsc_scrub_fd_parallel(struct lsc_scrubber *sc, unsigned jobs, int in_fd, int out_fd,
                                struct lsc_stream_opts *opts);

const struct lsc_stats *lsc_scrubber_stats(const struct lsc_scrubber *sc);

/* Adds every counter of from to to's. */
void lsc_stats_add(struct lsc_stats *to, const struct lsc_stats *from);

#ifdef __cplusplus
}
#endif
#endif
