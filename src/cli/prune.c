/*
 * prune.c - removing records from logs and archives, in place or into another directory:
 * `logscrub expire` (records whose expiry tag has passed) and `logscrub erase` (every
 * record of a data subject, raw or as its pseudonyms).
 *
 * A record's expiry is its JSON or logfmt member _expires (or the name given with --name),
 * or the last " expires=TIME" of a text line. Lines without a tag are kept and counted.
 * Files may be plain, gzip or zstd (recognised by their bytes); the output keeps the
 * input's compression.
 *
 * Replacing a file is crash-safe (replace.c): the new content is written to an unnamed
 * file in the same directory, fsynced, given the old file's mode, linked in under a hidden
 * name, renamed over the old file, and the directory is fsynced. At every instant the path holds
 * either the complete old or the complete new file, with the old one's mode and (when permitted)
 * owner. On any error the original is untouched and the temporary is removed; an unchanged file is
 * not rewritten. Symbolic links are skipped, not followed. A run first removes hidden
 * ".NAME.logscrub-new" files an interrupted run may have left (the original is intact
 * then, by construction).
 */
#include "../detect/detect.h"
#include "../engine/engine.h"
#include "../format/json.h"
#include "../format/logfmt.h"
#include "../format/timestamp.h"
#include "../io/archive.h"
#include "../io/io.h"
#include "../policy/policy.h"
#include "cli.h"
#include "replace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 1
#define EXIT_IO 2
#define MAX_NODES 4096
#define MAX_LINE ((size_t)16 << 20)

struct expire;

/* Should this line go? *tagged: whether it carried what the decision needs. */
typedef bool (*drop_fn)(struct expire *e, const char *p, size_t n, bool *tagged);

/* One data subject for erase: ip=ADDR, FIELD=VALUE or pseudonym=TOKEN. */
struct subject {
    enum { SUBJ_IP, SUBJ_FIELD, SUBJ_TOKEN } kind;
    const char *field; /* SUBJ_FIELD */
    const char *value;
    struct lsc_ip ip; /* SUBJ_IP */
};

struct expire {
    drop_fn drop;
    const char *verb; /* "expire" or "erase", for messages */
    const char *gone; /* "expired" or "erased" */
    int64_t now;
    const char *name; /* the JSON/logfmt member */
    /* erase */
    const struct lsc_policy *pol;
    struct subject *subj;
    size_t nsubj;
    struct lsc_scrubber *stager; /* expire -p: re-scrubs records whose next stage is due */
    uint64_t cached_period;
    bool have_subkey;
    unsigned char subkey[LSC_SUBKEY_BYTES];
    bool in_place;
    const char *out_dir;
    bool quiet;
    struct lsc_json_node nodes[MAX_NODES];
    uint64_t files, failed, rewritten, records, expired, untagged;
};

/* Parses a JSON (starting with '{') or logfmt line into e->nodes. */
static bool parse_record(struct expire *e, const char *p, size_t n, size_t *count)
{
    *count = 0;
    return n > 0 && p[0] == '{'
               ? lsc_json_parse(p, n, e->nodes, MAX_NODES, 64, count) == LSC_JSON_OK
               : lsc_logfmt_parse(p, n, e->nodes, MAX_NODES, count) == LSC_JSON_OK;
}

/*
 * A time tag of a line: the last JSON/logfmt member called member, or the last
 * " text=TIME" of a text line. False if it has none (or an unreadable one).
 */
