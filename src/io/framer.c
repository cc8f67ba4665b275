/*
 * framer.c - cuts a byte stream into lines.
 *
 * Reads big blocks into one buffer, finds '\n' (lsc_find_newline), and hands out slices of the
 * buffer: no copy per line. A partial line at the end of a block is moved to the front
 * before the next read. Bytes are not interpreted: CR, NUL and invalid UTF-8 are ordinary
 * line bytes. A line longer than max_line is never held whole: it is handed out in pieces
 * (LONG_PART ... LONG_END) so the caller can fail it closed in bounded memory.
 */
#include "io.h"

#include "archive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool lsc_framer_init(struct lsc_framer *f, int fd, size_t max_line, size_t read_block)
{
    memset(f, 0, sizeof *f);
    f->fd = fd;
    f->max_line = max_line;
    f->read_block = read_block > 0 ? read_block : LSC_READ_BLOCK;
    f->cap = max_line + 1 + f->read_block;
    f->buf = lsc_pages_alloc(f->cap, true);
    return f->buf != NULL;
}

void lsc_framer_free(struct lsc_framer *f)
{
    if (f == NULL) {
        return;
    }
    lsc_pages_free(f->buf, f->cap);
    f->buf = NULL;
}

/*
 * Does the next read start over at the front of the buffer? Yes when all was handed out;
 * when less than a read's room is left; and when half a read is in and the partial line
 * left over is short (at most a quarter of a read): it moves to the front, so the reads
 * keep to the buffer's first pages instead of marching through all max_line + read_block
 * bytes of it. A page touched for the first time is dear (10 us in this project's VM): the
 * march cost 250 of them, a quarter of a 100 MB run's page faults.
 */
static bool starts_over(const struct lsc_framer *f)
{
    size_t rest = f->fill - f->start;
    return f->start > 0 && (rest == 0 || f->cap - f->fill < f->read_block ||
                            (f->fill >= f->read_block / 2 && rest <= f->read_block / 4));
}

/* Reads one block; returns 1 on data, 0 at end of input, -1 on error, -2 on abort. */
static int fill(struct lsc_framer *f)
{
    /* Called before the bytes handed out move or are overwritten: stream.c and parallel.c
     * rely on it. */
    if (f->before_read != NULL && f->before_read(f->ctx) != 0) {
        return -2;
    }
    if (f->start == f->fill) {
        f->start = f->fill = f->scan = 0;
    } else if (starts_over(f)) {
        size_t keep = f->fill - f->start;
        memmove(f->buf, f->buf + f->start, keep);
        f->scan -= f->start;
        f->fill = keep;
        f->start = 0;
    }
    size_t want = f->cap - f->fill;
    if (want > f->read_block) {
        want = f->read_block;
    }
    for (;;) {
        ssize_t r = f->src ? lsc_source_read(f->src, f->buf + f->fill, want)
                           : read(f->fd, f->buf + f->fill, want);
        if (r == -2) {
            f->archive_error = true;
            return -1;
        }
        if (r > 0) {
            f->fill += (size_t)r;
            return 1;
        }
        if (r == 0) {
            f->eof = true;
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

static enum lsc_frame_kind long_piece(struct lsc_framer *f, struct lsc_frame *out)
{
    for (;;) {
        char *nl = memchr(f->buf + f->start, '\n', f->fill - f->start);
        size_t end = nl ? (size_t)(nl - f->buf) : f->fill;
        if (nl != NULL || end > f->start || f->eof) {
            out->p = f->buf + f->start;
            out->len = end - f->start;
            out->nl = nl != NULL;
            f->long_len += out->len;
            f->start = nl ? end + 1 : end;
            f->scan = f->start;
            if (nl != NULL || f->eof) {
                out->total = f->long_len;
                f->in_long = false;
                return LSC_FRAME_LONG_END;
            }
            return LSC_FRAME_LONG_PART;
        }
        int r = fill(f);
        if (r == -1) {
            return LSC_FRAME_ERROR;
        }
        if (r == -2) {
            return LSC_FRAME_ABORT;
        }
    }
}

/*
 * The buffer holds no newline after start: the partial line turns into a long one, is the
 * last line of the input, or waits for the next read. True (with *k) when that ends the
 * call; false when the caller should look again.
 */
static bool without_newline(struct lsc_framer *f, struct lsc_frame *out, enum lsc_frame_kind *k)
{
    f->scan = f->fill;
    if (f->fill - f->start > f->max_line) {
        f->in_long = true;
        f->long_len = 0;
        return false;
    }
    if (f->eof) {
        if (f->fill == f->start) {
            *k = LSC_FRAME_EOF;
            return true;
        }
        out->p = f->buf + f->start;
        out->len = f->fill - f->start;
        out->nl = false;
        f->start = f->scan = f->fill;
        *k = LSC_FRAME_LINE;
        return true;
    }
    int r = fill(f);
    *k = r == -1 ? LSC_FRAME_ERROR : LSC_FRAME_ABORT;
    return r < 0;
}

enum lsc_frame_kind lsc_framer_next(struct lsc_framer *f, struct lsc_frame *out)
{
    for (;;) {
        if (f->in_long) {
            return long_piece(f, out);
        }
        const char *nl = lsc_find_newline(f->buf + f->scan, f->buf + f->fill);
        if (nl != NULL) {
            size_t len = (size_t)(nl - f->buf) - f->start;
            if (len > f->max_line) {
                f->in_long = true;
                f->long_len = 0;
                continue;
            }
            out->p = f->buf + f->start;
            out->len = len;
            out->nl = true;
            f->start += len + 1;
            f->scan = f->start;
            return LSC_FRAME_LINE;
        }
        enum lsc_frame_kind k;
        if (without_newline(f, out, &k)) {
            return k;
        }
    }
}

bool lsc_framer_will_move(const struct lsc_framer *f)
{
    return starts_over(f);
}

char *lsc_framer_swap(struct lsc_framer *f, char *fresh)
{
    size_t keep = f->fill - f->start;
    memcpy(fresh, f->buf + f->start, keep);
    char *old = f->buf;
    f->buf = fresh;
    f->scan -= f->start;
    f->fill = keep;
    f->start = 0;
    return old;
}

enum lsc_frame_kind lsc_framer_next_block(struct lsc_framer *f, struct lsc_frame *out)
{
    for (;;) {
        if (f->in_long) {
            return long_piece(f, out);
        }
        /* Bytes before scan hold no newline (they were searched before the last read). */
        char *nl = memrchr(f->buf + f->scan, '\n', f->fill - f->scan);
        if (nl != NULL) {
            out->p = f->buf + f->start;
            out->len = (size_t)(nl - f->buf) + 1 - f->start;
            out->nl = true;
            f->start += out->len;
            f->scan = f->start;
            return LSC_FRAME_LINE;
        }
        enum lsc_frame_kind k;
        if (without_newline(f, out, &k)) {
            return k;
        }
    }
}
