/*
 * writer.c - getting bytes out: complete writes despite EINTR and short writes, and the
 * "would the next read block?" test that decides when buffered output must be flushed.
 */
#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

lsc_error lsc_writev_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EPIPE) {
            return LSC_EPIPE;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = EIO;
            }
            return LSC_EWRITE;
        }
        size_t left = (size_t)w;
        while (n > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return LSC_OK;
}

lsc_error lsc_write_all(int fd, const char *p, size_t n)
{
    struct iovec iov = {(void *)p, n};
    return n > 0 ? lsc_writev_all(fd, &iov, 1) : LSC_OK;
}

bool lsc_input_ready(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r;
    do {
        r = poll(&pfd, 1, 0);
    } while (r < 0 && errno == EINTR);
    return r != 0;
}

void lsc_split_path(const char *path, char *dir, size_t dcap, const char **base)
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

void lsc_sync_dir_of(const char *path)
{
    char dir[4096];
    const char *base;
    lsc_split_path(path, dir, sizeof dir, &base);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}