static bool line_tag(struct expire *e, const char *p, size_t n, const char *member,
                     const char *text, int64_t *t)
{
    size_t count = 0;
    bool json = n > 0 && p[0] == '{';
    if (parse_record(e, p, n, &count)) {
        int32_t last = -1;
        for (int32_t i = lsc_json_find_member(p, e->nodes, count, 1, member); i >= 0;
             i = lsc_json_find_member(p, e->nodes, count, (size_t)i + 1, member)) {
            last = i; /* the last one written is the tag logscrub appended */
        }
        if (last >= 0) {
            const struct lsc_json_node *x = &e->nodes[last];
            bool str = x->type == LSC_JSON_STRING;
            return lsc_time_parse(p + x->off + str, x->len - 2 * str, e->now, t);
        }
        if (json) {
            return false;
        }
    }
    size_t tl = strlen(text);
    for (size_t i = n; i-- > tl + 1;) {
        if (p[i - tl - 1] == ' ' && memcmp(p + i - tl, text, tl) == 0 && p[i - 1] == '=') {
            size_t end = i;
            while (end < n && p[end] != ' ') {
                end++;
            }
            return lsc_time_parse(p + i, end - i, e->now, t);
        }
    }
    return false;
}

static bool line_expiry(struct expire *e, const char *p, size_t n, int64_t *t)
{
    return line_tag(e, p, n, e->name, "expires=", t);
}

/* expire: the line's expiry tag has passed. */
static bool expired_line(struct expire *e, const char *p, size_t n, bool *tagged)
{
    int64_t t;
    *tagged = line_expiry(e, p, n, &t);
    return *tagged && t <= e->now;
}

static int say_error(const struct expire *e, const char *path, const char *what, const char *detail)
{
    fprintf(stderr, "logscrub %s: %s: %s%s%s; left as it was\n", e->verb, path, what,
            detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* Expires one file into out_path (in place when out_path is path). */
static int expire_file(struct expire *e, const char *path, const char *out_path)
{
    e->files++;
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        return say_error(e, path, "cannot open", strerror(errno));
    }
    struct stat st;
    fstat(in, &st);
    char dir[4096], named[4096];
    const char *base;
    lsc_split_path(out_path, dir, sizeof dir, &base);
    struct lsc_source *src = lsc_source_new(in);
    struct lsc_framer f;
    if (e->in_place) {
        char left[4096];
        if (lsc_tmp_name(left, sizeof left, dir, base)) {
            unlink(left); /* an interrupted run's new file; the original is intact */
        }
    }
    if (src == NULL || !lsc_framer_init(&f, in, MAX_LINE, LSC_READ_BLOCK)) {
        lsc_source_free(src);
        close(in);
        return say_error(e, path, "out of memory", NULL);
    }
    f.src = src;
    int out = lsc_open_tmp(dir, base, named, sizeof named);
    struct lsc_sink *sink = NULL;
    uint64_t records = 0, expired = 0, untagged = 0, advanced = 0;
    int rc = 0;
    const char *why = NULL, *detail = NULL;
    char detail_buf[160];
    if (out < 0) {
        rc = -1;
        why = "cannot create the new file";
        detail = strerror(errno);
    }
    for (bool first = true; rc == 0; first = false) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        if (first) {
            enum lsc_compress c = lsc_source_kind(src);
            if ((sink = lsc_sink_new(out, c)) == NULL) {
                rc = -1;
                why = "out of memory";
                break;
            }
        }
        if (k == LSC_FRAME_EOF) {
            break;
        }
        if (k != LSC_FRAME_LINE) {
            rc = -1;
            why = k == LSC_FRAME_ERROR ? "cannot read it" : "a line longer than 16 MiB";
            /* A copy: the source (holding its message) is freed before the report. */
            snprintf(detail_buf, sizeof detail_buf, "%s",
                     k != LSC_FRAME_ERROR ? ""
                     : f.archive_error    ? lsc_source_error(src)
                                          : strerror(errno));
            detail = detail_buf[0] ? detail_buf : NULL;
            break;
        }
        records++;
        bool tagged = true;
        if (e->drop(e, fr.p, fr.len, &tagged)) {
            expired++;
            continue;
        }
        untagged += !tagged;
        const char *lp = fr.p;
        size_t ll = fr.len;
        int64_t due;
        if (e->stager != NULL && line_tag(e, fr.p, fr.len, "_next_stage", "next_stage=", &due) &&
            due <= e->now) {
            /* A staged field's next stage is due: the record is scrubbed again, as it is now. */
            if (lsc_scrub_buffer(e->stager, fr.p, fr.len, &lp, &ll) != LSC_OK) {
                rc = -1;
                why = "out of memory";
                break;
            }
            advanced++;
        }
        if (lsc_sink_write(sink, lp, ll) != 0 || (fr.nl && lsc_sink_write(sink, "\n", 1) != 0)) {
            rc = -1;
            why = "cannot write the new file";
            detail = strerror(errno);
        }
    }
    bool changed = expired > 0 || advanced > 0 || !e->in_place;
    if (lsc_sink_finish(sink) != 0 && rc == 0) {
        rc = -1;
        why = "cannot write the new file";
        detail = strerror(errno);
    }
    if (rc == 0 && changed) {
        if (e->in_place && fchown(out, st.st_uid, st.st_gid) != 0 && errno != EPERM) {
            rc = -1; /* the new file keeps the old one's owner (when we may set it) */
            why = "cannot give the new file the old one's owner";
            detail = strerror(errno);
        } else if (fchmod(out, st.st_mode & 07777) != 0 || fsync(out) != 0 ||
                   lsc_commit(out, named, dir, base, out_path) != 0) {
            rc = -1;
            why = "cannot replace it";
            detail = strerror(errno);
        }
    }
    if (out >= 0) {
        close(out);
    }
    if ((rc != 0 || !changed) && named[0] != '\0') {
        unlink(named);
    }
    lsc_framer_free(&f);
    lsc_source_free(src);
    close(in);
    if (rc != 0) {
        e->failed++;
        return say_error(e, path, why, detail);
    }
    e->records += records;
    e->expired += expired;
    e->untagged += untagged;
    e->rewritten += changed;
    if (!e->quiet) {
        fprintf(stderr, "%s: %llu records, %llu %s, %llu kept", path, (unsigned long long)records,
                (unsigned long long)expired, e->gone, (unsigned long long)(records - expired));
        if (e->drop == expired_line) {
            fprintf(stderr, " (%llu without a tag)", (unsigned long long)untagged);
        }
        if (e->stager != NULL) {
            fprintf(stderr, ", %llu advanced a stage", (unsigned long long)advanced);
        }
        fprintf(stderr, "%s\n", e->in_place && !changed ? ", unchanged" : "");
    }
    return 0;
}

