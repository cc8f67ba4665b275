/*
 * parallel.c - the pipeline for -j N: N workers that take turns reading and writing.
 *
 * The input is cut into batches at newline boundaries, numbered in order. Each worker takes
 * the next batch in number order and scrubs it with its own scrubber (its own scratch, memo
 * and PCRE2 match data) into output buffers of its own (struct worker says why), which the
 * batch holds until it is written; a worker that finds no batch ready and nobody reading
 * becomes the reader for one batch (read_turn), and then, as a rule, scrubs that batch
 * itself while its bytes are still in its core's cache (a reader thread of its own copied
 * every byte into one core's cache for another core to scrub: -j 2 spent 3-6 % more CPU
 * time on the nginx corpus that way). Writing is a turn too (write_turn):
 * the worker that finishes a batch writes it, and every scrubbed batch after it, when the
 * batches before it are written and nobody else is writing - strictly in number order, and
 * from the core that just produced the bytes (a writer thread of its own was woken for
 * every batch: on the nginx corpus, half of all context switches). The batches live in a
 * ring of N + 2 slots (N being scrubbed, one filling, one being written), so at most that
 * many are in memory at once, whatever the input size, and a worker keeps no more output
 * buffers than there are slots. The calling thread is worker 0, with the caller's scrubber.
 *
 * Each line is scrubbed exactly as lsc_scrub_fd would: the same engine call, the same
 * oversize path for lines longer than max_line (a line inside a block is checked here; a
 * run of more than max_line bytes without a newline comes from the framer in pieces), the
 * same quarantine bytes. So the output is byte-identical to one thread's, in input order.
 * Promptness is kept too: before a read that could block, the reader hands over what it
 * has, and each batch is written as soon as it and those before it are done.
 *
 * No input byte is copied on its way to a worker: the framer reads into a buffer that,
 * when the batch is handed over, becomes the batch's (lsc_framer_swap), the framer going on
 * in a spare one with the bytes it has not handed out yet - a partial line. A batch is
 * also handed over before a read would move or overwrite its bytes. Buffers come back as
 * spares once their batch is written; a spare that held a giant line gives back its pages
 * beyond the first RELEASE_AT bytes.
 */
#include "../io/archive.h"
#include "../io/io.h"
#include "engine.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A batch is handed over once it holds this much. When batches were copied into buffers of
 * their own, 512 KiB batches in 2N + 2 slots cost -j 2 2,750 page faults against one
 * thread's 630 (17 us a page in this VM) and 8 % more CPU time than 128 KiB in N + 2. Now a
 * batch takes the framer's buffer with it (no copy, no buffer of its own) and the size
 * moves no page: 512 KiB gives fewer hand-overs for the same faults (840 against 897 on the
 * 200 MB nginx corpus) and 1.5-4.7 % more throughput with -j 2 than 128 KiB (RESULTS.md,
 * thirty-seventh pass). */
#define BATCH_TARGET (512 * 1024)
#define RELEASE_AT (2 * 1024 * 1024) /* a spare keeps this much of its pages */
/* How many of the buffers made for batches are in huge pages (pages.c), as the framer's
 * first one is: -j N makes N + 2 beside it, so up to -j 4 all are. Beyond that, 4 KiB pages:
 * a huge page is resident whole (-j 64 with all in huge pages: 197 MiB, against 78). */
#define HUGE_BUFFERS 6

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_WORKING, SLOT_DONE };

/* A piece of a batch: complete lines, or a piece of a line longer than max_line. */
struct item {
    enum lsc_frame_kind kind; /* LINE (one or more lines), LONG_PART or LONG_END */
    size_t off, len;          /* bytes in the batch's input (LONG pieces: only if quarantined) */
    bool nl;                  /* LINE: the last line ends in '\n'; LONG_END: the line did */
    size_t total;             /* LONG_END: the whole line's length */
};

struct worker;

/* A batch's scrubbed output: its bytes, and the references into its input between them. */
struct output {
    struct lsc_buf out;
    struct lsc_gather gather;
};

