/*
 * archive.c - gzip and zstd streams under the framer and the writer.
 *
 * Reading: the first bytes decide (1f 8b: gzip, 28 b5 2f fd: zstd, anything else: plain,
 * passed through). gzip files made of several members (cat a.gz b.gz) are read whole;
 * so are several zstd frames. The input must end exactly at the end of a member or frame:
 * anything else - cut short, a bad checksum, garbage after a member - is an error with a
 * message, so a damaged archive can never pass for a shorter log.
 * Writing: gzip (level 6) or zstd (level 3), flushed at the end with a proper trailer.
 */
#include "archive.h"

#include "io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_SIZE (128 * 1024)

struct lsc_source {
    int fd;
    enum lsc_compress kind;
    bool detected;
    bool in_eof;
    bool member_done; /* the last member/frame ended cleanly */
    bool pending;     /* the decoder may hold output that needs no more input */
    unsigned char *in;
    size_t in_pos, in_len;
    z_stream z;
    bool z_ready;
    ZSTD_DCtx *zd;
    char error[128];
};

struct lsc_source *lsc_source_new(int fd)
{
    struct lsc_source *s = calloc(1, sizeof *s);
    if (s == NULL || (s->in = malloc(IN_SIZE)) == NULL) {
        free(s);
        return NULL;
    }
    s->fd = fd;
    return s;
}

void lsc_source_free(struct lsc_source *s)
{
    if (s == NULL) {
        return;
    }
    if (s->z_ready) {
        inflateEnd(&s->z);
    }
    ZSTD_freeDCtx(s->zd);
    free(s->in);
    free(s);
}

const char *lsc_source_error(const struct lsc_source *s)
{
    return s->error;
}

enum lsc_compress lsc_source_kind(const struct lsc_source *s)
{
    return s->kind;
}

/* Refills the input buffer when it is empty. Returns 1, 0 at end of file, -1 on error. */
static int fill(struct lsc_source *s)
{
    if (s->in_pos < s->in_len) {
        return 1;
    }
    if (s->in_eof) {
        return 0;
    }
    for (;;) {
        ssize_t r = read(s->fd, s->in, IN_SIZE);
        if (r > 0) {
            s->in_pos = 0;
            s->in_len = (size_t)r;
            return 1;
        }
        if (r == 0) {
            s->in_eof = true;
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

static ssize_t fail(struct lsc_source *s, const char *what)
{
    snprintf(s->error, sizeof s->error, "%s", what);
    return -2;
}

static ssize_t read_gzip(struct lsc_source *s, char *buf, size_t n)
{
    for (;;) {
        if (s->member_done) {
            int f = fill(s);
            if (f <= 0) {
                return f; /* the end, right after a complete member (or a read error) */
            }
            if (s->in[s->in_pos] != 0x1f) {
                return fail(s, "gzip archive has trailing garbage after a member");
            }
            if (inflateReset(&s->z) != Z_OK) {
                return fail(s, "gzip reset failed");
            }
            s->member_done = false; /* another member follows (cat a.gz b.gz) */
        }
        if (s->in_pos == s->in_len && !s->pending) {
            int f = fill(s);
            if (f < 0) {
                return -1;
            }
            if (f == 0) {
                return fail(s, "gzip archive is truncated");
            }
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        s->z.next_out = (unsigned char *)buf;
        s->z.avail_out = (uInt)n;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        size_t got = n - s->z.avail_out;
        s->pending = s->z.avail_out == 0; /* more output may wait without more input */
        if (rc == Z_STREAM_END) {
            s->member_done = true;
            s->pending = false;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            char m[120];
            snprintf(m, sizeof m, "gzip archive is corrupt (%s)", s->z.msg ? s->z.msg : "zlib");
            return fail(s, m);
        }
        if (got > 0) {
            return (ssize_t)got;
        }
    }
}

static ssize_t read_zstd(struct lsc_source *s, char *buf, size_t n)
{
    for (;;) {
        if (s->in_pos == s->in_len && !s->pending) {
            int f = fill(s);
            if (f < 0) {
                return -1;
            }
            if (f == 0) {
                return s->member_done ? 0 : fail(s, "zstd archive is truncated");
            }
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        ZSTD_outBuffer out = {buf, n, 0};
        size_t rc = ZSTD_decompressStream(s->zd, &out, &in);
        s->in_pos = in.pos;
        if (ZSTD_isError(rc)) {
            char m[120];
            snprintf(m, sizeof m, "zstd archive is corrupt (%s)", ZSTD_getErrorName(rc));
            return fail(s, m);
        }
        s->member_done = rc == 0; /* a frame ended here, all of it written out */
        s->pending = out.pos == out.size;
        if (out.pos > 0) {
            return (ssize_t)out.pos;
        }
    }
}

ssize_t lsc_source_read(struct lsc_source *s, char *buf, size_t n)
{
    if (!s->detected) {
        int f = fill(s);
        if (f < 0) {
            return -1;
        }
        /* A magic number may straddle reads from a pipe: gather four bytes if we can. */
        while (f > 0 && s->in_len < 4 && !s->in_eof) {
            ssize_t r = read(s->fd, s->in + s->in_len, IN_SIZE - s->in_len);
            if (r > 0) {
                s->in_len += (size_t)r;
            } else if (r == 0) {
                s->in_eof = true;
            } else if (errno != EINTR) {
                return -1;
            }
        }
        const unsigned char *m = s->in;
        size_t have = s->in_len;
        if (have >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
            s->kind = LSC_COMPRESS_GZIP;
            if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
                return fail(s, "out of memory for gzip");
            }
            s->z_ready = true;
        } else if (have >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
            s->kind = LSC_COMPRESS_ZSTD;
            if ((s->zd = ZSTD_createDCtx()) == NULL) {
                return fail(s, "out of memory for zstd");
            }
        }
        s->detected = true;
    }
    switch (s->kind) {
    case LSC_COMPRESS_GZIP:
        return read_gzip(s, buf, n);
    case LSC_COMPRESS_ZSTD:
        return read_zstd(s, buf, n);
    case LSC_COMPRESS_NONE:
        break;
    }
    if (s->in_pos < s->in_len) {
        size_t k = s->in_len - s->in_pos < n ? s->in_len - s->in_pos : n;
        memcpy(buf, s->in + s->in_pos, k);
        s->in_pos += k;
        return (ssize_t)k;
    }
    if (s->in_eof) {
        return 0;
    }
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r >= 0 || errno != EINTR) {
            if (r == 0) {
                s->in_eof = true;
            }
            return r;
        }
    }
}

enum lsc_compress lsc_compress_for_name(const char *path)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
        return LSC_COMPRESS_GZIP;
    }
    if (n > 4 && strcmp(path + n - 4, ".zst") == 0) {
        return LSC_COMPRESS_ZSTD;
    }
    return LSC_COMPRESS_NONE;
}

