/*
 * keys.h - the pseudonym key: found, checked, held in locked memory, never printed; period
 * subkeys derived from it with libsodium's KDF; the keyed PRF that makes pseudonyms.
 *
 * Cryptography (see also README, "Pseudonyms: the threat model"):
 *   master  32 random bytes from a file (logscrub keygen), in sodium_malloc'd memory that is
 *           read-only after loading and wiped when freed;
 *   key id  the first 4 bytes, as hex, of KDF(master, id 0, context "lsckeyid") - names
 *           the key in output and messages without revealing anything usable about it;
 *   subkey  16 bytes of KDF(master, period number, context naming the rotation) - libsodium's
 *           BLAKE2b-based KDF, so pseudonyms of different periods do not link;
 *   PRF     SipHash-2-4 with 128-bit output (crypto_shorthash_siphashx24), keyed with the
 *           subkey, over a type byte and the canonical value. A PRF with a 128-bit secret
 *           key: a known (value, pseudonym) pair reveals nothing about other values' ones.
 */
#ifndef LSC_KEYS_H
#define LSC_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSC_KEY_BYTES 32
#define LSC_SUBKEY_BYTES 16
#define LSC_PRF_BYTES 16

enum lsc_rotate {
    LSC_ROTATE_NONE,
    LSC_ROTATE_DAILY,
    LSC_ROTATE_WEEKLY,
    LSC_ROTATE_MONTHLY,
};

struct lsc_key {
    unsigned char *master; /* sodium_malloc'd, LSC_KEY_BYTES, read-only; NULL when none */
    char id[9];            /* 8 hex digits */
    char *source;          /* the file it came from, or "test key" (owned) */
};

/*
 * Loads the key from path: a regular file, not readable or writable by group or others,
 * holding 32 bytes or 64 hex digits (a final newline allowed). On failure returns false
 * with a message that says how to fix it.
 */
bool lsc_key_load(const char *path, struct lsc_key *k, char *err, size_t errlen);

/* The fixed, public key `logscrub test` uses, so a policy's examples have fixed outputs. */
bool lsc_key_test(struct lsc_key *k);

/* Wipes and frees the key; accepts an empty one. */
void lsc_key_free(struct lsc_key *k);

/*
 * Writes a new random key as 64 hex digits and a newline: to path (created with mode 0600,
 * never overwriting), or to fd when path is NULL (a regular file is set to mode 0600; a
 * terminal is refused). Returns false with a message in err.
 */
bool lsc_keygen(const char *path, int fd, char *err, size_t errlen);

/* The period a Unix time falls in, for the rotation (days, ISO weeks, months since 1970). */
uint64_t lsc_key_period(enum lsc_rotate r, int64_t t);

/* The period as text: "all", "2026-11-22", "2026-W47", "2026-11". Returns its length. */
size_t lsc_key_period_name(enum lsc_rotate r, uint64_t period, char out[16]);

/* Derives the subkey for a period into out (LSC_SUBKEY_BYTES). */
void lsc_key_subkey(const struct lsc_key *k, enum lsc_rotate r, uint64_t period,
                    unsigned char *out);

/* The PRF: SipHash-2-4-128 keyed with subkey over the type byte and v[0..n). False only
 * when memory for a long value runs out. */
bool lsc_prf(const unsigned char *subkey, char type, const void *v, size_t n,
             unsigned char out[LSC_PRF_BYTES]);

#endif
