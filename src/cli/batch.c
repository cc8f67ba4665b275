/*
 * batch.c - `logscrub batch`: cleaning archives. Walks files and directories, scrubs each
 * file with the policy (plain, gzip or zstd in; the same compression out unless
 * --compress says otherwise), in parallel, and replaces the original (--in-place) or
 * writes under -O DIR, crash-safely (replace.c): a file is either the complete old one or
 * the complete new one, never partial, and the original is untouched on any error.
 *
 * A journal next to the output (-O DIR: DIR/.logscrub-batch.journal; --in-place: one in
 * each directory) records every file done, with the policy hash and the sizes and times
 * of what was read and written. A run interrupted at any point, run again, skips the files
 * done and gives the same results. A file is done only once its journal line is durable;
 * one replaced in place whose line was not yet written is scrubbed again, which changes
 * nothing that matters (scrubbing is idempotent: labels, truncated addresses and
 * pseudonyms are left as they are, tags are rewritten, not repeated).
 *
 * Progress goes to stderr: one updating line on a terminal, a plain line every 10 s
 * otherwise, nothing with --quiet. A summary ends every run; the status is 2 if any file
 * failed, with the list of them and why.
 */
#include "../engine/engine.h"
#include "../io/archive.h"
#include "../io/io.h"
#include "../policy/policy.h"
#include "cli.h"
#include "replace.h"
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define JOURNAL ".logscrub-batch.journal"
#define MAX_PATTERNS 32

enum compress_mode { KEEP = -1 };

/* A journal as it was when the run began: the keys of the files it lists, sorted. */
struct journal {
    char *path;
    uint64_t *keys;
    size_t n;
};

struct job {
    char *path; /* the input */
    char *rel;  /* its path under the PATH given (for -O DIR) */
    uint64_t size;
    atomic_int fd; /* the open input while it is read (progress), else -1 */
};

struct batch {
    const struct lsc_policy *pol;
    char hash[65];
    bool in_place;
    const char *out_dir;
    int compress; /* KEEP or an lsc_compress */
    const char *include[MAX_PATTERNS], *exclude[MAX_PATTERNS];
    int ninclude, nexclude;
    unsigned jobs;
    size_t max_line;
    bool quiet;
    uint64_t out_dev_ino[2]; /* -O DIR's device and inode, to skip it in the walk */
    const char *root;        /* the PATH being walked (a file named outright is not filtered) */
    int q_fd;
    struct job *jobs_v;
    size_t njobs, cap;
    struct lsc_file_report *reports;
    atomic_size_t next;
    atomic_size_t done_files;
    _Atomic uint64_t done_bytes;
    uint64_t total_bytes;
    pthread_mutex_t journal_mu; /* the journals and their cache */
    struct journal *journals;   /* each journal read so far */
    size_t njournals;
    atomic_bool stop_progress;
    double t0;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- collecting the files ---- */

static bool wanted(const struct batch *b, const char *name)
{
    if (strcmp(name, JOURNAL) == 0) {
        return false;
    }
    bool in = b->ninclude == 0;
    for (int i = 0; i < b->ninclude && !in; i++) {
        in = fnmatch(b->include[i], name, 0) == 0;
    }
    for (int i = 0; i < b->nexclude && in; i++) {
        in = fnmatch(b->exclude[i], name, 0) != 0;
    }
    return in;
}

static bool add_job(struct batch *b, const char *path, const char *rel, uint64_t size)
{
    if (b->njobs == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        struct job *v = realloc(b->jobs_v, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        b->jobs_v = v;
        b->cap = cap;
    }
    struct job *j = &b->jobs_v[b->njobs];
    j->path = strdup(path);
    j->rel = strdup(rel);
    j->size = size;
    atomic_init(&j->fd, -1);
    if (j->path == NULL || j->rel == NULL) {
        free(j->path);
        free(j->rel);
        return false;
    }
    b->njobs++;
    b->total_bytes += size;
    return true;
}

/* lsc_walk's callbacks: files become jobs (filtered, except those named outright). */
static int walk_file(void *ctx, const char *path, const char *rel, const struct stat *st)
{
    struct batch *b = ctx;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (strcmp(path, b->root) != 0 && !wanted(b, base)) {
        return 0;
    }
    return add_job(b, path, rel, (uint64_t)st->st_size) ? 0 : -1;
}

static int walk_dir(void *ctx, const char *path, const char *rel, const struct stat *st)
{
    struct batch *b = ctx;
    (void)path;
    (void)rel;
    /* -O DIR inside a PATH: its results are not inputs. */
    return b->out_dev_ino[0] != 0 && (uint64_t)st->st_dev == b->out_dev_ino[0] &&
           (uint64_t)st->st_ino == b->out_dev_ino[1];
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct job *)a)->path, ((const struct job *)b)->path);
}