struct slot {
    enum slot_state state;
    uint64_t seq;
    struct lsc_buf in; /* in.p: the buffer holding the items' bytes (a framer buffer) */
    size_t bytes;      /* the items' bytes, for BATCH_TARGET */
    struct item *items;
    size_t nitems, items_cap;
    struct lsc_buf out;       /* scrubbed output (the worker's sc->out while scrubbed) */
    struct lsc_gather gather; /* and its references into in (sc->gather while scrubbed) */
    struct worker *owner;     /* whose output buffers out and gather are (back once written) */
    struct lsc_buf q;         /* raw lines for the quarantine file */
    lsc_error err;
};

struct pool {
    pthread_mutex_t mu;
    cpu_set_t allowed; /* the caller's CPUs: each worker's once let go (spread_cpus) */
    /* One condition for each kind of waiter, so a change wakes only the thread it concerns
     * (a context switch is dear in a VM): */
    pthread_cond_t ready; /* workers: a batch is ready */
    pthread_cond_t freed; /* the reader: a batch is written, its slot free */
    struct slot *slots;
    size_t nslots;
    uint64_t queued;  /* batches handed over by the reader */
    uint64_t taken;   /* batches a worker has started */
    uint64_t written; /* batches written */
    bool eof;         /* the reader has handed over its last batch */
    bool reading;     /* a worker holds the framer (the reader's turn, see read_turn) */
    bool writing;     /* a worker is writing batches out (the writer's turn, write_turn) */
    lsc_error err;    /* the first fatal error (write failure, no memory): everyone stops */
    int saved_errno;
    lsc_error read_err; /* how the input ended (OK, or a read error), once eof */
    int read_errno;
    size_t max_line;
    bool q_mode;
    struct lsc_stream_opts *opts;
    int out_fd;
    int q_fd;
    int in_fd;
    struct slot *filling; /* the reader's batch, not yet handed over */
    struct lsc_framer *framer;
    char *spare;        /* a buffer of framer->cap bytes for the next swap, or NULL */
    unsigned huge_left; /* how many more of those may be in huge pages (HUGE_BUFFERS) */
    size_t out_limit;   /* of each output buffer */
};

/* A worker scrubs each batch into output buffers of its own, which come back to it once
 * the batch is written (by whichever worker): buffers shared round the ring were written by
 * one core, then the other, and -j 2 spent 20-25 % more CPU time than one thread on the
 * JSON corpus (two threads on one core: none; two processes: 0-10 %) - a cache line
 * written on the other core is fetched from there. The workers' scrubbers, made here one
 * after the other, are kept apart the same way (lsc_alloc_unshared): side by side, one
 * worker's counters, written at every line, shared a line with the other's field-count
 * table pointer, read at every replaced field, and -j 2 spent 0.48-0.54 s of CPU time on
 * 100 MB of nginx with the structural policy against 0.42-0.43 s kept apart (on some days
 * the cores were near enough to each other that it cost nothing). */
struct worker {
    struct pool *pool;
    struct lsc_scrubber *sc;
    pthread_t tid;
    int cpu;              /* where the worker is held at first (spread_cpus) */
    unsigned held_for;    /* batches still to scrub there before it is let go; 0: let go */
    struct output *spare; /* written batches' buffers, for the next ones (p->mu) */
    size_t nspare;        /* (never more than the ring's slots: spare has that room) */
};

/*
 * Spreading the workers. In a VM whose kernel packs threads onto few virtual CPUs (this
 * project's 2-vCPU machine: sched_vcpu_pack), a new worker woken by the one that read the
 * first batch was put on that worker's CPU, and both shared it for 10-25 ms while the other
 * CPU idled (perf sched: one CPU 5-30 % idle in -j 2 on the 200 MB nginx corpus). So when
 * there are at least as many CPUs allowed as workers, each worker is held on a CPU of its
 * own - the calling thread's own one for worker 0, the next allowed ones for the others -
 * for its first SPREAD_BATCHES batches, then let go on every allowed CPU again (the
 * scheduler leaves a busy thread where it is). Only ever CPUs the caller may use (taskset,
 * a container's cpuset), only for a moment, and no spreading with more workers than CPUs:
 * they must share, and the scheduler knows best how.
 */
#define SPREAD_BATCHES 4

