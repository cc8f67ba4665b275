/*
 * email.c - e-mail addresses, plain or with the '@' percent-encoded as "%40".
 *
 * Grammar: LOCAL "@" DOMAIN, LOCAL = 1-64 of [A-Za-z0-9._%+-] not starting with '.',
 * DOMAIN = LABEL ("." LABEL)+ with LABEL = [A-Za-z0-9-]{1,63} and an alphabetic final label
 * of two or more letters. A trailing dot (end of a sentence) is not part of the domain.
 * The detector is triggered at the '@' and looks back for the local part, no further than
 * the end of the previous match, nor into an escape before it.
 */
#include "detect.h"

#include "chars.h"

bool lsc_detect_email(const char *p, size_t n, size_t i, size_t at_len, size_t floor,
                      struct lsc_match *m)
{
    /* The domain is read first: it rules out most candidates ("%40%40...", "a@a@...")
     * before the walk back over up to 64 bytes of local part. */
    size_t j = i + at_len;
    size_t labels = 0, last_label_start = j;
    bool last_alpha = true;
    size_t end = j;
    while (j < n && j - i < 256) {
        size_t ls = j;
        bool alpha = true;
        while (j < n && lsc_is_label_byte((unsigned char)p[j]) && j - ls < 63) {
            alpha &= lsc_is_alpha((unsigned char)p[j]) != 0;
            j++;
        }
        if (j == ls) {
            break;
        }
        labels++;
        last_label_start = ls;
        last_alpha = alpha;
        end = j;
        if (j + 1 < n && p[j] == '.' && lsc_is_alnum((unsigned char)p[j + 1])) {
            j++;
            continue;
        }
        break;
    }
    if (labels < 2 || !last_alpha || end - last_label_start < 2) {
        return false;
    }
    size_t s = i;
    while (s > floor && i - s < 64 && lsc_is_email_local((unsigned char)p[s - 1])) {
        s--;
    }
    /* Not inside an escape ("\\u0028j_doe@", "a\\njane@"): the address starts after it, and
     * the escape stays whole. */
    unsigned char b;
    size_t len = s > floor && p[s - 1] == '\\' ? lsc_escape_at(p, n, s - 1, &b) : 0;
    s = len > 0 ? s - 1 + len : s;
    while (s < i && p[s] == '.') {
        s++;
    }
    if (s == i) {
        return false;
    }
    m->off = s;
    m->len = end - s;
    m->cls = LSC_CLASS_EMAIL;
    return true;
}
