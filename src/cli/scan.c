/*
 * scan.c - `logscrub scan`: what personal data do these logs hold? Reads files (plain,
 * .gz, .zst) without changing them, runs every built-in detector, and reports per field
 * (JSON and logfmt members, by path) and per detector class: hits, the share of lines with
 * one, an approximate count of distinct values, and masked examples. Values are never
 * stored: distinct counting is a HyperLogLog sketch over XXH3 hashes, examples are masked
 * as they are found. `--suggest` prints a starting policy that keeps the fields seen and
 * treats each class found.
 */
#include "../detect/detect.h"
#include "../format/json.h"
#include "../format/logfmt.h"
#include "../io/archive.h"
#include "../io/io.h"
#include "cli.h"
#include "replace.h"
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define MAX_ROWS 4096
#define MAX_FIELDS 1024
#define MAX_NODES 4096
#define HLL_BITS 10
#define HLL_M (1u << HLL_BITS)
#define MAX_LINE ((size_t)1 << 20)

enum scan_format { SCAN_AUTO, SCAN_TEXT, SCAN_JSON, SCAN_LOGFMT };

struct row_state {
    uint64_t key; /* XXH3 of field and class; 0: empty slot */
    size_t row;
    unsigned char hll[HLL_M];
    uint64_t last_line;
};

struct scan {
    enum scan_format fmt;
    struct lsc_scan_report r;
    struct row_state *slots; /* MAX_ROWS * 2, open addressing */
    size_t nslots;
    uint64_t line_no;
    struct lsc_json_node nodes[MAX_NODES];
    char path[1024];
    char decoded[MAX_LINE + 1];
    const char *field; /* the field being scanned ("" for a whole line) */
    const char *value;
};

static struct row_state *row_for(struct scan *s, const char *field, lsc_class cls)
{
    uint64_t key = XXH3_64bits_withSeed(field, strlen(field), (uint64_t)cls + 1) | 1;
    for (size_t k = 0; k < s->nslots; k++) {
        struct row_state *st = &s->slots[(key + k) % s->nslots];
        if (st->key == key && strcmp(s->r.rows[st->row].field, field) == 0 &&
            s->r.rows[st->row].cls == cls) {
            return st;
        }
        if (st->key == 0) {
            if (s->r.nrows == MAX_ROWS) {
                return NULL;
            }
            struct lsc_scan_row *row = &s->r.rows[s->r.nrows];
            memset(row, 0, sizeof *row);
            row->field = strdup(field);
            row->cls = cls;
            if (row->field == NULL) {
                return NULL;
            }
            st->key = key;
            st->row = s->r.nrows++;
            return st;
        }
    }
    return NULL;
}

static void hll_add(unsigned char *reg, uint64_t h)
{
    uint32_t idx = (uint32_t)(h >> (64 - HLL_BITS));
    uint64_t w = h << HLL_BITS | ((uint64_t)1 << (HLL_BITS - 1));
    unsigned char rank = (unsigned char)(__builtin_clzll(w) + 1);
    if (rank > reg[idx]) {
        reg[idx] = rank;
    }
}

static uint64_t hll_estimate(const unsigned char *reg)
{
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < HLL_M; i++) {
        sum += ldexp(1.0, -reg[i]);
        zeros += reg[i] == 0;
    }
    double m = HLL_M, e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0) {
        e = m * log(m / zeros); /* linear counting for small sets */
    }
    return (uint64_t)(e + 0.5);
}

static void record(struct scan *s, lsc_class cls, const char *v, size_t n)
{
    struct row_state *st = row_for(s, s->field, cls);
    if (st == NULL) {
        return;
    }
    struct lsc_scan_row *row = &s->r.rows[st->row];
    row->hits++;
    if (st->last_line != s->line_no) {
        st->last_line = s->line_no;
        row->lines++;
    }
    hll_add(st->hll, XXH3_64bits(v, n));
    if (row->nexamples < 3) {
        char m[64];
        lsc_mask_example(v, n, m, sizeof m);
        for (int k = 0; k < row->nexamples; k++) {
            if (strcmp(row->examples[k], m) == 0) {
                return;
            }
        }
        memcpy(row->examples[row->nexamples++], m, sizeof m);
    }
}

static int on_match(void *ctx, const struct lsc_match *m)
{
    struct scan *s = ctx;
    record(s, m->cls, s->value + m->off, m->len);
    return 0;
}

static void scan_value(struct scan *s, const char *field, const char *v, size_t n)
{
    s->field = field;
    s->value = v;
    lsc_detect_text(v, n, on_match, s);
}

