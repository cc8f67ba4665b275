/*
 * hashes.c - stored passwords' hashes written out. A hash is the password to whoever can
 * guess passwords offline, and it names its account as well as an address does; logs show
 * them with no secret's name before them: an /etc/shadow line an installer echoes, an
 * htpasswd entry, a user record an ORM writes out, its SQL binds
 * (`[["encrypted_password", "$2a$12$..."]]`).
 *
 * Grammar: "$" ID "$" BODY. ID is one of crypt(3)'s and the PHC string format's (the
 * table below: MD5, SHA-256 and SHA-512 crypt, bcrypt, yescrypt, scrypt, Apache's apr1, NT,
 * the phpass forms of WordPress and Drupal, argon2, pbkdf2, bcrypt-sha256). BODY is
 * segments of [A-Za-z0-9./+=,] joined by '$' (JSON's "\/" counts as a '/'); the last
 * segment's base64 bytes, [A-Za-z0-9./+=], are at least the ID's minimum (20; phpass 31,
 * Drupal 52) - parameters ("rounds=5000", "v=19", "m=65536,t=3,p=4") and the salt are the
 * segments before it. Django writes its ID before the first '$' with no '$' in front
 * ("pbkdf2_sha256$600000$salt$hash"): a '$' after "pbkdf2_sha256" or "pbkdf2_sha1" starts
 * BODY. The match runs from the '$' through the last segment's base64 bytes.
 *
 * Prices and shell variables ("$5", "$HOME$PATH") have no known ID or no such last segment.
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

#define HASH_MIN 20 /* the shortest last segment of any ID (MD5 crypt's 22) */

struct hash_id {
    const char *id;
    unsigned char len, min;
};

#define ID(s, min)                                                                                 \
    {                                                                                              \
        s, sizeof(s) - 1, min                                                                      \
    }

/* By length, so that most '$'s that start no hash ("$a$a$a...") are turned away by it. */
static const struct hash_id ids[] = {
    ID("1", HASH_MIN),
    ID("3", HASH_MIN),
    ID("5", HASH_MIN),
    ID("6", HASH_MIN),
    ID("7", HASH_MIN),
    ID("y", HASH_MIN),
    ID("P", 31),
    ID("H", 31),
    ID("S", 52),
    ID("2a", HASH_MIN),
    ID("2b", HASH_MIN),
    ID("2x", HASH_MIN),
    ID("2y", HASH_MIN),
    ID("gy", HASH_MIN),
    ID("wp", HASH_MIN),
    ID("md5", HASH_MIN),
    ID("sm3", HASH_MIN),
    ID("sha1", HASH_MIN),
    ID("apr1", HASH_MIN),
    ID("scrypt", HASH_MIN),
    ID("pbkdf2", HASH_MIN),
    ID("argon2i", HASH_MIN),
    ID("argon2d", HASH_MIN),
    ID("argon2id", HASH_MIN),
    ID("pbkdf2-sha1", HASH_MIN),
    ID("pbkdf2-sha256", HASH_MIN),
    ID("pbkdf2-sha512", HASH_MIN),
    ID("bcrypt-sha256", HASH_MIN),
};
#define ID_MAX 13 /* the longest ID */

/* The minimum last segment of the ID p[0..len), or 0 for no known ID. */
static unsigned id_min(const char *p, size_t len)
{
    for (size_t k = 0; k < sizeof ids / sizeof ids[0] && ids[k].len <= len; k++) {
        if (ids[k].len == len && ids[k].id[0] == p[0] && memcmp(ids[k].id, p, len) == 0) {
            return ids[k].min;
        }
    }
    return 0;
}

/* Does Django's ID end at the '$' at i ("pbkdf2_sha256$", "pbkdf2_sha1$")? */
static bool django_id_before(const char *p, size_t i)
{
    if (i < 11 || (p[i - 1] != '6' && p[i - 1] != '1')) {
        return false;
    }
    return (i >= 13 && memcmp(p + i - 13, "pbkdf2_sha256", 13) == 0) ||
           memcmp(p + i - 11, "pbkdf2_sha1", 11) == 0;
}

static bool base64_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '.' || c == '/' || c == '+' || c == '=';
}

/* (Out of line: inlined into the scan's loop, it grows that past what GCC inlines the key
 * detector's gate into - nginx +1.3 % instructions, for a byte access logs hardly hold.) */
__attribute__((noinline)) bool lsc_detect_password_hash(const char *p, size_t n, size_t i,
                                                        struct lsc_match *m, size_t *fail_until)
{
    size_t j = i + 1;
    while (j < n && j - i <= ID_MAX && (lsc_is_alnum((unsigned char)p[j]) || p[j] == '-')) {
        j++;
    }
    unsigned min = j < n && p[j] == '$' ? id_min(p + i + 1, j - i - 1) : 0;
    if (min == 0) {
        if (!django_id_before(p, i)) {
            return false;
        }
        min = HASH_MIN;
        j = i;
    }
    /* BODY: the run of segments, and where its last segment starts. */
    size_t last = j + 1, k = j + 1;
    while (k < n) {
        unsigned char c = (unsigned char)p[k];
        if (c == '$') {
            last = k + 1;
        } else if (c == '\\' && k + 1 < n && p[k + 1] == '/') {
            k++;
        } else if (!base64_byte(c) && c != ',') {
            break;
        }
        k++;
    }
    /* The last segment's base64 bytes (a parameter list's ',' ends them). */
    size_t end = last, b64 = 0;
    while (end < k && p[end] != ',') {
        end += p[end] == '\\' ? 2 : 1;
        b64++;
    }
    if (b64 < min) {
        /* Every '$' in the run before its last segment meets the same last segment: when it
         * is short for any ID, none of them starts a hash. (The '$' before it may: its ID
         * is read from there, "$x$pbkdf2-sha256$...".) */
        *fail_until = b64 < HASH_MIN ? last - 1 : *fail_until;
        return false;
    }
    m->off = i;
    m->len = end - i;
    m->cls = LSC_CLASS_PASSWORD_HASH;
    return true;
}
