/*
 * test_engine_gather.c - output by reference: the bytes come out in order, whatever mix of
 * references, copies and replacements made them, and the stream drivers never let a
 * reference outlive the input bytes it points at (a stale one would write later raw input).
 */
#include "engine/engine.h"
#include "helpers.h"
#include "io/archive.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>

static int empty_fd(void)
{
    return tmp_fd_with("", 0);
}

/* A model of the output next to the real thing. */
struct model {
    char *p;
    size_t len;
};

static void model_add(struct model *m, const char *p, size_t len)
{
    memcpy(m->p + m->len, p, len);
    m->len += len;
}

/* Random keeps (mostly contiguous, sometimes skipping input as a dropped line does),
 * replacements and writes; the file must hold exactly what the model holds. */
static void random_mix(uint64_t seed, size_t ref_min, size_t out_limit)
{
    size_t in_len = 1 << 20;
    char *in = malloc(in_len);
    cr_assert_not_null(in);
    for (size_t i = 0; i < in_len; i++) {
        in[i] = (char)('a' + i % 23);
    }
    struct model m = {malloc(4 * in_len), 0};
    cr_assert_not_null(m.p);
    struct lsc_buf out = {.limit = out_limit};
    struct lsc_gather g = {.on = true, .ref_min = ref_min};
    int fd = empty_fd();
    size_t written = 0;
    size_t pos = 0;
    uint64_t s = seed;
    while (pos < in_len - 8192) {
        uint64_t r = rnd(&s);
        switch (r % 8) {
        case 0:
        case 1:
        case 2:
        case 3: {
            size_t len = (size_t)(r >> 8) % (r & 16 ? 40 : 3000);
            if (lsc_gather_keep(&g, &out, in + pos, len)) {
                model_add(&m, in + pos, len);
            }
            pos += len;
            break;
        }
        case 4:
            pos += 1 + (size_t)(r >> 8) % 50; /* a line that wrote nothing */
            break;
        case 5:
        case 6: {
            char repl[32];
            size_t len = (size_t)snprintf(repl, sizeof repl, "<%lu>", (unsigned long)(r >> 40));
            if (lsc_buf_append(&out, repl, len)) {
                model_add(&m, repl, len);
            }
            break;
        }
        default:
            if ((r >> 8) % 8 == 0) {
                cr_assert_eq(lsc_gather_write(&g, &out, fd, NULL), LSC_OK);
                cr_assert_eq(out.len + g.bytes, 0);
                written = m.len;
            }
            break;
        }
        cr_assert_eq(out.len + g.bytes, m.len - written, "seed %lu: pending %zu, model %zu",
                     (unsigned long)seed, out.len + g.bytes, m.len - written);
    }
    cr_assert_eq(lsc_gather_write(&g, &out, fd, NULL), LSC_OK);
    size_t got_len;
    char *got = read_whole_fd(fd, &got_len);
    cr_assert_eq(got_len, m.len, "seed %lu ref_min %zu: %zu bytes, expected %zu",
                 (unsigned long)seed, ref_min, got_len, m.len);
    cr_assert_eq(memcmp(got, m.p, m.len), 0, "seed %lu ref_min %zu: bytes differ",
                 (unsigned long)seed, ref_min);
    free(got);
    close(fd);
    lsc_gather_free(&g);
    lsc_buf_free(&out);
    free(m.p);
    free(in);
}

Test(gather, any_mix_of_references_and_copies_comes_out_in_order)
{
    static const size_t mins[] = {1, 7, 300, 2000, 0};
    for (uint64_t seed = 1; seed <= 12; seed++) {
        for (size_t k = 0; k < sizeof mins / sizeof mins[0]; k++) {
            random_mix(seed * 0x9e3779b97f4a7c15ull, mins[k], (size_t)1 << 30);
        }
        /* An output buffer that cannot grow: runs it cannot take go by reference, and a
         * replacement that does not fit is refused without disturbing what came before. */
        random_mix(seed * 0x9e3779b97f4a7c15ull, 300, 5000);
    }
}

Test(gather, off_copies_and_holds_nothing)
{
    const char *in = "one\ntwo\n";
    struct lsc_buf out = {.limit = 1 << 20};
    struct lsc_gather g = {0};
    cr_assert(lsc_gather_keep(&g, &out, in, 4));
    cr_assert(lsc_gather_keep(&g, &out, in + 4, 4));
    cr_expect_eq(g.bytes, 0);
    cr_expect_eq(g.n, 0);
    cr_expect_eq(out.len, 8);
    cr_expect_eq(memcmp(out.p, in, 8), 0);
    lsc_buf_free(&out);
}