static void note_field(struct scan *s, const char *path)
{
    for (size_t i = 0; i < s->r.nfields; i++) {
        if (strcmp(s->r.fields[i], path) == 0) {
            return;
        }
    }
    if (s->r.nfields < MAX_FIELDS) {
        char *d = strdup(path);
        if (d != NULL) {
            s->r.fields[s->r.nfields++] = d;
        }
    }
}

/* The path of node i: member names joined by '.', array elements as [*]. */
static void node_path(struct scan *s, const char *line, int32_t i, char *out, size_t cap)
{
    int32_t chain[64];
    int depth = 0;
    for (int32_t k = i; k > 0 && depth < 64; k = s->nodes[k].parent) {
        chain[depth++] = k;
    }
    size_t o = 0;
    out[0] = '\0';
    for (int d = depth - 1; d >= 0; d--) {
        const struct lsc_json_node *nd = &s->nodes[chain[d]];
        const struct lsc_json_node *parent = &s->nodes[nd->parent];
        char name[256];
        size_t nl;
        if (parent->type == LSC_JSON_ARRAY) {
            nl = (size_t)snprintf(name, sizeof name, "[*]");
        } else {
            const char *k = line + nd->key_off + (nd->key_bare ? 0 : 1);
            size_t kl = nd->key_bare ? nd->key_len : nd->key_len - 2;
            kl = kl < sizeof name - 1 ? kl : sizeof name - 1;
            nl = nd->key_escaped ? lsc_json_unescape(k, kl, name) : (memcpy(name, k, kl), kl);
            name[nl] = '\0';
        }
        int w = snprintf(out + o, cap - o, "%s%s", o && parent->type != LSC_JSON_ARRAY ? "." : "",
                         name);
        if (w < 0 || (size_t)w >= cap - o) {
            break;
        }
        o += (size_t)w;
    }
}

static bool scan_record(struct scan *s, const char *p, size_t n, bool json)
{
    size_t count = 0;
    enum lsc_json_status st = json ? lsc_json_parse(p, n, s->nodes, MAX_NODES, 64, &count)
                                   : lsc_logfmt_parse(p, n, s->nodes, MAX_NODES, &count);
    if (st != LSC_JSON_OK) {
        return false;
    }
    for (size_t i = 1; i < count; i++) {
        const struct lsc_json_node *nd = &s->nodes[i];
        if (nd->type == LSC_JSON_OBJECT || nd->type == LSC_JSON_ARRAY) {
            continue;
        }
        node_path(s, p, (int32_t)i, s->path, sizeof s->path);
        note_field(s, s->path);
        const char *v = p + nd->off;
        size_t vl = nd->len;
        if (nd->type == LSC_JSON_STRING) {
            v++;
            vl = vl >= 2 ? vl - 2 : 0;
            if (nd->escaped) {
                vl = lsc_json_unescape(v, vl, s->decoded);
                v = s->decoded;
            }
        }
        /* A secret-named member counts as a secret whatever its value looks like. */
        const struct lsc_json_node *self = nd;
        if (self->key_len > 0) {
            const char *k = p + self->key_off + (self->key_bare ? 0 : 1);
            size_t kl = self->key_bare ? self->key_len : self->key_len - 2;
            if (vl > 0 && (lsc_secret_name(k, kl) || lsc_secret_header(k, kl)) &&
                !lsc_working_directory(k, kl, (unsigned char)v[0])) {
                s->field = s->path;
                record(s, LSC_CLASS_SECRET_PARAM, v, vl);
                continue;
            }
        }
        scan_value(s, s->path, v, vl);
    }
    return true;
}

static void scan_line(struct scan *s, const char *p, size_t n)
{
    s->line_no++;
    s->r.lines++;
    s->r.bytes += n + 1;
    bool json = s->fmt == SCAN_JSON || (s->fmt == SCAN_AUTO && n > 0 && p[0] == '{');
    if ((json || s->fmt == SCAN_LOGFMT) && scan_record(s, p, n, json)) {
        return;
    }
    scan_value(s, "", p, n);
}

static int scan_file(struct scan *s, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "logscrub scan: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct lsc_source *src = lsc_source_new(fd);
    struct lsc_framer f;
    if (src == NULL || !lsc_framer_init(&f, fd, MAX_LINE, LSC_READ_BLOCK)) {
        lsc_source_free(src);
        close(fd);
        return -1;
    }
    f.src = src;
    int rc = 0;
    for (;;) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        if (k == LSC_FRAME_EOF) {
            break;
        }
        if (k == LSC_FRAME_ERROR) {
            fprintf(stderr, "logscrub scan: %s: %s\n", path,
                    f.archive_error ? lsc_source_error(src) : strerror(errno));
            rc = -1;
            break;
        }
        if (k == LSC_FRAME_LINE) {
            scan_line(s, fr.p, fr.len);
        } else if (k == LSC_FRAME_LONG_END) {
            s->line_no++;
            s->r.lines++; /* (a line longer than 1 MiB is counted, not scanned) */
        }
    }
    lsc_framer_free(&f);
    lsc_source_free(src);
    close(fd);
    return rc;
}