/* ---- files ---- */

static enum lsc_compress sniff(int fd)
{
    unsigned char m[4];
    ssize_t r = pread(fd, m, sizeof m, 0);
    if (r >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        return LSC_COMPRESS_GZIP;
    }
    if (r == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        return LSC_COMPRESS_ZSTD;
    }
    return LSC_COMPRESS_NONE;
}

static bool sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    crypto_hash_sha256_state s;
    crypto_hash_sha256_init(&s);
    static _Thread_local unsigned char buf[1 << 16];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&s, buf, (unsigned long long)r);
    }
    close(fd);
    if (r < 0) {
        return false;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&s, h);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return true;
}

/* The output name: with another compression, the .gz/.zst suffix changes with it. */
static bool out_name(const struct batch *b, const struct job *j, enum lsc_compress in_kind,
                     enum lsc_compress out_kind, char *out, size_t cap)
{
    char base[4096];
    if (b->in_place) {
        snprintf(base, sizeof base, "%s", j->path);
    } else if (!lsc_join3(base, sizeof base, b->out_dir, "/", j->rel)) {
        return false;
    }
    if (in_kind == out_kind) {
        return snprintf(out, cap, "%s", base) < (int)cap;
    }
    size_t l = strlen(base);
    if (in_kind == LSC_COMPRESS_GZIP && l > 3 && strcmp(base + l - 3, ".gz") == 0) {
        base[l - 3] = '\0';
    } else if (in_kind == LSC_COMPRESS_ZSTD && l > 4 && strcmp(base + l - 4, ".zst") == 0) {
        base[l - 4] = '\0';
    }
    const char *suffix = out_kind == LSC_COMPRESS_GZIP   ? ".gz"
                         : out_kind == LSC_COMPRESS_ZSTD ? ".zst"
                                                         : "";
    return snprintf(out, cap, "%s%s", base, suffix) < (int)cap;
}

static void mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0750);
            *s = '/';
        }
    }
    mkdir(p, 0750);
}

/* ---- the journal ---- */

static void journal_path(const struct batch *b, const char *out_path, char *jp, size_t cap)
{
    if (!b->in_place) {
        snprintf(jp, cap, "%s/%s", b->out_dir, JOURNAL);
        return;
    }
    char dir[4096];
    const char *base;
    lsc_split_path(out_path, dir, sizeof dir, &base);
    snprintf(jp, cap, "%s/%s", dir, JOURNAL);
}

/* What identifies a finished file in a journal: the policy, the output's name, size and
 * time, and (with -O) the input's size and time. */
static uint64_t journal_key(const struct batch *b, const char *hash, const char *name,
                            uintmax_t isz, uintmax_t imt, uintmax_t osz, uintmax_t omt)
{
    char k[4096 + 200];
    int n = snprintf(k, sizeof k, "%s %ju %ju %ju %ju %s", hash, b->in_place ? 0 : isz,
                     b->in_place ? 0 : imt, osz, omt, name);
    return XXH3_64bits(k, n > 0 && (size_t)n < sizeof k ? (size_t)n : sizeof k - 1);
}

