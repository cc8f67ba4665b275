/*
 * json_tokenizers.c - our JSON-lines tokenizer (src/format/json.c) beside jsmn (Debian's
 * libjsmn-dev, strict mode with parent links - what the engine would need), over the lines
 * of a file. Prints CPU time and MB/s for each, best of RUNS passes, and how many lines
 * each accepted (ours also validates escapes, numbers and literals, and bounds depth).
 *   usage: json_tokenizers FILE [RUNS]
 * Built only when jsmn.h is installed (apt-get install libjsmn-dev); see bench/RESULTS.md.
 */
#define _POSIX_C_SOURCE 200809L
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#include "format/json.h"

#include <jsmn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TOKENS 4096

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct lsc_json_node nodes[MAX_TOKENS];
static jsmntok_t toks[MAX_TOKENS];

/* Tokenizes every line of buf with one of the two; returns the lines accepted. */
static size_t pass(const char *buf, size_t len, int which)
{
    size_t ok = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t l = nl ? (size_t)(nl - buf) - pos : len - pos;
        if (which == 0) {
            size_t count;
            ok += lsc_json_parse(buf + pos, l, nodes, MAX_TOKENS, 64, &count) == LSC_JSON_OK;
        } else {
            jsmn_parser p;
            jsmn_init(&p);
            ok += jsmn_parse(&p, buf + pos, l, toks, MAX_TOKENS) > 0;
        }
        pos += l + 1;
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: json_tokenizers FILE [RUNS]\n");
        return 1;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len ? len : 1);
    if (buf == NULL || fread(buf, 1, len, f) != len) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    const char *names[] = {"logscrub json.c", "jsmn (strict, parent links)"};
    for (int which = 0; which < 2; which++) {
        double best = 1e30;
        size_t ok = 0;
        for (int r = 0; r < runs; r++) {
            double t0 = cpu_now();
            ok = pass(buf, len, which);
            double t = cpu_now() - t0;
            best = t < best ? t : best;
        }
        printf("%-30s %8.1f MB/s  %6.3f s CPU  %zu lines accepted\n", names[which],
               (double)len / best / 1e6, best, ok);
    }
    free(buf);
    return 0;
}