/* lsc_walk's callback: each file is scanned (hidden files are skipped by the walk). */
static int scan_one(void *ctx, const char *path, const char *rel, const struct stat *st)
{
    struct scan *s = ctx;
    (void)rel;
    (void)st;
    s->r.files++;
    if (scan_file(s, path) != 0) {
        s->r.failed_files++;
    }
    return 0;
}

/* A YAML single-quoted string. */
static void yq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') {
            fputc('\'', f);
        }
        fputc((unsigned char)*s >= 0x20 ? *s : '_', f);
    }
    fputc('\'', f);
}

static bool found_class(const struct lsc_scan_report *r, const char *field, lsc_class c)
{
    for (size_t i = 0; i < r->nrows; i++) {
        if (r->rows[i].cls == c && (field == NULL || strcmp(r->rows[i].field, field) == 0)) {
            return true;
        }
    }
    return false;
}

static void suggest(FILE *f, const struct scan *s)
{
    const struct lsc_scan_report *r = &s->r;
    bool structured = r->nfields > 0;
    fprintf(f,
            "# A starting policy written by `logscrub scan --suggest` from %" PRIu64
            " lines.\n# Review it: remove the fields you do not need to keep, then run\n"
            "# `logscrub check` and add tests.\nversion: 1\nname: suggested\n"
            "description: Suggested by logscrub scan; keeps the fields seen, treats each "
            "class found.\n",
            r->lines);
    fprintf(f, "input:\n  format: %s\n",
            s->fmt == SCAN_LOGFMT               ? "logfmt"
            : structured && s->fmt != SCAN_TEXT ? "json"
                                                : "auto");
    if (structured && s->fmt != SCAN_TEXT) {
        fprintf(f, "fields:\n  keep:\n");
        for (size_t i = 0; i < r->nfields; i++) {
            fprintf(f, "    - ");
            yq(f, r->fields[i]);
            fputc('\n', f);
        }
        for (size_t i = 0; i < r->nfields; i++) {
            const char *fld = r->fields[i];
            if (found_class(r, fld, LSC_CLASS_IPV4) || found_class(r, fld, LSC_CLASS_IPV6)) {
                fprintf(f, "  ");
                yq(f, fld);
                fprintf(f, ": { ip: truncate, v4: 24, v6: 48 }\n");
            }
        }
    }
    fprintf(f, "text:\n");
    bool any = false;
    if (found_class(r, NULL, LSC_CLASS_IPV4) || found_class(r, NULL, LSC_CLASS_IPV6)) {
        fprintf(f, "  - use: network\n");
        any = true;
    }
    if (found_class(r, NULL, LSC_CLASS_EMAIL) || found_class(r, NULL, LSC_CLASS_CARD) ||
        found_class(r, NULL, LSC_CLASS_IBAN)) {
        fprintf(f, "  - use: pii\n");
        any = true;
    }
    static const lsc_class secret[] = {LSC_CLASS_JWT,          LSC_CLASS_AUTH,
                                       LSC_CLASS_API_KEY,      LSC_CLASS_PRIVATE_KEY,
                                       LSC_CLASS_URL_PASSWORD, LSC_CLASS_SECRET_PARAM,
                                       LSC_CLASS_PASSWORD_HASH};
    bool sec = false;
    for (size_t k = 0; k < sizeof secret / sizeof secret[0]; k++) {
        sec |= found_class(r, NULL, secret[k]);
    }
    if (sec || !any) {
        /* Secrets are always worth catching, even when this sample had none. */
        fprintf(f, "  - use: secrets\n");
    }
    fprintf(f, "on_error: redact-line\n");
}

static int usage(FILE *fp, int status)
{
    fprintf(fp, "Usage: logscrub scan [-f FORMAT] [--report text|json|html] [-o FILE] [--suggest] "
                "PATH...\n"
                "Reads logs (files or directories; plain, .gz, .zst) without changing them and\n"
                "reports the personal data in them: per field (JSON and logfmt members) and per\n"
                "detector class, the hits, the share of lines, an approximate count of distinct\n"
                "values and masked examples (first character kept, letters x, digits 9). No value\n"
                "is stored or printed.\n"
                "\n"
                "  -f, --format FORMAT   auto (JSON lines by their '{', else text), json, logfmt,\n"
                "                        text (default auto)\n"
                "      --report FORMAT   text (default), json or html (one self-contained page)\n"
                "  -o, --output FILE     write the report to FILE instead of standard output\n"
                "      --suggest         print a starting policy (YAML) instead of the report\n"
                "  -h, --help            this help\n"
                "\n"
                "Example:\n"
                "  logscrub scan --report html -o findings.html /var/log/app/\n"
                "  logscrub scan --suggest -f json api.log.gz > policy.yaml && logscrub check "
                "policy.yaml\n");
    return status;
}

