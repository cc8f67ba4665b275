/*
 * chars.h - byte classification shared by the detectors. Log bytes are not text: these
 * helpers look at one unsigned byte and never assume a locale, UTF-8 or NUL termination.
 */
#ifndef LSC_DETECT_CHARS_H
#define LSC_DETECT_CHARS_H

#include <stdbool.h>
#include <stddef.h>

static inline bool lsc_is_digit(unsigned char c)
{
    return (unsigned)(c - '0') < 10;
}

static inline bool lsc_is_alpha(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26;
}

static inline bool lsc_is_upper(unsigned char c)
{
    return (unsigned)(c - 'A') < 26;
}

static inline bool lsc_is_alnum(unsigned char c)
{
    return lsc_is_digit(c) || lsc_is_alpha(c);
}

static inline bool lsc_is_hex(unsigned char c)
{
    return lsc_is_digit(c) || (unsigned)((c | 32) - 'a') < 6;
}

static inline int lsc_hex_value(unsigned char c)
{
    return lsc_is_digit(c) ? c - '0' : (c | 32) - 'a' + 10;
}

/* base64url alphabet: A-Z a-z 0-9 - _ */
static inline bool lsc_is_b64url(unsigned char c)
{
    return lsc_is_alnum(c) || c == '-' || c == '_';
}

static inline unsigned char lsc_lower(unsigned char c)
{
    return lsc_is_upper(c) ? (unsigned char)(c | 32) : c;
}

/* True when p[0..n) equals the lower-case literal lit[0..n), ignoring ASCII case. */
static inline bool lsc_ieq(const char *p, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (lsc_lower((unsigned char)p[i]) != (unsigned char)lit[i]) {
            return false;
        }
    }
    return true;
}

#endif