/* The first CPU in set after cpu (round the set; set holds at least one). */
static int next_cpu(const cpu_set_t *set, int cpu)
{
    do {
        cpu = (cpu + 1) % CPU_SETSIZE;
    } while (!CPU_ISSET(cpu, set));
    return cpu;
}

/* Picks w[k].cpu for each of the jobs workers - the calling thread's CPU for worker 0, the
 * next allowed ones for the others - when at least jobs CPUs are allowed (else none is
 * held). */
static void spread_cpus(struct pool *p, struct worker *w, unsigned jobs)
{
    if (pthread_getaffinity_np(pthread_self(), sizeof p->allowed, &p->allowed) != 0 ||
        CPU_COUNT(&p->allowed) < (int)jobs) {
        return;
    }
    int cpu = sched_getcpu();
    if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &p->allowed)) {
        cpu = next_cpu(&p->allowed, -1);
    }
    for (unsigned k = 0; k < jobs; k++, cpu = next_cpu(&p->allowed, cpu)) {
        w[k].cpu = cpu;
        w[k].held_for = SPREAD_BATCHES;
    }
}

/* Holds the calling worker on its CPU (at its start). A failure changes nothing: the
 * worker runs wherever the scheduler puts it. */
static void hold(struct worker *w)
{
    int saved = errno;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(w->cpu, &one);
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0) {
        w->held_for = 0;
    }
    errno = saved;
}

/* Lets the calling worker run on every allowed CPU again. */
static void let_go(struct pool *p, struct worker *w)
{
    int saved = errno;
    w->held_for = 0;
    pthread_setaffinity_np(pthread_self(), sizeof p->allowed, &p->allowed);
    errno = saved;
}

static void wake_all(struct pool *p)
{
    pthread_cond_broadcast(&p->ready);
    pthread_cond_broadcast(&p->freed);
}

static void fail(struct pool *p, lsc_error err)
{
    if (p->err == LSC_OK) {
        p->err = err;
        p->saved_errno = errno;
    }
    wake_all(p);
}

