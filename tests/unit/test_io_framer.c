/*
 * test_io_framer.c - cutting a stream into lines (src/io/framer.c): edge cases, a line
 * boundary at every offset of the read buffer, long lines, and read errors.
 */
#include "helpers.h"
#include "io/io.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Frames data and writes it back as "line-bytes + \n if nl" into out, recording the count
 * of lines and of long lines. Long lines are written as "<LONG total>" + nl.
 */
struct reframed {
    char *text;
    size_t len;
    size_t lines;
    size_t longs;
};

static struct reframed reframe(const void *data, size_t len, size_t max_line, size_t block)
{
    int fd = tmp_fd_with(data, len);
    struct lsc_framer f;
    cr_assert(lsc_framer_init(&f, fd, max_line, block));
    struct reframed r = {malloc(len * 2 + 64), 0, 0, 0};
    for (;;) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        if (k == LSC_FRAME_EOF) {
            break;
        }
        cr_assert(k == LSC_FRAME_LINE || k == LSC_FRAME_LONG_PART || k == LSC_FRAME_LONG_END);
        if (k == LSC_FRAME_LINE) {
            cr_assert_leq(fr.len, max_line);
            memcpy(r.text + r.len, fr.p, fr.len);
            r.len += fr.len;
            r.lines++;
        } else if (k == LSC_FRAME_LONG_END) {
            r.len += (size_t)sprintf(r.text + r.len, "<LONG %zu>", fr.total);
            r.lines++;
            r.longs++;
        } else {
            continue;
        }
        if (fr.nl) {
            r.text[r.len++] = '\n';
        }
    }
    lsc_framer_free(&f);
    close(fd);
    return r;
}

static void expect_roundtrip(const char *data, size_t len, size_t lines, size_t block)
{
    struct reframed r = reframe(data, len, 1 << 20, block);
    cr_expect_eq(r.len, len, "block %zu", block);
    cr_expect_eq(memcmp(r.text, data, len), 0, "block %zu", block);
    cr_expect_eq(r.lines, lines, "block %zu: %zu lines, want %zu", block, r.lines, lines);
    free(r.text);
}

Test(framer, empty_input)
{
    expect_roundtrip("", 0, 0, 65536);
}

Test(framer, last_line_without_newline)
{
    expect_roundtrip("a\nbc", 4, 2, 65536);
    expect_roundtrip("only", 4, 1, 65536);
}

Test(framer, crlf_and_empty_lines_kept)
{
    expect_roundtrip("a\r\n\r\n\n\nb\r\n", 10, 5, 65536);
    expect_roundtrip("\n", 1, 1, 65536);
}

Test(framer, nul_and_invalid_utf8_are_line_bytes)
{
    const char data[] = "a\0b\n\xff\xfe\n\0\n";
    expect_roundtrip(data, sizeof data - 1, 3, 65536);
}

Test(framer, line_boundary_at_every_offset_of_the_read_buffer)
{
    /* Lines of every length 0..40, read with every block size 1..23. */
    char data[2000];
    size_t len = 0, lines = 0;
    for (int l = 0; l <= 40; l++) {
        for (int i = 0; i < l; i++) {
            data[len++] = (char)('a' + (l + i) % 26);
        }
        data[len++] = '\n';
        lines++;
    }
    for (size_t block = 1; block <= 23; block++) {
        expect_roundtrip(data, len, lines, block);
        expect_roundtrip(data, len - 1, lines, block); /* and without the final newline */
    }
}

/* lsc_find_newline against memchr: every length to 200, the newline (or none) at every
 * place, every alignment of the start, among bytes a faulty compare could mistake for
 * '\n' (0x0a with a bit changed, NUL, 0xff, 0x8a). */
Test(framer, find_newline_agrees_with_memchr)
{
    static const unsigned char near[] = {0x0b, 0x08, 0x0e, 0x1a, 0x2a, 0x4a, 0x8a, 0x00, 0xff, 'a'};
    char buf[16 + 256];
    for (size_t align = 0; align < 16; align++) {
        char *s = buf + align;
        for (size_t len = 0; len <= 200; len++) {
            for (size_t at = 0; at <= len; at++) { /* (at == len: none) */
                for (size_t k = 0; k < len; k++) {
                    s[k] = (char)near[(k * 7 + len + align) % sizeof near];
                }
                s[len] = '\n'; /* past the end: never found */
                if (at < len) {
                    s[at] = '\n';
                    s[len - 1] = '\n'; /* a second one after it: the first is the answer */
                }
                const char *want = at < len ? s + at : NULL;
                cr_assert_eq(lsc_find_newline(s, s + len), want, "len %zu at %zu align %zu", len,
                             at, align);
            }
        }
    }
}

/* Lines of every length to 300 (the inline search's 64-byte steps and its memchr tail),
 * with reads of a few sizes, and the same through -j's block framing. */
