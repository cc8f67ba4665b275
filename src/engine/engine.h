/*
 * engine.h - the scrubber: per-thread state that applies a compiled policy to one line at a
 * time and writes the result into its output buffer.
 */
#ifndef LSC_ENGINE_H
#define LSC_ENGINE_H

#include "../action/action.h"
#include "../detect/rules.h"
#include "../format/json.h"
#include "../policy/policy.h"
#include "logscrub.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Growable byte buffer with a hard cap; the scrubber's output goes here. */
struct lsc_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t limit; /* growth beyond this fails (input-driven growth is always capped) */
};

/* lsc_buf_reserve's slow path: doubles the capacity (up to the limit) to hold extra more. */
bool lsc_buf_grow(struct lsc_buf *b, size_t extra);

/* Room for extra more bytes, or false (past the limit, no memory). Inline: it is called
 * for every value and splice, and almost always finds the room there. */
static inline bool lsc_buf_reserve(struct lsc_buf *b, size_t extra)
{
    return b->cap - b->len >= extra || lsc_buf_grow(b, extra);
}

/* Appends p[0..n), or returns false (past the limit, no memory) with b as it was. */
static inline bool lsc_buf_append(struct lsc_buf *b, const void *p, size_t n)
{
    if (!lsc_buf_reserve(b, n)) {
        return false;
    }
    if (n > 0) {
        memcpy(b->p + b->len, p, n);
    }
    b->len += n;
    return true;
}

void lsc_buf_free(struct lsc_buf *b);

