/*
 * main.c - the logscrub command: options, inputs, output, exit status.
 *
 * Exit status: 0 success; 1 bad usage; 2 input or output error; 3 some lines were
 * quarantined and --strict was given. Nothing below cli/ prints to a terminal.
 */
#include "../io/archive.h"
#include "cli.h"
#include "logscrub.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define EXIT_STRICT 3
#define DEFAULT_MAX_LINE ((size_t)1 << 20)
#define MAX_MAX_LINE ((size_t)1 << 30)
#define MAX_JOBS 64
#define DEFAULT_MAX_JOBS 8
#define SMALL_INPUT ((off_t)4 << 20) /* a regular file this small is read by one thread */

static const char usage_text[] =
    "Usage: logscrub [OPTIONS] [FILE...]\n"
    "       logscrub check [--explain] [--patterns DIR] POLICY\n"
    "       logscrub keygen [FILE]\n"
    "       logscrub expire [-p POLICY] [--now TIME] (--in-place | -O DIR) PATH...\n"
    "       logscrub erase -p POLICY --subject S... (--in-place | -O DIR) PATH...\n"
    "       logscrub test [--patterns DIR] POLICY\n"
    "       logscrub follow -p POLICY --state FILE [-o OUT] PATH...\n"
    "       logscrub batch -p POLICY [-j N] (--in-place | -O DIR) PATH...\n"
    "       logscrub scan [-f FORMAT] [--report text|json|html] [--suggest] PATH...\n"
    "\n"
    "Reads log lines from FILEs (or standard input, also as '-') and writes them with\n"
    "personal data and secrets removed, one line out for each line in, in order.\n"
    "\n"
    "With no policy the embedded default policy runs (format auto):\n"
    "  IPv4 addresses are truncated to /24 and IPv6 to /48 (1.2.3.4 -> 1.2.3.0,\n"
    "  2001:db8:1:2::5 -> 2001:db8:1::, ::ffff:1.2.3.4 -> ::ffff:1.2.3.0); e-mail\n"
    "  addresses, payment cards (Luhn-valid), IBANs, JWTs, Bearer/Basic credentials,\n"
    "  cloud, VCS, payment and AI API keys, private key blocks, URL passwords and the\n"
    "  values of secret-named parameters (password=, token=, api_key=, ...) become\n"
    "  labels such as [email], [card], [iban], [jwt], [secret], [private-key].\n"
    "\n"
    "With -p the policy file decides (see docs/policy.md). `check` validates a policy\n"
    "and prints its hash (--explain: the whole plan in plain words); `test` runs the\n"
    "examples written in the policy's tests: section (pseudonyms with the public test\n"
    "key); `keygen` writes a new key for pseudonyms (ip: pseudonym, action: pseudonym),\n"
    "which a policy finds in keys.file, $LOGSCRUB_KEY_FILE or\n"
    "$CREDENTIALS_DIRECTORY/logscrub.key - never on the command line. `expire` removes\n"
    "records whose retention has passed (and moves staged fields on with -p); `erase`\n"
    "removes a data subject's records; `follow` is the sidecar: it follows log files\n"
    "through rotation, checkpointed, and scrubs what is appended; `batch` cleans\n"
    "archives in parallel, atomically, with a report; `scan` reports what personal\n"
    "data logs hold without changing them. Each has --help.\n"
    "\n"
    "Options:\n"
    "  -p, --policy FILE       scrub with the policy in FILE instead of the default\n"
    "      --patterns DIR      rule packs in DIR (NAME.yaml) replace the built-in ones\n"
    "  -o, --output FILE       write to FILE (created or truncated) instead of stdout\n"
    "  -e, --rule LABEL=REGEX  also replace matches of a PCRE2 pattern with [LABEL];\n"
    "                          may be repeated. Example: -e 'ticket=TICKET-\\d{6}'\n"
    "  -f, --format FORMAT     how lines are read; overrides the policy's input.format:\n"
    "                            text    each line is one value\n"
    "                            auto    recognised per stream and per line (default)\n"
    "                            json    one JSON object per line\n"
    "                            logfmt  key=value pairs\n"
    "                            nginx, apache  the combined access-log layout\n"
    "                            syslog  RFC 5424 or RFC 3164 lines\n"
    "                          In a structure, values and keys are scanned, secret-named\n"
    "                          members redacted, credential headers (Authorization,\n"
    "                          Cookie ...) removed, and the line still parses after.\n"
    "                          Custom nginx log_format / Apache LogFormat: in a policy.\n"
    "      --ipv4-prefix BITS  IPv4 bits kept by truncation (0-32, default 24);\n"
    "                          overrides the policy\n"
    "      --ipv6-prefix BITS  IPv6 bits kept by truncation (0-128, default 48)\n"
    "      --max-line SIZE     longest line scrubbed in full (default 1M; K, M, G\n"
    "                          suffixes). Longer lines take the on-error path.\n"
    "      --on-error MODE     what to do with a line that cannot be scrubbed safely\n"
    "                          (a rule hit its match limit, the line is too long):\n"
    "                            redact-line  write a marker line instead (default)\n"
    "                            drop         write nothing\n"
    "                            quarantine   write the raw line to --quarantine FILE\n"
    "      --quarantine FILE   where quarantined lines go (implies --on-error quarantine);\n"
    "                          the file holds raw data: protect it\n"
    "      --match-limit N     PCRE2 match limit per rule and line (default 1000000)\n"
    "      --strict            exit with status 3 if any line was quarantined\n"
    "  -j, --jobs N            scrub with N threads (default: one per CPU, at most 8;\n"
    "                          one for a file under 4 MiB). The output is the same\n"
    "                          bytes in the same order whatever N is.\n"
    "      --stats             print counters, speed and peak memory to stderr at the end\n"
    "  -h, --help              show this help and exit\n"
    "  -V, --version           show the version and exit\n"
    "\n"
    "Exit status: 0 success; 1 bad usage, bad policy, or a failed policy test; 2 input\n"
    "or output error (including a closed output pipe); 3 lines were quarantined and\n"
    "--strict was given.\n"
    "\n"
    "Examples:\n"
    "  logscrub < access.log > access.clean.log\n"
    "  tail -F /var/log/nginx/access.log | logscrub | shipper\n"
    "  logscrub --stats -o clean.log app.log.1 app.log\n"
    "  logscrub check --explain patterns/policies/default.yaml\n"
    "  logscrub -p /etc/logscrub/api.yaml < api.log\n";

