/*
 * follow.c - `logscrub follow`: the sidecar. Follows log files like `tail -F`, scrubs each
 * new line, writes it out, and records in a state file how far each file was read once the
 * output is durable. Signals: HUP reloads the policy and keys (a bad policy keeps the old
 * one running), TERM and INT drain and exit 0, USR1 reopens the output file. Metrics go to
 * a Prometheus textfile and, if asked, to a loopback HTTP endpoint.
 *
 * One thread does everything, in cycles: look at the watched names (rotation, new files,
 * deletion), read what each file has, scrub it, write it out; every --checkpoint-interval
 * make the output durable (fsync) and then write the state; wait for inotify, a signal or
 * the poll interval. Policy swaps and reopens happen between cycles, so no line is ever
 * scrubbed by half of one policy and half of another.
 */
#include "../io/follow.h"
#include "../engine/engine.h"
#include "../io/io.h"
#include "../io/listen.h"
#include "../policy/policy.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define READ_BUDGET (4 << 20) /* bytes read from one file per cycle, so none starves */
#define FLUSH_AT (256 * 1024)
#define MAX_LISTEN 8

struct follow_opts {
    const char *policy;
    const char *patterns;
    const char *state;
    const char *output;
    const char *metrics_file;
    const char *metrics_listen;
    const char *listen[MAX_LISTEN];
    int nlisten;
    size_t max_line;
    double poll_interval;
    double rotate_wait;
    double checkpoint_interval;
    double metrics_interval;
    char **names;
    int nnames;
};

struct follower {
    struct follow_opts o;
    struct lsc_policy *pol;
    struct lsc_scrubber *sc;
    char hash[65];
    struct lsc_stats retired;         /* counters of scrubbers replaced by a reload */
    struct rule_count *retired_rules; /* per pattern rule name, from replaced scrubbers */
    size_t nretired_rules;
    struct lsc_tailed **files;
    size_t nfiles, cap;
    struct lsc_state_entry *state; /* entries not yet matched to a file */
    size_t nstate;
    int out_fd, q_fd;
    bool out_regular;
    struct lsc_buf q;
    uint64_t reloads_ok, reloads_failed, rotations, truncations, lost_files;
    int inotify_fd, listen_fd;
    struct lsc_listener listeners[MAX_LISTEN];
    int nlisteners;
    struct lsc_buf msg; /* a socket message with its newlines made spaces */
    double last_checkpoint, last_metrics;
    bool dirty; /* something was written since the last checkpoint */
};

/* Replacements by one pattern rule, kept by name across reloads. */
struct rule_count {
    char *name;
    uint64_t n;
};