static bool push_item(struct slot *s, struct item it)
{
    if (s->nitems == s->items_cap) {
        size_t cap = s->items_cap ? 2 * s->items_cap : 16;
        struct item *v = realloc(s->items, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        s->items = v;
        s->items_cap = cap;
    }
    s->items[s->nitems++] = it;
    return true;
}

/* Scrubs one line the way lsc_scrub_fd does, output into sc->out. */
static lsc_error one_line(struct pool *p, struct lsc_scrubber *sc, struct slot *s, const char *l,
                          size_t len, bool nl)
{
    struct lsc_buf *q = p->q_fd >= 0 ? &s->q : NULL;
    if (len > p->max_line) {
        enum lsc_verdict v;
        if (p->q_mode && !lsc_quarantine_append(q, l, len, nl)) {
            return LSC_ENOMEM;
        }
        return lsc_engine_fail_line(sc, LSC_FAIL_OVERSIZE, len, nl, &v);
    }
    return lsc_engine_line_q(sc, l, len, nl, q);
}

static lsc_error scrub_batch(struct pool *p, struct lsc_scrubber *sc, struct slot *s)
{
    lsc_error err = LSC_OK;
    for (size_t i = 0; i < s->nitems && err == LSC_OK; i++) {
        const struct item *it = &s->items[i];
        const char *b = s->in.p + it->off;
        if (it->kind == LSC_FRAME_LINE) {
            size_t pos = 0;
            while (pos < it->len && err == LSC_OK) {
                const char *nl = lsc_find_newline(b + pos, b + it->len);
                size_t end = nl ? (size_t)(nl - b) : it->len;
                err = one_line(p, sc, s, b + pos, end - pos, nl != NULL);
                pos = end + 1;
            }
            continue;
        }
        bool end = it->kind == LSC_FRAME_LONG_END;
        if (p->q_mode &&
            !lsc_quarantine_append(p->q_fd >= 0 ? &s->q : NULL, b, it->len, end && it->nl)) {
            err = LSC_ENOMEM;
        } else if (end) {
            enum lsc_verdict v;
            err = lsc_engine_fail_line(sc, LSC_FAIL_OVERSIZE, it->total, it->nl, &v);
        }
    }
    return err;
}

static void read_turn(struct pool *p, struct lsc_scrubber *sc);
static void write_turn(struct pool *p);

/*
 * A worker scrubs the next batch in number order when there is one; when there is none and
 * nobody is reading, it reads the next batch itself (read_turn) - and then, as a rule,
 * scrubs it while its bytes are still in this core's cache; otherwise it waits.
 */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pool *p = w->pool;
    if (w->held_for > 0) {
        hold(w);
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->err != LSC_OK) {
            break;
        }
        if (p->taken == p->queued) {
            if (p->eof) {
                break;
            }
            if (!p->reading) {
                p->reading = true;
                pthread_mutex_unlock(&p->mu);
                read_turn(p, w->sc);
                pthread_mutex_lock(&p->mu);
                p->reading = false;
            } else {
                pthread_cond_wait(&p->ready, &p->mu);
            }
            continue;
        }
        struct slot *s = &p->slots[p->taken % p->nslots];
        p->taken++;
        s->state = SLOT_WORKING;
        struct output o = {.out = {.limit = p->out_limit}};
        if (w->nspare > 0) {
            o = w->spare[--w->nspare];
        }
        pthread_mutex_unlock(&p->mu);

        /* The batch's output refers to its input, which stays until the batch is written. */
        struct lsc_buf mine = w->sc->out;
        struct lsc_gather mine_g = w->sc->gather;
        w->sc->out = o.out;
        w->sc->gather = o.gather;
        lsc_gather_reset(&w->sc->gather, &w->sc->out);
        w->sc->gather.on = true;
        s->err = scrub_batch(p, w->sc, s);
        if (w->held_for > 0 && --w->held_for == 0) {
            let_go(p, w);
        }
        s->out = w->sc->out;
        s->gather = w->sc->gather;
        s->owner = w;
        w->sc->out = mine;
        w->sc->gather = mine_g;

        pthread_mutex_lock(&p->mu);
        s->state = SLOT_DONE;
        if (s->err != LSC_OK) {
            fail(p, s->err);
        }
        if (!p->writing) {
            p->writing = true;
            write_turn(p);
            p->writing = false;
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (w->held_for > 0) {
        let_go(p, w); /* (worker 0 is the caller's thread: it goes on as it came) */
    }
    return NULL;
}

static lsc_error write_slot(struct pool *p, struct slot *s)
{
    lsc_error err = lsc_gather_write(&s->gather, &s->out, p->out_fd, p->opts->sink);
    if (err == LSC_OK && s->q.len > 0) {
        err = lsc_write_all(p->q_fd, s->q.p, s->q.len);
    }
    s->q.len = 0;
    return err;
}

/* Returns written slot s's output buffers to the worker that scrubbed into them (p->mu
 * held). */
static void give_back_output(struct pool *p, struct slot *s)
{
    struct worker *w = s->owner;
    if (w != NULL && w->nspare < p->nslots) {
        w->spare[w->nspare++] = (struct output){s->out, s->gather};
    } else {
        lsc_buf_free(&s->out);
        lsc_gather_free(&s->gather);
    }
    s->out = (struct lsc_buf){.limit = p->out_limit};
    s->gather = (struct lsc_gather){0};
    s->owner = NULL;
}

/*
 * One worker's turn at writing (p->writing is set, p->mu held): the scrubbed batches from
 * the next one to be written on, in number order, until one is not scrubbed yet. The
 * check that ends the turn and the clearing of p->writing after it happen under one hold
 * of the lock, so a batch finished meanwhile is seen here or written by whoever finished
 * it.
 */
static void write_turn(struct pool *p)
{
    for (;;) {
        struct slot *s = &p->slots[p->written % p->nslots];
        if (p->err != LSC_OK || p->written == p->queued || s->state != SLOT_DONE) {
            return;
        }
        pthread_mutex_unlock(&p->mu);
        lsc_error err = write_slot(p, s);
        pthread_mutex_lock(&p->mu);
        if (err != LSC_OK) {
            fail(p, err);
            return;
        }
        give_back_output(p, s);
        s->state = SLOT_FREE;
        s->nitems = 0;
        s->in.len = 0;
        p->written++;
        pthread_cond_signal(&p->freed);
    }
}

/*
 * Hands the reader's batch to the workers (if it holds anything), with the framer's buffer
 * that holds its bytes. False when no buffer could be found for the framer (out of memory).
 */
static bool hand_over(struct pool *p)
{
    struct slot *s = p->filling;
    if (s == NULL || s->nitems == 0) {
        return true;
    }
    char *fresh = p->spare;
    if (fresh == NULL) {
        bool huge = p->huge_left > 0;
        fresh = lsc_pages_alloc(p->framer->cap, huge);
        if (huge && fresh != NULL) {
            p->huge_left--;
        }
    }
    if (fresh == NULL) {
        return false;
    }
    p->spare = NULL;
    s->in.p = lsc_framer_swap(p->framer, fresh);
    pthread_mutex_lock(&p->mu);
    s->state = SLOT_READY;
    p->queued++;
    p->filling = NULL;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->mu);
    return true;
}

