/*
 * expire.c - `logscrub expire`: removes the records whose expiry tag has passed from logs
 * that logscrub tagged (retention:), in place or into another directory.
 *
 * A record's expiry is its JSON or logfmt member _expires (or the name given with --name),
 * or the last " expires=TIME" of a text line. Lines without a tag are kept and counted.
 * Files may be plain, gzip or zstd (recognised by their bytes); the output keeps the
 * input's compression.
 *
 * Replacing a file is crash-safe: the new content is written to an unnamed file in the
 * same directory (O_TMPFILE; a hidden ".NAME.logscrub-new" where that is not supported),
 * fsynced, given the old file's mode, linked in under a hidden name, renamed over the old
 * file, and the directory is fsynced. At every instant the path holds either the complete
 * old or the complete new file. On any error the original is untouched and the temporary
 * is removed; an unchanged file is not rewritten. A run first removes hidden
 * ".NAME.logscrub-new" files an interrupted run may have left (the original is intact
 * then, by construction).
 */
#include "../format/json.h"
#include "../format/logfmt.h"
#include "../format/timestamp.h"
#include "../io/archive.h"
#include "../io/io.h"
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define TMP_SUFFIX ".logscrub-new"
#define MAX_NODES 4096
#define MAX_LINE ((size_t)16 << 20)

struct expire {
    int64_t now;
    const char *name; /* the JSON/logfmt member */
    bool in_place;
    const char *out_dir;
    bool quiet;
    struct lsc_json_node nodes[MAX_NODES];
    uint64_t files, failed, rewritten, records, expired, untagged;
};

/* The expiry tag of a line, or false if it has none (or an unreadable one). */
static bool line_expiry(struct expire *e, const char *p, size_t n, int64_t *t)
{
    size_t count = 0;
    size_t nl = strlen(e->name);
    bool json = n > 0 && p[0] == '{';
    if ((json && lsc_json_parse(p, n, e->nodes, MAX_NODES, 64, &count) == LSC_JSON_OK) ||
        (!json && lsc_logfmt_parse(p, n, e->nodes, MAX_NODES, &count) == LSC_JSON_OK)) {
        for (size_t i = count; i-- > 1;) {
            const struct lsc_json_node *x = &e->nodes[i];
            size_t ko = x->key_bare ? x->key_off : x->key_off + 1;
            size_t kl = x->key_bare ? x->key_len : (x->key_len >= 2 ? x->key_len - 2 : 0);
            if (x->depth == 1 && kl == nl && memcmp(p + ko, e->name, nl) == 0) {
                bool str = x->type == LSC_JSON_STRING;
                return lsc_time_parse(p + x->off + str, x->len - 2 * str, e->now, t);
            }
        }
        if (json) {
            return false;
        }
    }
    /* Text: the last " expires=" and the time after it. */
    for (size_t i = n; i-- > 9;) {
        if (p[i - 9] == ' ' && memcmp(p + i - 8, "expires=", 8) == 0) {
            size_t s = i, end = s;
            while (end < n && p[end] != ' ') {
                end++;
            }
            return lsc_time_parse(p + s, end - s, e->now, t);
        }
    }
    return false;
}