static volatile sig_atomic_t sig_stop, sig_reload, sig_reopen;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP) {
        sig_reload = 1;
    } else if (sig == SIGUSR1) {
        sig_reopen = 1;
    } else {
        sig_stop = 1;
    }
    if (wake_pipe[1] >= 0) {
        ssize_t r = write(wake_pipe[1], "x", 1);
        (void)r;
    }
    errno = saved;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char when[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s logscrub follow: ", when);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- policy ---- */

static bool load_policy(struct follower *f, struct lsc_policy **pol, struct lsc_scrubber **sc,
                        char hash[65])
{
    char err[2048];
    struct lsc_load_opts lo = {.patterns_dir = f->o.patterns};
    if (lsc_policy_load(f->o.policy, &lo, pol, err, sizeof err) != LSC_OK) {
        say("%s", err);
        return false;
    }
    if (lsc_policy_hash(*pol, hash) != LSC_OK || lsc_scrubber_new(*pol, sc) != LSC_OK) {
        say("out of memory loading %s", f->o.policy);
        lsc_policy_free(*pol);
        return false;
    }
    return true;
}

/* Adds n to the count of rule name in *v (grown as needed). */
static void count_rule(struct rule_count **v, size_t *nv, const char *name, uint64_t n)
{
    for (size_t i = 0; i < *nv; i++) {
        if (strcmp((*v)[i].name, name) == 0) {
            (*v)[i].n += n;
            return;
        }
    }
    struct rule_count *nn = realloc(*v, (*nv + 1) * sizeof *nn);
    char *d = strdup(name);
    if (nn == NULL || d == NULL) {
        free(d);
        if (nn != NULL) {
            *v = nn;
        }
        return;
    }
    *v = nn;
    (*v)[(*nv)++] = (struct rule_count){d, n};
}

/* ---- output ---- */

static int open_out(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

/* Writes what the scrubber and the quarantine buffer hold. */
static bool flush_out(struct follower *f)
{
    if (f->sc->out.len > 0) {
        if (lsc_write_all(f->out_fd, f->sc->out.p, f->sc->out.len) != LSC_OK) {
            say("error writing %s: %s", f->o.output ? f->o.output : "standard output",
                strerror(errno));
            return false;
        }
        f->sc->out.len = 0;
        f->dirty = true;
    }
    if (f->q.len > 0) {
        if (lsc_write_all(f->q_fd, f->q.p, f->q.len) != LSC_OK) {
            say("error writing the quarantine file: %s", strerror(errno));
            return false;
        }
        f->q.len = 0;
        f->dirty = true;
    }
    return true;
}

/* Output durable (written and, for files, fsynced), then the state: never the reverse. */
static bool checkpoint(struct follower *f)
{
    if (!flush_out(f)) {
        return false;
    }
    if (f->dirty && f->out_regular && fsync(f->out_fd) != 0 && errno != EINVAL) {
        say("error syncing %s: %s", f->o.output ? f->o.output : "standard output", strerror(errno));
        return false;
    }
    if (f->dirty && f->q_fd >= 0 && fsync(f->q_fd) != 0 && errno != EINVAL) {
        say("error syncing the quarantine file: %s", strerror(errno));
        return false;
    }
    for (size_t i = 0; i < f->nfiles; i++) {
        lsc_tailed_refresh_fp(f->files[i]);
    }
    if (!lsc_state_write(f->o.state, f->files, f->nfiles)) {
        say("error writing state file %s: %s", f->o.state, strerror(errno));
        return false;
    }
    f->dirty = false;
    f->last_checkpoint = now_s();
    return true;
}

/* ---- scrubbing ---- */

/* Scrubs one line of a followed file. Lines always end in a newline here. */
static bool scrub_line(struct follower *f, const struct lsc_tail_line *l)
{
    enum lsc_verdict v;
    lsc_error err = l->oversize
                        ? lsc_engine_fail_line(f->sc, LSC_FAIL_OVERSIZE, l->len, true, &v)
                        : lsc_engine_line_q(f->sc, l->p, l->len, true, f->q_fd >= 0 ? &f->q : NULL);
    if (err != LSC_OK) {
        say("out of memory scrubbing a line");
        return false;
    }
    return f->sc->out.len < FLUSH_AT || flush_out(f);
}

/* Reads and scrubs what t has now; false on an output error. */
static bool pump(struct follower *f, struct lsc_tailed *t)
{
    struct stat sb;
    uint64_t fp;
    bool shrunk = fstat(t->fd, &sb) == 0 && (uint64_t)sb.st_size < t->offset + (t->len - t->start);
    /* A file truncated and written again before we looked is no shorter, but its first
     * bytes are not the ones we saw. */
    bool rewritten =
        !shrunk && t->fp_len > 0 && (!lsc_fingerprint(t->fd, t->fp_len, &fp) || fp != t->fp);
    if (shrunk || rewritten) {
        /* Truncated in place (copytruncate). What was written after our last read and
         * before the truncation is gone; the rest is read from the start. */
        f->truncations++;
        say("%s was truncated in place (copytruncate): lines written between the last read "
            "and the truncation are lost; reading it again from the start",
            t->path);
        t->offset = 0;
        t->start = t->len = 0;
        t->in_long = false;
        t->long_len = 0;
        t->fp_len = 0;
        lsc_tailed_refresh_fp(t);
    }
    for (;;) {
        ssize_t r = lsc_tailed_read(t, READ_BUDGET, f->o.max_line);
        if (r < 0) {
            say("error reading %s: %s", t->path, strerror(errno));
            return true;
        }
        struct lsc_tail_line l;
        while (lsc_tailed_next(t, f->o.max_line, &l)) {
            if (!scrub_line(f, &l)) {
                return false;
            }
        }
        if (r == 0 || (size_t)r >= READ_BUDGET) {
            if (r == 0 && t->draining) {
                t->idle_since = t->idle_since > 0 ? t->idle_since : now_s();
            } else {
                t->idle_since = 0;
            }
            return true;
        }
    }
}

/* One socket message: a line of its own, with any newline inside it made a space. */
static bool on_message(void *ctx, const char *p, size_t len)
{
    struct follower *f = ctx;
    struct lsc_tail_line l = {p, len, p == NULL};
    if (p != NULL && memchr(p, '\n', len) != NULL) {
        f->msg.len = 0;
        if (!lsc_buf_append(&f->msg, p, len)) {
            say("out of memory reading a socket message");
            return false;
        }
        for (size_t i = 0; i < len; i++) {
            f->msg.p[i] = f->msg.p[i] == '\n' ? ' ' : f->msg.p[i];
        }
        l.p = f->msg.p;
    }
    return scrub_line(f, &l);
}

/* A drained file is let go; a last line without a newline still comes out (with one). */
static bool let_go(struct follower *f, size_t i)
{
    struct lsc_tailed *t = f->files[i];
    if (t->len > t->start || t->in_long) {
        struct lsc_tail_line l = {t->buf + t->start, t->len - t->start, t->in_long};
        if (t->in_long) {
            l.p = NULL;
            l.len = (size_t)t->long_len + (t->len - t->start);
        }
        t->offset += t->len - t->start;
        t->start = t->len;
        if (!scrub_line(f, &l)) {
            return false;
        }
    }
    lsc_tailed_free(t);
    f->files[i] = f->files[--f->nfiles];
    return true;
}

/* ---- watched names ---- */

static struct lsc_tailed *tracked(struct follower *f, dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < f->nfiles; i++) {
        if (f->files[i]->dev == dev && f->files[i]->ino == ino) {
            return f->files[i];
        }
    }
    return NULL;
}

static bool add_file(struct follower *f, struct lsc_tailed *t)
{
    if (f->nfiles == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 8;
        struct lsc_tailed **v = realloc(f->files, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        f->files = v;
        f->cap = cap;
    }
    f->files[f->nfiles++] = t;
    return true;
}

/* Where to start reading a newly found file: its checkpoint if the state has one for it. */
static uint64_t resume_offset(struct follower *f, const char *path, dev_t dev, ino_t ino, int fd,
                              off_t size)
{
    for (size_t k = 0; k < f->nstate; k++) {
        struct lsc_state_entry *e = &f->state[k];
        if (e->dev != dev || e->ino != ino) {
            continue;
        }
        uint64_t fp;
        bool same = e->fp_len == 0 || (lsc_fingerprint(fd, e->fp_len, &fp) && fp == e->fp);
        uint64_t off = e->offset;
        f->state[k] = f->state[--f->nstate];
        if (!same) {
            say("%s has the inode of a file read before, but other contents (inode reused): "
                "reading it from the start",
                path);
            return 0;
        }
        if ((uint64_t)size < off) {
            f->truncations++;
            say("%s is shorter than where it was left (truncated while logscrub was down): "
                "reading it from the start",
                path);
            return 0;
        }
        return off;
    }
    return 0;
}

/* Is sb logscrub's own output or quarantine file? (A glob may match them.) */
static bool ours(const struct follower *f, const struct stat *sb)
{
    struct stat o;
    return (fstat(f->out_fd, &o) == 0 && o.st_dev == sb->st_dev && o.st_ino == sb->st_ino) ||
           (f->q_fd >= 0 && fstat(f->q_fd, &o) == 0 && o.st_dev == sb->st_dev &&
            o.st_ino == sb->st_ino);
}

static bool track(struct follower *f, const char *path, bool draining)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || ours(f, &sb)) {
        return true; /* (following our own output would feed it back to itself) */
    }
    struct lsc_tailed *t = tracked(f, sb.st_dev, sb.st_ino);
    if (t != NULL) {
        t->seen = true;
        return true;
    }
    t = lsc_tailed_open(path, 0);
    if (t == NULL) {
        say("cannot open %s: %s", path, strerror(errno));
        return true;
    }
    t->offset = resume_offset(f, path, t->dev, t->ino, t->fd, sb.st_size);
    t->seen = true;
    t->draining = draining;
    if (!add_file(f, t)) {
        lsc_tailed_free(t);
        return false;
    }
    return true;
}

