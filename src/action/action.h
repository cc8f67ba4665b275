/*
 * action.h - turning a detected value into its replacement text.
 */
#ifndef LSC_ACTION_H
#define LSC_ACTION_H

#include "../detect/detect.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest text lsc_ip_truncate writes: a full IPv6 with a dotted tail. */
#define LSC_IP_TEXT_MAX 48

/*
 * lsc_ip_truncate keeps the first v4_bits of an IPv4 address (or of the IPv4 address
 * embedded in a v4-mapped, v4-compatible or NAT64 IPv6 address) or the first v6_bits of any
 * other IPv6 address, zeroes the rest and writes the result as text into out (at least
 * LSC_IP_TEXT_MAX bytes). IPv6 is written in RFC 5952 form. Returns the length written.
 */
size_t lsc_ip_truncate(const struct lsc_ip *ip, unsigned v4_bits, unsigned v6_bits, char *out);

/*
 * lsc_ip_truncate's text for the IPv4 address ip kept to its first 24 bits, taken from the
 * address's own text t[0..len) when that text is already the address's shortest form up to
 * its last dot - no leading zeros, no escapes (a scan of decoded text reports raw bytes):
 * those bytes and "0", without working out digits. Returns 0 (and writes nothing) when the
 * text is not so; the caller renders. (The default policy's action, once an access line.)
 */
size_t lsc_ip4_truncate24_text(const struct lsc_ip *ip, const char *t, size_t len, char *out);

struct lsc_action;

/* The IPv4 address ip is or embeds (v4-mapped, v4-compatible, NAT64) into v4; false if none. */
bool lsc_ip_v4_of(const struct lsc_ip *ip, uint8_t v4[4]);

/* Writes 4 (v6 false) or 16 address bytes as text (RFC 5952 for IPv6) into out (at least
 * LSC_IP_TEXT_MAX bytes); returns the length. */
size_t lsc_ip_render(const uint8_t *bytes, bool v6, char *out);

/*
 * Pseudonyms (the PRF itself is in policy/keys.c; the engine supplies its output).
 * lsc_pseudonym_input writes the canonical form of a value into out (at most n + 17 bytes)
 * and returns its length, with the PRF's type byte in *type: an address as 16 bytes (IPv4
 * and the IPv6 forms embedding it agree), an e-mail address lower-cased, anything else as
 * it is.
 */
size_t lsc_pseudonym_input(lsc_class cls, const char *v, size_t n, const struct lsc_ip *ip,
                           char *type, unsigned char *out);

/*
 * Is v already a pseudonym this action writes (its prefix and hex digits, or an address in
 * the reserved ranges used by render: address)? Then it is left alone, not hashed again.
 */
bool lsc_pseudonym_is(const struct lsc_action *a, const char *v, size_t n, const struct lsc_ip *ip);

/*
 * Writes the pseudonym for PRF output h (16 bytes) into out (LSC_PSEUDONYM_MAX); type is
 * what lsc_pseudonym_input said the value was (it picks the prefix when the policy gave
 * none: ip_, em_, ps_).
 */
#define LSC_PSEUDONYM_MAX 96
size_t lsc_pseudonym_render(const struct lsc_action *a, const unsigned char *h, char type,
                            const struct lsc_ip *ip, char *out);

/* Longest text a geo lookup writes. */
#define LSC_GEO_MAX 256

/* What a policy does with a detected or matched value. */
enum lsc_action_kind {
    LSC_ACT_REDACT,      /* text = "[label]" */
    LSC_ACT_REPLACE,     /* text = fixed replacement */
    LSC_ACT_MASK,        /* keep_first/keep_last letters and digits, mask the others */
    LSC_ACT_TRUNCATE,    /* keep the first `length` bytes */
    LSC_ACT_IP_TRUNCATE, /* keep v4_bits/v6_bits of the address; text for non-addresses */
    LSC_ACT_DROP_LINE,   /* the whole line is dropped */
    LSC_ACT_KEEP,        /* leave the value as it is */
    LSC_ACT_URL,         /* filter a URL's query by name, drop user-info and fragment */
    LSC_ACT_USER_AGENT,  /* coarsen a User-Agent to browser family/major and OS family */
    LSC_ACT_PSEUDONYM,   /* keyed pseudonym (the engine supplies the PRF output) */
    LSC_ACT_GEO,         /* an address becomes its country / ASN ... (the engine looks up) */
};

struct lsc_action {
    enum lsc_action_kind kind;
    char *text; /* owned; label or replacement, also the fallback for IP_TRUNCATE */
    size_t text_len;
    unsigned keep_first, keep_last;
    char mask_char;
    unsigned length;
    unsigned v4_bits, v6_bits;
    char **query; /* URL: lower-case parameter names, owned */
    size_t nquery;
    bool query_keep;    /* URL: query is an allow-list (else a deny-list) */
    bool keep_segments; /* URL: leave path segments that look like ids as they are */
    /* PSEUDONYM: text is the token prefix; v4_bits/v6_bits the address bits kept in clear. */
    bool as_address;     /* render a valid address (240.0.0.0/4, 100::/64) instead */
    unsigned token_hex;  /* hex digits of the token (16-32) */
    struct lsc_geo *geo; /* GEO: the databases and fields (owned by the policy) */
};

/*
 * The url action: writes v[0..n) into out (at least 2n + 8 bytes) without user-info,
 * without the fragment, with path segments that look like ids or personal data (UUIDs,
 * long hex, tokens, e-mail addresses) replaced by :uuid, :hex, :token, :email unless
 * keep_segments is set, and with only the allowed query parameters (names compared after
 * percent-decoding and case folding). Returns the length written.
 */
size_t lsc_url_filter(const struct lsc_action *a, const char *v, size_t n, char *out);

/* What a path segment looks like: NULL for an ordinary one, else its label (":uuid"). */
const char *lsc_url_segment_label(const char *s, size_t n);

/* Longest text lsc_user_agent_coarsen writes. */
#define LSC_UA_MAX 64

/* The user-agent action: writes "Family/Major (OS)" into out (LSC_UA_MAX bytes). */
size_t lsc_user_agent_coarsen(const char *v, size_t n, char *out);

/* Upper bound of what lsc_action_render writes for a value of value_len bytes. */
size_t lsc_action_max_len(const struct lsc_action *a, size_t value_len);

/*
 * Writes the replacement for v[0..n) into out (at least lsc_action_max_len bytes) and
 * returns its length. ip is the parsed address for IP matches, else NULL. DROP_LINE is
 * decided by the caller; here it renders its label.
 */
size_t lsc_action_render(const struct lsc_action *a, const char *v, size_t n,
                         const struct lsc_ip *ip, char *out);

#endif