/* lsc_walk's callbacks: -O DIR gets the tree's directories; each file is expired. */
static int walk_dir(void *ctx, const char *path, const char *rel, const struct stat *st)
{
    struct expire *e = ctx;
    (void)path;
    (void)st;
    char o[4096];
    if (!e->in_place && lsc_join3(o, sizeof o, e->out_dir, "/", rel)) {
        mkdir(o, 0750);
    }
    return 0;
}

static int walk_file(void *ctx, const char *path, const char *rel, const struct stat *st)
{
    struct expire *e = ctx;
    (void)st;
    char o[4096];
    if (!e->in_place && !lsc_join3(o, sizeof o, e->out_dir, "/", rel)) {
        e->failed++;
        say_error(e, path, "the output path is too long", NULL);
        return 0;
    }
    expire_file(e, path, e->in_place ? path : o); /* a failure is counted; go on */
    return 0;
}

/* The options expire and erase share: --in-place, -O DIR, --quiet. False if c is none. */
static bool common_option(struct expire *e, int c)
{
    switch (c) {
    case 'i':
        e->in_place = true;
        return true;
    case 'O':
        e->out_dir = optarg;
        return true;
    case 'q':
        e->quiet = true;
        return true;
    default:
        return false;
    }
}

static int usage(FILE *fp, int status)
{
    fprintf(fp, "Usage: logscrub expire [-p POLICY] [--now TIME] [--name NAME] [--quiet]\n"
                "                       (--in-place | -O DIR) PATH...\n"
                "Removes the records whose expiry tag (retention:) has passed: the JSON or logfmt\n"
                "member _expires (or NAME), or the last ' expires=TIME' of a text line. Lines\n"
                "without a tag are kept. Files may be plain, .gz or .zst (by their bytes; the\n"
                "output keeps the compression); directories are walked.\n"
                "  --in-place   replace each file that has expired records, crash-safely (the\n"
                "               path holds the complete old or the complete new file at every\n"
                "               instant; unchanged files are not rewritten)\n"
                "  -O DIR       write every file to DIR instead, keeping relative paths\n"
                "  -p POLICY    the policy that tagged the records: records whose next stage\n"
                "               (staged retention, _next_stage) is due are scrubbed again by it\n"
                "  --now TIME   the current time (RFC 3339 or epoch seconds), for tests and\n"
                "               catch-up runs; default: now\n"
                "  --quiet      no per-file summary\n"
                "Exit status: 0 all files done; 1 bad usage; 2 some file failed (it is left as\n"
                "it was, and the others are still done).\n");
    return status;
}