enum {
    OPT_IPV4 = 256,
    OPT_IPV6,
    OPT_MAX_LINE,
    OPT_ON_ERROR,
    OPT_QUARANTINE,
    OPT_MATCH_LIMIT,
    OPT_STRICT,
    OPT_STATS,
    OPT_PATTERNS,
    OPT_EXPLAIN,
};

#define MAX_CLI_RULES 64

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"rule", required_argument, NULL, 'e'},
    {"format", required_argument, NULL, 'f'},
    {"policy", required_argument, NULL, 'p'},
    {"ipv4-prefix", required_argument, NULL, OPT_IPV4},
    {"ipv6-prefix", required_argument, NULL, OPT_IPV6},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"on-error", required_argument, NULL, OPT_ON_ERROR},
    {"quarantine", required_argument, NULL, OPT_QUARANTINE},
    {"match-limit", required_argument, NULL, OPT_MATCH_LIMIT},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"stats", no_argument, NULL, OPT_STATS},
    {"jobs", required_argument, NULL, 'j'},
    {"patterns", required_argument, NULL, OPT_PATTERNS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

struct options {
    const char *policy;
    const char *format;
    const char *patterns;
    const char *rules[MAX_CLI_RULES];
    int nrules;
    bool v4_set, v6_set;
    const char *output;
    const char *quarantine;
    size_t max_line;
    unsigned v4_bits, v6_bits;
    lsc_on_error on_error;
    bool on_error_set;
    uint32_t match_limit;
    bool strict;
    bool stats;
    unsigned jobs; /* 0: chosen per input */
};

static bool known_format(const char *f)
{
    static const char *const names[] = {"text",  "auto",   "json",   "logfmt",
                                        "nginx", "apache", "syslog", NULL};
    for (int i = 0; names[i] != NULL; i++) {
        if (strcmp(names[i], f) == 0) {
            return true;
        }
    }
    return false;
}

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "logscrub: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'logscrub --help' for more information.\n");
    return EXIT_USAGE;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) {
        return false;
    }
    *out = v;
    return true;
}