int lsc_cli_scan(int argc, char **argv)
{
    static const struct option longs[] = {
        {"format", required_argument, NULL, 'f'}, {"report", required_argument, NULL, 'r'},
        {"output", required_argument, NULL, 'o'}, {"suggest", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    enum scan_format fmt = SCAN_AUTO;
    enum lsc_report_format rfmt = LSC_REPORT_TEXT;
    const char *out = NULL;
    bool want_suggest = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "auto") == 0) {
                fmt = SCAN_AUTO;
            } else if (strcmp(optarg, "json") == 0) {
                fmt = SCAN_JSON;
            } else if (strcmp(optarg, "logfmt") == 0) {
                fmt = SCAN_LOGFMT;
            } else if (strcmp(optarg, "text") == 0 || strcmp(optarg, "nginx") == 0 ||
                       strcmp(optarg, "apache") == 0 || strcmp(optarg, "syslog") == 0) {
                fmt = SCAN_TEXT; /* (access and syslog lines are scanned whole) */
            } else {
                fprintf(stderr, "logscrub scan: -f wants auto, json, logfmt or text, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            if (!lsc_report_format_by_name(optarg, &rfmt)) {
                fprintf(stderr, "logscrub scan: --report wants text, json or html, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o':
            out = optarg;
            break;
        case 's':
            want_suggest = true;
            break;
        case 'h':
            return usage(stdout, 0);
        default:
            return usage(stderr, EXIT_USAGE);
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "logscrub scan: give the PATHs to scan\n"
                        "Try 'logscrub scan --help' for more information.\n");
        return EXIT_USAGE;
    }
    struct scan *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->nslots = 2 * MAX_ROWS;
        s->slots = calloc(s->nslots, sizeof *s->slots);
        s->r.rows = calloc(MAX_ROWS, sizeof *s->r.rows);
        s->r.fields = calloc(MAX_FIELDS, sizeof *s->r.fields);
    }
    if (s == NULL || s->slots == NULL || s->r.rows == NULL || s->r.fields == NULL) {
        fprintf(stderr, "logscrub scan: out of memory\n");
        if (s != NULL) {
            free(s->slots);
            free(s->r.rows);
            free(s->r.fields);
        }
        free(s);
        return EXIT_IO;
    }
    s->fmt = fmt;
    static const char *const names[] = {"auto", "text", "json", "logfmt"};
    s->r.format = names[fmt];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t wall = time(NULL);
    struct tm tm;
    gmtime_r(&wall, &tm);
    strftime(s->r.started, sizeof s->r.started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct lsc_walk w = {.verb = "scan", .file = scan_one, .ctx = s, .skip_hidden = true};
    for (int i = optind; i < argc; i++) {
        s->r.failed_files += lsc_walk(&w, argv[i], "");
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s->r.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    for (size_t k = 0; k < s->nslots; k++) {
        if (s->slots[k].key != 0) {
            s->r.rows[s->slots[k].row].distinct = hll_estimate(s->slots[k].hll);
        }
    }
    int rc = s->r.failed_files > 0 ? EXIT_IO : 0;
    FILE *f = out ? fopen(out, "we") : stdout;
    if (f == NULL) {
        fprintf(stderr, "logscrub scan: cannot write '%s': %s\n", out, strerror(errno));
        rc = EXIT_IO;
    } else {
        if (want_suggest) {
            suggest(f, s);
        } else {
            lsc_scan_report_write(f, rfmt, &s->r);
        }
        if ((out ? fclose(f) : fflush(f)) != 0) {
            fprintf(stderr, "logscrub scan: cannot write the report\n");
            rc = EXIT_IO;
        }
    }
    uint64_t hits = 0;
    for (size_t i = 0; i < s->r.nrows; i++) {
        hits += s->r.rows[i].hits;
    }
    fprintf(stderr,
            "logscrub scan: %" PRIu64 " files (%" PRIu64 " failed), %" PRIu64 " lines, %" PRIu64
            " findings in %zu field/class pairs, %.1f s\n",
            s->r.files, s->r.failed_files, s->r.lines, hits, s->r.nrows, s->r.seconds);
    for (size_t i = 0; i < s->r.nrows; i++) {
        free(s->r.rows[i].field);
    }
    for (size_t i = 0; i < s->r.nfields; i++) {
        free(s->r.fields[i]);
    }
    free(s->r.rows);
    free(s->r.fields);
    free(s->slots);
    free(s);
    return rc;
}
