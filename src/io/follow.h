/*
 * follow.h - following growing, rotating log files (the sidecar's input), and the state
 * file that says how far each one was read.
 *
 * A followed file is known by its device and inode, not its name: when a writer's log is
 * renamed away (logrotate's default) the old file is read to its end through the open
 * descriptor while the new file under the same name is followed from its start. A file
 * that shrinks under its reader was truncated in place (copytruncate): what was written
 * between the last read and the truncation is lost, and that is counted. The state file
 * records, per file, device, inode, size, a fingerprint of its first bytes (so a reused
 * inode is not mistaken for the old file) and the offset after the last line whose output
 * was made durable; a restart resumes there, and never skips a line.
 */
#ifndef LSC_IO_FOLLOW_H
#define LSC_IO_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LSC_FP_MAX 256 /* bytes of a file's start in its fingerprint */

struct lsc_tailed {
    char *path; /* the name it was found under */
    int fd;
    dev_t dev;
    ino_t ino;
    uint64_t offset; /* the first byte not yet scrubbed (buf[start] is there) */
    uint64_t fp;     /* XXH3-64 of the first fp_len bytes */
    size_t fp_len;   /* grows with the file until LSC_FP_MAX */
    char *buf;       /* buf[start..len): read, not yet scrubbed (a partial line at the end) */
    size_t start, len, cap;
    bool draining;     /* renamed away or deleted: read to the end, then let go */
    double idle_since; /* draining and at end of file since then (0: not at the end) */
    bool in_long;      /* inside a line longer than max_line: bytes are dropped to its end */
    uint64_t long_len;
    bool seen; /* found by the last scan of the watched names */
};

/* Opens path for following from offset (its fingerprint computed); NULL on failure. */
struct lsc_tailed *lsc_tailed_open(const char *path, uint64_t offset);
void lsc_tailed_free(struct lsc_tailed *t);

/* XXH3-64 of the first n bytes of fd (pread); false if the file has fewer. */
bool lsc_fingerprint(int fd, size_t n, uint64_t *out);

/* Extends t's fingerprint to cover up to LSC_FP_MAX bytes of what the file now holds. */
void lsc_tailed_refresh_fp(struct lsc_tailed *t);

/*
 * Reads what the file has beyond t->offset + t->len, up to budget bytes, into t->buf
 * (which holds at most max_line + 64 KiB: a longer line is handed over as dropped bytes,
 * see lsc_tailed_next). Returns the bytes read, 0 at end of file, -1 on error (errno).
 */
ssize_t lsc_tailed_read(struct lsc_tailed *t, size_t budget, size_t max_line);

/* One complete line, or the end of a line longer than max_line, from t->buf. */
struct lsc_tail_line {
    const char *p; /* the line without its newline (NULL for an oversize line) */
    size_t len;    /* its length (for an oversize line, the whole length) */
    bool oversize;
};

/*
 * The next complete line in t->buf, consumed (t->offset moves past its newline). out->p
 * stays valid until the next lsc_tailed_read or lsc_tailed_compact.
 */
bool lsc_tailed_next(struct lsc_tailed *t, size_t max_line, struct lsc_tail_line *out);

/* Moves the unconsumed bytes to the front of t->buf. */
void lsc_tailed_compact(struct lsc_tailed *t);

/* One entry of a state file. */
struct lsc_state_entry {
    dev_t dev;
    ino_t ino;
    uint64_t size; /* the file's size when the state was written */
    uint64_t offset;
    uint64_t fp;
    size_t fp_len;
    char path[4096];
};

/*
 * Reads a state file into a malloc'd array (*out, *n). A missing file is an empty state.
 * Returns false (and a message in err) for a file that is not a state file.
 */
bool lsc_state_read(const char *path, struct lsc_state_entry **out, size_t *n, char *err,
                    size_t errlen);

/*
 * Writes the state of the files atomically: a temporary file in the same directory,
 * fsync, rename over path, fsync of the directory. Returns false with errno set.
 */
bool lsc_state_write(const char *path, struct lsc_tailed *const *files, size_t n);

#endif
