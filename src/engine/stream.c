/*
 * stream.c - the pipeline driver for one input: framer -> scrubber -> writer.
 *
 * Output collects in the scrubber's buffer and goes out in large writes: when it passes
 * FLUSH_AT, at the end, and whenever the next read could block (so `tail -f | logscrub`
 * shows each line promptly). Unchanged input bytes are not copied into that buffer: the
 * scrubber keeps references to them in the framer's buffer (gather.c), so the output is
 * also written before every read, which is what moves or overwrites those bytes.
 * Quarantined lines collect in their own buffer and go to the quarantine fd on the same
 * schedule. Lines longer than max_line are never held whole; they take the fail-closed
 * path, piece by piece into the quarantine when that is the policy.
 */
#include "../io/archive.h"
#include "../io/io.h"
#include "engine.h"

#include <errno.h>
#include <stdio.h>

#define FLUSH_AT (256 * 1024)

struct stream {
    struct lsc_scrubber *sc;
    struct lsc_sink *sink;
    int in_fd, out_fd, q_fd;
    struct lsc_buf q;
    lsc_error err;
};

static lsc_error flush(struct stream *s)
{
    lsc_error err = lsc_gather_write(&s->sc->gather, &s->sc->out, s->out_fd, s->sink);
    if (err == LSC_OK && s->q.len > 0) {
        err = lsc_write_all(s->q_fd, s->q.p, s->q.len);
        s->q.len = 0;
    }
    return err;
}

/* Before the framer reads (and moves or overwrites what it read before). */
static int before_read(void *ctx)
{
    struct stream *s = ctx;
    if (s->sc->gather.bytes > 0 ||
        ((s->sc->out.len > 0 || s->q.len > 0) && !lsc_input_ready(s->in_fd))) {
        s->err = flush(s);
    }
    return s->err != LSC_OK;
}

lsc_error lsc_scrub_fd(struct lsc_scrubber *sc, int in_fd, int out_fd, struct lsc_stream_opts *opts)
{
    struct stream s = {sc, opts->sink, in_fd, out_fd, opts->quarantine_fd, {0}, LSC_OK};
    s.q.limit = (size_t)1 << 32;
    struct lsc_framer f;
    struct lsc_source *src = lsc_source_new(in_fd);
    if (src == NULL || !lsc_framer_init(&f, in_fd, opts->max_line, LSC_READ_BLOCK)) {
        lsc_source_free(src);
        return LSC_ENOMEM;
    }
    f.src = src;
    f.before_read = before_read;
    f.ctx = &s;
    sc->gather.on = true;
    bool q_mode = sc->pol->on_error == LSC_ON_ERROR_QUARANTINE;
    struct lsc_buf *q = s.q_fd >= 0 ? &s.q : NULL; /* (without a file: counted, not kept) */
    lsc_error err = LSC_OK;
    for (;;) {
        struct lsc_frame fr;
        enum lsc_frame_kind k = lsc_framer_next(&f, &fr);
        enum lsc_verdict v = LSC_VERDICT_EMITTED;
        if (k == LSC_FRAME_EOF) {
            break;
        }
        if (k == LSC_FRAME_ERROR) {
            err = f.archive_error ? LSC_EARCHIVE : LSC_EREAD;
            if (f.archive_error) {
                snprintf(opts->archive_error, sizeof opts->archive_error, "%s",
                         lsc_source_error(src));
            }
            break;
        }
        if (k == LSC_FRAME_ABORT) {
            err = s.err;
            break;
        }
        if (k == LSC_FRAME_LINE) {
            err = lsc_engine_line_q(sc, fr.p, fr.len, fr.nl, q);
        } else {
            if (q_mode &&
                !lsc_quarantine_append(q, fr.p, fr.len, k == LSC_FRAME_LONG_END && fr.nl)) {
                err = LSC_ENOMEM;
            }
            if (err == LSC_OK && k == LSC_FRAME_LONG_END) {
                err = lsc_engine_fail_line(sc, LSC_FAIL_OVERSIZE, fr.total, fr.nl, &v);
            }
        }
        if (err != LSC_OK) {
            break;
        }
        if (sc->out.len + sc->gather.bytes >= FLUSH_AT || s.q.len >= FLUSH_AT) {
            err = flush(&s);
            if (err != LSC_OK) {
                break;
            }
        }
    }
    /* Lines scrubbed before a read failure still go out; after a write failure nothing can. */
    if (err == LSC_OK) {
        err = flush(&s);
    } else if (err == LSC_EREAD || err == LSC_ENOMEM || err == LSC_EARCHIVE) {
        int saved = errno;
        lsc_error ferr = flush(&s);
        err = ferr != LSC_OK ? ferr : err;
        errno = ferr != LSC_OK ? errno : saved;
    } else {
        lsc_gather_reset(&sc->gather, &sc->out);
    }
    sc->gather.on = false;
    lsc_buf_free(&s.q);
    lsc_framer_free(&f);
    lsc_source_free(src);
    return err;
}
