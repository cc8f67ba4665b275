/*
 * access.h - nginx and Apache access logs: a log_format / LogFormat string compiled into a
 * parser that yields the same nodes as the JSON tokenizer, named by the format's variables.
 */
#ifndef LSC_FORMAT_ACCESS_H
#define LSC_FORMAT_ACCESS_H

#include "json.h"

#include <stdbool.h>
#include <stddef.h>

enum lsc_access_shape {
    LSC_SHAPE_PLAIN,   /* ends where the next literal begins */
    LSC_SHAPE_BRACKET, /* Apache %t: "[...]" written by the field itself */
};

struct lsc_access_field {
    char *name;   /* remote_addr, request, http_user_agent ... (owned) */
    char *alias;  /* Apache: the directive as written (%h, %{Referer}i), or NULL (owned) */
    bool request; /* $request / %r: split into method, path, query and protocol */
    bool numeric; /* status, sizes, times: only digits, '.' and '-' (checked when parsing) */
    unsigned char name_flags; /* enum lsc_name_flag; set by whoever compiles the format */
    enum lsc_access_shape shape;
};

/* The format is a sequence of items: a literal (field < 0) or a field. */
struct lsc_access_item {
    char *lit; /* owned */
    size_t lit_len;
    int field; /* index into fields, or -1 for a literal */
};

struct lsc_access_format {
    char *text; /* as written in the policy (owned) */
    bool apache;
    struct lsc_access_item *items;
    size_t nitems;
    struct lsc_access_field *fields;
    size_t nfields;
};

/*
 * The built-in format string called name (combined, common, vhost_combined) in nginx or
 * Apache syntax, or NULL if there is none by that name.
 */
const char *lsc_access_builtin(const char *name, bool apache);

/*
 * Compiles an nginx log_format (apache false) or Apache LogFormat string. On success returns
 * the format (free with lsc_access_free); on error returns NULL and writes a message that
 * says what is wrong and where into err.
 */
struct lsc_access_format *lsc_access_compile(const char *s, size_t len, bool apache, char *err,
                                             size_t errlen);

void lsc_access_free(struct lsc_access_format *f);

/*
 * Parses p[0..n) with format f into nodes (at most max_nodes): node 0 is the record, each
 * field a member named by the format (node.name), the request a member whose children are
 * method, path, query and protocol. Never reads outside p[0..n).
 */
enum lsc_json_status lsc_access_parse(const struct lsc_access_format *f, const char *p, size_t n,
                                      struct lsc_json_node *nodes, size_t max_nodes, size_t *count);

#endif