/* out = a + mid + b. False (out empty) when it does not fit. */
static bool join3(char *out, size_t cap, const char *a, const char *mid, const char *b)
{
    int n = snprintf(out, cap, "%s%s%s", a, mid, b);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* The hidden name of base's new file in dir. */
static bool tmp_name(char *out, size_t cap, const char *dir, const char *base)
{
    char b[512];
    return join3(b, sizeof b, ".", base, TMP_SUFFIX) && join3(out, cap, dir, "/", b);
}

static int say_error(const char *path, const char *what, const char *detail)
{
    fprintf(stderr, "logscrub expire: %s: %s%s%s; left as it was\n", path, what, detail ? ": " : "",
            detail ? detail : "");
    return -1;
}

/* Opens the output: an unnamed file in dir, else a hidden named one. */
static int open_tmp(const char *dir, const char *base, char *named, size_t cap)
{
    named[0] = '\0';
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        return fd;
    }
#endif
    if (!tmp_name(named, cap, dir, base)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    unlink(named);
    return open(named, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

/* Gives fd the path final: link it in (unnamed files) and rename over. */
static int commit(int fd, const char *named, const char *dir, const char *base, const char *final)
{
    char tmp[4096];
    if (named[0] == '\0') {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (!tmp_name(tmp, sizeof tmp, dir, base)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        unlink(tmp);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) != 0) {
            return -1;
        }
        named = tmp;
    }
    if (rename(named, final) != 0) {
        int saved = errno;
        unlink(named);
        errno = saved;
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself is durable */
        close(dfd);
    }
    return 0;
}

static void split_path(const char *path, char *dir, size_t dcap, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(dir, dcap, ".");
        *base = path;
    } else {
        snprintf(dir, dcap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
        *base = slash + 1;
    }
}

/* Expires one file into out_path (in place when out_path is path). */
static int expire_file(struct expire *e, const char *path, const char *out_path)
{
    e->files++;
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return say_error(path, "cannot open", strerror(errno));
    }
    struct stat st;
    fstat(in, &st);
    char dir[4096], named[4096];
    const char *base;
    split_path(out_path, dir, sizeof dir, &base);
    struct lsc_source *src = lsc_source_new(in);
    struct lsc_framer f;
    if (e->in_place) {
        char left[4096];
        if (tmp_name(left, sizeof left, dir, base)) {
            unlink(left); /* an interrupted run's new file; the original is intact */
        }
    }
    if (src == NULL || !lsc_framer_init(&f, in, MAX_LINE, LSC_READ_BLOCK)) {
        lsc_source_free(src);
        close(in);
        return say_error(path, "out of memory", NULL);
    }
    f.src = src;
    int out = open_tmp(dir, base, named, sizeof named);
    struct lsc_sink *sink = NULL;
    uint64_t records = 0, expired = 0, untagged = 0;
    int rc = 0;
    const char *why = NULL, *detail = NULL;
    if (out < 0) {
        rc = -1;
        why = "cannot create the new file";
        detail = strerror(errno);
    }
    for (bool first = true; rc == 0; first = false) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        if (first) {
            enum lsc_compress c = lsc_source_kind(src);
            if ((sink = lsc_sink_new(out, c)) == NULL) {
                rc = -1;
                why = "out of memory";
                break;
            }
        }
        if (k == LSC_FRAME_EOF) {
            break;
        }
        if (k != LSC_FRAME_LINE) {
            rc = -1;
            why = k == LSC_FRAME_ERROR ? "cannot read it" : "a line longer than 16 MiB";
            detail = k == LSC_FRAME_ERROR
                         ? (f.archive_error ? lsc_source_error(src) : strerror(errno))
                         : NULL;
            break;
        }
        records++;
        int64_t t;
        bool tagged = line_expiry(e, fr.p, fr.len, &t);
        untagged += !tagged;
        if (tagged && t <= e->now) {
            expired++;
            continue;
        }
        if (lsc_sink_write(sink, fr.p, fr.len) != 0 ||
            (fr.nl && lsc_sink_write(sink, "\n", 1) != 0)) {
            rc = -1;
            why = "cannot write the new file";
            detail = strerror(errno);
        }
    }
    bool changed = expired > 0 || !e->in_place;
    if (lsc_sink_finish(sink) != 0 && rc == 0) {
        rc = -1;
        why = "cannot write the new file";
        detail = strerror(errno);
    }
    if (rc == 0 && changed) {
        if (fchmod(out, st.st_mode & 07777) != 0 || fsync(out) != 0 ||
            commit(out, named, dir, base, out_path) != 0) {
            rc = -1;
            why = "cannot replace it";
            detail = strerror(errno);
        }
    }
    if (out >= 0) {
        close(out);
    }
    if ((rc != 0 || !changed) && named[0] != '\0') {
        unlink(named);
    }
    lsc_framer_free(&f);
    lsc_source_free(src);
    close(in);
    if (rc != 0) {
        e->failed++;
        return say_error(path, why, detail);
    }
    e->records += records;
    e->expired += expired;
    e->untagged += untagged;
    e->rewritten += changed;
    if (!e->quiet) {
        fprintf(stderr, "%s: %llu records, %llu expired, %llu kept (%llu without a tag)%s\n", path,
                (unsigned long long)records, (unsigned long long)expired,
                (unsigned long long)(records - expired), (unsigned long long)untagged,
                e->in_place && !changed ? ", unchanged" : "");
    }
    return 0;
}

static bool is_leftover(const char *name)
{
    size_t n = strlen(name), s = strlen(TMP_SUFFIX);
    return name[0] == '.' && n > s && strcmp(name + n - s, TMP_SUFFIX) == 0;
}

static int walk(struct expire *e, const char *path, const char *rel);