/* Unaligned loads (one instruction each on x86-64). */
static inline uint64_t lsc_load8(const void *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

static inline uint32_t lsc_load4(const void *p)
{
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
}

/*
 * Output by reference (gather.c): input bytes that go out unchanged are noted, not copied,
 * when the driver keeps the input in place until the output is written. The output is
 * out's bytes with each reference's bytes inserted before out[at]; refs are in order of at.
 */
#define LSC_GATHER_REF_MIN (16 * 1024) /* shorter runs are copied: cheaper than a segment */

struct lsc_gather_ref {
    size_t at;     /* goes before out[at] (after any earlier reference with the same at) */
    const char *p; /* the input's bytes */
    size_t len;
};

struct lsc_sink;

struct lsc_gather {
    bool on;        /* set by a driver that keeps the input in place until the output is written */
    size_t ref_min; /* runs this long go by reference; 0: LSC_GATHER_REF_MIN (tests, bench) */
    struct lsc_gather_ref *v;
    size_t n, cap;
    struct lsc_gather_ref run; /* the latest span, still growing (len 0: none) */
    size_t run_out;            /* out's length when the run last grew */
    size_t bytes;              /* output held by reference (v and run), not in out */
};

/* The shortest run written by reference. */
static inline size_t lsc_gather_min(const struct lsc_gather *g)
{
    return g->ref_min > 0 ? g->ref_min : LSC_GATHER_REF_MIN;
}

/*
 * Appends the input's bytes p[0..len) to the output after everything before: by reference
 * when g->on, else copied into out. False only when out cannot grow (nothing changed).
 */
bool lsc_gather_keep(struct lsc_gather *g, struct lsc_buf *out, const char *p, size_t len);

/* Writes the whole output (out with the references in place) to fd, or to sink when not
 * NULL, and empties both. The references must still point at the input's bytes. */
lsc_error lsc_gather_write(struct lsc_gather *g, struct lsc_buf *out, int fd,
                           struct lsc_sink *sink);

/* Forgets the output without writing it (after a write failure). */
void lsc_gather_reset(struct lsc_gather *g, struct lsc_buf *out);
void lsc_gather_free(struct lsc_gather *g);

/* One pending replacement: bytes [off, off+len) of the line become arena[roff, roff+rlen). */
struct lsc_edit {
    size_t off;
    size_t len;
    size_t roff;
    size_t rlen;
    lsc_class cls;
};

/* A growable list of edits. */
struct lsc_edit_list {
    struct lsc_edit *v;
    size_t n, cap;
};

/* Appends e; false on allocation failure (the list is unchanged). */
bool lsc_edit_push(struct lsc_edit_list *l, struct lsc_edit e);

/* One remembered pseudonym or geo result: for one action, period and raw value, compared in
 * full (pseudo.c says why a hash is not enough). Longer values are not remembered. */
#define LSC_VALUE_MEMO_SLOTS 4096
#define LSC_VALUE_MEMO_LEN 64
struct lsc_value_memo {
    const struct lsc_action *a; /* NULL: empty */
    uint64_t period;
    unsigned char in_len, out_len;
    char in[LSC_VALUE_MEMO_LEN];
    char out[LSC_PSEUDONYM_MAX];
};

/*
 * Renders action a for v[0..n) into out (lsc_action_max_len bytes): pseudonyms and geo
 * lookups here (they need the scrubber's key state and memo), the rest by
 * lsc_action_render. ip is the parsed address, if any; cls what found the value.
 */
size_t lsc_engine_render(struct lsc_scrubber *sc, const struct lsc_action *a, const char *v,
                         size_t n, const struct lsc_ip *ip, lsc_class cls, char *out);

/*
 * The current record's time: its own (input.timestamp.field, the usual time members, or a
 * time at the start of a text line), else the processing time (counted as time_fallback).
 */
int64_t lsc_engine_line_time(struct lsc_scrubber *sc);

/* Now: sc->now_fixed, or the processing time (read once per line). */
int64_t lsc_engine_now(struct lsc_scrubber *sc);

/* When the current record must be gone, "2026-12-22T10:00:00Z" (retention:); returns 20. */
size_t lsc_engine_expiry(struct lsc_scrubber *sc, char out[20]);

/*
 * The tags a text line (text, syslog, access log) gets at its end: " key_epoch=..." when it
 * got a pseudonym, " expires=..." under retention. Returns their length (0: none).
 */
size_t lsc_engine_text_tags(struct lsc_scrubber *sc, char out[160]);

/* The key epoch of the current line ("2026-11-22/3f9a1c2b"); returns its length (< 40). */
size_t lsc_engine_epoch(struct lsc_scrubber *sc, char *out);

/* One remembered user-agent coarsening (user agents repeat from line to line). */
#define LSC_UA_MEMO_SLOTS 256
struct lsc_ua_memo {
    uint64_t hash; /* XXH3-64 of the input; 0 for an empty slot */
    size_t in_len;
    size_t out_len;
    char out[LSC_UA_MAX];
};

/* What the field rules say about a path: kept (1 whole, 2 as a prefix), dropped, action. */
struct lsc_path_facts {
    signed char keep;
    bool drop;
    bool kept_by_name; /* a keep path names it (not through "[*]") */
    const struct lsc_action *action;
};

/* Facts remembered per format-given name (see record.c). */
#define LSC_PATH_MEMO_SLOTS 64 /* (the hash in record.c takes its top 6 bits) */
struct lsc_path_memo {
    const char *name;
    const char *parent;
    struct lsc_path_facts facts;
};

/* Facts remembered per key text of a top-level member, or a member of one (see record.c). */
#define LSC_KEY_MEMO_SLOTS 256
#define LSC_KEY_MEMO_LEN 56 /* the longest depth, "parent\0key" remembered */
struct lsc_key_memo {
    uint64_t hash; /* XXH3-64 of key[0..len), 0 for an empty slot */
    uint8_t len;
    char key[LSC_KEY_MEMO_LEN];
    struct lsc_path_facts facts;
    /* What record.c's member state takes from the key, as its bits: that the key text
     * was scanned and nothing in it matched; that whether the key is a secret name (its
     * value a secret) is known, and what; whether it is "value" (a secret "name" may be
     * beside it). */
    unsigned char state;
    bool secret_header; /* the key is a credential header (removed unless kept by name) */
};

/* By member index, the key memo entry the last record's key there had (record.c). */
#define LSC_KEY_LAST 32

/* Truncated addresses, for the client addresses that come back line after line (pseudo.c). */
#define LSC_TRUNC_MEMO_SLOTS 256
struct lsc_trunc_memo {
    const struct lsc_action *action; /* NULL for an empty slot */
    struct lsc_ip ip;
    unsigned char out_len;
    char out[LSC_IP_TEXT_MAX];
};

/*
 * How the memos with a hit count (lsc_text_memo, lsc_url_memo) give up a slot: a hit counts
 * toward keeping it (up to 3); a new entry takes it only when it is empty or its entry has
 * gone unused for that many misses - so a stream of one-off texts (times, ids) does not push
 * out the recurring ones. lsc_memo_may_take counts the miss when it answers no.
 */
static inline void lsc_memo_hit(uint8_t *hits)
{
    *hits += *hits < 3;
}

static inline bool lsc_memo_may_take(uint64_t hash, uint8_t *hits)
{
    if (hash == 0 || *hits == 0) {
        return true;
    }
    (*hits)--;
    return false;
}

/*
 * Texts known to scan clean, in a table of slots found by their XXH3-64 and compared in
 * full, so a collision costs a scan and nothing else: value texts that come back line after
 * line (record.c: levels, methods, user agents - up to LSC_CLEAN_MEMO_LEN bytes).
 */
#define LSC_TEXT_MEMO_LEN 500
#define LSC_CLEAN_MEMO_SLOTS 256
#define LSC_CLEAN_MEMO_LEN 240
struct lsc_text_memo {
    uint64_t hash; /* XXH3-64 of text[0..len), 0 for an empty slot */
    uint16_t len;
    uint8_t hits; /* recent hits: a slot is given to another text only at 0 */
    char text[LSC_TEXT_MEMO_LEN];
};

/*
 * Text lines' tails that held no match (scrub.c: an access log's referrer and user agent,
 * lsc_detect_tail_cuts), LSC_TAIL_MEMO_LEN bytes at most. A bucket is found by the XXH3-64
 * of the line's last LSC_TAIL_KEY bytes, which each of a line's tails ends with, so one
 * short hash finds both its tails before anything says where they start; its
 * LSC_TAIL_MEMO_WAYS tails (one user agent after several referrers, say) are compared in
 * full. The buckets' 88-byte headers lie apart from the texts, so a lookup reads a text
 * only where a hash and the quote before it agree.
 */
#define LSC_TAIL_MEMO_LEN 500
#define LSC_TAIL_KEY 16
#define LSC_TAIL_MEMO_BUCKETS 64
#define LSC_TAIL_MEMO_WAYS 8
struct lsc_tail_memo {
    uint32_t clock; /* counts hits and new tails: what `used` is read against */
    struct lsc_tail_bucket {
        uint32_t hash[LSC_TAIL_MEMO_WAYS]; /* of the last LSC_TAIL_KEY bytes; 0: empty */
        uint32_t used[LSC_TAIL_MEMO_WAYS]; /* the clock at its last hit: the least recent goes */
        uint16_t len[LSC_TAIL_MEMO_WAYS];
        bool last[LSC_TAIL_MEMO_WAYS]; /* the line's last field alone (its later cut) */
    } bucket[LSC_TAIL_MEMO_BUCKETS];
    char text[LSC_TAIL_MEMO_BUCKETS][LSC_TAIL_MEMO_WAYS][LSC_TAIL_MEMO_LEN];
};

/*
 * Results of the url action whose kept text scanned clean (record.c): request paths come
 * back line after line. Keyed by the action and the whole input, compared in full.
 */
#define LSC_URL_MEMO_SLOTS 256
struct lsc_url_memo {
    uint64_t hash;              /* XXH3-64 of the input and the action, 0 for an empty slot */
    const struct lsc_action *a; /* the url action that rendered it */
    uint16_t in_len, out_len;
    uint8_t hits;                 /* recent hits: a slot is given to another input only at 0 */
    bool filtered;                /* the output differs from the input */
    char text[LSC_TEXT_MEMO_LEN]; /* the input, then the action's output */
};

/* The slot for t[0..tl) (tl <= LSC_TEXT_MEMO_LEN) in *table, which has `slots` entries and
 * is allocated at the first call; NULL without memory. *h receives the text's hash. */
struct lsc_text_memo *lsc_text_memo_slot(struct lsc_text_memo **table, size_t slots, const char *t,
                                         size_t tl, uint64_t *h);

/* Does m hold t[0..tl) (hash h)? A hit counts toward keeping the slot's text. */
bool lsc_text_memo_hit(struct lsc_text_memo *m, uint64_t h, const char *t, size_t tl);

/* Remembers t[0..tl), known clean, in m - if lsc_memo_may_take lets it have the slot. */
void lsc_text_memo_keep(struct lsc_text_memo *m, uint64_t h, const char *t, size_t tl);

/* A member appended to every structured record (JSON, logfmt): an expiry tag, a key epoch. */
struct lsc_extra_member {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
};

/* Depths of the objects a record may have (record.c's MAX_DEPTH, and the root). */
#define LSC_PAIR_DEPTHS 65

struct lsc_scrubber {
    const struct lsc_policy *pol;
    struct lsc_stats st;
    struct lsc_rule_scratch rs;
    struct lsc_buf out;         /* scrubbed output, handed to the writer by the stream driver */
    struct lsc_gather gather;   /* unchanged input bytes that follow or fall between out's */
    struct lsc_edit_list edits; /* used only when a pattern rule may match the line */
    struct lsc_buf arena;       /* replacement bytes for edits */
    /* Structured records: parsed nodes, per-node state, structural edits and scratch. */
    struct lsc_json_node *jnodes;
    size_t jnodes_cap;
    unsigned char *jstate;
    const struct lsc_action **jact;    /* each node's field action (inherited by members) */
    struct lsc_ua_memo *ua_memo;       /* user-agent action: recent results by xxh3 of the input */
    struct lsc_path_memo *path_memo;   /* field-rule facts for names given by a format */
    struct lsc_key_memo *key_memo;     /* field-rule facts for keys written in the record */
    struct lsc_key_memo **key_last;    /* by member index: the last record's key entry */
    struct lsc_text_memo *clean_memo;  /* value texts known to scan clean */
    struct lsc_tail_memo *tail_memo;   /* text-line tails known to hold no match */
    struct lsc_url_memo *url_memo;     /* url action results that scanned clean */
    struct lsc_trunc_memo *trunc_memo; /* recent truncated addresses */
    /* record.c's paired_secret for the record being scrubbed (record_no), by depth: the
     * object last asked about there, and whether a secret "name" is among its members. */
    uint64_t record_no;
    struct lsc_pair_memo {
        uint64_t record_no;
        int32_t object;
        bool secret;
    } pair_memo[LSC_PAIR_DEPTHS];
    const struct lsc_extra_member *extra; /* appended to each JSON/logfmt record (not owned) */
    size_t nextra;
    /* Pseudonyms: the line being scrubbed, its time and period, the period's subkey. */
    const char *cur_line;
    size_t cur_len;
    size_t cur_count; /* parsed nodes of the current record, 0 for a text line */
    bool line_time_known;
    bool line_next_stage_set; /* a staged field of this record moves on at line_next_stage */
    int64_t line_next_stage;
    int64_t now_fixed; /* if not 0, "now" for staged retention (expire --now) */
    int64_t line_now;  /* the processing time of this line, 0 until asked */
    int64_t line_time;
    bool line_period_known;
    bool line_pseudo; /* a pseudonym was written into this line */
    uint64_t line_period;
    unsigned char *subkey; /* sodium_malloc'd; valid for subkey_period */
    uint64_t subkey_period;
    bool subkey_valid;
    struct lsc_value_memo *vmemo; /* pseudonym and geo results by action, period and value */
    bool memo_off;     /* $LOGSCRUB_NO_MEMO set: no memo of any kind, no shortcut (bench, fuzz) */
    size_t auto_guess; /* format auto: the stream's format so far (0: none) */
    struct lsc_edit_list sedits;
    struct lsc_buf sarena;  /* replacement bytes for structural edits */
    struct lsc_buf scratch; /* a decoded value */
    struct lsc_buf scanned; /* a value after the detectors and rules */
    uint64_t *rule_hits;    /* replacements per pattern rule (pol->rules), for metrics */
    struct lsc_field_count *field_counts; /* replacements per field name (structured lines) */
    size_t nfield_counts;
};

/* 16 bytes at p mixed into a word for a memo's bucket: each half times an odd constant,
 * the two added bitwise (the caller folds the high bits down as its table needs). For
 * memos that compare what they find in full: a collision costs a compare, nothing more. */
static inline uint64_t lsc_mix16(const void *p)
{
    const unsigned char *b = p;
    return (lsc_load8(b) * 0x9E3779B97F4A7C15ULL) ^ (lsc_load8(b + 8) * 0xC2B2AE3D27D4EB4FULL);
}

/*
 * The truncation memo's slot for IPv6 address ip (pseudo.c keeps it; an IPv4 address renders
 * in fewer instructions than a lookup takes): chosen by a hash of the address, matched on the
 * whole of it - its 16 bytes and written form - and the action, so a collision costs a
 * render, never another address's prefix. Inline: a splice asks it before the call into
 * lsc_engine_render, for a line of addresses.
 */
static inline struct lsc_trunc_memo *lsc_trunc_slot(struct lsc_scrubber *sc,
                                                    const struct lsc_ip *ip)
{
    uint64_t h = lsc_mix16(ip->bytes);
    return &sc->trunc_memo[(h ^ h >> 32) % LSC_TRUNC_MEMO_SLOTS];
}

static inline bool lsc_trunc_holds(const struct lsc_trunc_memo *m, const struct lsc_action *a,
                                   const struct lsc_ip *ip)
{
    const uint8_t *x = m->ip.bytes, *y = ip->bytes;
    return m->action == a && m->ip.dotted_tail == ip->dotted_tail &&
           ((lsc_load8(x) ^ lsc_load8(y)) | (lsc_load8(x + 8) ^ lsc_load8(y + 8))) == 0;
}

/* Keeps out[0..ol), ip truncated by a, in slot m (when it fits). */
static inline void lsc_trunc_keep(struct lsc_trunc_memo *m, const struct lsc_action *a,
                                  const struct lsc_ip *ip, const char *out, size_t ol)
{
    if (ol <= sizeof m->out) {
        m->action = a;
        memcpy(m->ip.bytes, ip->bytes, 16);
        m->ip.family = ip->family;
        m->ip.dotted_tail = ip->dotted_tail;
        m->out_len = (unsigned char)ol;
        memcpy(m->out, out, ol);
    }
}

/* Replacements in one field (by its own name: the member's key or the format's name). */
#define LSC_FIELD_COUNTS 128 /* distinct names counted; more go under "(other)" */
struct lsc_field_count {
    char name[48]; /* NUL-terminated, the rest 0 */
    uint8_t len;   /* strlen(name) */
    uint64_t n;
};

/* Adds from's counters (stats, per rule, per field) to to's; both have the same policy. */
void lsc_scrubber_merge_counts(struct lsc_scrubber *to, const struct lsc_scrubber *from);

/* Counts a replacement in field name[0..len) (truncated to fit; "(other)" when full). */
void lsc_count_field(struct lsc_scrubber *sc, const char *name, size_t len, uint64_t n);

enum lsc_verdict {
    LSC_VERDICT_EMITTED,    /* something was appended to sc->out */
    LSC_VERDICT_DROPPED,    /* nothing written */
    LSC_VERDICT_QUARANTINE, /* nothing written; the caller stores the raw line */
};

/*
 * Scrubs one line p[0..len) (without its newline; nl says whether it had one) into sc->out
 * and counts it. Never writes an unscrubbed value: on any failure the line takes the
 * policy's on_error path. Returns LSC_ENOMEM only when not even that path can be written.
 */
lsc_error lsc_engine_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                          enum lsc_verdict *verdict);

