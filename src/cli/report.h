/*
 * report.h - what a batch or scan run did, as text, JSON or a self-contained HTML page.
 * Reports hold counts and masked examples only, never a raw value.
 */
#ifndef LSC_CLI_REPORT_H
#define LSC_CLI_REPORT_H

#include "logscrub.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum lsc_report_format { LSC_REPORT_TEXT, LSC_REPORT_JSON, LSC_REPORT_HTML };

/* text, json or html; false for anything else. */
bool lsc_report_format_by_name(const char *name, enum lsc_report_format *out);

/* One file of a batch run. */
struct lsc_file_report {
    char *path;     /* the input */
    char *out_path; /* where its scrubbed copy went (the input itself with --in-place) */
    char *error;    /* why it failed (NULL: it did not) */
    bool skipped;   /* done by an earlier run (the journal says so) */
    struct lsc_stats st;
    char sha_in[65], sha_out[65]; /* SHA-256 of the file's bytes as stored */
    uint64_t size_in, size_out;
    double seconds;
    struct lsc_name_count *fields; /* replacements per field (structured lines), owned */
    size_t nfields;
    uint64_t *rule_hits; /* replacements per pattern rule (the report's rule_names), owned */
};

struct lsc_name_count {
    char name[48];
    uint64_t n;
};

struct lsc_batch_report {
    const char *policy_name;
    const char *policy_hash;
    const char *key_id; /* NULL when the policy makes no pseudonyms */
    char started[32];   /* UTC, RFC 3339 */
    double seconds;
    struct lsc_file_report *files;
    size_t nfiles;
    const char *const *rule_names; /* the policy's pattern rules */
    size_t nrules;
};

void lsc_batch_report_write(FILE *f, enum lsc_report_format fmt, const struct lsc_batch_report *r);

/* One row of a scan: a detector class found in a field (field "" for whole lines). */
struct lsc_scan_row {
    char *field;
    lsc_class cls;
    uint64_t hits;
    uint64_t lines;       /* lines with at least one hit */
    uint64_t distinct;    /* approximate (HyperLogLog over XXH3 of the value) */
    char examples[3][64]; /* masked */
    int nexamples;
};

struct lsc_scan_report {
    char started[32];
    double seconds;
    uint64_t lines, bytes, files, failed_files;
    const char *format;
    struct lsc_scan_row *rows;
    size_t nrows;
    char **fields; /* every field seen (structured formats), for --suggest */
    size_t nfields;
};

void lsc_scan_report_write(FILE *f, enum lsc_report_format fmt, const struct lsc_scan_report *r);

/* Masks a value for a report: its first byte, then each letter x, digit 9, rest kept. */
void lsc_mask_example(const char *v, size_t n, char *out, size_t cap);

#endif