/* Walks the PATHs (argv[optind..]) with e's predicate; returns the exit status. */
static int run(struct expire *e, int argc, char **argv)
{
    if (e->out_dir != NULL && mkdir(e->out_dir, 0750) != 0 && errno != EEXIST) {
        fprintf(stderr, "logscrub %s: cannot create %s: %s\n", e->verb, e->out_dir,
                strerror(errno));
        return EXIT_IO;
    }
    struct lsc_walk w = {.verb = e->verb, .file = walk_file, .dir = walk_dir, .ctx = e};
    for (int i = optind; i < argc; i++) {
        const char *slash = strrchr(argv[i], '/');
        const char *rel = slash && slash[1] ? slash + 1 : argv[i];
        e->failed += lsc_walk(&w, argv[i], rel);
    }
    if (!e->quiet || e->failed > 0) {
        fprintf(stderr,
                "logscrub %s: %llu files (%llu rewritten, %llu failed), %llu records, "
                "%llu %s\n",
                e->verb, (unsigned long long)e->files, (unsigned long long)e->rewritten,
                (unsigned long long)e->failed, (unsigned long long)e->records,
                (unsigned long long)e->expired, e->gone);
    }
    return e->failed > 0 ? EXIT_IO : 0;
}

int lsc_cli_expire(int argc, char **argv)
{
    static const struct option opts[] = {
        {"now", required_argument, NULL, 'n'},
        {"name", required_argument, NULL, 'N'},
        {"in-place", no_argument, NULL, 'i'},
        {"quiet", no_argument, NULL, 'q'},
        {"policy", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy = NULL;
    struct expire *e = calloc(1, sizeof *e);
    if (e == NULL) {
        fprintf(stderr, "logscrub expire: out of memory\n");
        return EXIT_IO;
    }
    e->now = (int64_t)time(NULL);
    e->name = "_expires";
    e->drop = expired_line;
    e->verb = "expire";
    e->gone = "expired";
    int c, rc = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:O:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy = optarg;
            break;
        case 'n':
            if (!lsc_time_parse(optarg, strlen(optarg), e->now, &e->now)) {
                fprintf(stderr,
                        "logscrub expire: --now '%s' is not a time (use RFC 3339 like "
                        "2026-11-22T10:00:00Z, or epoch seconds)\n",
                        optarg);
                free(e);
                return EXIT_USAGE;
            }
            break;
        case 'N':
            e->name = optarg;
            break;
        case 'h':
            free(e);
            return usage(stdout, 0);
        default:
            if (common_option(e, c)) {
                break;
            }
            free(e);
            return usage(stderr, EXIT_USAGE);
        }
    }
    if (optind >= argc || e->in_place == (e->out_dir != NULL)) {
        fprintf(stderr, "logscrub expire: give PATHs and exactly one of --in-place or -O DIR\n");
        free(e);
        return usage(stderr, EXIT_USAGE);
    }
    struct lsc_policy *pol = NULL;
    if (policy != NULL) {
        /* The policy that tagged the records: due stages are applied by scrubbing again. */
        char err[2048];
        if (lsc_policy_load(policy, NULL, &pol, err, sizeof err) != LSC_OK ||
            lsc_scrubber_new(pol, &e->stager) != LSC_OK) {
            fprintf(stderr, "logscrub expire: %s\n", pol ? "out of memory" : err);
            lsc_policy_free(pol);
            free(e);
            return EXIT_USAGE;
        }
        e->stager->now_fixed = e->now;
        if (pol->retention && pol->tag_expiry && pol->expiry_name) {
            e->name = pol->expiry_name;
        }
    }
    rc = run(e, argc, argv);
    lsc_scrubber_free(e->stager);
    lsc_policy_free(pol);
    free(e);
    return rc;
}

