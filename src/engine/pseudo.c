/*
 * pseudo.c - the actions that need the scrubber's state: keyed pseudonyms (the record's
 * period, its subkey, the PRF) and geo lookups, both through a per-scrubber memo.
 *
 * The period comes from the record's own time, so a record pseudonymised live and again
 * from an archive gets the same token: lsc_time_of_record (input.timestamp.field, else the
 * usual time members), or for a text line a syslog, RFC 3339 or access-log time it holds. Without
 * one, the processing time is used and counted (time_fallback). The subkey is derived once per
 * period change.
 *
 * The memo maps (action, period, raw value) to the rendered text: a repeated address costs
 * a hash and a compare instead of a SipHash (and the KDF when the period changed). XXH3 of
 * the value picks the slot (a cache index, not a secret); a hit is the same action, period
 * and value byte for byte. It once took a hit on the 64-bit hash alone, with the period in XXH3's
 * seed - and for inputs of 1-3 bytes XXH3 adds the seed to a key and XORs the bytes in, so
 * "u80" on one day and "u83" the day before could share a hash: -j 2 now and then gave a
 * user another user's previous-day pseudonym, by which worker had scrubbed which batch.
 */
#include "../action/geo.h"
#include "../format/timestamp.h"
#include "engine.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

/* The current record's time, or false. */
static bool record_time(struct lsc_scrubber *sc, int64_t now, int64_t *t)
{
    const char *line = sc->cur_line;
    if (sc->cur_count == 0) {
        return lsc_time_in_text(line, sc->cur_len, now, t);
    }
    return lsc_time_of_record(line, sc->jnodes, sc->cur_count, sc->pol->ts_field,
                              (enum lsc_time_layout)sc->pol->ts_layout, now, t);
}

int64_t lsc_engine_now(struct lsc_scrubber *sc)
{
    if (sc->line_now == 0) {
        sc->line_now = sc->now_fixed ? sc->now_fixed : (int64_t)time(NULL);
    }
    return sc->line_now;
}

int64_t lsc_engine_line_time(struct lsc_scrubber *sc)
{
    if (!sc->line_time_known) {
        int64_t now = lsc_engine_now(sc);
        if (!record_time(sc, now, &sc->line_time)) {
            sc->line_time = now;
            sc->st.time_fallback++;
        }
        sc->line_time_known = true;
    }
    return sc->line_time;
}

/* The period of the current line, worked out once per line. */
static uint64_t line_period(struct lsc_scrubber *sc)
{
    if (!sc->line_period_known) {
        enum lsc_rotate r = sc->pol->rotate;
        sc->line_period = r == LSC_ROTATE_NONE ? 0 : lsc_key_period(r, lsc_engine_line_time(sc));
        sc->line_period_known = true;
    }
    return sc->line_period;
}

size_t lsc_engine_expiry(struct lsc_scrubber *sc, char out[20])
{
    const struct lsc_policy *pol = sc->pol;
    int64_t t = lsc_time_add(lsc_engine_line_time(sc), pol->retention_months, pol->retention_secs);
    return lsc_time_iso(t, out);
}

size_t lsc_engine_text_tags(struct lsc_scrubber *sc, char out[160])
{
    const struct lsc_policy *pol = sc->pol;
    size_t o = 0;
    if (sc->line_pseudo && pol->tag_epoch) {
        memcpy(out, " key_epoch=", 11);
        o = 11 + lsc_engine_epoch(sc, out + 11);
    }
    if (pol->retention && pol->tag_expiry) {
        memcpy(out + o, " expires=", 9);
        o += 9 + lsc_engine_expiry(sc, out + o + 9);
    }
    if (sc->line_next_stage_set) {
        memcpy(out + o, " next_stage=", 12);
        o += 12 + lsc_time_iso(sc->line_next_stage, out + o + 12);
    }
    return o;
}

size_t lsc_engine_epoch(struct lsc_scrubber *sc, char *out)
{
    char name[16];
    size_t n = lsc_key_period_name(sc->pol->rotate, line_period(sc), name);
    memcpy(out, name, n);
    out[n] = '/';
    memcpy(out + n + 1, sc->pol->key.id, 8);
    return n + 9;
}

static bool subkey_for(struct lsc_scrubber *sc, uint64_t period)
{
    if (sc->subkey == NULL) {
        sc->subkey = sodium_malloc(LSC_SUBKEY_BYTES);
        if (sc->subkey == NULL) {
            return false;
        }
    }
    if (!sc->subkey_valid || sc->subkey_period != period) {
        lsc_key_subkey(&sc->pol->key, sc->pol->rotate, period, sc->subkey);
        sc->subkey_period = period;
        sc->subkey_valid = true;
    }
    return true;
}

