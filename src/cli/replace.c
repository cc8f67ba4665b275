/*
 * replace.c - replacing a file crash-safely, for every command that rewrites logs in
 * place or into another directory (expire, erase, batch).
 *
 * The new content goes to an unnamed file in the target's directory (O_TMPFILE; a hidden
 * ".NAME.logscrub-new" where that is not supported), is fsynced by the caller, linked in
 * under the hidden name, renamed over the target, and the directory is fsynced. At every
 * instant the path holds the complete old or the complete new file. A hidden
 * ".NAME.logscrub-new" found later is an interrupted run's: the original is intact.
 * lsc_walk goes through the trees those commands are given, and removes such leftovers.
 */
#include "replace.h"

#include "../io/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* out = a + mid + b. False (out empty) when it does not fit. */
bool lsc_join3(char *out, size_t cap, const char *a, const char *mid, const char *b)
{
    int n = snprintf(out, cap, "%s%s%s", a, mid, b);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* The hidden name of base's new file in dir. */
bool lsc_tmp_name(char *out, size_t cap, const char *dir, const char *base)
{
    char b[512];
    return lsc_join3(b, sizeof b, ".", base, TMP_SUFFIX) && lsc_join3(out, cap, dir, "/", b);
}

/* Opens the output: an unnamed file in dir, else a hidden named one. */
int lsc_open_tmp(const char *dir, const char *base, char *named, size_t cap)
{
    named[0] = '\0';
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd >= 0) {
        return fd;
    }
#endif
    if (!lsc_tmp_name(named, cap, dir, base)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    unlink(named);
    return open(named, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
}

/* Gives fd the path final: link it in (unnamed files) and rename over. */
int lsc_commit(int fd, const char *named, const char *dir, const char *base, const char *final)
{
    char tmp[4096];
    if (named[0] == '\0') {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        if (!lsc_tmp_name(tmp, sizeof tmp, dir, base)) {
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
    lsc_sync_dir_of(final); /* the rename itself is durable */
    return 0;
}

bool lsc_is_leftover(const char *name)
{
    size_t n = strlen(name), s = strlen(TMP_SUFFIX);
    return name[0] == '.' && n > s && strcmp(name + n - s, TMP_SUFFIX) == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned walk(const struct lsc_walk *w, const char *path, const char *rel)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        fprintf(stderr, "logscrub %s: %s: cannot open: %s\n", w->verb, path, strerror(errno));
        return 1;
    }
    if (S_ISLNK(st.st_mode)) {
        fprintf(stderr, "logscrub %s: %s: a symbolic link, skipped (give its target)\n", w->verb,
                path);
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        return w->file(w->ctx, path, rel, &st) != 0;
    }
    if (!S_ISDIR(st.st_mode) || (w->dir != NULL && w->dir(w->ctx, path, rel, &st) != 0)) {
        return 0;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(stderr, "logscrub %s: %s: cannot read the directory: %s\n", w->verb, path,
                strerror(errno));
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    unsigned problems = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            continue;
        }
        if (lsc_is_leftover(name)) {
            char p[4096];
            if (lsc_join3(p, sizeof p, path, "/", name)) {
                unlink(p); /* an interrupted run's new file; the original is intact */
            }
            continue;
        }
        if (w->skip_hidden && name[0] == '.') {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (nn == NULL) {
                problems++;
                break;
            }
            names = nn;
        }
        if ((names[n] = strdup(name)) == NULL) {
            problems++;
            break;
        }
        n++;
    }
    closedir(d);
    if (n > 1) {
        qsort(names, n, sizeof *names, by_name); /* the same order on every run */
    }
    for (size_t i = 0; i < n; i++) {
        char p[4096], r[4096];
        if (!lsc_join3(p, sizeof p, path, "/", names[i]) ||
            !lsc_join3(r, sizeof r, rel, rel[0] ? "/" : "", names[i])) {
            fprintf(stderr, "logscrub %s: %s/%s: the path is too long\n", w->verb, path, names[i]);
            problems++;
        } else {
            problems += walk(w, p, r);
        }
        free(names[i]);
    }
    free(names);
    return problems;
}

unsigned lsc_walk(const struct lsc_walk *w, const char *path, const char *rel)
{
    return walk(w, path, rel);
}