static int key_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The journal at jp, read once per run (its keys, sorted); NULL when out of memory. */
static struct journal *journal_load(struct batch *b, const char *jp)
{
    for (size_t i = 0; i < b->njournals; i++) {
        if (strcmp(b->journals[i].path, jp) == 0) {
            return &b->journals[i];
        }
    }
    struct journal *v = realloc(b->journals, (b->njournals + 1) * sizeof *v);
    if (v == NULL) {
        return NULL;
    }
    b->journals = v;
    struct journal *j = &v[b->njournals];
    *j = (struct journal){.path = strdup(jp)};
    if (j->path == NULL) {
        return NULL;
    }
    b->njournals++;
    FILE *f = fopen(jp, "re");
    if (f == NULL) {
        return j;
    }
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char hash[65], name[4096];
        uintmax_t isz, imt, osz, omt;
        if (sscanf(line, "%64s %ju %ju %ju %ju %4095[^\n]", hash, &isz, &imt, &osz, &omt, name) !=
            6) {
            continue;
        }
        if (j->n == cap) {
            cap = cap ? 2 * cap : 64;
            uint64_t *k = realloc(j->keys, cap * sizeof *k);
            if (k == NULL) {
                break;
            }
            j->keys = k;
        }
        j->keys[j->n++] = journal_key(b, hash, name, isz, imt, osz, omt);
    }
    fclose(f);
    if (j->n > 1) {
        qsort(j->keys, j->n, sizeof *j->keys, key_cmp);
    }
    return j;
}

static uintmax_t mtime_ns(const struct stat *st)
{
    return (uintmax_t)st->st_mtim.tv_sec * 1000000000u + (uintmax_t)st->st_mtim.tv_nsec;
}

/* Was out_path (from this input) written by an earlier run with this policy? */
static bool journaled(struct batch *b, const char *in_path, const char *out_path)
{
    char jp[4200];
    journal_path(b, out_path, jp, sizeof jp);
    struct stat si, so;
    if (stat(in_path, &si) != 0 || stat(out_path, &so) != 0) {
        return false;
    }
    uint64_t key = journal_key(b, b->hash, out_path, (uintmax_t)si.st_size, mtime_ns(&si),
                               (uintmax_t)so.st_size, mtime_ns(&so));
    pthread_mutex_lock(&b->journal_mu);
    struct journal *j = journal_load(b, jp);
    bool found = j != NULL && j->n > 0 && bsearch(&key, j->keys, j->n, sizeof key, key_cmp);
    pthread_mutex_unlock(&b->journal_mu);
    return found;
}

static bool journal_add(struct batch *b, const struct stat *si, const char *out_path)
{
    struct stat so;
    if (stat(out_path, &so) != 0) {
        return false;
    }
    char jp[4200];
    journal_path(b, out_path, jp, sizeof jp);
    pthread_mutex_lock(&b->journal_mu);
    int fd = open(jp, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    bool ok = fd >= 0;
    if (ok) {
        char line[8192];
        int n =
            snprintf(line, sizeof line, "%s %ju %ju %ju %ju %s\n", b->hash, (uintmax_t)si->st_size,
                     mtime_ns(si), (uintmax_t)so.st_size, mtime_ns(&so), out_path);
        ok = n > 0 && (size_t)n < sizeof line && write(fd, line, (size_t)n) == n && fsync(fd) == 0;
        close(fd);
    }
    pthread_mutex_unlock(&b->journal_mu);
    return ok;
}

/* ---- one file ---- */

static char *fail_msg(const char *what, const char *detail)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s%s%s; left as it was", what, detail ? ": " : "",
             detail ? detail : "");
    return strdup(buf);
}