/* ---- erase ---- */

static bool word_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '.' || c == ':' || c == '@' || c == '-';
}

/* Does p[0..n) hold w as a whole token (not inside a longer word or address)? */
static bool has_token(const char *p, size_t n, const char *w, size_t wl)
{
    if (wl == 0 || wl > n) {
        return false;
    }
    for (const char *x = p; (x = memmem(x, (size_t)(p + n - x), w, wl)) != NULL; x++) {
        bool left = x == p || !word_char((unsigned char)x[-1]);
        bool right = x + wl == p + n || !word_char((unsigned char)x[wl]);
        if (left && right) {
            return true;
        }
    }
    return false;
}

/* A period name ("2026-11-22", "2026-W47", "2026-11", "all") as a period number. */
static bool period_of_name(enum lsc_rotate r, const char *s, size_t n, uint64_t *out)
{
    char buf[40];
    int64_t t;
    switch (r) {
    case LSC_ROTATE_NONE:
        *out = 0;
        return n == 3 && memcmp(s, "all", 3) == 0;
    case LSC_ROTATE_DAILY:
        if (n != 10) {
            return false;
        }
        snprintf(buf, sizeof buf, "%.10sT00:00:00Z", s);
        if (!lsc_time_parse(buf, strlen(buf), 0, &t)) {
            return false;
        }
        *out = (uint64_t)(t / 86400);
        return true;
    case LSC_ROTATE_WEEKLY: {
        /* ISO week W of year Y: its Thursday is Jan 4's week's Thursday + 7 (W - 1) days. */
        unsigned y, w;
        if (n != 8 || s[4] != '-' || s[5] != 'W' || sscanf(s, "%4u-W%2u", &y, &w) != 2 || w < 1 ||
            w > 53) {
            return false;
        }
        snprintf(buf, sizeof buf, "%04u-01-04T00:00:00Z", y);
        if (!lsc_time_parse(buf, strlen(buf), 0, &t)) {
            return false;
        }
        int64_t jan4 = t / 86400;
        int64_t monday = jan4 - (jan4 + 3) % 7; /* 1970-01-05 (day 4) was a Monday */
        int64_t thursday = monday + 3 + 7 * ((int64_t)w - 1);
        *out = (uint64_t)(thursday / 7);
        return true;
    }
    case LSC_ROTATE_MONTHLY: {
        unsigned y, m;
        if (n != 7 || sscanf(s, "%4u-%2u", &y, &m) != 2 || y < 1970 || m < 1 || m > 12) {
            return false;
        }
        *out = (uint64_t)(y - 1970) * 12 + m - 1;
        return true;
    }
    }
    return false;
}

/*
 * The period the line's pseudonyms were made in: its key epoch tag ("_key_epoch" member or
 * " key_epoch=PERIOD/KEYID"), else its own time (count: the line's parsed nodes, 0 if it is
 * not a record). False when it has neither, or when the tag names another key (then no
 * pseudonym of ours can be in it).
 */