/* The memo slot for (a, period, v), and whether it already holds the answer. */
static struct lsc_value_memo *memo(struct lsc_scrubber *sc, const struct lsc_action *a,
                                   uint64_t period, const char *v, size_t n, bool *hit)
{
    *hit = false;
    if (sc->memo_off || n > LSC_VALUE_MEMO_LEN) {
        return NULL;
    }
    if (sc->vmemo == NULL) {
        sc->vmemo = calloc(LSC_VALUE_MEMO_SLOTS, sizeof *sc->vmemo);
        if (sc->vmemo == NULL) {
            return NULL;
        }
    }
    /* (The slot by the value alone: its other periods and actions take the same one.) */
    struct lsc_value_memo *m = &sc->vmemo[XXH3_64bits(v, n) % LSC_VALUE_MEMO_SLOTS];
    *hit = m->a == a && m->period == period && m->in_len == n && memcmp(m->in, v, n) == 0;
    if (!*hit) {
        /* (claimed now, answered once rendered; a failure empties it: a = NULL) */
        m->a = a;
        m->period = period;
        m->in_len = (unsigned char)n;
        memcpy(m->in, v, n);
    }
    sc->st.memo_hits += *hit;
    sc->st.memo_misses += !*hit;
    return m;
}

static size_t pseudonym(struct lsc_scrubber *sc, const struct lsc_action *a, const char *v,
                        size_t n, const struct lsc_ip *ip, lsc_class cls, char *out)
{
    const struct lsc_ip *addr = ip != NULL && ip->family != 0 ? ip : NULL;
    if (lsc_pseudonym_is(a, v, n, addr)) {
        sc->line_pseudo = true; /* still a pseudonym in the output: it keeps its epoch tag */
        memcpy(out, v, n);      /* not hashed again */
        return n;
    }
    uint64_t period = line_period(sc);
    sc->line_pseudo = true;
    sc->st.pseudonyms++;
    bool hit;
    struct lsc_value_memo *m = memo(sc, a, period, v, n, &hit);
    if (m != NULL && hit) {
        memcpy(out, m->out, m->out_len);
        return m->out_len;
    }
    unsigned char small[272];
    unsigned char *in = n + 17 <= sizeof small ? small : malloc(n + 17);
    unsigned char h[LSC_PRF_BYTES];
    if (in == NULL || !subkey_for(sc, period)) {
        if (in != small) {
            free(in);
        }
        if (m != NULL) {
            m->a = NULL;
        }
        memcpy(out, "[pseudonym-error]", 17); /* never the raw value */
        return 17;
    }
    char type;
    size_t il = lsc_pseudonym_input(cls, v, n, addr, &type, in);
    bool ok = lsc_prf(sc->subkey, type, in, il, h);
    sodium_memzero(in, il);
    if (in != small) {
        free(in);
    }
    if (!ok) {
        if (m != NULL) {
            m->a = NULL;
        }
        memcpy(out, "[pseudonym-error]", 17); /* never the raw value */
        return 17;
    }
    size_t ol = lsc_pseudonym_render(a, h, type, addr, out);
    if (m != NULL) {
        memcpy(m->out, out, ol);
        m->out_len = (unsigned char)ol;
    }
    return ol;
}

static size_t geo(struct lsc_scrubber *sc, const struct lsc_action *a, const char *v, size_t n,
                  const struct lsc_ip *ip, char *out)
{
    if (ip == NULL || ip->family == 0) {
        memcpy(out, a->text, a->text_len); /* not an address: the policy's unknown text */
        return a->text_len;
    }
    bool hit;
    struct lsc_value_memo *m = memo(sc, a, 0, v, n, &hit);
    if (m != NULL && hit) {
        memcpy(out, m->out, m->out_len);
        return m->out_len;
    }
    size_t ol = lsc_geo_render(a->geo, ip, out);
    if (m != NULL && ol <= sizeof m->out) {
        memcpy(m->out, out, ol);
        m->out_len = (unsigned char)ol;
    } else if (m != NULL) {
        m->a = NULL;
    }
    return ol;
}

/*
 * An IPv6 address truncated by action a, through a small direct-mapped memo (lsc_trunc_slot):
 * most lines of a log come from a few thousand clients, and RFC 5952 rendering is not cheap.
 */
static size_t truncate_ip(struct lsc_scrubber *sc, const struct lsc_action *a, const char *v,
                          size_t n, const struct lsc_ip *ip, char *out)
{
    if (sc->trunc_memo == NULL && !sc->memo_off) {
        sc->trunc_memo = calloc(LSC_TRUNC_MEMO_SLOTS, sizeof *sc->trunc_memo);
    }
    if (sc->trunc_memo == NULL) {
        return lsc_action_render(a, v, n, ip, out);
    }
    struct lsc_trunc_memo *m = lsc_trunc_slot(sc, ip);
    if (lsc_trunc_holds(m, a, ip)) {
        memcpy(out, m->out, m->out_len);
        return m->out_len;
    }
    size_t ol = lsc_action_render(a, v, n, ip, out);
    lsc_trunc_keep(m, a, ip, out, ol);
    return ol;
}

size_t lsc_engine_render(struct lsc_scrubber *sc, const struct lsc_action *a, const char *v,
                         size_t n, const struct lsc_ip *ip, lsc_class cls, char *out)
{
    switch (a->kind) {
    case LSC_ACT_PSEUDONYM:
        return pseudonym(sc, a, v, n, ip, cls, out);
    case LSC_ACT_GEO:
        return geo(sc, a, v, n, ip, out);
    case LSC_ACT_IP_TRUNCATE:
        /* (An IPv4 address renders in fewer instructions than a memo lookup takes.) */
        if (ip != NULL && ip->family == 6) {
            return truncate_ip(sc, a, v, n, ip, out);
        }
        return lsc_action_render(a, v, n, ip, out);
    default:
        return lsc_action_render(a, v, n, ip, out);
    }
}