static bool has_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Matches the watched names; files no name points to any more are drained. */
static bool scan_names(struct follower *f)
{
    for (size_t i = 0; i < f->nfiles; i++) {
        f->files[i]->seen = false;
    }
    for (int k = 0; k < f->o.nnames; k++) {
        const char *name = f->o.names[k];
        if (!has_glob(name)) {
            if (!track(f, name, false)) {
                return false;
            }
            continue;
        }
        glob_t g;
        if (glob(name, 0, NULL, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc; j++) {
                if (!track(f, g.gl_pathv[j], false)) {
                    globfree(&g);
                    return false;
                }
            }
        }
        globfree(&g);
    }
    for (size_t i = 0; i < f->nfiles; i++) {
        struct lsc_tailed *t = f->files[i];
        if (!t->seen && !t->draining) {
            t->draining = true;
            f->rotations++;
            say("%s was rotated or removed: reading the old file to its end", t->path);
        }
    }
    return true;
}

/* Forgets the state entry for (dev, ino), if one is left. */
static void drop_state(struct follower *f, dev_t dev, ino_t ino)
{
    for (size_t k = 0; k < f->nstate; k++) {
        if (f->state[k].dev == dev && f->state[k].ino == ino) {
            f->state[k] = f->state[--f->nstate];
            return;
        }
    }
}

/*
 * At start: checkpointed files no watched name points to any more were rotated while
 * logscrub was down. One found in its old directory (same inode; track() checks the
 * fingerprint) is read from its checkpoint to its end; one that is gone is reported.
 */