static void process(struct batch *b, struct job *j, struct lsc_file_report *fr, unsigned jobs)
{
    double t0 = now_s();
    fr->path = strdup(j->path);
    int in = open(j->path, O_RDONLY | O_CLOEXEC);
    struct stat si;
    if (in < 0 || fstat(in, &si) != 0) {
        fr->error = fail_msg("cannot open it", strerror(errno));
        if (in >= 0) {
            close(in);
        }
        return;
    }
    enum lsc_compress kin = sniff(in);
    enum lsc_compress kout = b->compress == KEEP ? kin : (enum lsc_compress)b->compress;
    char out_path[4096];
    if (!out_name(b, j, kin, kout, out_path, sizeof out_path)) {
        fr->error = fail_msg("the output path is too long", NULL);
        close(in);
        return;
    }
    fr->out_path = strdup(out_path);
    if (journaled(b, j->path, out_path)) {
        fr->skipped = true;
        sha256_file(j->path, fr->sha_in);
        sha256_file(out_path, fr->sha_out);
        struct stat so;
        fr->size_in = (uint64_t)si.st_size;
        fr->size_out = stat(out_path, &so) == 0 ? (uint64_t)so.st_size : 0;
        close(in);
        return;
    }
    if (!sha256_file(j->path, fr->sha_in)) {
        fr->error = fail_msg("cannot read it", strerror(errno));
        close(in);
        return;
    }
    fr->size_in = (uint64_t)si.st_size;
    char dir[4096], named[4096];
    const char *base;
    lsc_split_path(out_path, dir, sizeof dir, &base);
    if (!b->in_place) {
        mkdirs(dir);
    }
    char left[4096];
    if (lsc_tmp_name(left, sizeof left, dir, base)) {
        unlink(left); /* an interrupted run's new file */
    }
    int out = lsc_open_tmp(dir, base, named, sizeof named);
    struct lsc_scrubber *sc = NULL;
    struct lsc_stream_opts so = {.max_line = b->max_line, .quarantine_fd = b->q_fd};
    const char *why = NULL;
    char detail[200] = "";
    if (out < 0) {
        why = "cannot create the new file";
        snprintf(detail, sizeof detail, "%s", strerror(errno));
    } else if ((kout != LSC_COMPRESS_NONE && (so.sink = lsc_sink_new(out, kout)) == NULL) ||
               lsc_scrubber_new(b->pol, &sc) != LSC_OK) {
        why = "out of memory";
    } else {
        atomic_store(&j->fd, in);
        lsc_error err = jobs > 1 ? lsc_scrub_fd_parallel(sc, jobs, in, out, &so)
                                 : lsc_scrub_fd(sc, in, out, &so);
        atomic_store(&j->fd, -1);
        if (err == LSC_EARCHIVE) {
            why = "a damaged archive";
            snprintf(detail, sizeof detail, "%s", so.archive_error);
        } else if (err == LSC_EREAD) {
            why = "cannot read it";
            snprintf(detail, sizeof detail, "%s", strerror(errno));
        } else if (err != LSC_OK) {
            why = "cannot write the new file";
            snprintf(detail, sizeof detail, "%s", strerror(errno));
        }
        fr->st = *lsc_scrubber_stats(sc);
        if (sc->nfield_counts > 0 &&
            (fr->fields = calloc(sc->nfield_counts, sizeof *fr->fields)) != NULL) {
            for (size_t k = 0; k < sc->nfield_counts; k++) {
                _Static_assert(sizeof fr->fields->name == sizeof sc->field_counts->name,
                               "the same name size");
                memcpy(fr->fields[k].name, sc->field_counts[k].name, sizeof fr->fields[k].name);
                fr->fields[k].n = sc->field_counts[k].n;
            }
            fr->nfields = sc->nfield_counts;
        }
        if (b->pol->nrules > 0 &&
            (fr->rule_hits = calloc(b->pol->nrules, sizeof *fr->rule_hits)) != NULL) {
            memcpy(fr->rule_hits, sc->rule_hits, b->pol->nrules * sizeof *fr->rule_hits);
        }
    }
    if (lsc_sink_finish(so.sink) != 0 && why == NULL) {
        why = "cannot write the new file";
        snprintf(detail, sizeof detail, "%s", strerror(errno));
    }
    if (why == NULL) {
        if (b->in_place && fchown(out, si.st_uid, si.st_gid) != 0 && errno != EPERM) {
            why = "cannot give the new file the old one's owner";
            snprintf(detail, sizeof detail, "%s", strerror(errno));
        } else if (fchmod(out, si.st_mode & 07777) != 0 || fsync(out) != 0 ||
                   lsc_commit(out, named, dir, base, out_path) != 0) {
            why = "cannot replace it";
            snprintf(detail, sizeof detail, "%s", strerror(errno));
        } else if (b->in_place && strcmp(out_path, j->path) != 0 && unlink(j->path) != 0) {
            why = "the new file is in place but the old one could not be removed";
            snprintf(detail, sizeof detail, "%s", strerror(errno));
        }
    }
    if (out >= 0) {
        close(out);
    }
    if (why != NULL && named[0] != '\0') {
        unlink(named);
    }
    lsc_scrubber_free(sc);
    close(in);
    if (why != NULL) {
        fr->error = fail_msg(why, detail[0] ? detail : NULL);
        return;
    }
    struct stat sout;
    fr->size_out = stat(out_path, &sout) == 0 ? (uint64_t)sout.st_size : 0;
    sha256_file(out_path, fr->sha_out);
    if (!journal_add(b, &si, out_path)) {
        fprintf(stderr,
                "logscrub batch: %s: done, but the journal could not be written (%s): "
                "a rerun scrubs it again\n",
                out_path, strerror(errno));
    }
    fr->seconds = now_s() - t0;
}