struct lsc_sink {
    int fd;
    enum lsc_compress kind;
    z_stream z;
    ZSTD_CCtx *zc;
    unsigned char *out;
};

#define OUT_SIZE (128 * 1024)

struct lsc_sink *lsc_sink_new(int fd, enum lsc_compress c)
{
    struct lsc_sink *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->fd = fd;
    s->kind = c;
    if (c != LSC_COMPRESS_NONE && (s->out = malloc(OUT_SIZE)) == NULL) {
        free(s);
        return NULL;
    }
    if (c == LSC_COMPRESS_GZIP &&
        deflateInit2(&s->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(s->out);
        free(s);
        return NULL;
    }
    if (c == LSC_COMPRESS_ZSTD) {
        s->zc = ZSTD_createCCtx();
        if (s->zc == NULL ||
            ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel, 3)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_checksumFlag, 1))) {
            ZSTD_freeCCtx(s->zc);
            free(s->out);
            free(s);
            return NULL;
        }
    }
    return s;
}

static int put(struct lsc_sink *s, size_t n)
{
    if (n == 0) {
        return 0;
    }
    lsc_error e = lsc_write_all(s->fd, (const char *)s->out, n);
    if (e != LSC_OK) {
        errno = e == LSC_EPIPE ? EPIPE : errno;
        return -1;
    }
    return 0;
}

static int gz(struct lsc_sink *s, const char *p, size_t n, int flush)
{
    s->z.next_in = (unsigned char *)(uintptr_t)p;
    s->z.avail_in = (uInt)n;
    int rc;
    do {
        s->z.next_out = s->out;
        s->z.avail_out = OUT_SIZE;
        rc = deflate(&s->z, flush);
        if (rc == Z_STREAM_ERROR || put(s, OUT_SIZE - s->z.avail_out) != 0) {
            return -1;
        }
    } while (s->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return 0;
}

static int zs(struct lsc_sink *s, const char *p, size_t n, ZSTD_EndDirective end)
{
    ZSTD_inBuffer in = {p, n, 0};
    size_t left;
    do {
        ZSTD_outBuffer out = {s->out, OUT_SIZE, 0};
        left = ZSTD_compressStream2(s->zc, &out, &in, end);
        if (ZSTD_isError(left) || put(s, out.pos) != 0) {
            errno = ZSTD_isError(left) ? EIO : errno;
            return -1;
        }
    } while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
    return 0;
}

int lsc_sink_write(struct lsc_sink *s, const char *p, size_t n)
{
    switch (s->kind) {
    case LSC_COMPRESS_GZIP:
        return n > 0 ? gz(s, p, n, Z_NO_FLUSH) : 0;
    case LSC_COMPRESS_ZSTD:
        return n > 0 ? zs(s, p, n, ZSTD_e_continue) : 0;
    case LSC_COMPRESS_NONE:
        break;
    }
    lsc_error e = lsc_write_all(s->fd, p, n);
    if (e != LSC_OK) {
        errno = e == LSC_EPIPE ? EPIPE : errno;
        return -1;
    }
    return 0;
}

int lsc_sink_finish(struct lsc_sink *s)
{
    if (s == NULL) {
        return 0;
    }
    int rc = 0;
    if (s->kind == LSC_COMPRESS_GZIP) {
        rc = gz(s, "", 0, Z_FINISH);
        deflateEnd(&s->z);
    } else if (s->kind == LSC_COMPRESS_ZSTD) {
        rc = zs(s, "", 0, ZSTD_e_end);
        ZSTD_freeCCtx(s->zc);
    }
    free(s->out);
    free(s);
    return rc;
}