static bool recover_rotated(struct follower *f)
{
    while (f->nstate > 0) {
        struct lsc_state_entry e = f->state[f->nstate - 1];
        char dir[4096], pattern[4096 + 4];
        const char *base;
        lsc_split_path(e.path, dir, sizeof dir, &base);
        snprintf(pattern, sizeof pattern, "%s/*", dir);
        bool found = false;
        glob_t g;
        if (glob(pattern, 0, NULL, &g) == 0) {
            for (size_t j = 0; j < g.gl_pathc && !found; j++) {
                struct stat sb;
                if (stat(g.gl_pathv[j], &sb) == 0 && sb.st_dev == e.dev && sb.st_ino == e.ino) {
                    found = true;
                    say("%s was rotated to %s while logscrub was down: reading it from its "
                        "checkpoint to its end",
                        e.path, g.gl_pathv[j]);
                    if (!track(f, g.gl_pathv[j], true)) {
                        globfree(&g);
                        return false;
                    }
                }
            }
        }
        globfree(&g);
        if (!found) {
            f->lost_files++;
            say("%s (read up to byte %" PRIu64 ") is gone: whatever it held after that was "
                "never read",
                e.path, e.offset);
        }
        drop_state(f, e.dev, e.ino);
    }
    return true;
}

static void watch_dirs(struct follower *f)
{
    f->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (f->inotify_fd < 0) {
        say("inotify unavailable (%s): polling every %.2f s", strerror(errno), f->o.poll_interval);
        return;
    }
    for (int k = 0; k < f->o.nnames; k++) {
        char dir[4096];
        const char *base;
        lsc_split_path(f->o.names[k], dir, sizeof dir, &base);
        if (has_glob(dir)) {
            continue; /* polled */
        }
        if (inotify_add_watch(f->inotify_fd, dir,
                              IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                                  IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
            say("cannot watch %s (%s): polling it", dir, strerror(errno));
        }
    }
}

/* ---- metrics ---- */

static void write_metrics(struct follower *f, FILE *m)
{
    struct lsc_stats st = f->retired;
    lsc_stats_add(&st, lsc_scrubber_stats(f->sc));
    uint64_t lag = 0;
    for (size_t i = 0; i < f->nfiles; i++) {
        struct stat sb;
        if (fstat(f->files[i]->fd, &sb) == 0 && (uint64_t)sb.st_size > f->files[i]->offset) {
            lag += (uint64_t)sb.st_size - f->files[i]->offset;
        }
    }
    struct {
        const char *name, *help;
        uint64_t v;
        bool gauge;
    } rows[] = {
        {"lines_in_total", "Lines read.", st.lines_in, false},
        {"lines_out_total", "Lines written (scrubbed or replaced by a marker).", st.emitted, false},
        {"lines_dropped_total", "Lines dropped by the policy or on_error.", st.dropped, false},
        {"lines_quarantined_total", "Lines written raw to the quarantine file.", st.quarantined,
         false},
        {"lines_failed_closed_total", "Lines that took the on_error path.", st.failed, false},
        {"parse_fallback_total", "Lines not in the policy's format.", st.parse_fallback, false},
        {"bytes_in_total", "Bytes read.", st.bytes_in, false},
        {"bytes_out_total", "Bytes written.", st.bytes_out, false},
        {"reloads_total", "Policy reloads that took effect.", f->reloads_ok, false},
        {"reload_failures_total", "Policy reloads refused (the old policy kept running).",
         f->reloads_failed, false},
        {"rotations_total", "Followed files rotated away or removed.", f->rotations, false},
        {"copytruncate_total", "Files truncated in place; lines in the window are lost.",
         f->truncations, false},
        {"lost_files_total", "Checkpointed files gone before they were read to the end.",
         f->lost_files, false},
        {"files", "Files followed now.", f->nfiles, true},
        {"lag_bytes", "Bytes written to followed files and not yet read.", lag, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        fprintf(m, "# HELP logscrub_%s %s\n# TYPE logscrub_%s %s\nlogscrub_%s %" PRIu64 "\n",
                rows[i].name, rows[i].help, rows[i].name, rows[i].gauge ? "gauge" : "counter",
                rows[i].name, rows[i].v);
    }
    fprintf(m, "# HELP logscrub_replacements_total Values replaced, by detector class.\n"
               "# TYPE logscrub_replacements_total counter\n");
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        fprintf(m, "logscrub_replacements_total{class=\"%s\"} %" PRIu64 "\n",
                lsc_class_name((lsc_class)c), st.replacements[c]);
    }
    fprintf(m, "# HELP logscrub_rule_replacements_total Values replaced, by pattern rule.\n"
               "# TYPE logscrub_rule_replacements_total counter\n");
    struct rule_count *rules = NULL;
    size_t nrules = 0;
    for (size_t k = 0; k < f->nretired_rules; k++) {
        count_rule(&rules, &nrules, f->retired_rules[k].name, f->retired_rules[k].n);
    }
    for (size_t k = 0; k < f->pol->nrules; k++) {
        count_rule(&rules, &nrules, f->pol->rules[k].name, f->sc->rule_hits[k]);
    }
    for (size_t k = 0; k < nrules; k++) {
        fprintf(m, "logscrub_rule_replacements_total{rule=\"");
        for (const char *c = rules[k].name; *c; c++) {
            fputc(*c == '"' || *c == '\\' || *c == '\n' ? '_' : *c, m);
        }
        fprintf(m, "\"} %" PRIu64 "\n", rules[k].n);
        free(rules[k].name);
    }
    free(rules);
    fprintf(m, "# HELP logscrub_failed_closed_total Lines failed closed, by reason.\n"
               "# TYPE logscrub_failed_closed_total counter\n");
    for (int r = 0; r < LSC_FAIL_COUNT; r++) {
        fprintf(m, "logscrub_failed_closed_total{reason=\"%s\"} %" PRIu64 "\n",
                lsc_fail_name((lsc_fail)r), st.fail_reason[r]);
    }
    fprintf(m,
            "# HELP logscrub_policy_info The policy running now.\n"
            "# TYPE logscrub_policy_info gauge\n"
            "logscrub_policy_info{name=\"%s\",sha256=\"%s\"} 1\n",
            lsc_policy_name(f->pol), f->hash);
}

static void metrics_file(struct follower *f)
{
    if (f->o.metrics_file == NULL) {
        return;
    }
    char tmp[4096 + 16];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->o.metrics_file);
    FILE *m = fopen(tmp, "we");
    if (m == NULL) {
        say("cannot write metrics to %s: %s", tmp, strerror(errno));
        return;
    }
    write_metrics(f, m);
    if (fclose(m) != 0 || rename(tmp, f->o.metrics_file) != 0) {
        say("cannot write metrics to %s: %s", f->o.metrics_file, strerror(errno));
        unlink(tmp);
    }
    f->last_metrics = now_s();
}

