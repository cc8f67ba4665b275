/*
 * explain.c - the compiled plan in plain words (`logscrub check --explain`) and the policy
 * hash: SHA-256 (libsodium) of that text without its source and hash lines, so the hash
 * names what a policy does, wherever the file lives and however it is formatted.
 */
#include "policy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_action(FILE *f, const struct lsc_action *a)
{
    switch (a->kind) {
    case LSC_ACT_REDACT:
        fprintf(f, "redact, replaced by %.*s", (int)a->text_len, a->text);
        break;
    case LSC_ACT_REPLACE:
        fprintf(f, "replace with \"%.*s\"", (int)a->text_len, a->text);
        break;
    case LSC_ACT_MASK:
        fprintf(f, "mask with '%c', keeping the first %u and last %u letters/digits", a->mask_char,
                a->keep_first, a->keep_last);
        break;
    case LSC_ACT_TRUNCATE:
        fprintf(f, "truncate to the first %u bytes", a->length);
        break;
    case LSC_ACT_IP_TRUNCATE:
        fprintf(f, "truncate addresses: IPv4 to /%u, IPv6 to /%u (embedded IPv4 as IPv4)",
                a->v4_bits, a->v6_bits);
        break;
    case LSC_ACT_DROP_LINE:
        fprintf(f, "drop the whole line");
        break;
    case LSC_ACT_KEEP:
        fprintf(f, "keep as is");
        break;
    case LSC_ACT_PSEUDONYM:
        if (a->as_address) {
            fprintf(f, "pseudonym, written as an address (240.0.0.0/4, 100::/64");
            if (a->v4_bits || a->v6_bits) {
                fprintf(f, "; IPv4 /%u and IPv6 /%u kept in clear", a->v4_bits, a->v6_bits);
            }
            fprintf(f, ")");
        } else {
            fprintf(f,
                    "pseudonym: %.*s%s + %u hex digits of SipHash-2-4-128 under the period subkey",
                    (int)a->text_len, a->text ? a->text : "", a->text_len ? "" : "ip_/em_/ps_",
                    a->token_hex);
        }
        break;
    case LSC_ACT_GEO:
        fprintf(f, "geo: the address becomes where it is (country/continent/ASN/...)");
        break;
    case LSC_ACT_USER_AGENT:
        fprintf(f, "user-agent: browser family and major version, OS family");
        break;
    case LSC_ACT_URL:
        fprintf(f, "url: drop user-info and fragment, %s, query %s",
                a->keep_segments ? "path segments kept"
                                 : "id-like path segments replaced (:uuid :hex :token :email)",
                a->query_keep ? "keeps only" : "drops");
        for (size_t i = 0; i < a->nquery; i++) {
            fprintf(f, "%s%s", i ? ", " : " ", a->query[i]);
        }
        break;
    }
}

