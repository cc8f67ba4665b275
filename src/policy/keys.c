/*
 * keys.c - the pseudonym key file, period subkeys and the PRF (see keys.h for the scheme).
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const rotate_context[] = {
    [LSC_ROTATE_NONE] = "lscp-all",
    [LSC_ROTATE_DAILY] = "lscp-day",
    [LSC_ROTATE_WEEKLY] = "lscp-wek",
    [LSC_ROTATE_MONTHLY] = "lscp-mon",
};

/* Takes ownership of 32 bytes in raw (wiped here), fills k. */
static bool adopt(struct lsc_key *k, unsigned char *raw, const char *source)
{
    if (sodium_init() < 0) {
        return false;
    }
    k->master = sodium_malloc(LSC_KEY_BYTES);
    k->source = strdup(source);
    if (k->master == NULL || k->source == NULL) {
        sodium_memzero(raw, LSC_KEY_BYTES);
        lsc_key_free(k);
        return false;
    }
    memcpy(k->master, raw, LSC_KEY_BYTES);
    sodium_memzero(raw, LSC_KEY_BYTES);
    unsigned char id[16];
    crypto_kdf_derive_from_key(id, sizeof id, 0, "lsckeyid", k->master);
    sodium_bin2hex(k->id, sizeof k->id, id, 4);
    sodium_mprotect_readonly(k->master);
    return true;
}

bool lsc_key_load(const char *path, struct lsc_key *k, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "key file %s: %s (make one with: logscrub keygen %s)", path,
                 strerror(errno), path);
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "key file %s is not a regular file", path);
        return false;
    }
    if (st.st_mode & 077) {
        close(fd);
        snprintf(err, errlen,
                 "key file %s can be read or written by group or others (mode %04o); a key "
                 "must be private: chmod 600 %s",
                 path, (unsigned)(st.st_mode & 07777), path);
        return false;
    }
    unsigned char buf[70];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    unsigned char raw[LSC_KEY_BYTES];
    size_t len = n > 0 ? (size_t)n : 0;
    size_t hexlen = len;
    while (hexlen > 0 && (buf[hexlen - 1] == '\n' || buf[hexlen - 1] == '\r')) {
        hexlen--;
    }
    size_t bin_len = 0;
    bool ok = false;
    if (n == LSC_KEY_BYTES) {
        memcpy(raw, buf, LSC_KEY_BYTES);
        ok = true;
    } else if (hexlen == 2 * LSC_KEY_BYTES &&
               sodium_hex2bin(raw, sizeof raw, (const char *)buf, hexlen, NULL, &bin_len, NULL) ==
                   0 &&
               bin_len == LSC_KEY_BYTES) {
        ok = true;
    }
    sodium_memzero(buf, sizeof buf);
    if (!ok) {
        sodium_memzero(raw, sizeof raw);
        snprintf(err, errlen,
                 "key file %s holds %s%zd bytes; a key is 32 random bytes or 64 hex digits: "
                 "make one with: logscrub keygen NEWFILE",
                 path, n >= (ssize_t)sizeof buf ? "at least " : "", n < 0 ? (ssize_t)0 : n);
        return false;
    }
    if (!adopt(k, raw, path)) {
        snprintf(err, errlen, "out of memory (or libsodium failed to start)");
        return false;
    }
    return true;
}

bool lsc_key_test(struct lsc_key *k)
{
    memset(k, 0, sizeof *k);
    unsigned char raw[LSC_KEY_BYTES];
    for (size_t i = 0; i < sizeof raw; i++) {
        raw[i] = (unsigned char)(0xA0 + i); /* public on purpose: examples only */
    }
    return adopt(k, raw, "the public test key");
}

void lsc_key_free(struct lsc_key *k)
{
    if (k->master != NULL) {
        sodium_free(k->master); /* wipes, then unmaps */
    }
    free(k->source);
    memset(k, 0, sizeof *k);
}