static void serve_metrics(struct follower *f)
{
    for (;;) {
        int c = accept4(f->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            return;
        }
        char req[1024];
        struct pollfd pf = {c, POLLIN, 0};
        if (poll(&pf, 1, 200) > 0) {
            ssize_t r = read(c, req, sizeof req);
            (void)r;
        }
        char *body = NULL;
        size_t blen = 0;
        FILE *m = open_memstream(&body, &blen);
        if (m != NULL) {
            write_metrics(f, m);
            fclose(m);
            char head[160];
            int hl = snprintf(head, sizeof head,
                              "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                              "Content-Length: %zu\r\n\r\n",
                              blen);
            if (lsc_write_all(c, head, (size_t)hl) == LSC_OK) {
                lsc_write_all(c, body, blen);
            }
            free(body);
        }
        close(c);
    }
}

/* ---- the command ---- */

static int usage(FILE *fp, int status)
{
    fprintf(fp,
            "Usage: logscrub follow -p POLICY --state FILE [OPTIONS] PATH...\n"
            "Follows log files like `tail -F` (PATHs may be globs: quote them), scrubs each new\n"
            "line with POLICY and appends it to -o FILE or standard output. Rotation by rename\n"
            "(the old file is read to its end first), files that appear later, deletion and\n"
            "truncation in place (copytruncate: the lines written in between are lost and\n"
            "counted - avoid it) are handled. The state FILE records how far each file was read,\n"
            "written atomically only after the output is durable (fsync for a file), so a\n"
            "restart never skips a line and repeats at most the lines of the last checkpoint\n"
            "interval. Files without a checkpoint are read from their start.\n"
            "\n"
            "Signals: HUP reloads the policy and its key (a bad policy is refused and the old\n"
            "one keeps running); TERM or INT finish the current cycle, flush, checkpoint and\n"
            "exit 0; USR1 reopens -o FILE (after your own logrotate).\n"
            "\n"
            "Options:\n"
            "  -p, --policy FILE          the policy (required)\n"
            "      --state FILE           the checkpoint file (required)\n"
            "  -o, --output FILE          append here instead of standard output\n"
            "      --patterns DIR         rule packs in DIR replace the built-in ones\n"
            "      --max-line SIZE        longest line scrubbed (default 1M); longer fail closed\n"
            "      --poll-interval SECS   look at the files at least this often (default 0.25;\n"
            "                             inotify wakes it sooner where it works)\n"
            "      --rotate-wait SECS     keep reading a rotated file this long after its\n"
            "                             end (default 5), for writers slow to reopen\n"
            "      --checkpoint-interval SECS  fsync and write the state (default 1)\n"
            "      --metrics-file FILE    Prometheus text metrics, for node_exporter's\n"
            "                             textfile collector (written atomically)\n"
            "      --metrics-interval SECS  how often (default 15)\n"
            "      --metrics-listen ADDR:PORT  also serve them over HTTP on a loopback\n"
            "                             address (127.0.0.1:9464, [::1]:9464); off by default\n"
            "      --listen SPEC          also take messages from a socket (repeatable; off by\n"
            "                             default): unix:/PATH (stream), unixgram:/PATH,\n"
            "                             udp://127.0.0.1:PORT, tcp://127.0.0.1:PORT (syslog:\n"
            "                             octet-counted or newline-framed). Loopback only.\n"
            "                             Socket messages have no checkpoint: one received\n"
            "                             and not yet written when logscrub is killed is lost.\n"
            "  -h, --help                 this help\n"
            "\n"
            "Example:\n"
            "  logscrub follow -p /etc/logscrub/web.yaml --state /var/lib/logscrub/state \\\n"
            "      -o /var/log/clean/access.log --metrics-file "
            "/var/lib/node_exporter/logscrub.prom \\\n"
            "      /var/log/nginx/access.log\n");
    return status;
}