/* Gives the whole pages inside p[0..len) back to the system (their bytes are not needed
 * again; a later write finds zeroed pages). */
static void give_back(char *p, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
    uintptr_t to = ((uintptr_t)p + len) & ~(uintptr_t)(page - 1);
    if (to > from) {
        madvise((void *)from, to - from, MADV_DONTNEED);
    }
}

/* Keeps a written batch's buffer as the spare (its pages past RELEASE_AT given back), or
 * frees it when there is one. */
static void recycle(struct pool *p, char *buf)
{
    if (buf == NULL) {
        return;
    }
    if (p->spare != NULL) {
        lsc_pages_free(buf, p->framer->cap);
        return;
    }
    if (p->framer->cap > RELEASE_AT) {
        give_back(buf + RELEASE_AT, p->framer->cap - RELEASE_AT);
    }
    p->spare = buf;
}

/* The next free slot for the reader; NULL when the pool has stopped. */
static struct slot *next_slot(struct pool *p)
{
    if (p->filling != NULL) {
        return p->filling;
    }
    pthread_mutex_lock(&p->mu);
    struct slot *s = &p->slots[p->queued % p->nslots];
    while (p->err == LSC_OK && s->state != SLOT_FREE) {
        pthread_cond_wait(&p->freed, &p->mu);
    }
    bool ok = p->err == LSC_OK;
    pthread_mutex_unlock(&p->mu);
    if (!ok) {
        return NULL;
    }
    s->seq = p->queued;
    s->nitems = 0;
    s->bytes = 0;
    recycle(p, s->in.p);
    s->in.p = NULL;
    p->filling = s;
    return s;
}

