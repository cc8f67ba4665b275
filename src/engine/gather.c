/*
 * gather.c - output that is partly the input's own bytes, written without copying them.
 *
 * A line that comes through unchanged (and the unchanged end of a changed line, when it is
 * long) need not be copied into the output buffer: the stream drivers keep the input bytes in place
 * until the output is written, so the scrubber notes "the input's bytes p[0..len) come here"
 * instead. Such spans that follow each other in the input, with nothing between them in the output,
 * merge into one run. A run of LSC_GATHER_REF_MIN bytes or more is written straight from the
 * input (writev); a shorter one is copied into the buffer at its place when the next run
 * starts, because for a few kilobytes the copy costs less than the kernel's work per
 * segment (measured: bench/RESULTS.md, "zero copies").
 *
 * Every run is placed, by reference or by copy, before the driver lets the input bytes
 * move; a reference that outlived them would write whatever came to lie there, so the
 * drivers write the output before each read (stream.c) or keep each batch's input until its
 * output is written (parallel.c).
 */
#include "../io/archive.h"
#include "../io/io.h"
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#define IOV_BATCH 64 /* segments per writev */

/* Room for `need` references (the list is unchanged on failure). */
static bool reserve_refs(struct lsc_gather *g, size_t need)
{
    if (g->cap >= need) {
        return true;
    }
    size_t cap = g->cap ? g->cap * 2 : 16;
    while (cap < need) {
        cap *= 2;
    }
    struct lsc_gather_ref *v = realloc(g->v, cap * sizeof *v);
    if (v == NULL) {
        return false;
    }
    g->v = v;
    g->cap = cap;
    return true;
}

/*
 * Puts the pending run in its place: a reference when it is long (or the buffer cannot
 * grow), otherwise a copy inserted where the run belongs, before whatever out gained since.
 * Never fails: there is always room for one more reference while a run is pending.
 */
static void place_run(struct lsc_gather *g, struct lsc_buf *out)
{
    struct lsc_gather_ref r = g->run;
    if (r.len == 0) {
        return;
    }
    g->run.len = 0;
    if (r.len >= lsc_gather_min(g) || !lsc_buf_reserve(out, r.len)) {
        g->v[g->n++] = r;
        return;
    }
    memmove(out->p + r.at + r.len, out->p + r.at, out->len - r.at);
    memcpy(out->p + r.at, r.p, r.len);
    out->len += r.len;
    g->bytes -= r.len;
}

bool lsc_gather_keep(struct lsc_gather *g, struct lsc_buf *out, const char *p, size_t len)
{
    if (!g->on) {
        return lsc_buf_append(out, p, len);
    }
    if (len == 0) {
        return true;
    }
    if (g->run.len > 0 && g->run.p + g->run.len == p && out->len == g->run_out) {
        g->run.len += len;
        g->bytes += len;
        return true;
    }
    if (!reserve_refs(g, g->n + 2)) {
        /* No room to remember a new run: copy (the pending one stays before it). */
        return lsc_buf_append(out, p, len);
    }
    place_run(g, out);
    g->run = (struct lsc_gather_ref){out->len, p, len};
    g->run_out = out->len;
    g->bytes += len;
    return true;
}

void lsc_gather_reset(struct lsc_gather *g, struct lsc_buf *out)
{
    g->n = 0;
    g->run.len = 0;
    g->bytes = 0;
    out->len = 0;
}

void lsc_gather_free(struct lsc_gather *g)
{
    free(g->v);
    g->v = NULL;
    g->n = g->cap = 0;
    g->run.len = 0;
    g->bytes = 0;
}

/* Collects segments into iovecs (or hands each to a sink) and writes them in order. */
struct seg_writer {
    int fd;
    struct lsc_sink *sink;
    struct iovec iov[IOV_BATCH];
    int n;
    lsc_error err;
};

static void seg_flush(struct seg_writer *w)
{
    if (w->err == LSC_OK && w->n > 0) {
        w->err = lsc_writev_all(w->fd, w->iov, w->n);
    }
    w->n = 0;
}

static void seg_add(struct seg_writer *w, const char *p, size_t len)
{
    if (len == 0 || w->err != LSC_OK) {
        return;
    }
    if (w->sink != NULL) {
        if (lsc_sink_write(w->sink, p, len) != 0) {
            w->err = errno == EPIPE ? LSC_EPIPE : LSC_EWRITE;
        }
        return;
    }
    if (w->n == IOV_BATCH) {
        seg_flush(w);
    }
    w->iov[w->n].iov_base = (void *)p;
    w->iov[w->n].iov_len = len;
    w->n++;
}

lsc_error lsc_gather_write(struct lsc_gather *g, struct lsc_buf *out, int fd, struct lsc_sink *sink)
{
    place_run(g, out);
    struct seg_writer w = {.fd = fd, .sink = sink};
    size_t pos = 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->v[k].at > pos) {
            seg_add(&w, out->p + pos, g->v[k].at - pos);
        }
        seg_add(&w, g->v[k].p, g->v[k].len);
        pos = g->v[k].at;
    }
    if (out->len > pos) {
        seg_add(&w, out->p + pos, out->len - pos);
    }
    seg_flush(&w);
    lsc_gather_reset(g, out);
    return w.err;
}