static void *worker(void *arg)
{
    struct batch *b = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&b->next, 1);
        if (i >= b->njobs) {
            return NULL;
        }
        unsigned jobs = b->njobs == 1 ? b->jobs : 1;
        process(b, &b->jobs_v[i], &b->reports[i], jobs);
        atomic_fetch_add(&b->done_bytes, b->jobs_v[i].size);
        atomic_fetch_add(&b->done_files, 1);
        if (!b->quiet) {
            const struct lsc_file_report *fr = &b->reports[i];
            if (fr->error != NULL) {
                fprintf(stderr, "\r\033[Klogscrub batch: %s: FAILED: %s\n", fr->path, fr->error);
            }
        }
    }
}

/* ---- progress ---- */

static void human(double bytes, char *out, size_t cap)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    int k = 0;
    while (bytes >= 1000 && k < 4) {
        bytes /= 1000;
        k++;
    }
    snprintf(out, cap, k ? "%.1f %s" : "%.0f %s", bytes, u[k]);
}

static void *progress(void *arg)
{
    struct batch *b = arg;
    bool tty = isatty(STDERR_FILENO);
    double last_plain = now_s();
    while (!atomic_load(&b->stop_progress)) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
        double t = now_s();
        if (!tty && t - last_plain < 10) {
            continue;
        }
        last_plain = t;
        uint64_t done = atomic_load(&b->done_bytes);
        for (size_t i = 0; i < b->njobs; i++) {
            int fd = atomic_load(&b->jobs_v[i].fd);
            off_t pos = fd >= 0 ? lseek(fd, 0, SEEK_CUR) : -1;
            if (pos > 0 && (uint64_t)pos <= b->jobs_v[i].size) {
                done += (uint64_t)pos; /* (of the file as stored, compressed or not) */
            }
        }
        double el = t - b->t0;
        double rate = el > 0 ? (double)done / el : 0;
        char d[32], tot[32], r[32];
        human((double)done, d, sizeof d);
        human((double)b->total_bytes, tot, sizeof tot);
        human(rate, r, sizeof r);
        double eta =
            rate > 0
                ? (double)(b->total_bytes - (done < b->total_bytes ? done : b->total_bytes)) / rate
                : 0;
        fprintf(stderr, "%slogscrub batch: %zu/%zu files, %s of %s, %s/s, ETA %.0f s%s",
                tty ? "\r\033[K" : "", atomic_load(&b->done_files), b->njobs, d, tot, r, eta,
                tty ? "" : "\n");
    }
    if (tty) {
        fprintf(stderr, "\r\033[K");
    }
    return NULL;
}

/* ---- the command ---- */

