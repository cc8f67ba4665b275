/*
 * user_agent.c - the user-agent action: a User-Agent header coarsened to the browser
 * family, its major version and the OS family ("Firefox/121 (Linux)"), which is what
 * statistics need, without the build numbers, device models and plug-in lists that make a
 * browser unique.
 *
 * Families are recognised by their product tokens, most specific first (bots before the
 * browsers they imitate, Edge and Opera before Chrome, Chrome before Safari). A string with
 * none of them keeps its first product token's name and major version ("curl/8") when it
 * starts with one (name "/" digit), the name
 * restricted to letters, digits, '.', '_' and '-'; anything else becomes "Other". A value
 * already in the coarse form is left as it is, so scrubbing twice changes nothing.
 */
#include "action.h"

#include "../detect/chars.h"

#include <string.h>

static const struct {
    const char *token; /* followed by the version */
    const char *family;
} browsers[] = {
    {"Googlebot/", "Googlebot"},
    {"bingbot/", "bingbot"},
    {"YandexBot/", "YandexBot"},
    {"DuckDuckBot/", "DuckDuckBot"},
    {"Baiduspider/", "Baiduspider"},
    {"Edg/", "Edge"},
    {"EdgA/", "Edge"},
    {"EdgiOS/", "Edge"},
    {"OPR/", "Opera"},
    {"SamsungBrowser/", "Samsung Internet"},
    {"Firefox/", "Firefox"},
    {"FxiOS/", "Firefox"},
    {"CriOS/", "Chrome"},
    {"Chrome/", "Chrome"},
    {"MSIE ", "IE"},
    {"rv:11.0) like Gecko", "IE"},
};

static const struct {
    const char *token;
    const char *os;
} systems[] = {
    {"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iOS"},
    {"iPad", "iOS"},        {"iPod", "iOS"},        {"CrOS", "ChromeOS"},
    {"Mac OS X", "macOS"},  {"Macintosh", "macOS"}, {"Linux", "Linux"},
};

static const char *find(const char *v, size_t n, const char *tok)
{
    return memmem(v, n, tok, strlen(tok));
}

/* Appends s, then "/" and up to 6 digits read at ver (if any). */
static size_t put_family(char *out, const char *s, size_t sl, const char *ver, const char *end)
{
    memcpy(out, s, sl);
    size_t o = sl;
    if (ver != NULL && ver < end && lsc_is_digit((unsigned char)*ver)) {
        out[o++] = '/';
        for (size_t k = 0; k < 6 && ver < end && lsc_is_digit((unsigned char)*ver); k++) {
            out[o++] = *ver++;
        }
    }
    return o;
}

static bool product_char(unsigned char c)
{
    return lsc_is_alnum(c) || c == '.' || c == '_' || c == '-';
}

/* Is v already coarse: "Name[/digits][ (System)]"? Then it stays as it is (idempotence). */
static bool already_coarse(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && i < 32 && (product_char((unsigned char)v[i]) || v[i] == ' ') && v[i] != '.') {
        if (v[i] == ' ' && i + 1 < n && v[i + 1] == '(') {
            break;
        }
        i++;
    }
    if (i == 0 || n > 48) {
        return false;
    }
    if (i < n && v[i] == '/') {
        size_t d = ++i;
        while (i < n && lsc_is_digit((unsigned char)v[i])) {
            i++;
        }
        if (i == d || i - d > 6) {
            return false;
        }
    }
    if (i + 3 <= n && v[i] == ' ' && v[i + 1] == '(' && v[n - 1] == ')') {
        for (size_t k = i + 2; k < n - 1; k++) {
            if (!lsc_is_alpha((unsigned char)v[k])) {
                return false;
            }
        }
        return true;
    }
    return i == n;
}

size_t lsc_user_agent_coarsen(const char *v, size_t n, char *out)
{
    const char *end = v + n;
    size_t o = 0;
    if (already_coarse(v, n)) {
        memcpy(out, v, n);
        return n;
    }
    for (size_t k = 0; k < sizeof browsers / sizeof browsers[0] && o == 0; k++) {
        const char *t = find(v, n, browsers[k].token);
        if (t == NULL) {
            continue;
        }
        const char *ver = t + strlen(browsers[k].token);
        if (browsers[k].token[0] == 'r') {
            ver = t + 3; /* IE 11: "rv:11.0" */
        }
        o = put_family(out, browsers[k].family, strlen(browsers[k].family), ver, end);
    }
    if (o == 0 && find(v, n, "Safari/") != NULL) {
        const char *ver = find(v, n, "Version/");
        o = put_family(out, "Safari", 6, ver ? ver + 8 : NULL, end);
    }
    if (o == 0) {
        size_t i = 0;
        while (i < n && i < 32 && product_char((unsigned char)v[i])) {
            i++;
        }
        bool slash = i + 1 < n && v[i] == '/' && lsc_is_digit((unsigned char)v[i + 1]);
        bool mozilla = i == 7 && memcmp(v, "Mozilla", 7) == 0;
        o = i > 0 && slash && !mozilla ? put_family(out, v, i, v + i + 1, end)
                                       : put_family(out, "Other", 5, NULL, end);
    }
    for (size_t k = 0; k < sizeof systems / sizeof systems[0]; k++) {
        if (find(v, n, systems[k].token) != NULL) {
            size_t l = strlen(systems[k].os);
            out[o++] = ' ';
            out[o++] = '(';
            memcpy(out + o, systems[k].os, l);
            o += l;
            out[o++] = ')';
            break;
        }
    }
    return o;
}