/*
 * Is p[0..len) known to come out of lsc_engine_scrub_span unchanged without a scan: a text
 * no detector finds anything in by itself (a time, a short number) that no pattern rule
 * of the policy may match?
 */
bool lsc_engine_span_clean(const struct lsc_scrubber *sc, const char *p, size_t len);

/* Callback results that stop a scan early (positive; PCRE2 errors are negative). */
#define CB_NOMEM 1
#define CB_DROP 2

/*
 * Scrubs p[0..len) as text (detectors, then pattern rules) and appends the result to dst.
 * Returns 0, CB_DROP (a drop-line action matched), CB_NOMEM, or a negative PCRE2 error; on
 * anything but 0, dst holds a partial result the caller must discard.
 */
int lsc_engine_scrub_span(struct lsc_scrubber *sc, const char *p, size_t len, struct lsc_buf *dst,
                          bool *changed);

/* Per-format line handlers (lsc_engine_line picks one by the policy's format). */
lsc_error lsc_engine_text_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                               enum lsc_verdict *verdict);
lsc_error lsc_engine_record_line(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                                 enum lsc_verdict *verdict);

/*
 * Ends a line's output with its unchanged last bytes p[0..len) and its newline (nl): by
 * reference when the driver allows it and the newline follows them in the input (p[len]),
 * so an unchanged line and the lines after it make one run. whole: p[0..len) is the whole
 * line; the shorter end of a changed line is copied (the next line's changes would end its
 * run at once, and placing a run costs more than copying it). The last step of a line: on
 * failure (CB_NOMEM) the output is as it was. With nl, p[len] must be readable (every
 * driver passes the line where it was read, with its newline after it).
 */