static bool line_period(struct expire *e, const char *p, size_t n, size_t count, uint64_t *period)
{
    const char *tag = memmem(p, n, "key_epoch", 9);
    if (tag != NULL) {
        const char *v = tag + 9;
        while (v < p + n && (*v == '"' || *v == ':' || *v == '=' || *v == ' ')) {
            v++;
        }
        const char *slash = memchr(v, '/', (size_t)(p + n - v));
        if (slash == NULL || p + n - slash < 9) {
            return false;
        }
        if (memcmp(slash + 1, e->pol->key.id, 8) != 0) {
            return false;
        }
        return period_of_name(e->pol->rotate, v, (size_t)(slash - v), period);
    }
    int64_t t;
    if (e->pol->rotate == LSC_ROTATE_NONE) {
        *period = 0;
        return true;
    }
    if (!(count > 0 && lsc_time_of_record(p, e->nodes, count, e->pol->ts_field,
                                          (enum lsc_time_layout)e->pol->ts_layout, e->now, &t)) &&
        !lsc_time_in_text(p, n, e->now, &t)) {
        return false;
    }
    *period = lsc_key_period(e->pol->rotate, t);
    return true;
}

/* Does the line hold a pseudonym that one of the policy's actions writes for v? */
static bool has_pseudonym(struct expire *e, const char *p, size_t n, const struct lsc_action *a,
                          lsc_class cls, const char *v, size_t vl, const struct lsc_ip *ip)
{
    unsigned char in[600], h[LSC_PRF_BYTES];
    char out[LSC_PSEUDONYM_MAX];
    if (vl > 512) {
        return false;
    }
    char type;
    size_t il = lsc_pseudonym_input(cls, v, vl, ip, &type, in);
    if (!lsc_prf(e->subkey, type, in, il, h)) {
        return false;
    }
    size_t ol = lsc_pseudonym_render(a, h, type, ip, out);
    return has_token(p, n, out, ol);
}

/* Every pseudonym the policy could have written for subject s, looked for in the line. */
static bool subject_pseudonym(struct expire *e, const char *p, size_t n, const struct subject *s)
{
    const struct lsc_policy *pol = e->pol;
    const char *v = s->value;
    size_t vl = strlen(v);
    const struct lsc_ip *ip = s->kind == SUBJ_IP || s->ip.family ? &s->ip : NULL;
    for (size_t f = 0; f < pol->nfields; f++) {
        const struct lsc_action *a = &pol->fields[f].action;
        if (pol->fields[f].kind == LSC_FIELD_ACTION && a->kind == LSC_ACT_PSEUDONYM &&
            has_pseudonym(e, p, n, a, LSC_CLASS_FIELD, v, vl, ip)) {
            return true;
        }
    }
    static const lsc_class classes[] = {LSC_CLASS_IPV4, LSC_CLASS_IPV6, LSC_CLASS_EMAIL};
    for (size_t k = 0; k < 3; k++) {
        const struct lsc_action *a = &pol->detect_action[classes[k]];
        if (pol->detect[classes[k]] && a->kind == LSC_ACT_PSEUDONYM &&
            (classes[k] == LSC_CLASS_EMAIL ? memchr(v, '@', vl) != NULL : ip != NULL) &&
            has_pseudonym(e, p, n, a, classes[k], v, vl,
                          classes[k] == LSC_CLASS_EMAIL ? NULL : ip)) {
            return true;
        }
    }
    for (size_t r = 0; r < pol->nrules; r++) {
        const struct lsc_action *a = &pol->rules[r].action;
        if (a->kind == LSC_ACT_PSEUDONYM &&
            has_pseudonym(e, p, n, a, LSC_CLASS_RULE, v, vl, NULL)) {
            return true;
        }
    }
    return false;
}

/* A JSON or logfmt member named s->field holding s->value (decoded), at the top level. */
static bool member_equals(struct expire *e, const char *p, size_t count, const struct subject *s)
{
    size_t vl = strlen(s->value);
    char buf[1024];
    for (int32_t i = lsc_json_find_member(p, e->nodes, count, 1, s->field); i >= 0;
         i = lsc_json_find_member(p, e->nodes, count, (size_t)i + 1, s->field)) {
        const struct lsc_json_node *x = &e->nodes[i];
        bool str = x->type == LSC_JSON_STRING;
        size_t len = x->len - 2 * str;
        if (len > sizeof buf) {
            continue;
        }
        size_t dl = x->escaped ? lsc_json_unescape(p + x->off + 1, len, buf) : len;
        const char *val = x->escaped ? buf : p + x->off + str;
        if (dl == vl && memcmp(val, s->value, vl) == 0) {
            return true;
        }
    }
    return false;
}

