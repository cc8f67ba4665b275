/*
 * escape.c - decoding and re-encoding field values in each format's escape style.
 *
 * The engine matches names and runs detectors on decoded values, and writes replacements
 * back encoded, so a scrubbed record parses with the same parser it came from:
 *   nginx    \xHH for '"', '\\', control bytes and DEL (as nginx's default escape= writes);
 *   Apache   \" and \\ for quote and backslash, \xHH for control bytes;
 *   SD       RFC 5424 PARAM-VALUE: \" \\ \] (a backslash before anything else is itself);
 *   WORD     an unquoted field: nothing is escaped; '"', '\\', control bytes and the byte
 *            that would end the field (its terminator) become '_';
 *   TAG      a BSD syslog tag: as WORD, and ' ', ':', '[', ']' become '_';
 *   NUMBER   a numeric access-log field (status, sizes, times): a value that is no longer a
 *            number (a label) is written as "-";
 *   RAW      the rest of the line: copied, but a newline could never be in it, so none is made.
 */
#include "json.h"

#include <string.h>

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* nginx/Apache: \xHH is a byte, \" \\ (and any \c) is c. */
static size_t unescape_access(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\' || i + 1 == len) {
            out[o++] = s[i];
            continue;
        }
        int h, l;
        if (s[i + 1] == 'x' && i + 3 < len && (h = hex_val(s[i + 2])) >= 0 &&
            (l = hex_val(s[i + 3])) >= 0) {
            out[o++] = (char)(h << 4 | l);
            i += 3;
        } else {
            out[o++] = s[++i];
        }
    }
    return o;
}

/* RFC 5424: only \" \\ \] are escapes; any other backslash stands for itself. */
static size_t unescape_sd(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len &&
            (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']')) {
            i++;
        }
        out[o++] = s[i];
    }
    return o;
}

size_t lsc_field_unescape(enum lsc_field_esc esc, const char *s, size_t len, char *out)
{
    switch (esc) {
    case LSC_ESC_JSON:
        return lsc_json_unescape(s, len, out);
    case LSC_ESC_NGINX:
    case LSC_ESC_APACHE:
        return unescape_access(s, len, out);
    case LSC_ESC_SD:
        return unescape_sd(s, len, out);
    case LSC_ESC_WORD:
    case LSC_ESC_TAG:
    case LSC_ESC_NUMBER:
    case LSC_ESC_RAW:
        break;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = s[i];
    }
    return len;
}

static size_t put_hex(unsigned char c, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = digits[c >> 4];
    out[3] = digits[c & 15];
    return 4;
}

/* Bytes that nginx, Apache and word escaping leave as they are (but for the terminator). */
static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '"' && c != '\\';
}

size_t lsc_field_escape(enum lsc_field_esc esc, const char *s, size_t len, char term, char *out)
{
    if (esc == LSC_ESC_JSON) {
        return lsc_json_escape(s, len, out);
    }
    if (esc == LSC_ESC_NUMBER) {
        for (size_t i = 0; i < len; i++) {
            if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-')) {
                out[0] = '-'; /* a label ([card]) cannot stand in a number's place */
                return 1;
            }
        }
        memcpy(out, s, len);
        return len;
    }
    if (esc == LSC_ESC_RAW) {
        /* Copied at once; a newline (which a line cannot hold) becomes a space. */
        memcpy(out, s, len);
        for (char *nl = memchr(out, '\n', len); nl != NULL;
             nl = memchr(nl + 1, '\n', len - (size_t)(nl + 1 - out))) {
            *nl = ' ';
        }
        return len;
    }
    size_t o = 0;
    bool common = esc == LSC_ESC_NGINX || esc == LSC_ESC_APACHE || esc == LSC_ESC_WORD;
    for (size_t i = 0; i < len; i++) {
        if (common) {
            /* A run of bytes these styles leave as they are, copied at once. */
            size_t run = i;
            while (run < len && plain_byte((unsigned char)s[run]) && s[run] != term) {
                run++;
            }
            memcpy(out + o, s + i, run - i);
            o += run - i;
            i = run;
            if (i == len) {
                break;
            }
        }
        unsigned char c = (unsigned char)s[i];
        bool ctl = c < 0x20 || c == 0x7f || (term != 0 && c == (unsigned char)term);
        switch (esc) {
        case LSC_ESC_NGINX:
            if (ctl || c == '"' || c == '\\') {
                o += put_hex(c, out + o);
                continue;
            }
            break;
        case LSC_ESC_APACHE:
            if (c == '"' || c == '\\') {
                out[o++] = '\\';
            } else if (ctl) {
                o += put_hex(c, out + o);
                continue;
            }
            break;
        case LSC_ESC_SD:
            if (c == '"' || c == '\\' || c == ']') {
                out[o++] = '\\';
            }
            break;
        case LSC_ESC_TAG:
            if (c == ' ' || c == ':' || c == '[' || c == ']') {
                c = '_';
            }
            /* fall through */
        case LSC_ESC_WORD:
            if (ctl || c == '"' || c == '\\') {
                c = '_';
            }
            break;
        case LSC_ESC_RAW: /* (above) */
        case LSC_ESC_JSON:
        case LSC_ESC_NUMBER:
            break;
        }
        out[o++] = (char)c;
    }
    return o;
}
