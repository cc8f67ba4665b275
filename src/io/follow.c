/*
 * follow.c - followed files and the state file (see follow.h).
 *
 * The state file is text, one file per line:
 *   logscrub-state 2
 *   DEV INO SIZE OFFSET FP_LEN FP_HEX PATH
 * (version 1, without SIZE, is still read). SIZE is the file's size when the state was
 * written: with OFFSET it says how much was still unread then.
 * It is replaced atomically (temporary file, fsync, rename, fsync of the directory), so a
 * crash leaves the old state or the new one, never half of either.
 */
#include "follow.h"

#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#define READ_CHUNK (64 * 1024)

bool lsc_fingerprint(int fd, size_t n, uint64_t *out)
{
    char buf[LSC_FP_MAX];
    if (n > sizeof buf) {
        return false;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, buf + got, n - got, (off_t)got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    *out = XXH3_64bits(buf, n);
    return true;
}

void lsc_tailed_refresh_fp(struct lsc_tailed *t)
{
    struct stat sb;
    if (t->fp_len >= LSC_FP_MAX || fstat(t->fd, &sb) != 0) {
        return;
    }
    size_t n = sb.st_size < LSC_FP_MAX ? (size_t)sb.st_size : LSC_FP_MAX;
    uint64_t fp;
    if (n > t->fp_len && lsc_fingerprint(t->fd, n, &fp)) {
        t->fp = fp;
        t->fp_len = n;
    }
}

struct lsc_tailed *lsc_tailed_open(const char *path, uint64_t offset)
{
    struct lsc_tailed *t = calloc(1, sizeof *t);
    if (t == NULL) {
        return NULL;
    }
    t->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    if (t->fd < 0 || fstat(t->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        (t->path = strdup(path)) == NULL) {
        int saved = errno;
        if (t->fd >= 0 && !S_ISREG(sb.st_mode)) {
            saved = EINVAL;
        }
        lsc_tailed_free(t);
        errno = saved;
        return NULL;
    }
    t->dev = sb.st_dev;
    t->ino = sb.st_ino;
    t->offset = offset;
    lsc_tailed_refresh_fp(t);
    return t;
}

void lsc_tailed_free(struct lsc_tailed *t)
{
    if (t == NULL) {
        return;
    }
    if (t->fd >= 0) {
        close(t->fd);
    }
    free(t->path);
    free(t->buf);
    free(t);
}

ssize_t lsc_tailed_read(struct lsc_tailed *t, size_t budget, size_t max_line)
{
    size_t total = 0;
    lsc_tailed_compact(t);
    while (total < budget) {
        /* Room for one more chunk; the buffer holds at most max_line + READ_CHUNK bytes, as
         * a partial line longer than max_line is never kept (see below). */
        if (t->cap - t->len < READ_CHUNK) {
            size_t want = t->cap ? t->cap * 2 : 2 * READ_CHUNK;
            want = want < t->len + READ_CHUNK ? t->len + READ_CHUNK : want;
            want = want > max_line + READ_CHUNK ? max_line + READ_CHUNK : want;
            if (want > t->cap) {
                char *nb = realloc(t->buf, want);
                if (nb == NULL) {
                    return -1;
                }
                t->buf = nb;
                t->cap = want;
            }
        }
        size_t room = t->cap - t->len;
        off_t at = (off_t)(t->offset + (t->len - t->start));
        ssize_t r = pread(t->fd, t->buf + t->len, room, at);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            break;
        }
        t->len += (size_t)r;
        total += (size_t)r;
        if (t->len - t->start > max_line &&
            memchr(t->buf + t->start, '\n', t->len - t->start) == NULL) {
            /* Inside a line longer than max_line: its bytes are dropped as they come (the
             * line fails closed when its end arrives), only its length is kept. */
            t->in_long = true;
            t->long_len += t->len - t->start;
            t->offset += t->len - t->start;
            t->len = t->start;
        }
        if (t->len == t->cap) {
            lsc_tailed_compact(t);
        }
    }
    return (ssize_t)total;
}

bool lsc_tailed_next(struct lsc_tailed *t, size_t max_line, struct lsc_tail_line *out)
{
    const char *p = t->buf + t->start;
    size_t avail = t->len - t->start;
    const char *nl = avail > 0 ? memchr(p, '\n', avail) : NULL;
    if (nl == NULL) {
        return false;
    }
    size_t len = (size_t)(nl - p);
    if (t->in_long || len > max_line) {
        out->p = NULL;
        out->len = (size_t)t->long_len + len;
        out->oversize = true;
        t->in_long = false;
        t->long_len = 0;
    } else {
        out->p = p;
        out->len = len;
        out->oversize = false;
    }
    t->start += len + 1;
    t->offset += len + 1;
    return true;
}

void lsc_tailed_compact(struct lsc_tailed *t)
{
    if (t->start > 0) {
        memmove(t->buf, t->buf + t->start, t->len - t->start);
        t->len -= t->start;
        t->start = 0;
    }
}

bool lsc_state_read(const char *path, struct lsc_state_entry **out, size_t *n, char *err,
                    size_t errlen)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        if (errno == ENOENT) {
            return true;
        }
        snprintf(err, errlen, "cannot read state file '%s': %s", path, strerror(errno));
        return false;
    }
    char line[4096 + 200];
    size_t cap = 0, lineno = 0;
    int version = 0;
    bool ok = true;
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t l = strlen(line);
        if (l > 0 && line[l - 1] == '\n') {
            line[--l] = '\0';
        }
        if (lineno == 1) {
            version = strcmp(line, "logscrub-state 2") == 0   ? 2
                      : strcmp(line, "logscrub-state 1") == 0 ? 1
                                                              : 0;
            if (version == 0) {
                snprintf(err, errlen, "'%s' is not a logscrub state file (line 1)", path);
                ok = false;
                break;
            }
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            struct lsc_state_entry *v = realloc(*out, cap * sizeof *v);
            if (v == NULL) {
                snprintf(err, errlen, "out of memory reading '%s'", path);
                ok = false;
                break;
            }
            *out = v;
        }
        struct lsc_state_entry *e = &(*out)[*n];
        uintmax_t dev, ino, size = 0, off, fpl;
        uint64_t fp;
        int pos = 0;
        int got = version == 2 ? sscanf(line, "%ju %ju %ju %ju %ju %16" SCNx64 " %n", &dev, &ino,
                                        &size, &off, &fpl, &fp, &pos) -
                                     1
                               : sscanf(line, "%ju %ju %ju %ju %16" SCNx64 " %n", &dev, &ino, &off,
                                        &fpl, &fp, &pos);
        if (got != 5 || pos <= 0 || fpl > LSC_FP_MAX || strlen(line + pos) >= sizeof e->path ||
            line[pos] == '\0') {
            snprintf(err, errlen, "%s:%zu: not a state line (DEV INO SIZE OFFSET FP_LEN FP PATH)",
                     path, lineno);
            ok = false;
            break;
        }
        e->dev = (dev_t)dev;
        e->ino = (ino_t)ino;
        e->size = (uint64_t)size;
        e->offset = (uint64_t)off;
        e->fp_len = (size_t)fpl;
        e->fp = fp;
        snprintf(e->path, sizeof e->path, "%s", line + pos);
        (*n)++;
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "cannot read state file '%s': %s", path, strerror(errno));
        ok = false;
    }
    fclose(f);
    if (!ok) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return ok;
}

bool lsc_state_write(const char *path, struct lsc_tailed *const *files, size_t n)
{
    char tmp[4096 + 32];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return false;
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return false;
    }
    fprintf(f, "logscrub-state 2\n");
    for (size_t i = 0; i < n; i++) {
        const struct lsc_tailed *t = files[i];
        struct stat sb;
        uint64_t size = fstat(t->fd, &sb) == 0 ? (uint64_t)sb.st_size : t->offset;
        fprintf(f, "%ju %ju %" PRIu64 " %" PRIu64 " %zu %016" PRIx64 " %s\n", (uintmax_t)t->dev,
                (uintmax_t)t->ino, size, t->offset, t->fp_len, t->fp, t->path);
    }
    bool ok = fflush(f) == 0 && fsync(fd) == 0;
    int saved = errno;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        saved = ok ? errno : saved;
        unlink(tmp);
        errno = saved;
        return false;
    }
    lsc_sync_dir_of(path); /* the rename is durable once the directory is */
    return true;
}