bool lsc_cli_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0) {
        return false;
    }
    unsigned shift = 0;
    switch (*end) {
    case '\0':
        break;
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    default:
        return false;
    }
    const char *rest = *end != '\0' ? end + 1 : end;
    if (*rest != '\0' && strcmp(rest, "B") != 0 && strcmp(rest, "iB") != 0) {
        return false;
    }
    if (v > (SIZE_MAX >> shift)) {
        return false;
    }
    *out = (size_t)(v << shift);
    return true;
}

static int add_rule(struct lsc_policy *pol, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        return usage_error("--rule wants LABEL=REGEX, got '%s'", arg);
    }
    char label[64];
    size_t l = (size_t)(eq - arg);
    if (l >= sizeof label) {
        return usage_error("--rule label is longer than 63 bytes: '%s'", arg);
    }
    memcpy(label, arg, l);
    label[l] = '\0';
    char err[300];
    lsc_error rc = lsc_policy_add_rule(pol, label, eq + 1, err, sizeof err);
    if (rc == LSC_EREGEX) {
        fprintf(stderr, "logscrub: --rule %s: bad regular expression: %s\n", label, err);
        fprintf(stderr, "  pattern: %s\n", eq + 1);
        return EXIT_USAGE;
    }
    if (rc != LSC_OK) {
        fprintf(stderr, "logscrub: --rule %s: %s\n", label, lsc_strerror(rc));
        return EXIT_USAGE;
    }
    return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    int c;
    unsigned long v;
    while ((c = getopt_long(argc, argv, "o:e:f:p:j:hV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'e':
            if (o->nrules == MAX_CLI_RULES) {
                return usage_error("at most %d --rule options", MAX_CLI_RULES);
            }
            o->rules[o->nrules++] = optarg;
            break;
        case 'f':
            if (!known_format(optarg)) {
                return usage_error("unknown format '%s'; use text, auto, json, logfmt, nginx, "
                                   "apache or syslog",
                                   optarg);
            }
            o->format = optarg;
            break;
        case 'p':
            o->policy = optarg;
            break;
        case OPT_PATTERNS:
            o->patterns = optarg;
            break;
        case OPT_IPV4:
            if (!parse_uint(optarg, 32, &v)) {
                return usage_error("--ipv4-prefix wants 0 to 32 bits, got '%s'", optarg);
            }
            o->v4_bits = (unsigned)v;
            o->v4_set = true;
            break;
        case OPT_IPV6:
            if (!parse_uint(optarg, 128, &v)) {
                return usage_error("--ipv6-prefix wants 0 to 128 bits, got '%s'", optarg);
            }
            o->v6_bits = (unsigned)v;
            o->v6_set = true;
            break;
        case OPT_MAX_LINE:
            if (!lsc_cli_parse_size(optarg, &o->max_line) || o->max_line == 0 ||
                o->max_line > MAX_MAX_LINE) {
                return usage_error("--max-line wants a size from 1 to 1G (like 4M), got '%s'",
                                   optarg);
            }
            break;
        case OPT_ON_ERROR:
            if (strcmp(optarg, "redact-line") == 0) {
                o->on_error = LSC_ON_ERROR_REDACT_LINE;
            } else if (strcmp(optarg, "drop") == 0) {
                o->on_error = LSC_ON_ERROR_DROP;
            } else if (strcmp(optarg, "quarantine") == 0) {
                o->on_error = LSC_ON_ERROR_QUARANTINE;
            } else {
                return usage_error("--on-error wants redact-line, drop or quarantine, got '%s'",
                                   optarg);
            }
            o->on_error_set = true;
            break;
        case OPT_QUARANTINE:
            o->quarantine = optarg;
            break;
        case OPT_MATCH_LIMIT:
            if (!parse_uint(optarg, UINT32_MAX, &v) || v == 0) {
                return usage_error("--match-limit wants a positive number, got '%s'", optarg);
            }
            o->match_limit = (uint32_t)v;
            break;
        case 'j':
            if (!parse_uint(optarg, MAX_JOBS, &v) || v == 0) {
                return usage_error("--jobs wants 1 to %d threads, got '%s'", MAX_JOBS, optarg);
            }
            o->jobs = (unsigned)v;
            break;
        case OPT_STRICT:
            o->strict = true;
            break;
        case OPT_STATS:
            o->stats = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            exit(0);
        case 'V':
            printf("logscrub %s\n", LSC_VERSION);
            exit(0);
        default:
            fprintf(stderr, "Try 'logscrub --help' for more information.\n");
            return EXIT_USAGE;
        }
    }
    if (o->quarantine != NULL) {
        if (o->on_error_set && o->on_error != LSC_ON_ERROR_QUARANTINE) {
            return usage_error("--quarantine contradicts --on-error %s",
                               o->on_error == LSC_ON_ERROR_DROP ? "drop" : "redact-line");
        }
        o->on_error = LSC_ON_ERROR_QUARANTINE;
        o->on_error_set = true;
    }
    return 0;
}

