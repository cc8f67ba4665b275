/*
 * writer.c - getting bytes out: complete writes despite EINTR and short writes, and the
 * "would the next read block?" test that decides when buffered output must be flushed.
 */
#include "io.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

lsc_error lsc_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EPIPE) {
            return LSC_EPIPE;
        }
        if (w == 0) {
            errno = EIO;
        }
        return LSC_EWRITE;
    }
    return LSC_OK;
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