/* Case-insensitive has_token, for e-mail addresses. */
static bool has_token_nocase(const char *p, size_t n, const char *w, size_t wl)
{
    for (size_t i = 0; wl > 0 && i + wl <= n; i++) {
        if (strncasecmp(p + i, w, wl) == 0 && (i == 0 || !word_char((unsigned char)p[i - 1])) &&
            (i + wl == n || !word_char((unsigned char)p[i + wl]))) {
            return true;
        }
    }
    return false;
}

struct ip_hunt {
    const struct subject *subj;
    size_t nsubj;
    bool found;
};

/* Every address the detectors find, compared with the subjects' in canonical form. */
static int ip_seen(void *ctx, const struct lsc_match *m)
{
    struct ip_hunt *h = ctx;
    if (m->cls != LSC_CLASS_IPV4 && m->cls != LSC_CLASS_IPV6) {
        return 0;
    }
    unsigned char a[32], b[32];
    char ta, tb;
    size_t la = lsc_pseudonym_input(m->cls, NULL, 0, &m->ip, &ta, a);
    for (size_t k = 0; k < h->nsubj; k++) {
        if (h->subj[k].kind == SUBJ_IP) {
            size_t lb = lsc_pseudonym_input(m->cls, NULL, 0, &h->subj[k].ip, &tb, b);
            if (la == lb && memcmp(a, b, la) == 0) {
                h->found = true;
                return 1;
            }
        }
    }
    return 0;
}

/* erase: the line belongs to one of the subjects - raw, or as one of its pseudonyms. */
static bool subject_line(struct expire *e, const char *p, size_t n, bool *tagged)
{
    *tagged = true;
    bool any_ip = false;
    size_t count;
    if (!parse_record(e, p, n, &count)) {
        count = 0;
    }
    for (size_t k = 0; k < e->nsubj; k++) {
        const struct subject *s = &e->subj[k];
        size_t vl = strlen(s->value);
        any_ip |= s->kind == SUBJ_IP;
        if ((s->kind == SUBJ_FIELD && count > 0 && member_equals(e, p, count, s)) ||
            (s->kind == SUBJ_FIELD && memchr(s->value, '@', vl) != NULL &&
             has_token_nocase(p, n, s->value, vl)) ||
            (s->kind == SUBJ_TOKEN && has_token(p, n, s->value, vl))) {
            return true;
        }
    }
    if (any_ip) {
        /* Raw addresses in any form: 1.2.3.4, 1.2.3.4:443, ::ffff:1.2.3.4, [v6]:port. */
        struct ip_hunt h = {e->subj, e->nsubj, false};
        lsc_detect_text(p, n, ip_seen, &h);
        if (h.found) {
            return true;
        }
    }
    uint64_t period;
    if (!e->pol->needs_key || e->pol->key.master == NULL || !line_period(e, p, n, count, &period)) {
        return false;
    }
    if (!e->have_subkey || e->cached_period != period) {
        lsc_key_subkey(&e->pol->key, e->pol->rotate, period, e->subkey);
        e->cached_period = period;
        e->have_subkey = true;
    }
    for (size_t k = 0; k < e->nsubj; k++) {
        if (e->subj[k].kind != SUBJ_TOKEN && subject_pseudonym(e, p, n, &e->subj[k])) {
            return true;
        }
    }
    return false;
}

