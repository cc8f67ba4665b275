/*
 * io.h - moving bytes: the framer that cuts input into lines and the writer that puts
 * output out. Neither looks at what the bytes mean.
 */
#ifndef LSC_IO_H
#define LSC_IO_H

#include "logscrub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define LSC_READ_BLOCK (256 * 1024)
#define LSC_READ_MIN (64 * 1024)

enum lsc_frame_kind {
    LSC_FRAME_LINE,      /* a complete line of at most max_line bytes */
    LSC_FRAME_LONG_PART, /* a piece of a line longer than max_line (more follows) */
    LSC_FRAME_LONG_END,  /* the last piece of such a line (maybe empty) */
    LSC_FRAME_EOF,
    LSC_FRAME_ERROR, /* read failed; errno is set */
    LSC_FRAME_ABORT, /* the before-read hook asked to stop */
};

struct lsc_frame {
    const char *p; /* points into the framer's buffer; valid until the next call */
    size_t len;    /* bytes, without the newline */
    bool nl;       /* the line ended with '\n' (false only for the last line of input) */
    size_t total;  /* LONG_END: length of the whole long line */
};

/*
 * The first '\n' in [s, e), or NULL. Inline, 64 bytes a step: four SSE2 compares and one
 * test of their OR, the place worked out only in the step that holds it. The framer looked
 * for each line's end with memchr, whose call and set-up for a line of a few hundred bytes
 * took 6-7 % of an nginx run's time (perf); this takes 2-3 % less time over all (thirty-
 * seventh pass in bench/RESULTS.md), though it runs more instructions than memchr's 32-byte
 * vectors. Under 64 bytes left, memchr.
 */
static inline const char *lsc_find_newline(const char *s, const char *e)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    while (e - s >= 64) {
        __m128i c[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            c[k] = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + 16 * k)), nl);
        }
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(c[0], c[1]), _mm_or_si128(c[2], c[3]))) !=
            0) {
            uint64_t m = 0;
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                m |= (uint64_t)(uint32_t)_mm_movemask_epi8(c[k]) << (16 * k);
            }
            return s + __builtin_ctzll(m);
        }
        s += 64;
    }
#endif
    return memchr(s, '\n', (size_t)(e - s));
}

struct lsc_source;

struct lsc_framer {
    int fd;
    struct lsc_source *src; /* if not NULL, reads go through it (decompression) */
    bool archive_error;     /* the last LSC_FRAME_ERROR was a damaged archive */
    char *buf;
    size_t cap, start, fill, scan;
    size_t max_line;
    size_t read_block;
    bool eof;
    bool in_long;
    size_t long_len;
    /* Called before each read, before the bytes of earlier frames move or are overwritten;
     * non-zero aborts. */
    int (*before_read)(void *ctx);
    void *ctx;
};

/*
 * Prepares f to read fd. max_line is the longest line handed over whole; read_block the
 * size of each read (LSC_READ_BLOCK in production; tests use tiny ones). Returns false on
 * allocation failure. The buffer holds max_line + read_block bytes and never grows (in huge
 * pages: lsc_pages_alloc).
 */
bool lsc_framer_init(struct lsc_framer *f, int fd, size_t max_line, size_t read_block);
void lsc_framer_free(struct lsc_framer *f);
enum lsc_frame_kind lsc_framer_next(struct lsc_framer *f, struct lsc_frame *out);

/*
 * Like lsc_framer_next, but a LINE frame holds every complete line the buffer has: p[0..len)
 * is one or more lines, each ending in '\n' (nl true), or at the end of input the last line
 * without one (nl false, len > 0). Lines in a block may be longer than max_line (the caller
 * checks); a run of more than max_line bytes without a newline still comes as LONG pieces.
 * For callers that hand whole blocks to other threads; one framer is read by one of the two.
 */
enum lsc_frame_kind lsc_framer_next_block(struct lsc_framer *f, struct lsc_frame *out);

/*
 * For a caller that keeps the frames' bytes where they are (parallel.c): will the next read
 * move or overwrite bytes already handed out? (It can be asked from before_read.)
 */
bool lsc_framer_will_move(const struct lsc_framer *f);

/*
 * Gives the framer the buffer fresh (f->cap bytes, from lsc_pages_alloc) and returns its old
 * one, which the caller now owns (lsc_pages_free(old, f->cap)): the frames handed out since
 * the last swap stay where they point, in the old buffer; the bytes not handed out yet move
 * to the start of fresh.
 */
char *lsc_framer_swap(struct lsc_framer *f, char *fresh);

/*
 * A buffer of size bytes: from LSC_PAGES_MIN on, a mapping of whole 2 MiB pages, in huge
 * pages if huge and the kernel gives them (pages.c says when that pays); smaller, from
 * malloc. lsc_pages_free takes the size it was asked for (and NULL).
 */
#define LSC_PAGES_MIN ((size_t)1 << 20)
/* 1 in a sanitizer build, where every such buffer comes from malloc (ASan watches its
 * memory, not a mapping's). */
#if defined(__SANITIZE_ADDRESS__)
#define LSC_PAGES_FROM_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LSC_PAGES_FROM_MALLOC 1
#endif
#endif
#ifndef LSC_PAGES_FROM_MALLOC
#define LSC_PAGES_FROM_MALLOC 0
#endif
void *lsc_pages_alloc(size_t size, bool huge);
void lsc_pages_free(void *p, size_t size);

/* Writes all n bytes, retrying on EINTR and short writes. LSC_EPIPE when the reader left. */
lsc_error lsc_write_all(int fd, const char *p, size_t n);

/* The same for the segments iov[0..n) in order (iov is consumed). */
struct iovec;
lsc_error lsc_writev_all(int fd, struct iovec *iov, int n);

/* True when fd has input ready now (or when that cannot be known). */
bool lsc_input_ready(int fd);

/* The directory of path ("." for a bare name, "/" for a file in /) and its last part. */
void lsc_split_path(const char *path, char *dir, size_t dcap, const char **base);

/* Makes a rename into path's directory durable: fsync of the directory (errors ignored). */
void lsc_sync_dir_of(const char *path);

#endif