bool lsc_keygen(const char *path, int fd, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium failed to start");
        return false;
    }
    bool own = path != NULL;
    if (own) {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
                     errno == EEXIST ? " (a key is never overwritten: remove it first if you "
                                       "really mean to lose every pseudonym made with it)"
                                     : "");
            return false;
        }
    } else {
        struct stat st;
        if (isatty(fd)) {
            snprintf(err, errlen,
                     "refusing to print a key on a terminal: logscrub keygen FILE, or "
                     "redirect to a file");
            return false;
        }
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fchmod(fd, 0600) != 0) {
            snprintf(err, errlen, "cannot make the key file private: %s", strerror(errno));
            return false;
        }
    }
    unsigned char raw[LSC_KEY_BYTES];
    char hex[2 * LSC_KEY_BYTES + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    hex[2 * LSC_KEY_BYTES] = '\n';
    size_t done = 0;
    while (done < sizeof hex - 1) {
        ssize_t w = write(fd, hex + done, sizeof hex - 1 - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    sodium_memzero(hex, sizeof hex);
    bool ok = done == sizeof hex - 1 && (!own || fsync(fd) == 0);
    if (!ok) {
        snprintf(err, errlen, "cannot write the key: %s", strerror(errno));
    }
    if (own && close(fd) != 0 && ok) {
        snprintf(err, errlen, "cannot write the key: %s", strerror(errno));
        ok = false;
    }
    if (!ok && own) {
        unlink(path);
    }
    return ok;
}

uint64_t lsc_key_period(enum lsc_rotate r, int64_t t)
{
    if (t < 0) {
        t = 0;
    }
    int64_t days = t / 86400;
    switch (r) {
    case LSC_ROTATE_NONE:
        return 0;
    case LSC_ROTATE_DAILY:
        return (uint64_t)days;
    case LSC_ROTATE_WEEKLY:
        return (uint64_t)((days + 3) / 7); /* weeks start on Monday; 1970-01-01 was a Thursday */
    case LSC_ROTATE_MONTHLY: {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        return (uint64_t)(tm.tm_year - 70) * 12 + (uint64_t)tm.tm_mon;
    }
    }
    return 0;
}

size_t lsc_key_period_name(enum lsc_rotate r, uint64_t period, char out[16])
{
    struct tm tm;
    time_t t;
    int n = 0;
    switch (r) {
    case LSC_ROTATE_NONE:
        n = snprintf(out, 16, "all");
        break;
    case LSC_ROTATE_DAILY:
        t = (time_t)(period * 86400);
        gmtime_r(&t, &tm);
        n = snprintf(out, 16, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        break;
    case LSC_ROTATE_WEEKLY:
        /* Week p runs Monday 7p-3 to Sunday 7p+3 (days since 1970); its ISO year and number
         * are those of its Thursday, day 7p. */
        t = (time_t)((int64_t)period * 7 * 86400);
        gmtime_r(&t, &tm);
        n = snprintf(out, 16, "%04d-W%02d", tm.tm_year + 1900, tm.tm_yday / 7 + 1);
        break;
    case LSC_ROTATE_MONTHLY:
        n = snprintf(out, 16, "%04d-%02d", (int)(1970 + period / 12), (int)(period % 12 + 1));
        break;
    }
    return n > 0 ? (size_t)n : 0;
}

void lsc_key_subkey(const struct lsc_key *k, enum lsc_rotate r, uint64_t period, unsigned char *out)
{
    crypto_kdf_derive_from_key(out, LSC_SUBKEY_BYTES, period, rotate_context[r], k->master);
}

bool lsc_prf(const unsigned char *subkey, char type, const void *v, size_t n,
             unsigned char out[LSC_PRF_BYTES])
{
    unsigned char small[512];
    unsigned char *buf = n + 1 <= sizeof small ? small : malloc(n + 1);
    if (buf == NULL) {
        return false;
    }
    buf[0] = (unsigned char)type;
    memcpy(buf + 1, v, n);
    crypto_shorthash_siphashx24(out, buf, n + 1, subkey);
    sodium_memzero(buf, n + 1);
    if (buf != small) {
        free(buf);
    }
    return true;
}