Test(framer, lines_of_every_length_to_300)
{
    size_t cap = 301 * 302 / 2 + 302;
    char *data = malloc(cap);
    size_t len = 0, lines = 0;
    for (int l = 0; l <= 300; l++) {
        for (int i = 0; i < l; i++) {
            data[len++] = (char)('A' + (l * 3 + i) % 58);
        }
        data[len++] = '\n';
        lines++;
    }
    size_t blocks[] = {63, 64, 65, 200, 4096, 65536};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        expect_roundtrip(data, len, lines, blocks[b]);
        expect_roundtrip(data, len - 1, lines, blocks[b]);
    }
    free(data);
}

Test(framer, lines_near_max_line_fill_the_whole_buffer)
{
    /* Lines of 80..100 bytes with max_line 100: the partial line is long, so it stays where
     * it is until less than a read's room is left - then it must move, or a read of nothing
     * would look like the end of the input. */
    char data[4000];
    size_t len = 0, lines = 0;
    for (int l = 80; len + 101 < sizeof data; l = l == 100 ? 80 : l + 1) {
        for (int i = 0; i < l; i++) {
            data[len++] = (char)('a' + (l + i) % 26);
        }
        data[len++] = '\n';
        lines++;
    }
    for (size_t block = 1; block <= 23; block++) {
        struct reframed r = reframe(data, len, 100, block);
        cr_expect_eq(r.longs, 0, "block %zu", block);
        cr_expect_eq(r.lines, lines, "block %zu", block);
        cr_expect(r.len == len && memcmp(r.text, data, len) == 0, "block %zu", block);
        free(r.text);
    }
}

Test(framer, sixteen_mib_line_is_handed_out_in_pieces_when_over_max)
{
    size_t big = 16u << 20;
    char *data = malloc(big + 16);
    memset(data, 'x', big);
    memcpy(data + big, "\nnext\n", 6);
    struct reframed r = reframe(data, big + 6, 1 << 20, LSC_READ_BLOCK);
    cr_expect_eq(r.lines, 2);
    cr_expect_eq(r.longs, 1);
    char want[64];
    int wl = sprintf(want, "<LONG %zu>\nnext\n", big);
    cr_expect_eq(r.len, (size_t)wl);
    cr_expect_eq(memcmp(r.text, want, (size_t)wl), 0);
    free(r.text);

    /* With a max_line above its size the same line comes out whole. */
    r = reframe(data, big + 6, 32u << 20, LSC_READ_BLOCK);
    cr_expect_eq(r.longs, 0);
    cr_expect_eq(r.len, big + 6);
    cr_expect_eq(memcmp(r.text, data, big + 6), 0);
    free(r.text);
    free(data);
}

Test(framer, long_line_at_end_without_newline)
{
    char data[100];
    memset(data, 'y', sizeof data);
    struct reframed r = reframe(data, sizeof data, 10, 7);
    cr_expect_eq(r.lines, 1);
    cr_expect_eq(r.longs, 1);
    cr_expect_str_eq(r.text, "<LONG 100>");
    free(r.text);
}

Test(framer, line_of_exactly_max_line_is_whole)
{
    struct reframed r = reframe("abcdefghij\nabcdefghijk\n", 23, 10, 4);
    cr_expect_eq(r.longs, 1);
    cr_expect_eq(memcmp(r.text, "abcdefghij\n<LONG 11>\n", 21), 0);
    free(r.text);
}

Test(framer, read_error_is_reported)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    struct lsc_framer f;
    /* A write-only end cannot be read: EBADF. */
    cr_assert(lsc_framer_init(&f, fds[1], 100, 64));
    struct lsc_frame fr;
    cr_expect_eq(lsc_framer_next(&f, &fr), LSC_FRAME_ERROR);
    cr_expect_eq(errno, EBADF);
    lsc_framer_free(&f);
    close(fds[0]);
    close(fds[1]);
}

/* Lines of 1..180 bytes, each different, for the tests of where the reads land. */
static char *varied_lines(size_t want, size_t *len, size_t *lines)
{
    char *data = malloc(want + 200);
    *len = *lines = 0;
    for (size_t k = 0; *len < want; k++) {
        size_t l = 1 + (k * 37) % 180;
        for (size_t i = 0; i < l; i++) {
            data[(*len)++] = (char)('a' + (k + i) % 26);
        }
        data[(*len)++] = '\n';
        (*lines)++;
    }
    return data;
}

