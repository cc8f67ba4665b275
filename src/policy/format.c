/*
 * format.c - choosing a policy's input format: by name from a policy file or --format, with
 * nginx and Apache log formats compiled once into the policy (and, for auto, the access-log
 * layouts it recognises).
 */
#include "policy.h"

#include "../detect/detect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lsc_format_name(const struct lsc_policy *pol, enum lsc_format f)
{
    switch (f) {
    case LSC_FORMAT_TEXT:
        return "text";
    case LSC_FORMAT_JSON:
        return "json";
    case LSC_FORMAT_LOGFMT:
        return "logfmt";
    case LSC_FORMAT_ACCESS:
        return pol->access && pol->access->apache ? "apache" : "nginx";
    case LSC_FORMAT_SYSLOG:
        return "syslog";
    case LSC_FORMAT_AUTO:
        return "auto";
    }
    return "?";
}

/* Works out once what each field's name gives away, so no line has to. */
static struct lsc_access_format *name_flags(struct lsc_access_format *f)
{
    for (size_t i = 0; f != NULL && i < f->nfields; i++) {
        const char *n = f->fields[i].name;
        f->fields[i].name_flags =
            (unsigned char)(LSC_NAME_KNOWN | (lsc_secret_name(n, strlen(n)) ? LSC_NAME_SECRET : 0) |
                            (lsc_secret_header(n, strlen(n)) ? LSC_NAME_HEADER : 0));
    }
    return f;
}

static struct lsc_access_format *compile_builtin(const char *name, bool apache)
{
    const char *s = lsc_access_builtin(name, apache);
    char err[256];
    return name_flags(lsc_access_compile(s, strlen(s), apache, err, sizeof err));
}

bool lsc_policy_set_format_ex(struct lsc_policy *pol, const char *name, const char *log_format,
                              size_t log_format_len, char *err, size_t errlen)
{
    static const struct {
        const char *name;
        enum lsc_format f;
    } names[] = {
        {"text", LSC_FORMAT_TEXT},     {"auto", LSC_FORMAT_AUTO},     {"json", LSC_FORMAT_JSON},
        {"logfmt", LSC_FORMAT_LOGFMT}, {"syslog", LSC_FORMAT_SYSLOG}, {"nginx", LSC_FORMAT_ACCESS},
        {"apache", LSC_FORMAT_ACCESS},
    };
    int k = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(names[i].name, name) == 0) {
            k = (int)i;
        }
    }
    if (k < 0) {
        snprintf(err, errlen,
                 "unknown format '%s'; expected auto, text, nginx, apache, json, logfmt or syslog",
                 name);
        return false;
    }
    enum lsc_format f = names[k].f;
    if (log_format != NULL && f != LSC_FORMAT_ACCESS) {
        snprintf(err, errlen, "log_format goes with format: nginx or format: apache, not %s", name);
        return false;
    }
    bool apache = name[0] == 'a' && name[1] == 'p';
    struct lsc_access_format *acc = NULL;
    struct lsc_access_format *auto_acc[2] = {NULL, NULL};
    if (f == LSC_FORMAT_ACCESS) {
        char lf[64];
        const char *builtin = NULL;
        if (log_format == NULL) {
            builtin = lsc_access_builtin("combined", apache);
        } else if (log_format_len < sizeof lf) {
            memcpy(lf, log_format, log_format_len);
            lf[log_format_len] = '\0';
            builtin = lsc_access_builtin(lf, apache);
        }
        const char *s = builtin ? builtin : log_format;
        size_t sl = builtin ? strlen(builtin) : log_format_len;
        err[0] = '\0';
        acc = name_flags(lsc_access_compile(s, sl, apache, err, errlen));
        if (acc == NULL) {
            return false;
        }
    } else if (f == LSC_FORMAT_AUTO) {
        /* Apache's layouts: %l is a field where nginx writes a literal '-'. */
        auto_acc[0] = compile_builtin("combined", true);
        auto_acc[1] = compile_builtin("common", true);
        if (auto_acc[0] == NULL || auto_acc[1] == NULL) {
            lsc_access_free(auto_acc[0]);
            lsc_access_free(auto_acc[1]);
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    lsc_access_free(pol->access);
    lsc_access_free(pol->auto_access[0]);
    lsc_access_free(pol->auto_access[1]);
    pol->access = acc;
    pol->auto_access[0] = auto_acc[0];
    pol->auto_access[1] = auto_acc[1];
    pol->format = f;
    return true;
}

lsc_error lsc_policy_set_format(struct lsc_policy *pol, const char *format)
{
    char err[256];
    if (strcmp(format, "text") == 0 && pol->nfields > 0) {
        return LSC_EINVAL; /* text scanning cannot honour field rules */
    }
    return lsc_policy_set_format_ex(pol, format, NULL, 0, err, sizeof err) ? LSC_OK : LSC_EINVAL;
}
