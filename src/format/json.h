/*
 * json.h - a zero-copy, allocation-free JSON tokenizer for one log line.
 *
 * The line is parsed into a flat array of nodes that point into it (spans, not copies).
 * Nesting depth and node count are bounded by the caller, so deep or huge input fails with
 * an error instead of exhausting the stack or memory.
 */
#ifndef LSC_FORMAT_JSON_H
#define LSC_FORMAT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lsc_json_type {
    LSC_JSON_OBJECT,
    LSC_JSON_ARRAY,
    LSC_JSON_STRING,
    LSC_JSON_NUMBER,
    LSC_JSON_LITERAL, /* true, false, null */
    LSC_JSON_BARE,    /* logfmt: an unquoted value */
};

/* How a string value's bytes are escaped, and so how it is decoded and re-encoded. */
enum lsc_field_esc {
    LSC_ESC_JSON,   /* JSON and logfmt: \" \\ \n \uXXXX ... */
    LSC_ESC_NGINX,  /* nginx access logs: \xHH (nginx writes " as \x22) */
    LSC_ESC_APACHE, /* Apache access logs: \" \\ and \xHH */
    LSC_ESC_SD,     /* RFC 5424 structured-data values: \" \\ \] */
    LSC_ESC_WORD,   /* an unquoted field: no escapes; '"', '\\', controls and term become '_' */
    LSC_ESC_TAG,    /* a BSD syslog tag: as WORD, and ' ', ':', '[' and ']' become '_' */
    LSC_ESC_NUMBER, /* a numeric access-log field: digits, '.', '-' only, else it becomes "-" */
    LSC_ESC_RAW,    /* the rest of the line (a syslog message): written as it is */
};

/* What removing a member leaves behind. */
enum lsc_field_rm {
    LSC_RM_SIBLING, /* JSON, logfmt: the member goes, with one separator */
    LSC_RM_DASH,    /* nginx, Apache, syslog headers: the value becomes "-" */
    LSC_RM_PREFIX,  /* the value goes with the byte before it (a request's "?query") */
    LSC_RM_SPAN,    /* the node's bytes go, nothing else (syslog SD elements) */
    LSC_RM_NEVER,   /* structural (syslog PRI and VERSION): always kept */
};

/* What a format-given name is known to be, worked out once when the format is compiled. */
enum lsc_name_flag {
    LSC_NAME_KNOWN = 1,  /* the flags below are valid (else the engine works them out) */
    LSC_NAME_SECRET = 2, /* a secret-like name (password, http_x_api_key) */
    LSC_NAME_HEADER = 4, /* a credential header (http_cookie, http_authorization) */
};

struct lsc_json_node {
    enum lsc_json_type type;
    int32_t parent; /* index of the enclosing object/array, -1 for the root */
    int32_t next;   /* next sibling, -1 for the last */
    int32_t first;  /* first child of an object/array, -1 if empty */
    uint32_t depth; /* 0 for the root */
    size_t key_off; /* object members: the key string, quotes included; else key_len 0 */
    size_t key_len;
    size_t off; /* the value, quotes included for strings, brackets for containers */
    size_t len;
    bool escaped; /* a string (value or key) holding a backslash escape */
    bool key_escaped;
    bool key_bare;            /* logfmt: the key has no quotes around it */
    unsigned char esc;        /* enum lsc_field_esc of the value */
    unsigned char rm;         /* enum lsc_field_rm */
    bool dash_if_empty;       /* a container that becomes "-" when all its members are removed */
    char term;                /* unquoted fields: the byte that would end the value early, or 0 */
    unsigned char name_flags; /* enum lsc_name_flag, for names given by a format */
    /* Fields named by a format rather than by the line (nginx, Apache, syslog headers). */
    const char *name;  /* NUL-terminated, owned by the compiled format; NULL: the key names it */
    const char *alias; /* a second name (an Apache directive as written), or NULL */
};

/* Makes nd a fresh node of type t under parent at depth: no siblings or children yet, the
 * spans and flags zero. Every tokenizer starts its nodes here. */
static inline void lsc_json_node_init(struct lsc_json_node *nd, enum lsc_json_type t,
                                      int32_t parent, uint32_t depth)
{
    *nd = (struct lsc_json_node){
        .type = t, .parent = parent, .next = -1, .first = -1, .depth = depth};
}

enum lsc_json_status {
    LSC_JSON_OK = 0,
    LSC_JSON_SYNTAX = -1,   /* not JSON, or not one object */
    LSC_JSON_TOO_DEEP = -2, /* nesting beyond max_depth */
    LSC_JSON_TOO_BIG = -3,  /* more than max_nodes values */
};

/*
 * Parses p[0..n) as exactly one JSON object (surrounding white space allowed) into nodes
 * (at most max_nodes; max_depth at most LSC_JSON_MAX_DEPTH). Node 0 is the root object. On
 * LSC_JSON_OK, *count holds the number of nodes. Never reads outside p[0..n).
 */
#define LSC_JSON_MAX_DEPTH 256
enum lsc_json_status lsc_json_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                    size_t max_nodes, uint32_t max_depth, size_t *count);

/*
 * Decodes the contents of a JSON string (between the quotes, escapes included) into out
 * (at least len bytes: decoding never grows). \uXXXX becomes UTF-8; a lone surrogate
 * becomes U+FFFD. Returns the decoded length.
 */
size_t lsc_json_unescape(const char *s, size_t len, char *out);

/* Writes s[0..len) as the contents of a JSON string into out (at most 6*len bytes): '"' and
 * '\\' escaped, the control bytes as \b \t \n \f \r or \u00XX, every other byte as it is. */
size_t lsc_json_escape(const char *s, size_t len, char *out);

/*
 * The first top-level member (depth 1) at or after index from called name - by its
 * format-given name, or by its key as written in the line - or -1.
 */
int32_t lsc_json_find_member(const char *line, const struct lsc_json_node *nodes, size_t count,
                             size_t from, const char *name);

/* Decodes a value escaped in style esc into out (at least len bytes). Returns its length. */
size_t lsc_field_unescape(enum lsc_field_esc esc, const char *s, size_t len, char *out);

/*
 * Encodes s[0..len) in style esc into out (at most 6*len bytes). Returns its length. term,
 * if not 0, is a byte that would end the value early: WORD writes it as '_', nginx and
 * Apache as \xHH.
 */
size_t lsc_field_escape(enum lsc_field_esc esc, const char *s, size_t len, char term, char *out);

#endif
