/*
 * policy_cmds.c - `logscrub check` (validate a policy, print its hash or its whole plan)
 * and `logscrub test` (run the examples a policy carries in its tests: section).
 */
#include "../engine/engine.h"
#include "../policy/policy.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_USAGE 1

static const struct option cmd_opts[] = {
    {"explain", no_argument, NULL, 'x'},
    {"patterns", required_argument, NULL, 'P'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Parses "[--explain] [--patterns DIR] POLICY"; returns the policy or NULL (message out). */
static struct lsc_policy *load_for(const char *cmd, int argc, char **argv, bool *explain,
                                   int *status)
{
    const char *patterns = NULL;
    int c;
    optind = 1;
    *status = EXIT_USAGE;
    while ((c = getopt_long(argc, argv, "", cmd_opts, NULL)) != -1) {
        switch (c) {
        case 'x':
            if (explain == NULL) {
                fprintf(stderr, "logscrub %s: --explain goes with check\n", cmd);
                return NULL;
            }
            *explain = true;
            break;
        case 'P':
            patterns = optarg;
            break;
        case 'h':
            printf("Usage: logscrub %s%s [--patterns DIR] POLICY\n", cmd,
                   explain ? " [--explain]" : "");
            *status = 0;
            return NULL;
        default:
            fprintf(stderr, "Try 'logscrub --help' for more information.\n");
            return NULL;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr,
                "logscrub %s: needs exactly one POLICY file\n"
                "Try 'logscrub --help' for more information.\n",
                cmd);
        return NULL;
    }
    /* check validates without the key (it may live only on the servers); test uses the
     * public test key, so a policy's examples have fixed pseudonyms. */
    struct lsc_load_opts lo = {.patterns_dir = patterns,
                               .key_mode = cmd[0] == 't' ? LSC_KEY_TEST : LSC_KEY_NONE};
    struct lsc_policy *pol;
    char err[2048];
    if (lsc_policy_load(argv[optind], &lo, &pol, err, sizeof err) != LSC_OK) {
        fprintf(stderr, "logscrub: %s\n", err);
        return NULL;
    }
    return pol;
}

int lsc_cli_keygen(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        bool help = argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
        fprintf(help ? stdout : stderr,
                "Usage: logscrub keygen [FILE]\n"
                "Writes a new 256-bit pseudonym key as 64 hex digits: to FILE (created with\n"
                "mode 0600; an existing file is never overwritten), or to standard output\n"
                "redirected to a file (which is set to mode 0600). Point a policy at it with\n"
                "keys: { file: FILE }, or set $LOGSCRUB_KEY_FILE. Losing the key loses the\n"
                "ability to link new pseudonyms to old ones; leaking it lets its holder test\n"
                "guesses against pseudonyms. Keep it like a password.\n");
        return help ? 0 : 1;
    }
    char err[512];
    if (!lsc_keygen(argc == 2 ? argv[1] : NULL, STDOUT_FILENO, err, sizeof err)) {
        fprintf(stderr, "logscrub keygen: %s\n", err);
        return argc == 2 && strstr(err, "never overwritten") != NULL ? 1 : 2;
    }
    return 0;
}

int lsc_cli_check(int argc, char **argv)
{
    bool explain = false;
    int status;
    struct lsc_policy *pol = load_for("check", argc, argv, &explain, &status);
    if (pol == NULL) {
        return status;
    }
    int rc = 0;
    if (explain) {
        char *text;
        if (lsc_policy_explain(pol, &text) == LSC_OK) {
            fputs(text, stdout);
            free(text);
        } else {
            rc = 2;
        }
    } else {
        char hash[65];
        size_t det = 0;
        for (int c = 0; c < LSC_CLASS_COUNT; c++) {
            det += pol->detect[c];
        }
        if (lsc_policy_hash(pol, hash) != LSC_OK) {
            rc = 2;
        } else {
            printf("%s: ok: policy '%s', %zu detectors, %zu pattern rules, %zu tests\n"
                   "hash: sha256:%s\n",
                   argv[argc - 1], lsc_policy_name(pol), det, pol->nrules, pol->ntests, hash);
        }
    }
    lsc_policy_free(pol);
    return rc;
}

/* Prints s with control bytes escaped, so a diff shows what is really there. */
static void put_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 32 || c == 127) {
            printf("\\x%02x", c);
        } else {
            putchar(c);
        }
    }
}

static void show_diff(const char *want, size_t wl, const char *got, size_t gl)
{
    size_t i = 0;
    while (i < wl && i < gl && want[i] == got[i]) {
        i++;
    }
    printf("    expected: ");
    put_escaped(want, wl);
    printf("\n    got:      ");
    put_escaped(got, gl);
    printf("\n              %*s^ first difference at byte %zu\n", (int)(i < 200 ? i : 200), "", i);
}

int lsc_cli_test(int argc, char **argv)
{
    int status;
    struct lsc_policy *pol = load_for("test", argc, argv, NULL, &status);
    if (pol == NULL) {
        return status;
    }
    const char *path = argv[argc - 1];
    if (pol->ntests == 0) {
        fprintf(stderr,
                "logscrub test: %s has no tests: add a 'tests:' section with "
                "'- in: LINE' and 'out: LINE' (or 'dropped: true')\n",
                path);
        lsc_policy_free(pol);
        return EXIT_USAGE;
    }
    size_t passed = 0, failed = 0;
    for (size_t i = 0; i < pol->ntests; i++) {
        const struct lsc_policy_test *t = &pol->tests[i];
        struct lsc_scrubber *sc = NULL;
        const char *out = "";
        size_t outlen = 0;
        if (lsc_scrubber_new(pol, &sc) == LSC_OK) {
            sc->now_fixed = t->now;
        }
        if (sc == NULL || lsc_scrub_buffer(sc, t->in, t->in_len, &out, &outlen) != LSC_OK) {
            fprintf(stderr, "logscrub test: out of memory\n");
            lsc_scrubber_free(sc);
            lsc_policy_free(pol);
            return 2;
        }
        const struct lsc_stats *st = lsc_scrubber_stats(sc);
        bool ok;
        const char *why = NULL;
        if (t->dropped) {
            ok = st->dropped == 1 && st->failed == 0;
            why = st->failed ? "the line failed closed instead" : "the line was kept";
        } else {
            ok = st->emitted == 1 && st->failed == 0 && outlen == t->out_len &&
                 memcmp(out, t->out, outlen) == 0;
            why = st->failed    ? "the line failed closed (a rule error)"
                  : st->dropped ? "the line was dropped"
                                : "the output differs";
        }
        if (ok) {
            passed++;
            printf("ok %zu - %s:%u\n", i + 1, path, t->line);
        } else {
            failed++;
            printf("FAIL %zu - %s:%u: %s\n    in:       ", i + 1, path, t->line, why);
            put_escaped(t->in, t->in_len);
            printf("\n");
            if (!t->dropped && st->emitted == 1) {
                show_diff(t->out, t->out_len, out, outlen);
            }
        }
        lsc_scrubber_free(sc);
    }
    printf("%zu passed, %zu failed\n", passed, failed);
    lsc_policy_free(pol);
    return failed == 0 ? 0 : EXIT_USAGE;
}
