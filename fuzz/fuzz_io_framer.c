/*
 * fuzz_io_framer.c - libFuzzer target for the framer: the first byte picks a read block
 * size and a max line, the rest is the stream. Reassembling the frames must give back the
 * input exactly, with long lines accounted for by length.
 */
#include "io/io.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t block = 1 + data[0] % 17;
    size_t max_line = 1 + (data[0] >> 4) * 3;
    data++;
    size--;
    int fd = memfd_create("fuzz", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
        abort();
    }
    struct lsc_framer f;
    if (!lsc_framer_init(&f, fd, max_line, block)) {
        abort();
    }
    size_t pos = 0;
    for (;;) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        if (k == LSC_FRAME_EOF) {
            break;
        }
        if (k == LSC_FRAME_ERROR || k == LSC_FRAME_ABORT) {
            abort();
        }
        if (k == LSC_FRAME_LINE && fr.len > max_line) {
            abort();
        }
        if (pos + fr.len > size || memcmp(data + pos, fr.p, fr.len) != 0) {
            abort();
        }
        pos += fr.len;
        if (k != LSC_FRAME_LONG_PART && fr.nl) {
            if (pos >= size || data[pos] != '\n') {
                abort();
            }
            pos++;
        }
    }
    if (pos != size) {
        abort();
    }
    lsc_framer_free(&f);
    close(fd);
    return 0;
}