Test(gather, long_run_goes_by_reference_short_one_is_copied_in_place)
{
    size_t n = 3 * LSC_GATHER_REF_MIN;
    char *in = malloc(n);
    memset(in, 'x', n);
    memcpy(in + 100, "short", 5);
    struct lsc_buf out = {.limit = 1 << 20};
    struct lsc_gather g = {.on = true};
    cr_assert(lsc_buf_append(&out, "A", 1));
    cr_assert(lsc_gather_keep(&g, &out, in + 100, 5)); /* short run */
    cr_assert(lsc_buf_append(&out, "B", 1));
    cr_assert(lsc_gather_keep(&g, &out, in + 1000, LSC_GATHER_REF_MIN));      /* long run */
    cr_assert(lsc_gather_keep(&g, &out, in + 1000 + LSC_GATHER_REF_MIN, 10)); /* grows it */
    cr_assert(lsc_buf_append(&out, "C", 1));
    /* Starting the long run placed the short one: copied into out before "B". */
    cr_expect_eq(out.len, 8);
    cr_expect_eq(memcmp(out.p, "AshortBC", 8), 0);
    cr_expect_eq(g.n, 0);
    cr_expect_eq(g.run.len, LSC_GATHER_REF_MIN + 10);
    cr_expect_eq(g.bytes, LSC_GATHER_REF_MIN + 10);
    int fd = empty_fd();
    cr_assert_eq(lsc_gather_write(&g, &out, fd, NULL), LSC_OK);
    size_t len;
    char *got = read_whole_fd(fd, &len);
    cr_assert_eq(len, 8 + LSC_GATHER_REF_MIN + 10);
    cr_expect_eq(memcmp(got, "AshortB", 7), 0);
    cr_expect_eq(memcmp(got + 7, in + 1000, LSC_GATHER_REF_MIN + 10), 0);
    cr_expect_eq(got[len - 1], 'C');
    free(got);
    close(fd);
    lsc_gather_free(&g);
    lsc_buf_free(&out);
    free(in);
}

Test(gather, sink_gets_the_same_bytes)
{
    size_t n = 4 * LSC_GATHER_REF_MIN;
    char *in = malloc(n);
    for (size_t i = 0; i < n; i++) {
        in[i] = (char)('0' + i % 10);
    }
    struct lsc_buf out = {.limit = 1 << 20};
    struct lsc_gather g = {.on = true};
    cr_assert(lsc_gather_keep(&g, &out, in, 2 * LSC_GATHER_REF_MIN));
    cr_assert(lsc_buf_append(&out, "|", 1));
    cr_assert(lsc_gather_keep(&g, &out, in + 2 * LSC_GATHER_REF_MIN, 2 * LSC_GATHER_REF_MIN));
    int fd = empty_fd();
    struct lsc_sink *sink = lsc_sink_new(fd, LSC_COMPRESS_NONE);
    cr_assert_not_null(sink);
    cr_assert_eq(lsc_gather_write(&g, &out, -1, sink), LSC_OK);
    cr_assert_eq(lsc_sink_finish(sink), 0);
    size_t len;
    char *got = read_whole_fd(fd, &len);
    cr_assert_eq(len, n + 1);
    cr_expect_eq(memcmp(got, in, 2 * LSC_GATHER_REF_MIN), 0);
    cr_expect_eq(got[2 * LSC_GATHER_REF_MIN], '|');
    cr_expect_eq(memcmp(got + 2 * LSC_GATHER_REF_MIN + 1, in + 2 * LSC_GATHER_REF_MIN,
                        2 * LSC_GATHER_REF_MIN),
                 0);
    free(got);
    close(fd);
    lsc_gather_free(&g);
    lsc_buf_free(&out);
    free(in);
}

/* ---- through the stream drivers ---- */