Test(framer, short_lines_keep_to_the_front_of_the_buffer)
{
    /* With lines far shorter than a read, each read lands in the buffer's first one and a
     * half reads, however much input there is: the pages past them are never touched. */
    size_t len, lines;
    char *data = varied_lines(1 << 20, &len, &lines);
    const size_t block = 4096;
    for (int whole_blocks = 0; whole_blocks < 2; whole_blocks++) {
        int fd = tmp_fd_with(data, len);
        struct lsc_framer f;
        cr_assert(lsc_framer_init(&f, fd, 1 << 20, block));
        size_t got = 0, furthest = 0;
        for (;;) {
            struct lsc_frame fr;
            enum lsc_frame_kind k =
                whole_blocks ? lsc_framer_next_block(&f, &fr) : lsc_framer_next(&f, &fr);
            if (k == LSC_FRAME_EOF) {
                break;
            }
            cr_assert_eq(k, LSC_FRAME_LINE);
            cr_assert_eq(memcmp(fr.p, data + got, fr.len), 0, "at byte %zu", got);
            got += fr.len + (whole_blocks ? 0 : fr.nl); /* (a block's len has its '\n') */
            size_t end = (size_t)(fr.p - f.buf) + fr.len;
            furthest = end > furthest ? end : furthest;
        }
        cr_expect_eq(got, len);
        cr_expect_leq(furthest, block + block / 2, "blocks %d: a frame ends at %zu", whole_blocks,
                      furthest);
        lsc_framer_free(&f);
        close(fd);
    }
    free(data);
}

/* What parallel.c relies on: when lsc_framer_will_move says no, the next read leaves every
 * byte already in the buffer where it is. */
struct watch {
    struct lsc_framer *f;
    char *copy;
    size_t copied;
    size_t checked, moved;
};

static int watch_before_read(void *ctx)
{
    struct watch *w = ctx;
    w->copied = 0;
    if (lsc_framer_will_move(w->f)) {
        w->moved++;
    } else {
        w->copied = w->f->fill;
        memcpy(w->copy, w->f->buf, w->copied);
    }
    return 0;
}

Test(framer, no_byte_moves_when_will_move_says_no)
{
    size_t len, lines;
    char *data = varied_lines(256 << 10, &len, &lines);
    /* Lines up to 181 bytes against quarter reads of 16 to 128: short rests and long ones. */
    for (size_t block = 64; block <= 512; block *= 2) {
        int fd = tmp_fd_with(data, len);
        struct lsc_framer f;
        cr_assert(lsc_framer_init(&f, fd, 4096, block));
        struct watch w = {&f, malloc(f.cap), 0, 0, 0};
        f.before_read = watch_before_read;
        f.ctx = &w;
        size_t got = 0;
        for (;;) {
            struct lsc_frame fr;
            enum lsc_frame_kind k = lsc_framer_next_block(&f, &fr);
            if (w.copied > 0) {
                cr_assert_eq(memcmp(f.buf, w.copy, w.copied), 0, "block %zu: bytes moved", block);
                w.checked++;
                w.copied = 0;
            }
            if (k == LSC_FRAME_EOF) {
                break;
            }
            cr_assert_eq(k, LSC_FRAME_LINE);
            cr_assert_eq(memcmp(fr.p, data + got, fr.len), 0, "block %zu", block);
            got += fr.len;
        }
        cr_expect_eq(got, len, "block %zu", block);
        cr_expect_gt(w.checked, 0, "block %zu: no read kept its bytes", block);
        cr_expect_gt(w.moved, 0, "block %zu: no read moved", block);
        free(w.copy);
        lsc_framer_free(&f);
        close(fd);
    }
    free(data);
}

/*
 * The framer's buffers (pages.c): from LSC_PAGES_MIN bytes on, a mapping that starts on a
 * 2 MiB boundary (but in a sanitizer build, where malloc's are kept for ASan), every byte
 * of it writable and its neighbours untouched; below that, malloc's. Each is freed by size,
 * huge or not.
 */
Test(framer, pages_are_whole_aligned_and_writable)
{
    const size_t huge = (size_t)2 << 20;
    const size_t sizes[] = {1,
                            4096,
                            LSC_PAGES_MIN - 1,
                            LSC_PAGES_MIN,
                            LSC_PAGES_MIN + 1 + LSC_READ_BLOCK, /* the framer's at 1 MiB */
                            huge - 1,
                            huge,
                            huge + 1,
                            (size_t)9 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        for (int h = 0; h < 2; h++) {
            char *a = lsc_pages_alloc(n, h), *b = lsc_pages_alloc(n, h);
            cr_assert(a != NULL && b != NULL, "%zu bytes", n);
            if (n >= LSC_PAGES_MIN && !LSC_PAGES_FROM_MALLOC) {
                cr_expect_eq((uintptr_t)a % huge, 0, "%zu bytes at %p", n, (void *)a);
                cr_expect_eq((uintptr_t)b % huge, 0, "%zu bytes at %p", n, (void *)b);
            }
            memset(a, 0xa5, n);
            memset(b, 0x5a, n);
            cr_expect(a[0] == (char)0xa5 && a[n - 1] == (char)0xa5, "%zu bytes", n);
            cr_expect(b[0] == (char)0x5a && b[n - 1] == (char)0x5a, "%zu bytes", n);
            lsc_pages_free(a, n);
            lsc_pages_free(b, n);
        }
    }
    lsc_pages_free(NULL, LSC_PAGES_MIN);
    lsc_pages_free(NULL, 1);
}