static bool parse_secs(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(v > 0) || v > 86400) {
        return false;
    }
    *out = v;
    return true;
}

enum {
    OPT_STATE = 256,
    OPT_PATTERNS,
    OPT_MAX_LINE,
    OPT_POLL,
    OPT_ROTATE_WAIT,
    OPT_CHECKPOINT,
    OPT_METRICS_FILE,
    OPT_METRICS_INTERVAL,
    OPT_METRICS_LISTEN,
    OPT_LISTEN,
};

static int parse_follow_args(int argc, char **argv, struct follow_opts *o)
{
    static const struct option longs[] = {
        {"policy", required_argument, NULL, 'p'},
        {"output", required_argument, NULL, 'o'},
        {"state", required_argument, NULL, OPT_STATE},
        {"patterns", required_argument, NULL, OPT_PATTERNS},
        {"max-line", required_argument, NULL, OPT_MAX_LINE},
        {"poll-interval", required_argument, NULL, OPT_POLL},
        {"rotate-wait", required_argument, NULL, OPT_ROTATE_WAIT},
        {"checkpoint-interval", required_argument, NULL, OPT_CHECKPOINT},
        {"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
        {"metrics-interval", required_argument, NULL, OPT_METRICS_INTERVAL},
        {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:o:h", longs, NULL)) != -1) {
        double *secs = NULL;
        const char *what = NULL;
        switch (c) {
        case 'p':
            o->policy = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_STATE:
            o->state = optarg;
            break;
        case OPT_PATTERNS:
            o->patterns = optarg;
            break;
        case OPT_MAX_LINE:
            if (!lsc_cli_parse_size(optarg, &o->max_line) || o->max_line == 0 ||
                o->max_line > ((size_t)1 << 30)) {
                fprintf(stderr, "logscrub follow: --max-line wants a size from 1 to 1G, got '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_POLL:
            secs = &o->poll_interval, what = "--poll-interval";
            break;
        case OPT_ROTATE_WAIT:
            secs = &o->rotate_wait, what = "--rotate-wait";
            break;
        case OPT_CHECKPOINT:
            secs = &o->checkpoint_interval, what = "--checkpoint-interval";
            break;
        case OPT_METRICS_FILE:
            o->metrics_file = optarg;
            break;
        case OPT_METRICS_INTERVAL:
            secs = &o->metrics_interval, what = "--metrics-interval";
            break;
        case OPT_METRICS_LISTEN:
            o->metrics_listen = optarg;
            break;
        case OPT_LISTEN:
            if (o->nlisten == MAX_LISTEN) {
                fprintf(stderr, "logscrub follow: at most %d --listen options\n", MAX_LISTEN);
                return EXIT_USAGE;
            }
            o->listen[o->nlisten++] = optarg;
            break;
        case 'h':
            exit(usage(stdout, 0));
        default:
            return usage(stderr, EXIT_USAGE);
        }
        if (secs != NULL && !parse_secs(optarg, secs)) {
            fprintf(stderr, "logscrub follow: %s wants seconds (like 0.5 or 15), got '%s'\n", what,
                    optarg);
            return EXIT_USAGE;
        }
    }
    if (o->policy == NULL || o->state == NULL || (optind >= argc && o->nlisten == 0)) {
        fprintf(stderr, "logscrub follow: give -p POLICY, --state FILE and the PATHs to follow "
                        "(or --listen)\n"
                        "Try 'logscrub follow --help' for more information.\n");
        return EXIT_USAGE;
    }
    o->names = argv + optind;
    o->nnames = argc - optind;
    return 0;
}

static void wait_for_work(struct follower *f, double until)
{
    struct pollfd pf[3 + MAX_LISTEN * 65];
    int n = 0;
    for (int k = 0; k < f->nlisteners; k++) {
        int fds[65];
        size_t m = lsc_listen_fds(&f->listeners[k], fds, 65);
        for (size_t j = 0; j < m; j++) {
            pf[n++] = (struct pollfd){fds[j], POLLIN, 0};
        }
    }
    pf[n++] = (struct pollfd){wake_pipe[0], POLLIN, 0};
    if (f->inotify_fd >= 0) {
        pf[n++] = (struct pollfd){f->inotify_fd, POLLIN, 0};
    }
    if (f->listen_fd >= 0) {
        pf[n++] = (struct pollfd){f->listen_fd, POLLIN, 0};
    }
    double left = until - now_s();
    int ms = left > 0 ? (int)(left * 1000) + 1 : 0;
    if (poll(pf, (nfds_t)n, ms) <= 0) {
        return;
    }
    char buf[4096];
    for (int i = 0; i < n; i++) {
        if (!(pf[i].revents & POLLIN)) {
            continue;
        }
        if (pf[i].fd == f->listen_fd) {
            serve_metrics(f);
        } else if (pf[i].fd == wake_pipe[0] || pf[i].fd == f->inotify_fd) {
            while (read(pf[i].fd, buf, sizeof buf) > 0) {
            }
        } /* (sockets are read by the next cycle) */
    }
}

static void reload(struct follower *f)
{
    struct lsc_policy *pol;
    struct lsc_scrubber *sc;
    char hash[65];
    if (!load_policy(f, &pol, &sc, hash)) {
        f->reloads_failed++;
        say("reload refused: the policy above has errors; still running %s (sha256:%.12s)",
            lsc_policy_name(f->pol), f->hash);
        return;
    }
    /* Between cycles: every line so far was scrubbed by the old plan and is written out. */
    lsc_stats_add(&f->retired, lsc_scrubber_stats(f->sc));
    for (size_t k = 0; k < f->pol->nrules; k++) {
        count_rule(&f->retired_rules, &f->nretired_rules, f->pol->rules[k].name,
                   f->sc->rule_hits[k]);
    }
    struct lsc_buf out = f->sc->out;
    f->sc->out = sc->out;
    sc->out = out;
    lsc_scrubber_free(f->sc);
    lsc_policy_free(f->pol);
    f->pol = pol;
    f->sc = sc;
    memcpy(f->hash, hash, sizeof f->hash);
    f->reloads_ok++;
    say("reloaded %s: policy %s (sha256:%.12s)", f->o.policy, lsc_policy_name(pol), hash);
}

static bool reopen(struct follower *f)
{
    if (f->o.output == NULL) {
        return true;
    }
    if (!checkpoint(f)) {
        return false;
    }
    int fd = open_out(f->o.output);
    if (fd < 0) {
        say("cannot reopen %s: %s (still writing to the old file)", f->o.output, strerror(errno));
        return true;
    }
    close(f->out_fd);
    f->out_fd = fd;
    say("reopened %s", f->o.output);
    return true;
}

int lsc_cli_follow(int argc, char **argv)
{
    struct follower f = {.out_fd = STDOUT_FILENO, .q_fd = -1, .inotify_fd = -1, .listen_fd = -1};
    f.o = (struct follow_opts){.max_line = (size_t)1 << 20,
                               .poll_interval = 0.25,
                               .rotate_wait = 5,
                               .checkpoint_interval = 1,
                               .metrics_interval = 15};
    int rc = parse_follow_args(argc, argv, &f.o);
    if (rc != 0) {
        return rc;
    }
    if (!load_policy(&f, &f.pol, &f.sc, f.hash)) {
        return EXIT_USAGE;
    }
    char err[512];
    if (!lsc_state_read(f.o.state, &f.state, &f.nstate, err, sizeof err)) {
        say("%s", err);
        rc = EXIT_USAGE;
        goto done;
    }
    if (f.o.output != NULL && (f.out_fd = open_out(f.o.output)) < 0) {
        say("cannot open %s: %s", f.o.output, strerror(errno));
        f.out_fd = STDOUT_FILENO;
        rc = EXIT_IO;
        goto done;
    }
    struct stat sb;
    f.out_regular = fstat(f.out_fd, &sb) == 0 && S_ISREG(sb.st_mode);
    const char *qpath = lsc_policy_quarantine_path(f.pol);
    if (lsc_policy_on_error(f.pol) == LSC_ON_ERROR_QUARANTINE && qpath != NULL &&
        (f.q_fd = open_out(qpath)) < 0) {
        say("cannot open the quarantine file %s: %s", qpath, strerror(errno));
        rc = EXIT_IO;
        goto done;
    }
    f.q.limit = (size_t)1 << 32;
    if (f.o.metrics_listen != NULL) {
        f.listen_fd = lsc_listen_tcp_loopback(f.o.metrics_listen);
        if (f.listen_fd < 0) {
            say(f.listen_fd == -2 ? "--metrics-listen %s: only a loopback address is allowed "
                                    "(127.0.0.1:PORT, [::1]:PORT, localhost:PORT)"
                                  : "--metrics-listen %s: cannot listen there (ADDR:PORT)",
                f.o.metrics_listen);
            f.listen_fd = -1;
            rc = EXIT_USAGE;
            goto done;
        }
    }
    f.msg.limit = (size_t)1 << 31;
    for (int k = 0; k < f.o.nlisten; k++) {
        if (!lsc_listen_open(f.o.listen[k], &f.listeners[k], err, sizeof err)) {
            say("%s", err);
            rc = EXIT_USAGE;
            goto done;
        }
        f.nlisteners++;
    }
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        say("cannot make a pipe: %s", strerror(errno));
        rc = EXIT_IO;
        goto done;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    watch_dirs(&f);
    say("following %d name%s and %d socket%s with policy %s (sha256:%.12s), state %s", f.o.nnames,
        f.o.nnames == 1 ? "" : "s", f.nlisteners, f.nlisteners == 1 ? "" : "s",
        lsc_policy_name(f.pol), f.hash, f.o.state);

    if (!scan_names(&f) || !recover_rotated(&f)) {
        rc = EXIT_IO;
        goto done;
    }
    f.last_checkpoint = f.last_metrics = now_s();
    metrics_file(&f);
    while (!sig_stop) {
        if (sig_reload) {
            sig_reload = 0;
            reload(&f);
        }
        if (sig_reopen) {
            sig_reopen = 0;
            if (!reopen(&f)) {
                rc = EXIT_IO;
                break;
            }
        }
        if (!scan_names(&f)) {
            rc = EXIT_IO;
            break;
        }
        bool ok = true;
        for (size_t i = 0; i < f.nfiles && ok; i++) {
            ok = pump(&f, f.files[i]);
        }
        for (int k = 0; k < f.nlisteners && ok; k++) {
            ok = lsc_listen_pump(&f.listeners[k], f.o.max_line, on_message, &f);
        }
        for (size_t i = 0; i < f.nfiles && ok;) {
            struct lsc_tailed *t = f.files[i];
            if (t->draining && t->idle_since > 0 && now_s() - t->idle_since >= f.o.rotate_wait) {
                ok = let_go(&f, i);
                f.dirty = true;
            } else {
                i++;
            }
        }
        if (!ok || !flush_out(&f)) {
            rc = EXIT_IO;
            break;
        }
        double now = now_s();
        if (f.dirty && now - f.last_checkpoint >= f.o.checkpoint_interval && !checkpoint(&f)) {
            rc = EXIT_IO;
            break;
        }
        if (now - f.last_metrics >= f.o.metrics_interval) {
            metrics_file(&f);
        }
        double until = now + f.o.poll_interval;
        if (f.dirty && f.last_checkpoint + f.o.checkpoint_interval < until) {
            until = f.last_checkpoint + f.o.checkpoint_interval;
        }
        if (!sig_stop && !sig_reload && !sig_reopen) {
            wait_for_work(&f, until);
        }
    }
    if (rc == 0) {
        /* Drain: what was read is scrubbed and written; make it durable, then the state. */
        f.dirty = true;
        if (!checkpoint(&f)) {
            rc = EXIT_IO;
        } else {
            say("stopped: state written to %s", f.o.state);
        }
        metrics_file(&f);
    }
done:
    for (size_t i = 0; i < f.nfiles; i++) {
        lsc_tailed_free(f.files[i]);
    }
    free(f.files);
    free(f.state);
    lsc_buf_free(&f.q);
    if (f.out_fd != STDOUT_FILENO) {
        close(f.out_fd);
    }
    if (f.q_fd >= 0) {
        close(f.q_fd);
    }
    if (f.inotify_fd >= 0) {
        close(f.inotify_fd);
    }
    if (f.listen_fd >= 0) {
        close(f.listen_fd);
    }
    for (int k = 0; k < f.nlisteners; k++) {
        lsc_listen_close(&f.listeners[k]);
    }
    lsc_buf_free(&f.msg);
    for (int i = 0; i < 2; i++) {
        if (wake_pipe[i] >= 0) {
            close(wake_pipe[i]);
            wake_pipe[i] = -1;
        }
    }
    for (size_t k = 0; k < f.nretired_rules; k++) {
        free(f.retired_rules[k].name);
    }
    free(f.retired_rules);
    lsc_scrubber_free(f.sc);
    lsc_policy_free(f.pol);
    return rc;
}