/* Before each read: the batch goes if the read would move its bytes, or might block. */
static int before_read(void *ctx)
{
    struct pool *p = ctx;
    if (p->filling != NULL && p->filling->nitems > 0 &&
        (lsc_framer_will_move(p->framer) || !lsc_input_ready(p->in_fd)) && !hand_over(p)) {
        pthread_mutex_lock(&p->mu);
        fail(p, LSC_ENOMEM);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    bool stop = p->err != LSC_OK;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

/*
 * A block this big holds a line of several MiB. Copying it into a batch would hold it three
 * times (the framer's buffer, the batch, the scrubbed output); instead the reader waits
 * until everything before it is written, scrubs it in place with its own scrubber and
 * writes it itself, so a giant line costs what it costs with one thread.
 */
#define BIG_BLOCK (4 * 1024 * 1024)

static bool scrub_in_place(struct pool *p, struct lsc_scrubber *sc, const struct lsc_frame *fr)
{
    /* (If the batch before takes the framer's buffer, fr's bytes go with it: that batch is
     * written below, but its buffer is only reused by the next next_slot().) */
    if (!hand_over(p)) {
        return false;
    }
    pthread_mutex_lock(&p->mu);
    while (p->err == LSC_OK && p->written < p->queued) {
        pthread_cond_wait(&p->freed, &p->mu);
    }
    bool ok = p->err == LSC_OK;
    pthread_mutex_unlock(&p->mu);
    if (!ok) {
        return false; /* (the pool's error is reported) */
    }
    struct item it = {LSC_FRAME_LINE, 0, fr->len, fr->nl, fr->len};
    struct slot big = {.in = {.p = (char *)fr->p, .len = fr->len}, .items = &it, .nitems = 1};
    big.q.limit = (size_t)1 << 32;
    lsc_gather_reset(&sc->gather, &sc->out);
    sc->gather.on = true; /* (the block stays in the framer's buffer until written here) */
    lsc_error err = scrub_batch(p, sc, &big);
    big.out = sc->out; /* (shares sc's buffers: written, then emptied) */
    big.gather = sc->gather;
    if (err == LSC_OK) {
        err = write_slot(p, &big);
    }
    sc->gather = big.gather;
    lsc_gather_reset(&sc->gather, &sc->out);
    sc->gather.on = false;
    give_back((char *)fr->p, fr->len); /* (written; the framer has moved past it) */
    lsc_buf_free(&big.q);
    if (err != LSC_OK) {
        pthread_mutex_lock(&p->mu);
        fail(p, err);
        pthread_mutex_unlock(&p->mu);
        return false;
    }
    return true;
}

/*
 * Reads until a batch is handed over, the input ends or the pool stops; *end tells that
 * nothing more is to be read. Returns a read error (or OK).
 */
static lsc_error read_some(struct pool *p, struct lsc_scrubber *sc, struct lsc_framer *f, bool *end)
{
    /* (queued changes only in hand_over, called by whoever holds the framer: this thread) */
    uint64_t q0 = p->queued;
    *end = true;
    while (p->queued == q0) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next_block(f, &fr);
        if (k == LSC_FRAME_EOF || k == LSC_FRAME_ABORT) {
            return LSC_OK;
        }
        if (k == LSC_FRAME_ERROR) {
            if (f->archive_error) {
                snprintf(p->opts->archive_error, sizeof p->opts->archive_error, "%s",
                         lsc_source_error(f->src));
                return LSC_EARCHIVE;
            }
            return LSC_EREAD;
        }
        if (k == LSC_FRAME_LINE && fr.len >= BIG_BLOCK) {
            if (!scrub_in_place(p, sc, &fr)) {
                return LSC_OK;
            }
            continue;
        }
        struct slot *s = next_slot(p);
        if (s == NULL) {
            return LSC_OK;
        }
        /* Pieces of a long line are kept only when they go to the quarantine file. Items
         * point into the framer's buffer, which goes with the batch. */
        bool keep = k == LSC_FRAME_LINE || (p->q_mode && p->q_fd >= 0);
        struct item it = {k, keep ? (size_t)(fr.p - f->buf) : 0, keep ? fr.len : 0, fr.nl,
                          fr.total};
        if (!push_item(s, it)) {
            return LSC_ENOMEM;
        }
        s->bytes += it.len;
        if ((s->bytes >= BATCH_TARGET || s->nitems >= 4096) && !hand_over(p)) {
            return LSC_ENOMEM;
        }
    }
    *end = false;
    return LSC_OK;
}

/*
 * One worker's turn with the framer (p->reading is set): the next batch, or the end of the
 * input - then the lines read before it go out, and everyone learns it is over. A giant
 * line is scrubbed in place with this worker's scrubber (scrub_in_place).
 */
static void read_turn(struct pool *p, struct lsc_scrubber *sc)
{
    bool end;
    lsc_error rerr = read_some(p, sc, p->framer, &end);
    if (!end) {
        return;
    }
    int read_errno = errno;
    if (!hand_over(p) && rerr == LSC_OK) { /* lines read before a read failure go out */
        rerr = LSC_ENOMEM;
    }
    pthread_mutex_lock(&p->mu);
    p->eof = true;
    p->read_err = rerr;
    p->read_errno = read_errno;
    if (rerr == LSC_ENOMEM) {
        fail(p, LSC_ENOMEM);
    }
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

static void free_slots(struct pool *p)
{
    /* (The framer's buffers: none unless the framer was made, p->framer then.) */
    size_t cap = p->framer != NULL ? p->framer->cap : 0;
    for (size_t i = 0; i < p->nslots; i++) {
        lsc_pages_free(p->slots[i].in.p, cap);
        lsc_buf_free(&p->slots[i].out);
        lsc_gather_free(&p->slots[i].gather);
        lsc_buf_free(&p->slots[i].q);
        free(p->slots[i].items);
    }
    free(p->slots);
    lsc_pages_free(p->spare, cap);
}

lsc_error lsc_scrub_fd_parallel(struct lsc_scrubber *sc, unsigned jobs, int in_fd, int out_fd,
                                struct lsc_stream_opts *opts)
{
    struct pool p = {
        .max_line = opts->max_line,
        .q_mode = sc->pol->on_error == LSC_ON_ERROR_QUARANTINE,
        .opts = opts,
        .out_fd = out_fd,
        .q_fd = opts->quarantine_fd,
        .in_fd = in_fd,
        .out_limit = sc->out.limit,
        .huge_left = HUGE_BUFFERS,
    };
    p.nslots = (size_t)jobs + 2;
    p.slots = calloc(p.nslots, sizeof *p.slots);
    struct worker *w = calloc(jobs, sizeof *w);
    struct lsc_source *src = lsc_source_new(in_fd);
    struct lsc_framer f;
    bool framer_ok = false;
    lsc_error err = LSC_OK;
    if (p.slots == NULL || w == NULL || src == NULL ||
        !(framer_ok = lsc_framer_init(&f, in_fd, opts->max_line, LSC_READ_BLOCK))) {
        err = LSC_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < p.nslots; i++) {
        p.slots[i].in.limit = p.slots[i].out.limit = p.slots[i].q.limit = sc->out.limit;
        p.slots[i].q.limit = (size_t)1 << 32;
    }
    f.src = src;
    f.before_read = before_read;
    f.ctx = &p;
    p.framer = &f;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready, NULL);
    pthread_cond_init(&p.freed, NULL);
    /* Worker 0 is the calling thread, with the caller's scrubber: it would only wait
     * otherwise, and a scrubber made and a thread started cost -j N's serial start-up
     * about 0.5 ms each. The others get both (w[1..started)). */
    spread_cpus(&p, w, jobs);
    w[0].pool = &p;
    w[0].sc = sc;
    w[0].spare = calloc(p.nslots, sizeof *w[0].spare);
    unsigned started = w[0].spare != NULL;
    for (; started > 0 && started < jobs; started++) {
        w[started].pool = &p;
        w[started].spare = calloc(p.nslots, sizeof *w[started].spare);
        if (w[started].spare == NULL || lsc_scrubber_new(sc->pol, &w[started].sc) != LSC_OK) {
            free(w[started].spare);
            break;
        }
        w[started].sc->extra = sc->extra;
        w[started].sc->nextra = sc->nextra;
        w[started].sc->now_fixed = sc->now_fixed;
        if (pthread_create(&w[started].tid, NULL, worker_main, &w[started]) != 0) {
            lsc_scrubber_free(w[started].sc);
            free(w[started].spare);
            break;
        }
    }
    if (started < jobs) {
        /* (the workers that started may be reading: they stop at the error) */
        pthread_mutex_lock(&p.mu);
        p.eof = true;
        p.read_err = LSC_ENOMEM;
        p.read_errno = ENOMEM;
        fail(&p, LSC_ENOMEM);
        pthread_mutex_unlock(&p.mu);
    }
    if (started > 0) {
        worker_main(&w[0]); /* (returns at once when the pool has failed) */
    }
    for (unsigned i = 1; i < started; i++) {
        pthread_join(w[i].tid, NULL);
        lsc_scrubber_merge_counts(sc, w[i].sc);
        lsc_scrubber_free(w[i].sc);
    }
    /* (Only once all have stopped: a worker still writing gives buffers back to others.) */
    for (unsigned i = 0; i < started; i++) {
        for (size_t k = 0; k < w[i].nspare; k++) {
            lsc_buf_free(&w[i].spare[k].out);
            lsc_gather_free(&w[i].spare[k].gather);
        }
        free(w[i].spare);
    }
    pthread_cond_destroy(&p.ready);
    pthread_cond_destroy(&p.freed);
    pthread_mutex_destroy(&p.mu);
    /* A write failure or lack of memory wins; otherwise the read error, if any. */
    err = p.err != LSC_OK ? p.err : p.read_err;
    errno = p.err != LSC_OK ? p.saved_errno : p.read_errno;
out:
    if (framer_ok) {
        lsc_framer_free(&f);
    }
    lsc_source_free(src);
    if (p.slots != NULL) {
        free_slots(&p);
    }
    free(w);
    return err;
}