/* Mostly clean lines in long runs, with planted addresses and e-mails among them. */
static char *corpus(size_t *len, uint64_t seed)
{
    size_t cap = 3u << 20;
    char *p = malloc(cap + 512);
    cr_assert_not_null(p);
    size_t n = 0;
    uint64_t s = seed;
    for (unsigned i = 0; n < cap; i++) {
        uint64_t r = rnd(&s);
        if (r % 300 == 0) {
            n += (size_t)sprintf(p + n, "login from 10.%u.%u.77 by pl%u@example.com\n",
                                 (unsigned)(r >> 8) % 256, (unsigned)(r >> 16) % 256, i);
        } else {
            size_t words = 1 + (size_t)(r >> 20) % 30;
            n += (size_t)sprintf(p + n, "%u job", i);
            for (size_t w = 0; w < words; w++) {
                n += (size_t)sprintf(p + n, " step%zu", w);
            }
            p[n++] = '\n';
        }
    }
    p[n] = '\0';
    *len = n;
    return p;
}

/* Feeds a pipe in small, uneven pieces, so the reader's buffer is refilled (moved and
 * overwritten) many times while references into it are pending. */
struct feeder {
    int fd;
    const char *p;
    size_t len;
    uint64_t seed;
};

static void *feed(void *arg)
{
    struct feeder *f = arg;
    uint64_t s = f->seed;
    for (size_t pos = 0; pos < f->len;) {
        size_t n = 1 + (size_t)rnd(&s) % 40000;
        n = n > f->len - pos ? f->len - pos : n;
        ssize_t w = write(f->fd, f->p + pos, n);
        if (w <= 0) {
            break;
        }
        pos += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

static char *scrub_through_pipe(const struct lsc_policy *pol, const char *in, size_t len,
                                unsigned jobs, uint64_t seed, int64_t now, size_t *olen,
                                struct lsc_stats *st)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    struct feeder f = {fds[1], in, len, seed};
    pthread_t t;
    cr_assert_eq(pthread_create(&t, NULL, feed, &f), 0);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    sc->now_fixed = now;
    /* A small max_line makes the reader's buffer small: it moves and refills often. */
    struct lsc_stream_opts so = {.max_line = 4096, .quarantine_fd = -1};
    int out = empty_fd();
    lsc_error err = jobs > 1 ? lsc_scrub_fd_parallel(sc, jobs, fds[0], out, &so)
                             : lsc_scrub_fd(sc, fds[0], out, &so);
    cr_assert_eq(err, LSC_OK);
    pthread_join(t, NULL);
    close(fds[0]);
    *st = *lsc_scrubber_stats(sc);
    lsc_scrubber_free(sc);
    char *o = read_whole_fd(out, olen);
    close(out);
    return o;
}

Test(gather, stream_output_equals_the_copying_path_under_short_reads)
{
    signal(SIGPIPE, SIG_IGN);
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        size_t len;
        char *in = corpus(&len, seed * 0x2545f4914f6cdd1dull);
        struct lsc_stats want_st;
        char *want = scrub_with(pol, in, len, &want_st); /* copies: no references */
        for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
            size_t olen;
            struct lsc_stats st;
            char *got = scrub_through_pipe(pol, in, len, jobs, seed, 0, &olen, &st);
            cr_assert_eq(olen, strlen(want), "seed %lu -j %u: %zu bytes, expected %zu",
                         (unsigned long)seed, jobs, olen, strlen(want));
            cr_assert_eq(memcmp(got, want, olen), 0, "seed %lu -j %u: bytes differ",
                         (unsigned long)seed, jobs);
            cr_expect_eq(st.bytes_out, want_st.bytes_out);
            cr_expect_eq(st.bytes_out, olen);
            cr_expect_eq(st.bytes_in, len);
            cr_expect_eq(st.changed, want_st.changed);
            cr_expect_gt(st.changed, 30);
            cr_expect(strstr(got, "@example.com") == NULL, "a planted e-mail came through");
            cr_expect(strstr(got, ".77 ") == NULL, "a planted address came through");
            free(got);
        }
        free(want);
        free(in);
    }
    lsc_policy_free(pol);
}

/* The same through the copying path (lsc_scrub_buffer), at a fixed "now". */
static char *scrub_copying(const struct lsc_policy *pol, const char *in, size_t len, int64_t now,
                           size_t *olen, struct lsc_stats *st)
{
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    sc->now_fixed = now;
    const char *out;
    cr_assert_eq(lsc_scrub_buffer(sc, in, len, &out, olen), LSC_OK);
    char *copy = malloc(*olen + 1);
    cr_assert_not_null(copy);
    memcpy(copy, out, *olen);
    copy[*olen] = '\0';
    *st = *lsc_scrubber_stats(sc);
    lsc_scrubber_free(sc);
    return copy;
}