static int erase_usage(FILE *fp, int status)
{
    fprintf(fp,
            "Usage: logscrub erase -p POLICY --subject SUBJECT... (--in-place | -O DIR) PATH...\n"
            "Removes every record of a data subject (an erasure request, GDPR Art. 17) from\n"
            "logs and archives (plain, .gz, .zst; directories are walked), and reports how\n"
            "many per file. SUBJECT is one of\n"
            "  ip=ADDRESS     the address as written, and its pseudonyms under the policy\n"
            "  FIELD=VALUE    a JSON or logfmt member with that value, and its pseudonyms\n"
            "  pseudonym=TOK  a token as logscrub wrote it\n"
            "Pseudonyms are computed with the policy's key for each record's period (from\n"
            "its key epoch tag, or its own time), so a subject is found in every period.\n"
            "Files are replaced as by expire (crash-safe; unchanged files are not rewritten).\n"
            "Exit status: 0 done; 1 bad usage or policy; 2 some file failed.\n");
    return status;
}

int lsc_cli_erase(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'}, {"subject", required_argument, NULL, 's'},
        {"in-place", no_argument, NULL, 'i'},     {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct expire *e = calloc(1, sizeof *e);
    struct subject *subj = calloc((size_t)argc, sizeof *subj);
    if (e == NULL || subj == NULL) {
        free(e);
        free(subj);
        fprintf(stderr, "logscrub erase: out of memory\n");
        return EXIT_IO;
    }
    e->now = (int64_t)time(NULL);
    e->drop = subject_line;
    e->verb = "erase";
    e->gone = "erased";
    e->subj = subj;
    const char *policy = NULL;
    int c, rc = EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:s:O:h", opts, NULL)) != -1) {
        struct subject *s = &subj[e->nsubj];
        const char *eq = c == 's' ? strchr(optarg, '=') : NULL;
        switch (c) {
        case 'p':
            policy = optarg;
            break;
        case 's':
            if (eq == NULL || eq == optarg || eq[1] == '\0') {
                fprintf(stderr,
                        "logscrub erase: --subject '%s' must be ip=ADDRESS, "
                        "FIELD=VALUE or pseudonym=TOKEN\n",
                        optarg);
                goto out;
            }
            s->value = eq + 1;
            if ((size_t)(eq - optarg) == 2 && memcmp(optarg, "ip", 2) == 0) {
                if (!lsc_ip_parse_value(s->value, strlen(s->value), false, &s->ip)) {
                    fprintf(stderr, "logscrub erase: '%s' is not an IP address\n", s->value);
                    goto out;
                }
                s->kind = SUBJ_IP;
            } else if ((size_t)(eq - optarg) == 9 && memcmp(optarg, "pseudonym", 9) == 0) {
                s->kind = SUBJ_TOKEN;
            } else {
                s->kind = SUBJ_FIELD;
                ((char *)optarg)[eq - optarg] = '\0';
                s->field = optarg;
                /* A field holding an address: its address pseudonyms are looked for too. */
                lsc_ip_parse_value(s->value, strlen(s->value), false, &s->ip);
            }
            e->nsubj++;
            break;
        case 'h':
            rc = erase_usage(stdout, 0);
            goto out;
        default:
            if (common_option(e, c)) {
                break;
            }
            rc = erase_usage(stderr, EXIT_USAGE);
            goto out;
        }
    }
    if (policy == NULL || e->nsubj == 0 || optind >= argc || e->in_place == (e->out_dir != NULL)) {
        fprintf(stderr, "logscrub erase: give -p POLICY, at least one --subject, PATHs and "
                        "exactly one of --in-place or -O DIR\n");
        rc = erase_usage(stderr, EXIT_USAGE);
        goto out;
    }
    struct lsc_policy *pol = NULL;
    char err[2048];
    if (lsc_policy_load(policy, NULL, &pol, err, sizeof err) != LSC_OK) {
        fprintf(stderr, "logscrub erase: %s\n", err);
        goto out;
    }
    e->pol = pol;
    rc = run(e, argc, argv);
    lsc_policy_free(pol);
out:
    sodium_memzero(e->subkey, sizeof e->subkey);
    free(subj);
    free(e);
    return rc;
}