/* The hashed part of the explanation. */
static char *explain_body(const struct lsc_policy *pol, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (f == NULL) {
        return NULL;
    }
    fprintf(f, "policy: %s\n", pol->name ? pol->name : "(unnamed)");
    if (pol->description != NULL) {
        fprintf(f, "description: %s\n", pol->description);
    }
    if (pol->needs_key) {
        static const char *const rot[] = {"never (one key for all time)", "daily", "weekly",
                                          "monthly"};
        fprintf(f,
                "pseudonyms: SipHash-2-4-128 under a subkey derived (libsodium KDF) from the "
                "key for each period of the record's own time; the subkey rotates %s; time "
                "from %s, else the processing time; records with pseudonyms %s\n",
                rot[pol->rotate], pol->ts_field ? pol->ts_field : "the usual time members",
                pol->tag_epoch ? "carry their key epoch (period/key id)" : "are not tagged");
    }
    if (pol->retention) {
        fprintf(f,
                "retention: %u calendar months + %lld s after the record's own time (from %s, "
                "else the processing time); %s\n",
                pol->retention_months, (long long)pol->retention_secs,
                pol->ts_field ? pol->ts_field : "the usual time members",
                pol->tag_expiry ? "each record is tagged with that UTC expiry"
                                : "records are not tagged");
    }
    if (pol->format != LSC_FORMAT_TEXT) {
        fprintf(f, "input: %s", lsc_format_name(pol, pol->format));
        if (pol->access != NULL) {
            fprintf(f, " with log format '%s'", pol->access->text);
        }
        if (pol->format == LSC_FORMAT_AUTO) {
            fprintf(f, pol->nfields ? " (json, syslog, combined/common access logs or logfmt, "
                                      "recognised per line; a line of none of them fails "
                                      "closed, counted as parse_fallback)\n"
                                    : " (without field rules only JSON lines are read as "
                                      "records; every other line is scanned whole)\n");
        } else {
            fprintf(f, " (a line that does not parse %s)\n",
                    pol->nfields ? "fails closed, counted as parse_fallback"
                                 : "is scanned as text, counted as parse_fallback");
        }
        fprintf(f, "fields:%s\n", pol->nfields ? "" : " all kept");
        static const char *const kinds[] = {
            [LSC_FIELD_KEEP] = "keep",
            [LSC_FIELD_DROP] = "drop",
            [LSC_FIELD_ACTION] = "action",
            [LSC_FIELD_STAGED] = "staged",
        };
        if (pol->has_keep) {
            fprintf(f, "  members not listed under keep are removed\n");
        }
        for (size_t i = 0; i < pol->nfields; i++) {
            const struct lsc_field_rule *fr = &pol->fields[i];
            fprintf(f, "  %s %s", kinds[fr->kind], fr->path.text);
            if (fr->kind == LSC_FIELD_ACTION) {
                fprintf(f, ": ");
                put_action(f, &fr->action);
            }
            for (size_t k = 0; fr->kind == LSC_FIELD_STAGED && k < fr->nstages; k++) {
                const struct lsc_stage *sg = &fr->stages[k];
                if (sg->last) {
                    fprintf(f, "; then %s", sg->drop ? "removed" : "kept (scanned)");
                    continue;
                }
                fprintf(f, "%s until %u calendar months + %lld s after the record's time: ",
                        k ? ";" : ":", sg->months, (long long)sg->secs);
                if (sg->keep) {
                    fprintf(f, "kept (scanned)");
                } else {
                    put_action(f, &sg->action);
                }
            }
            fprintf(f, "\n");
        }
        fprintf(f, "credential headers (Authorization, Proxy-Authorization, Cookie, Set-Cookie, "
                   "X-Api-Key, X-Auth-Token; nginx http_*, sent_http_*, cookie_*) are removed "
                   "unless a keep path names them\n");
        fprintf(f, "members whose name is secret-like get the secret_param action; the "
                   "detectors below run on every other kept value and key\n");
    } else {
        fprintf(f, "input: every line is scanned as text\n");
    }
    fprintf(f, "built-in detectors, run over the whole line:\n");
    int off = 0;
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        if (c == LSC_CLASS_RULE) {
            continue;
        }
        if (!pol->detect[c]) {
            off++;
            continue;
        }
        fprintf(f, "  %-13s ", lsc_class_name((lsc_class)c));
        put_action(f, &pol->detect_action[c]);
        fprintf(f, " (%s%s)\n", pol->detect_pack[c] ? "pack " : "",
                pol->detect_pack[c] ? pol->detect_pack[c] : "policy");
    }
    if (off > 0) {
        fprintf(f, "  not run:");
        for (int c = 0; c < LSC_CLASS_COUNT; c++) {
            if (c != LSC_CLASS_RULE && !pol->detect[c]) {
                fprintf(f, " %s", lsc_class_name((lsc_class)c));
            }
        }
        fprintf(f, "\n");
    }
    fprintf(f, "pattern rules (PCRE2), run after the detectors:%s\n", pol->nrules ? "" : " none");
    static const char *const validators[] = {"", "luhn", "iban", "ip"};
    for (size_t i = 0; i < pol->nrules; i++) {
        const struct lsc_policy_rule *r = &pol->rules[i];
        fprintf(f, "  %s: /%s/", r->name, r->pattern);
        if (r->validator != LSC_VALIDATE_NONE) {
            fprintf(f, ", only if %s-valid", validators[r->validator]);
        }
        if (r->hint != NULL) {
            fprintf(f, ", only on lines containing \"%.*s\"", (int)r->hint_len, r->hint);
        }
        fprintf(f, "; ");
        put_action(f, &r->action);
        fprintf(f, " (%s%s)\n", r->pack ? "pack " : "", r->pack ? r->pack : "policy");
    }
    fprintf(f, "where rule matches overlap, one replacement covers both and a pattern rule's "
               "wins\n");
    switch (pol->on_error) {
    case LSC_ON_ERROR_DROP:
        fprintf(f, "on error: drop the line");
        break;
    case LSC_ON_ERROR_QUARANTINE:
        fprintf(f, "on error: write the raw line to %s",
                pol->quarantine_path ? pol->quarantine_path : "the --quarantine file");
        break;
    default:
        fprintf(f, "on error: replace the line by a redaction marker");
        break;
    }
    fprintf(f, " (a rule error, a line over --max-line, no memory); never emitted raw\n");
    fprintf(f, "limits per rule and line: match %u, depth %u, heap %u KiB\n",
            pol->limits.match_limit, pol->limits.depth_limit, pol->limits.heap_limit_kib);
    fprintf(f, "retention: none (records are not tagged with an expiry)\n");
    fprintf(f, "tests: %zu embedded example%s\n", pol->ntests, pol->ntests == 1 ? "" : "s");
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* libsodium wants sodium_init() before use; it is idempotent and thread-safe. */
static bool hash_hex(const char *body, size_t len, char hex[65])
{
    if (sodium_init() < 0) {
        return false;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, len);
    sodium_bin2hex(hex, 65, h, sizeof h);
    return true;
}

lsc_error lsc_policy_hash(const struct lsc_policy *pol, char hex[65])
{
    size_t len;
    char *body = explain_body(pol, &len);
    if (body == NULL) {
        return LSC_ENOMEM;
    }
    bool ok = hash_hex(body, len, hex);
    free(body);
    return ok ? LSC_OK : LSC_ENOMEM;
}

lsc_error lsc_policy_explain(const struct lsc_policy *pol, char **text)
{
    size_t len;
    char *body = explain_body(pol, &len);
    if (body == NULL) {
        return LSC_ENOMEM;
    }
    char hex[65];
    if (!hash_hex(body, len, hex)) {
        free(body);
        return LSC_ENOMEM;
    }
    const char *src = pol->source ? pol->source : "built-in";
    size_t cap = len + strlen(src) + 128;
    char *out = malloc(cap);
    if (out == NULL) {
        free(body);
        return LSC_ENOMEM;
    }
    snprintf(out, cap, "source: %s\nhash: sha256:%s\n%s", src, hex, body);
    free(body);
    *text = out;
    return LSC_OK;
}

const char *lsc_policy_name(const struct lsc_policy *pol)
{
    return pol->name ? pol->name : "(unnamed)";
}