static struct lsc_policy *policy_from(const char *text)
{
    struct lsc_policy *pol = NULL;
    char err[2048];
    cr_assert_eq(lsc_policy_load_buffer("p.yaml", text, strlen(text), NULL, &pol, err, sizeof err),
                 LSC_OK, "%s", err);
    return pol;
}

/* JSON records, most of them unchanged by the policy, some with an address and a member to
 * remove; or text lines for a policy that tags every line (the tag goes between the line
 * and its newline, so such a line is never kept whole by reference). */
static char *records(size_t *len, bool json)
{
    size_t cap = 2u << 20;
    char *p = malloc(cap + 512);
    cr_assert_not_null(p);
    size_t n = 0;
    uint64_t s = 0x853c49e6748fea9bull;
    for (unsigned i = 0; n < cap; i++) {
        uint64_t r = rnd(&s);
        if (!json) {
            n += (size_t)sprintf(p + n, "%u event %s\n", i,
                                 r % 50 == 0 ? "from 192.0.2.55" : "ok steady state");
        } else if (r % 200 == 0) {
            n += (size_t)sprintf(p + n, "{\"path\":\"/a\",\"ip\":\"10.1.2.%u\",\"body\":\"x\"}\n",
                                 (unsigned)(r >> 8) % 256);
        } else {
            n += (size_t)sprintf(p + n, "{\"path\":\"/items/%u\",\"status\":200}\n", i);
        }
    }
    p[n] = '\0';
    *len = n;
    return p;
}

Test(gather, structured_and_tagged_lines_equal_the_copying_path)
{
    signal(SIGPIPE, SIG_IGN);
    static const char *const policies[] = {
        "version: 1\nname: s\ninput: { format: json }\n"
        "fields:\n  keep: [path, status, ip]\n  ip: { ip: truncate, v4: 24 }\n",
        "version: 1\nname: r\ninput: { format: text }\ntext:\n  - use: network\nretention: 30d\n",
    };
    int64_t now = 1795000000; /* (a fixed "now" for the expiry tags) */
    for (size_t k = 0; k < 2; k++) {
        struct lsc_policy *pol = policy_from(policies[k]);
        size_t len;
        char *in = records(&len, k == 0);
        size_t wlen;
        struct lsc_stats wst;
        char *want = scrub_copying(pol, in, len, now, &wlen, &wst);
        cr_assert_gt(wst.changed, 0);
        for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
            size_t olen;
            struct lsc_stats st;
            char *got = scrub_through_pipe(pol, in, len, jobs, 7 + k, now, &olen, &st);
            cr_assert_eq(olen, wlen, "policy %zu -j %u: %zu bytes, expected %zu", k, jobs, olen,
                         wlen);
            cr_assert_eq(memcmp(got, want, olen), 0, "policy %zu -j %u: bytes differ", k, jobs);
            cr_expect_eq(st.bytes_out, olen);
            cr_expect_eq(st.changed, wst.changed);
            cr_expect(strstr(got, "\"body\"") == NULL);
            cr_expect(strstr(got, "192.0.2.55") == NULL);
            free(got);
        }
        free(want);
        free(in);
        lsc_policy_free(pol);
    }
}

/*
 * -j N's workers stop one by one, and one still writing gives output buffers back to the
 * worker that filled them, stopped or not: many short runs (a few batches each, so the last
 * ones are written by either worker) give one thread's bytes every time. (The sanitizer
 * build catches a worker's buffers freed while another could still give one back.)
 */
Test(gather, short_parallel_runs_end_cleanly)
{
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    size_t len;
    char *in = corpus(&len, 0x9e3779b97f4a7c15ull);
    len = (size_t)((char *)memchr(in + (600u << 10), '\n', len - (600u << 10)) - in) + 1;
    char *want = scrub_with(pol, in, len, NULL);
    for (unsigned run = 0; run < 60; run++) {
        unsigned jobs = 2 + run % 3;
        int fd = tmp_fd_with(in, len), out = empty_fd();
        struct lsc_scrubber *sc;
        cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
        struct lsc_stream_opts so = {.max_line = 1 << 20, .quarantine_fd = -1};
        cr_assert_eq(lsc_scrub_fd_parallel(sc, jobs, fd, out, &so), LSC_OK);
        lsc_scrubber_free(sc);
        size_t olen;
        char *got = read_whole_fd(out, &olen);
        cr_assert(olen == strlen(want) && memcmp(got, want, olen) == 0, "run %u, -j %u", run, jobs);
        free(got);
        close(fd);
        close(out);
    }
    free(want);
    free(in);
    lsc_policy_free(pol);
}

