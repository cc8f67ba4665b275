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