static int walk_dir(struct expire *e, const char *path, const char *rel)
{
    DIR *d = opendir(path);
    if (d == NULL) {
        e->failed++;
        return say_error(path, "cannot read the directory", strerror(errno));
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
            continue;
        }
        if (is_leftover(de->d_name)) {
            char p[4096];
            if (join3(p, sizeof p, path, "/", de->d_name)) {
                unlink(p); /* an interrupted run's new file; the original is intact */
            }
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if ((names[n] = strdup(de->d_name)) == NULL) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) {
        char p[4096], r[4096];
        if (!join3(p, sizeof p, path, "/", names[i]) ||
            !join3(r, sizeof r, rel, rel[0] ? "/" : "", names[i])) {
            e->failed++;
            say_error(path, "a path in it is too long", names[i]);
        } else if (rc == 0 && walk(e, p, r) != 0) {
            rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int walk(struct expire *e, const char *path, const char *rel)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        e->failed++;
        return say_error(path, "cannot open", strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        if (!e->in_place) {
            char o[4096];
            if (join3(o, sizeof o, e->out_dir, "/", rel)) {
                mkdir(o, 0750);
            }
        }
        return walk_dir(e, path, rel);
    }
    if (!S_ISREG(st.st_mode)) {
        return 0;
    }
    char o[4096];
    if (!e->in_place && !join3(o, sizeof o, e->out_dir, "/", rel)) {
        e->failed++;
        say_error(path, "the output path is too long", NULL);
        return 0;
    }
    expire_file(e, path, e->in_place ? path : o); /* a failure is counted; go on */
    return 0;
}

static int usage(FILE *fp, int status)
{
    fprintf(fp, "Usage: logscrub expire [--now TIME] [--name NAME] [--quiet] (--in-place | -O DIR) "
                "PATH...\n"
                "Removes the records whose expiry tag (retention:) has passed: the JSON or logfmt\n"
                "member _expires (or NAME), or the last ' expires=TIME' of a text line. Lines\n"
                "without a tag are kept. Files may be plain, .gz or .zst (by their bytes; the\n"
                "output keeps the compression); directories are walked.\n"
                "  --in-place   replace each file that has expired records, crash-safely (the\n"
                "               path holds the complete old or the complete new file at every\n"
                "               instant; unchanged files are not rewritten)\n"
                "  -O DIR       write every file to DIR instead, keeping relative paths\n"
                "  --now TIME   the current time (RFC 3339 or epoch seconds), for tests and\n"
                "               catch-up runs; default: now\n"
                "  --quiet      no per-file summary\n"
                "Exit status: 0 all files done; 1 bad usage; 2 some file failed (it is left as\n"
                "it was, and the others are still done).\n");
    return status;
}

int lsc_cli_expire(int argc, char **argv)
{
    static const struct option opts[] = {
        {"now", required_argument, NULL, 'n'}, {"name", required_argument, NULL, 'N'},
        {"in-place", no_argument, NULL, 'i'},  {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    struct expire *e = calloc(1, sizeof *e);
    if (e == NULL) {
        fprintf(stderr, "logscrub expire: out of memory\n");
        return EXIT_IO;
    }
    e->now = (int64_t)time(NULL);
    e->name = "_expires";
    int c, rc = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "O:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!lsc_time_parse(optarg, strlen(optarg), e->now, &e->now)) {
                fprintf(stderr,
                        "logscrub expire: --now '%s' is not a time (use RFC 3339 like "
                        "2026-11-22T10:00:00Z, or epoch seconds)\n",
                        optarg);
                free(e);
                return EXIT_USAGE;
            }
            break;
        case 'N':
            e->name = optarg;
            break;
        case 'i':
            e->in_place = true;
            break;
        case 'O':
            e->out_dir = optarg;
            break;
        case 'q':
            e->quiet = true;
            break;
        case 'h':
            free(e);
            return usage(stdout, 0);
        default:
            free(e);
            return usage(stderr, EXIT_USAGE);
        }
    }
    if (optind >= argc || e->in_place == (e->out_dir != NULL)) {
        fprintf(stderr, "logscrub expire: give PATHs and exactly one of --in-place or -O DIR\n");
        free(e);
        return usage(stderr, EXIT_USAGE);
    }
    if (e->out_dir != NULL && mkdir(e->out_dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "logscrub expire: cannot create %s: %s\n", e->out_dir, strerror(errno));
        free(e);
        return EXIT_IO;
    }
    for (int i = optind; i < argc; i++) {
        const char *slash = strrchr(argv[i], '/');
        const char *rel = slash && slash[1] ? slash + 1 : argv[i];
        walk(e, argv[i], rel);
    }
    if (!e->quiet || e->failed > 0) {
        fprintf(stderr,
                "logscrub expire: %llu files (%llu rewritten, %llu failed), %llu records, "
                "%llu expired\n",
                (unsigned long long)e->files, (unsigned long long)e->rewritten,
                (unsigned long long)e->failed, (unsigned long long)e->records,
                (unsigned long long)e->expired);
    }
    rc = e->failed > 0 ? EXIT_IO : 0;
    free(e);
    return rc;
}