int lsc_engine_line_end(struct lsc_scrubber *sc, const char *p, size_t len, bool nl, bool whole);

/*
 * Finishing a line: counted as emitted (its output is what out and the references gained
 * since they held start and kept bytes, lsc_engine_line_end included), or undone after rc.
 */
lsc_error lsc_engine_emitted(struct lsc_scrubber *sc, size_t start, size_t kept, size_t len,
                             bool nl, bool changed, enum lsc_verdict *verdict);
lsc_error lsc_engine_abort_line(struct lsc_scrubber *sc, int rc, size_t start,
                                const uint64_t *before, size_t len, bool nl,
                                enum lsc_verdict *verdict);

/*
 * lsc_engine_line, and when the verdict is quarantine the raw line (with its newline, if it
 * had one) is appended to q; q NULL: there is nowhere to store it (the line is counted all
 * the same). The one place the stream, -j N and follow drivers share this step.
 */
lsc_error lsc_engine_line_q(struct lsc_scrubber *sc, const char *p, size_t len, bool nl,
                            struct lsc_buf *q);

/* Appends raw bytes for the quarantine file (and a newline if nl); true when q is NULL. */
bool lsc_quarantine_append(struct lsc_buf *q, const char *p, size_t len, bool nl);

/* The fail-closed path for a line that cannot be scrubbed (e.g. longer than --max-line). */
lsc_error lsc_engine_fail_line(struct lsc_scrubber *sc, lsc_fail why, size_t len, bool nl,
                               enum lsc_verdict *verdict);

#endif