/* Loads the policy named by -p (or the default), then applies the command-line overrides. */
static int build_policy(const struct options *o, struct lsc_policy **out)
{
    struct lsc_policy *pol = NULL;
    if (o->policy != NULL) {
        char err[2048];
        struct lsc_load_opts lo = {.patterns_dir = o->patterns};
        lsc_error rc = lsc_policy_load(o->policy, &lo, &pol, err, sizeof err);
        if (rc != LSC_OK) {
            fprintf(stderr, "logscrub: %s\n", err);
            return EXIT_USAGE;
        }
    } else if (lsc_policy_default(&pol) != LSC_OK) {
        fprintf(stderr, "logscrub: out of memory\n");
        return EXIT_IO;
    }
    if (o->format != NULL && lsc_policy_set_format(pol, o->format) != LSC_OK) {
        lsc_policy_free(pol);
        return usage_error("-f %s contradicts the policy's field rules, which need its "
                           "structured format",
                           o->format);
    }
    for (int i = 0; i < o->nrules; i++) {
        int rc = add_rule(pol, o->rules[i]);
        if (rc != 0) {
            lsc_policy_free(pol);
            return rc;
        }
    }
    lsc_policy_set_ip_mask(pol, o->v4_set ? o->v4_bits : 999, o->v6_set ? o->v6_bits : 999);
    if (o->on_error_set) {
        lsc_policy_set_on_error(pol, o->on_error);
    }
    if (o->match_limit > 0) {
        lsc_policy_set_match_limit(pol, o->match_limit);
    }
    *out = pol;
    return 0;
}

static int open_output(const char *path, const char *what)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        fprintf(stderr, "logscrub: cannot open %s '%s': %s\n", what, path, strerror(errno));
    }
    return fd;
}

/*
 * Threads for one input: -j N, or one per CPU (at most DEFAULT_MAX_JOBS), except for a
 * small regular file, where starting threads costs more than they save.
 */
static unsigned jobs_for(unsigned asked, int fd)
{
    if (asked > 0) {
        return asked;
    }
    struct stat sb;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size < SMALL_INPUT) {
        return 1;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > DEFAULT_MAX_JOBS ? DEFAULT_MAX_JOBS : (unsigned)n;
}