static int usage(FILE *fp, int status)
{
    fprintf(fp,
            "Usage: logscrub batch -p POLICY [-j N] (--in-place | -O DIR) [OPTIONS] PATH...\n"
            "Scrubs files and directories of logs (plain, .gz, .zst - recognised by their\n"
            "bytes) with POLICY, on all cores, replacing each file atomically (--in-place) or\n"
            "writing it under DIR with the same relative path. A file is always either the\n"
            "complete original or the complete result; on an error the original is untouched\n"
            "and the run goes on. An interrupted run, run again, skips the files it finished\n"
            "(.logscrub-batch.journal next to the output) and gives the same results.\n"
            "\n"
            "Options:\n"
            "  -p, --policy FILE        the policy (required)\n"
            "  -O, --output-dir DIR     write the results under DIR\n"
            "  -i, --in-place           replace each file (no copy of the raw file is kept)\n"
            "  -j, --jobs N             threads (default: one per CPU, at most 8): files in\n"
            "                           parallel; a single file in parallel chunks\n"
            "      --include GLOB       only files whose name matches (repeatable)\n"
            "      --exclude GLOB       not files whose name matches (repeatable)\n"
            "      --compress MODE      keep (default: each file's own), none, gz or zst; the\n"
            "                           .gz/.zst suffix of the name follows\n"
            "      --report FILE        write a run report (per file and total: lines,\n"
            "                           replacements, policy hash, key id, SHA-256 in and out,\n"
            "                           timings)\n"
            "      --report-format F    text, json or html (default: from FILE's suffix)\n"
            "      --max-line SIZE      longest line scrubbed in full (default 1M)\n"
            "      --patterns DIR       rule packs in DIR replace the built-in ones\n"
            "  -q, --quiet              no progress line\n"
            "  -h, --help               this help\n"
            "\n"
            "Exit status: 0 all files done; 1 bad usage or policy; 2 some file failed (they\n"
            "are listed with the reason).\n"
            "\n"
            "Example:\n"
            "  logscrub batch -p web.yaml --in-place --include '*.gz' --report run.html "
            "/var/log/archive\n");
    return status;
}

