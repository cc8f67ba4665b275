/*
 * gather_cost.c - what writing unchanged input by reference saves, by the length of the run:
 * the CPU time (user + system) to send 1 GiB through a pipe as runs of L input bytes, each
 * followed by a 12-byte replacement, when the runs are copied into the output buffer and when
 * they go by reference (writev), as the stream driver does (flush at 256 KiB, and before each
 * 256 KiB read). LSC_GATHER_REF_MIN is chosen from this.
 *   usage: lsc_gather_cost [GIB] | cat > /dev/null     (a pipe)
 *          lsc_gather_cost [GIB] > FILE                 (a file, emptied before each run)
 */
#define _POSIX_C_SOURCE 200809L
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (256 * 1024)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends `total` bytes as runs of len input bytes and a replacement; returns CPU seconds. */
static double run(struct lsc_gather *g, struct lsc_buf *out, const char *in, size_t len,
                  size_t total)
{
    static const char repl[] = "192.0.2.0 - ";
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
        /* A file starts empty each run: gigabytes of dirty pages would bring write-back
         * throttling into the figures. */
        if (ftruncate(STDOUT_FILENO, 0) != 0 || lseek(STDOUT_FILENO, 0, SEEK_SET) != 0) {
            perror("lsc_gather_cost: truncate");
            exit(1);
        }
    }
    double t0 = now();
    size_t sent = 0;
    while (sent < total) {
        /* One read block's worth, then the write that must come before the next read. */
        for (size_t pos = 0; pos + len <= BLOCK; pos += len) {
            if (!lsc_gather_keep(g, out, in + pos, len) ||
                !lsc_buf_append(out, repl, sizeof repl - 1)) {
                fprintf(stderr, "lsc_gather_cost: out of memory\n");
                exit(1);
            }
            sent += len + sizeof repl - 1;
        }
        if (lsc_gather_write(g, out, STDOUT_FILENO, NULL) != LSC_OK) {
            perror("lsc_gather_cost: write");
            exit(1);
        }
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    double gib = argc > 1 ? atof(argv[1]) : 1.0;
    if (gib <= 0 || isatty(STDOUT_FILENO)) {
        fprintf(stderr, "usage: lsc_gather_cost [GIB] | cat > /dev/null   (or > FILE)\n");
        return 1;
    }
    size_t total = (size_t)(gib * 1024 * 1024 * 1024);
    char *in = malloc(BLOCK);
    if (in == NULL) {
        return 1;
    }
    for (size_t i = 0; i < BLOCK; i++) {
        in[i] = (char)(i % 95 == 94 ? '\n' : 'a' + i % 26);
    }
    static const size_t lens[] = {200, 1024, 4096, 16384, 65536};
    fprintf(stderr, "%10s %14s %14s %8s\n", "run bytes", "copied s/GiB", "by ref s/GiB", "ratio");
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        struct lsc_buf out = {.limit = (size_t)1 << 30};
        struct lsc_gather copy = {.on = false};
        struct lsc_gather ref = {.on = true, .ref_min = 1};
        double best_c = 1e9, best_r = 1e9;
        for (int rep = 0; rep < 5; rep++) { /* best of five: this is a noisy VM */
            double c = run(&copy, &out, in, lens[k], total / 5) * 5 / gib;
            double r = run(&ref, &out, in, lens[k], total / 5) * 5 / gib;
            best_c = c < best_c ? c : best_c;
            best_r = r < best_r ? r : best_r;
        }
        fprintf(stderr, "%10zu %14.3f %14.3f %8.2f\n", lens[k], best_c, best_r, best_r / best_c);
        lsc_gather_free(&ref);
        lsc_buf_free(&out);
    }
    free(in);
    return 0;
}
