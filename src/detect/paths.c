/*
 * paths.c - a password reset's token in a URL's path. Laravel mails
 * /reset-password/{64 hex}, Django /reset/{uidb64}/{timestamp}-{hash}/, and many apps
 * /password/reset/{token} or /password-reset/{token}: whoever reads the access log while
 * the link is valid (an hour, three days) can set the account's password. A query names its
 * token (?token=, ?reset_password_token=: secrets.c); a path does not.
 *
 * Grammar: the word "reset" (in small letters: the scan asks at an 'r') starting a path
 * segment or a part of one (after '/', '-' or '_') and followed by '/', '-', '_' or "\/",
 * the rest of its segment ([A-Za-z0-9_-], at most WORD_SEGMENT_MAX bytes: "reset-password",
 * "reset_confirm"), then up to SEGMENTS_AFTER segments; the first of them that reads as a
 * token is the match. A token: [A-Za-z0-9_-], TOKEN_MIN to TOKEN_MAX bytes, with a digit
 * and a letter, ending the segment ('/', JSON's "\/", '?', '#', '&', ';', a blank, a quote,
 * or the text's end). A segment passed over must be short and plain ([A-Za-z0-9_-], at most
 * SKIP_MAX bytes: a user id as base64, "confirm"): one that could hold anything another
 * detector finds (an address, an e-mail, a card's 13 digits) ends the reading - the scan
 * does not look again at what a match passes over. "password" is not asked for: its words
 * come to no call the scan makes in a path (/password/reset/{token} is found from "reset").
 */
#include "detect.h"

#include "chars.h"

#include <string.h>

#define WORD_SEGMENT_MAX 32 /* the rest of the word's segment: "-password-confirm" */
#define SEGMENTS_AFTER 3    /* /password/reset/{uid}/{token} */
#define SKIP_MAX 12         /* a segment passed over: a card has 13 digits or more */
#define TOKEN_MIN 16
#define TOKEN_MAX 512

static bool plain_byte(unsigned char c)
{
    return lsc_is_alnum(c) || c == '_' || c == '-';
}

/* The end of the run of plain bytes from j, at most max bytes past it (then max + 1). */
static size_t plain_end(const char *p, size_t n, size_t j, size_t max)
{
    size_t k = j;
    while (k < n && k - j <= max && plain_byte((unsigned char)p[k])) {
        k++;
    }
    return k;
}

/* Does a segment end at k: the text's end, or a byte that ends a path segment or a URL? */
static bool segment_ends(const char *p, size_t n, size_t k)
{
    if (k >= n) {
        return true;
    }
    switch (p[k]) {
    case '/':
    case '?':
    case '#':
    case '&':
    case ';':
    case ' ':
    case '\t':
    case '"':
    case '\'':
    case '\r':
    case '\n':
        return true;
    case '\\':
        return k + 1 < n && p[k + 1] == '/';
    default:
        return false;
    }
}

/* Past the '/' (or "\/") at k that starts the next segment, or 0 when none does. */
static size_t next_segment(const char *p, size_t n, size_t k)
{
    if (k < n && p[k] == '/') {
        return k + 1;
    }
    return k + 1 < n && p[k] == '\\' && p[k + 1] == '/' ? k + 2 : 0;
}

/* Do p[s..e) hold a digit and a letter? */
static bool digit_and_letter(const char *p, size_t s, size_t e)
{
    bool digit = false, letter = false;
    for (size_t k = s; k < e && !(digit && letter); k++) {
        digit |= lsc_is_digit((unsigned char)p[k]);
        letter |= lsc_is_alpha((unsigned char)p[k]);
    }
    return digit && letter;
}

__attribute__((noinline)) bool lsc_detect_reset_token(const char *p, size_t n, size_t i,
                                                      struct lsc_match *m)
{
    /* (after it '\\' too: JSON's "\/") */
    char b = i > 0 ? p[i - 1] : ' ', a = n - i > 5 ? p[i + 5] : ' ';
    if ((b != '/' && b != '-' && b != '_') || (a != '/' && a != '-' && a != '_' && a != '\\') ||
        memcmp(p + i, "reset", 5) != 0) {
        return false; /* ("reset.css", "resets", "preset") */
    }
    size_t k = plain_end(p, n, i + 5, WORD_SEGMENT_MAX);
    if (k - (i + 5) > WORD_SEGMENT_MAX) {
        return false;
    }
    for (int seg = 0; seg < SEGMENTS_AFTER; seg++) {
        size_t s = next_segment(p, n, k);
        if (s == 0) {
            return false;
        }
        k = plain_end(p, n, s, TOKEN_MAX);
        if (!segment_ends(p, n, k)) {
            return false; /* a segment with other bytes: no reading past it */
        }
        if (k - s >= TOKEN_MIN && k - s <= TOKEN_MAX && digit_and_letter(p, s, k)) {
            m->off = s;
            m->len = k - s;
            m->cls = LSC_CLASS_SECRET_PARAM;
            m->quote = false;
            return true;
        }
        if (k - s > SKIP_MAX) {
            return false;
        }
    }
    return false;
}
