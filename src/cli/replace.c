/*
 * replace.c - replacing a file crash-safely, for every command that rewrites logs in
 * place or into another directory (expire, erase, batch).
 *
 * The new content goes to an unnamed file in the target's directory (O_TMPFILE; a hidden
 * ".NAME.logscrub-new" where that is not supported), is fsynced by the caller, linked in
 * under the hidden name, renamed over the target, and the directory is fsynced. At every
 * instant the path holds the complete old or the complete new file. A hidden
 * ".NAME.logscrub-new" found later is an interrupted run's: the original is intact.
 */
#include "replace.h"

#include "../io/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