/* Runs one input; returns 0 or an exit status. */
static int run_input(struct lsc_scrubber *sc, const char *path, int out_fd,
                     struct lsc_stream_opts *so, const char *out_name, unsigned jobs)
{
    bool is_stdin = path == NULL || strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    const char *name = is_stdin ? "standard input" : path;
    if (fd < 0) {
        fprintf(stderr, "logscrub: cannot open '%s': %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    unsigned n = jobs_for(jobs, fd);
    lsc_error err =
        n > 1 ? lsc_scrub_fd_parallel(sc, n, fd, out_fd, so) : lsc_scrub_fd(sc, fd, out_fd, so);
    int saved = errno;
    if (!is_stdin) {
        close(fd);
    }
    switch (err) {
    case LSC_OK:
        return 0;
    case LSC_EPIPE:
        return EXIT_IO; /* the reader went away: stop quietly */
    case LSC_EREAD:
        fprintf(stderr, "logscrub: error reading %s: %s\n", name, strerror(saved));
        return EXIT_IO;
    case LSC_EWRITE:
        fprintf(stderr, "logscrub: error writing %s: %s\n", out_name, strerror(saved));
        return EXIT_IO;
    case LSC_EARCHIVE:
        fprintf(stderr,
                "logscrub: %s: %s; the lines before the damage were written, the rest is "
                "lost\n",
                name, so->archive_error);
        return EXIT_IO;
    default:
        fprintf(stderr, "logscrub: %s: %s\n", name, lsc_strerror(err));
        return EXIT_IO;
    }
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is reported by write() as EPIPE */

    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        return lsc_cli_check(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "test") == 0) {
        return lsc_cli_test(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "keygen") == 0) {
        return lsc_cli_keygen(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "expire") == 0) {
        return lsc_cli_expire(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "erase") == 0) {
        return lsc_cli_erase(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "follow") == 0) {
        return lsc_cli_follow(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "batch") == 0) {
        return lsc_cli_batch(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "scan") == 0) {
        return lsc_cli_scan(argc - 1, argv + 1);
    }
    struct options o = {.max_line = DEFAULT_MAX_LINE, .v4_bits = 24, .v6_bits = 48};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    struct lsc_policy *pol = NULL;
    rc = build_policy(&o, &pol);
    if (rc != 0) {
        return rc;
    }
    const char *qpath = o.quarantine ? o.quarantine : lsc_policy_quarantine_path(pol);
    if (lsc_policy_on_error(pol) == LSC_ON_ERROR_QUARANTINE && qpath == NULL) {
        lsc_policy_free(pol);
        return usage_error("%s", "--on-error quarantine needs --quarantine FILE");
    }
    char hash[65] = "";
    if (o.stats && lsc_policy_hash(pol, hash) != LSC_OK) {
        hash[0] = '\0';
    }

    int out_fd = STDOUT_FILENO;
    const char *out_name = "standard output";
    struct lsc_stream_opts so = {.max_line = o.max_line, .quarantine_fd = -1};
    struct lsc_scrubber *sc = NULL;
    if (o.output != NULL) {
        out_fd = open_output(o.output, "output");
        out_name = o.output;
        if (out_fd < 0) {
            rc = EXIT_IO;
            goto done;
        }
        enum lsc_compress c = lsc_compress_for_name(o.output);
        if (c != LSC_COMPRESS_NONE && (so.sink = lsc_sink_new(out_fd, c)) == NULL) {
            fprintf(stderr, "logscrub: out of memory\n");
            rc = EXIT_IO;
            goto done;
        }
    }
    if (lsc_policy_on_error(pol) == LSC_ON_ERROR_QUARANTINE) {
        so.quarantine_fd = open_output(qpath, "quarantine file");
        if (so.quarantine_fd < 0) {
            rc = EXIT_IO;
            goto done;
        }
    }
    if (lsc_scrubber_new(pol, &sc) != LSC_OK) {
        fprintf(stderr, "logscrub: out of memory\n");
        rc = EXIT_IO;
        goto done;
    }

    double t0 = now_seconds();
    if (optind >= argc) {
        rc = run_input(sc, NULL, out_fd, &so, out_name, o.jobs);
    }
    for (int i = optind; i < argc && rc == 0; i++) {
        rc = run_input(sc, argv[i], out_fd, &so, out_name, o.jobs);
    }
    double elapsed = now_seconds() - t0;

    int finished = lsc_sink_finish(so.sink); /* the compressed stream's trailer */
    so.sink = NULL;
    if (rc == 0 && finished != 0) {
        fprintf(stderr, "logscrub: error writing %s: %s\n", out_name, strerror(errno));
        rc = EXIT_IO;
    }
    if (rc == 0 && o.output != NULL && close(out_fd) != 0) {
        fprintf(stderr, "logscrub: error writing %s: %s\n", out_name, strerror(errno));
        rc = EXIT_IO;
    }
    out_fd = STDOUT_FILENO;
    if (so.quarantine_fd >= 0 && close(so.quarantine_fd) != 0 && rc == 0) {
        fprintf(stderr, "logscrub: error writing quarantine file: %s\n", strerror(errno));
        rc = EXIT_IO;
    }
    so.quarantine_fd = -1;
    const struct lsc_stats *st = lsc_scrubber_stats(sc);
    if (o.stats) {
        lsc_cli_print_stats(stderr, st, lsc_policy_name(pol), hash, elapsed);
    }
    if (rc == 0 && o.strict && st->quarantined > 0) {
        rc = EXIT_STRICT;
    }
done:
    lsc_sink_finish(so.sink);
    if (out_fd != STDOUT_FILENO) {
        close(out_fd);
    }
    if (so.quarantine_fd >= 0) {
        close(so.quarantine_fd);
    }
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
    return rc;
}