int lsc_cli_batch(int argc, char **argv)
{
    static const struct option longs[] = {
        {"policy", required_argument, NULL, 'p'},
        {"output-dir", required_argument, NULL, 'O'},
        {"in-place", no_argument, NULL, 'i'},
        {"jobs", required_argument, NULL, 'j'},
        {"include", required_argument, NULL, 'I'},
        {"exclude", required_argument, NULL, 'X'},
        {"compress", required_argument, NULL, 'c'},
        {"report", required_argument, NULL, 'r'},
        {"report-format", required_argument, NULL, 'R'},
        {"max-line", required_argument, NULL, 'm'},
        {"patterns", required_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct batch b = {.compress = KEEP, .max_line = (size_t)1 << 20, .q_fd = -1};
    const char *policy = NULL, *patterns = NULL, *report = NULL, *report_fmt = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:O:ij:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy = optarg;
            break;
        case 'O':
            b.out_dir = optarg;
            break;
        case 'i':
            b.in_place = true;
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1 || v > 64) {
                fprintf(stderr, "logscrub batch: --jobs wants 1 to 64, got '%s'\n", optarg);
                return EXIT_USAGE;
            }
            b.jobs = (unsigned)v;
            break;
        }
        case 'I':
        case 'X':
            if ((c == 'I' ? b.ninclude : b.nexclude) == MAX_PATTERNS) {
                fprintf(stderr, "logscrub batch: at most %d patterns each\n", MAX_PATTERNS);
                return EXIT_USAGE;
            }
            if (c == 'I') {
                b.include[b.ninclude++] = optarg;
            } else {
                b.exclude[b.nexclude++] = optarg;
            }
            break;
        case 'c':
            if (strcmp(optarg, "keep") == 0) {
                b.compress = KEEP;
            } else if (strcmp(optarg, "none") == 0) {
                b.compress = LSC_COMPRESS_NONE;
            } else if (strcmp(optarg, "gz") == 0) {
                b.compress = LSC_COMPRESS_GZIP;
            } else if (strcmp(optarg, "zst") == 0) {
                b.compress = LSC_COMPRESS_ZSTD;
            } else {
                fprintf(stderr,
                        "logscrub batch: --compress wants keep, none, gz or zst, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'r':
            report = optarg;
            break;
        case 'R':
            report_fmt = optarg;
            break;
        case 'm':
            if (!lsc_cli_parse_size(optarg, &b.max_line) || b.max_line == 0 ||
                b.max_line > ((size_t)1 << 30)) {
                fprintf(stderr, "logscrub batch: --max-line wants a size from 1 to 1G, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'P':
            patterns = optarg;
            break;
        case 'q':
            b.quiet = true;
            break;
        case 'h':
            return usage(stdout, 0);
        default:
            return usage(stderr, EXIT_USAGE);
        }
    }
    if (policy == NULL || optind >= argc || b.in_place == (b.out_dir != NULL)) {
        fprintf(stderr, "logscrub batch: give -p POLICY, exactly one of --in-place and -O DIR, "
                        "and the PATHs\nTry 'logscrub batch --help' for more information.\n");
        return EXIT_USAGE;
    }
    enum lsc_report_format rfmt = LSC_REPORT_TEXT;
    if (report_fmt != NULL && !lsc_report_format_by_name(report_fmt, &rfmt)) {
        fprintf(stderr, "logscrub batch: --report-format wants text, json or html, got '%s'\n",
                report_fmt);
        return EXIT_USAGE;
    }
    if (report != NULL && report_fmt == NULL) {
        size_t l = strlen(report);
        rfmt = l > 5 && strcmp(report + l - 5, ".json") == 0   ? LSC_REPORT_JSON
               : l > 5 && strcmp(report + l - 5, ".html") == 0 ? LSC_REPORT_HTML
                                                               : LSC_REPORT_TEXT;
    }
    char err[2048];
    struct lsc_policy *pol = NULL;
    struct lsc_load_opts lo = {.patterns_dir = patterns};
    if (lsc_policy_load(policy, &lo, &pol, err, sizeof err) != LSC_OK) {
        fprintf(stderr, "logscrub batch: %s\n", err);
        return EXIT_USAGE;
    }
    b.pol = pol;
    if (lsc_policy_hash(pol, b.hash) != LSC_OK) {
        lsc_policy_free(pol);
        return EXIT_IO;
    }
    if (b.jobs == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        b.jobs = n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
    }
    int rc = 0;
    if (!b.in_place) {
        mkdirs(b.out_dir);
        struct stat st;
        if (stat(b.out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "logscrub batch: cannot create the output directory '%s'\n", b.out_dir);
            lsc_policy_free(pol);
            return EXIT_IO;
        }
        b.out_dev_ino[0] = (uint64_t)st.st_dev;
        b.out_dev_ino[1] = (uint64_t)st.st_ino;
    }
    const char *qpath = lsc_policy_quarantine_path(pol);
    if (lsc_policy_on_error(pol) == LSC_ON_ERROR_QUARANTINE && qpath != NULL &&
        (b.q_fd = open(qpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0) {
        fprintf(stderr, "logscrub batch: cannot open the quarantine file '%s': %s\n", qpath,
                strerror(errno));
        lsc_policy_free(pol);
        return EXIT_IO;
    }
    struct lsc_walk w = {.verb = "batch", .file = walk_file, .dir = walk_dir, .ctx = &b};
    for (int i = optind; i < argc; i++) {
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        struct stat st;
        /* -O DIR mirrors what is below a directory given, and a file given by its name. */
        const char *rel = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? "" : base;
        b.root = argv[i];
        if (lsc_walk(&w, argv[i], rel) != 0) {
            rc = EXIT_IO;
        }
    }
    qsort(b.jobs_v, b.njobs, sizeof *b.jobs_v, by_path);
    b.reports = calloc(b.njobs ? b.njobs : 1, sizeof *b.reports);
    if (b.reports == NULL) {
        lsc_policy_free(pol);
        return EXIT_IO;
    }
    pthread_mutex_init(&b.journal_mu, NULL);
    char started[32];
    time_t wall = time(NULL);
    struct tm tm;
    gmtime_r(&wall, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    b.t0 = now_s();
    pthread_t prog;
    bool have_prog = !b.quiet && pthread_create(&prog, NULL, progress, &b) == 0;
    unsigned nthreads = b.njobs == 1 ? 1 : (b.njobs < b.jobs ? (unsigned)b.njobs : b.jobs);
    pthread_t *tids = calloc(nthreads ? nthreads : 1, sizeof *tids);
    unsigned started_threads = 0;
    for (; tids != NULL && started_threads < nthreads; started_threads++) {
        if (pthread_create(&tids[started_threads], NULL, worker, &b) != 0) {
            break;
        }
    }
    if (started_threads == 0) {
        worker(&b);
    }
    for (unsigned i = 0; i < started_threads; i++) {
        pthread_join(tids[i], NULL);
    }
    free(tids);
    atomic_store(&b.stop_progress, true);
    if (have_prog) {
        pthread_join(prog, NULL);
    }
    double seconds = now_s() - b.t0;

    struct lsc_batch_report r = {
        .policy_name = lsc_policy_name(pol),
        .policy_hash = b.hash,
        .key_id = pol->needs_key && pol->key.master ? pol->key.id : NULL,
        .seconds = seconds,
        .files = b.reports,
        .nfiles = b.njobs,
    };
    memcpy(r.started, started, sizeof started);
    const char **rule_names = calloc(pol->nrules ? pol->nrules : 1, sizeof *rule_names);
    for (size_t k = 0; rule_names != NULL && k < pol->nrules; k++) {
        rule_names[k] = pol->rules[k].name;
    }
    r.rule_names = rule_names;
    r.nrules = rule_names != NULL ? pol->nrules : 0;
    if (report != NULL) {
        FILE *f = fopen(report, "we");
        if (f == NULL) {
            fprintf(stderr, "logscrub batch: cannot write the report '%s': %s\n", report,
                    strerror(errno));
            rc = EXIT_IO;
        } else {
            lsc_batch_report_write(f, rfmt, &r);
            if (fclose(f) != 0) {
                fprintf(stderr, "logscrub batch: cannot write the report '%s'\n", report);
                rc = EXIT_IO;
            }
        }
    }
    /* The summary, always. */
    size_t failed = 0, skipped = 0;
    uint64_t lines = 0, repl = 0, bytes = 0;
    for (size_t i = 0; i < b.njobs; i++) {
        failed += b.reports[i].error != NULL;
        skipped += b.reports[i].skipped;
        lines += b.reports[i].st.lines_in;
        bytes += b.jobs_v[i].size;
        for (int k = 0; k < LSC_CLASS_COUNT; k++) {
            repl += b.reports[i].st.replacements[k];
        }
    }
    char hb[32];
    human((double)bytes, hb, sizeof hb);
    fprintf(stderr,
            "logscrub batch: %zu files (%zu done, %zu done by an earlier run, %zu failed), %s, "
            "%" PRIu64 " lines, %" PRIu64 " values replaced, %.1f s, policy %s (sha256:%.12s)\n",
            b.njobs, b.njobs - failed - skipped, skipped, failed, hb, lines, repl, seconds,
            lsc_policy_name(pol), b.hash);
    if (failed > 0) {
        fprintf(stderr, "failed:\n");
        for (size_t i = 0; i < b.njobs; i++) {
            if (b.reports[i].error != NULL) {
                fprintf(stderr, "  %s: %s\n", b.reports[i].path, b.reports[i].error);
            }
        }
        rc = EXIT_IO;
    }
    for (size_t i = 0; i < b.njobs; i++) {
        free(b.jobs_v[i].path);
        free(b.jobs_v[i].rel);
        free(b.reports[i].path);
        free(b.reports[i].out_path);
        free(b.reports[i].error);
        free(b.reports[i].fields);
        free(b.reports[i].rule_hits);
    }
    free(rule_names);
    free(b.jobs_v);
    free(b.reports);
    if (b.q_fd >= 0) {
        close(b.q_fd);
    }
    for (size_t i = 0; i < b.njournals; i++) {
        free(b.journals[i].path);
        free(b.journals[i].keys);
    }
    free(b.journals);
    pthread_mutex_destroy(&b.journal_mu);
    lsc_policy_free(pol);
    return rc;
}