/* One -j N run of in[0..len) into out: its result, and whether the calling thread's CPUs
 * were the same after it as before. */
static lsc_error parallel_run(const struct lsc_policy *pol, const char *in, size_t len,
                              unsigned jobs, int out, bool *cpus_kept)
{
    cpu_set_t before, after;
    cr_assert_eq(pthread_getaffinity_np(pthread_self(), sizeof before, &before), 0);
    int fd = tmp_fd_with(in, len);
    struct lsc_scrubber *sc;
    cr_assert_eq(lsc_scrubber_new(pol, &sc), LSC_OK);
    struct lsc_stream_opts so = {.max_line = 1 << 20, .quarantine_fd = -1};
    lsc_error err = lsc_scrub_fd_parallel(sc, jobs, fd, out, &so);
    lsc_scrubber_free(sc);
    close(fd);
    cr_assert_eq(pthread_getaffinity_np(pthread_self(), sizeof after, &after), 0);
    *cpus_kept = CPU_EQUAL(&before, &after);
    return err;
}

/*
 * -j N holds each worker on a CPU of its own for its first batches when the caller may use
 * that many (parallel.c, spread_cpus) - the calling thread is worker 0, so it must get all
 * its CPUs back however the run ends: after fewer batches than it is held for, after more,
 * when the output fails; and with fewer CPUs allowed than workers nothing is held at all.
 */
Test(gather, parallel_runs_give_the_caller_its_cpus_back)
{
    signal(SIGPIPE, SIG_IGN);
    struct lsc_policy *pol;
    cr_assert_eq(lsc_policy_default(&pol), LSC_OK);
    size_t len;
    char *in = corpus(&len, 0x51ed270b27ab9f3dull);
    size_t short_len = (size_t)((char *)memchr(in + (600u << 10), '\n', len) - in) + 1;
    char *want = scrub_with(pol, in, len, NULL);
    cpu_set_t all;
    cr_assert_eq(pthread_getaffinity_np(pthread_self(), sizeof all, &all), 0);
    if (CPU_COUNT(&all) < 2) {
        cr_log_warn("one CPU allowed: no worker is ever held, only the one-CPU case runs");
    }
    for (unsigned jobs = 2; jobs <= 4; jobs++) {
        bool kept;
        /* Two batches (worker 0 still held when the input ends), then many. */
        int out = empty_fd();
        cr_expect_eq(parallel_run(pol, in, short_len, jobs, out, &kept), LSC_OK);
        cr_expect(kept, "-j %u, a short input: the caller's CPUs changed", jobs);
        close(out);
        out = empty_fd();
        cr_expect_eq(parallel_run(pol, in, len, jobs, out, &kept), LSC_OK);
        cr_expect(kept, "-j %u: the caller's CPUs changed", jobs);
        size_t olen;
        char *got = read_whole_fd(out, &olen);
        cr_expect(olen == strlen(want) && memcmp(got, want, olen) == 0, "-j %u", jobs);
        free(got);
        close(out);
        /* The output fails (nobody reads it): everyone stops. */
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        close(fds[0]);
        lsc_error err = parallel_run(pol, in, len, jobs, fds[1], &kept);
        cr_expect(err == LSC_EPIPE || err == LSC_EWRITE, "-j %u: %d", jobs, (int)err);
        cr_expect(kept, "-j %u, a failed write: the caller's CPUs changed", jobs);
        close(fds[1]);
    }
    /* One CPU allowed, two workers: they share it, as the scheduler sees fit. */
    cpu_set_t one;
    CPU_ZERO(&one);
    int cpu = sched_getcpu();
    CPU_SET(cpu >= 0 && CPU_ISSET(cpu, &all) ? cpu : 0, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0) {
        bool kept;
        int out = empty_fd();
        cr_expect_eq(parallel_run(pol, in, len, 2, out, &kept), LSC_OK);
        cr_expect(kept, "one CPU: the caller's CPUs changed");
        size_t olen;
        char *got = read_whole_fd(out, &olen);
        cr_expect(olen == strlen(want) && memcmp(got, want, olen) == 0, "one CPU");
        free(got);
        close(out);
        cr_assert_eq(pthread_setaffinity_np(pthread_self(), sizeof all, &all), 0);
    }
    free(want);
    free(in);
    lsc_policy_free(pol);
}
