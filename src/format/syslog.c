/*
 * syslog.c - syslog lines, RFC 5424 and RFC 3164 (BSD), into the engine's nodes.
 *
 * RFC 5424: "<" PRI ">" VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP
 *   STRUCTURED-DATA [SP MSG], each header field a run of non-space bytes ("-" when absent),
 *   STRUCTURED-DATA = "-" | 1*("[" SD-ID *(SP PARAM-NAME "=" DQUOTE PARAM-VALUE DQUOTE) "]"),
 *   names being 1-32 bytes other than space, '=', ']' and '"', values escaping '"', '\' and
 *   ']' with a backslash.
 * RFC 3164, as files written by rsyslog and syslog-ng look: ["<" PRI ">"] TIMESTAMP SP
 *   HOSTNAME SP [TAG ["[" PID "]"] ":" [SP]] MSG, where TIMESTAMP is "Mmm dd hh:mm:ss" or an
 *   RFC 3339 time (rsyslog's high-precision format), TAG is bytes other than space, ':'
 *   and '[', and PID 1+ bytes other than space, '[' and ']'. A line without "TAG:" is all
 *   message.
 *
 * Members: pri, version (never removed: they are structure, not data; nor is an RFC 3164
 * timestamp, which has no "absent" form), timestamp, hostname,
 * app_name, procid, msgid, structured_data (its elements by SD-ID, their params by name) and
 * message. A removed header field becomes "-", a removed SD param goes with its space, a
 * removed element goes whole, and structured data with nothing left becomes "-".
 */
#include "syslog.h"

#include <string.h>

struct sparser {
    const char *p;
    size_t n, i;
    struct lsc_json_node *nodes;
    size_t max, c;
    int32_t last[4]; /* last child added under each depth's parent */
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct lsc_json_node *add(struct sparser *sp, int32_t parent, uint32_t depth,
                                 enum lsc_json_type t, size_t off, size_t len)
{
    if (sp->c == sp->max) {
        return NULL;
    }
    int32_t id = (int32_t)sp->c++;
    struct lsc_json_node *nd = &sp->nodes[id];
    lsc_json_node_init(nd, t, parent, depth);
    nd->off = off;
    nd->len = len;
    nd->esc = LSC_ESC_WORD;
    nd->rm = LSC_RM_DASH;
    nd->name_flags = LSC_NAME_KNOWN; /* its names are fixed, and none gives a secret away */
    if (sp->nodes[parent].first < 0) {
        sp->nodes[parent].first = id;
    } else {
        sp->nodes[sp->last[depth]].next = id;
    }
    sp->last[depth] = id;
    return nd;
}

static bool header(struct sparser *sp, const char *name, size_t off, size_t len)
{
    struct lsc_json_node *nd = add(sp, 0, 1, LSC_JSON_BARE, off, len);
    if (nd != NULL) {
        nd->name = name;
        nd->term = ' ';
    }
    return nd != NULL;
}

/* A run of non-space bytes at sp->i, then one space (or the end when last). */
static bool token(struct sparser *sp, const char *name, bool last)
{
    size_t s = sp->i;
    while (sp->i < sp->n && sp->p[sp->i] != ' ') {
        sp->i++;
    }
    if (sp->i == s || (!last && sp->i == sp->n)) {
        return false;
    }
    if (!header(sp, name, s, sp->i - s)) {
        return false;
    }
    if (sp->i < sp->n) {
        sp->i++;
    }
    return true;
}

/* "<" 1*3DIGIT ">": the pri member. */
static bool pri(struct sparser *sp)
{
    const char *p = sp->p;
    size_t j = 1;
    while (j < sp->n && j <= 3 && is_digit(p[j])) {
        j++;
    }
    if (j == 1 || j >= sp->n || p[j] != '>') {
        return false;
    }
    if (!header(sp, "pri", 1, j - 1)) {
        return false;
    }
    sp->nodes[sp->c - 1].rm = LSC_RM_NEVER;
    sp->i = j + 1;
    return true;
}

static void message(struct sparser *sp, size_t off)
{
    struct lsc_json_node *nd = add(sp, 0, 1, LSC_JSON_BARE, off, sp->n - off);
    if (nd != NULL) {
        nd->name = "message";
        nd->esc = LSC_ESC_RAW;
    }
}

static size_t sd_name(const char *p, size_t n, size_t i)
{
    size_t s = i;
    while (i < n && i - s < 32 && p[i] != ' ' && p[i] != '=' && p[i] != ']' && p[i] != '"') {
        i++;
    }
    return i - s;
}

/* STRUCTURED-DATA at sp->i (on '['). */
static bool structured_data(struct sparser *sp)
{
    const char *p = sp->p;
    size_t n = sp->n;
    struct lsc_json_node *sd = add(sp, 0, 1, LSC_JSON_OBJECT, sp->i, 0);
    if (sd == NULL) {
        return false;
    }
    sd->name = "structured_data";
    sd->dash_if_empty = true;
    int32_t sd_id = (int32_t)sp->c - 1;
    while (sp->i < n && p[sp->i] == '[') {
        size_t el_off = sp->i++;
        size_t idl = sd_name(p, n, sp->i);
        struct lsc_json_node *el = add(sp, sd_id, 2, LSC_JSON_OBJECT, el_off, 0);
        if (idl == 0 || el == NULL) {
            return false;
        }
        int32_t el_id = (int32_t)sp->c - 1;
        el->key_off = sp->i;
        el->key_len = idl;
        el->key_bare = true;
        el->rm = LSC_RM_SPAN;
        sp->i += idl;
        while (sp->i < n && p[sp->i] == ' ') {
            size_t ks = ++sp->i;
            size_t kl = sd_name(p, n, ks);
            sp->i += kl;
            if (kl == 0 || sp->i + 1 >= n || p[sp->i] != '=' || p[sp->i + 1] != '"') {
                return false;
            }
            size_t vs = sp->i + 1;
            size_t j = vs + 1;
            bool esc = false;
            while (j < n && p[j] != '"') {
                if (p[j] == '\\') {
                    esc = true;
                    j++;
                }
                j++;
            }
            if (j >= n) {
                return false;
            }
            struct lsc_json_node *pm = add(sp, el_id, 3, LSC_JSON_STRING, vs, j + 1 - vs);
            if (pm == NULL) {
                return false;
            }
            pm->key_off = ks;
            pm->key_len = kl;
            pm->key_bare = true;
            pm->escaped = esc;
            pm->esc = LSC_ESC_SD;
            pm->rm = LSC_RM_PREFIX;
            sp->i = j + 1;
        }
        if (sp->i >= n || p[sp->i] != ']') {
            return false;
        }
        sp->i++;
        sp->nodes[el_id].len = sp->i - el_off;
    }
    sp->nodes[sd_id].len = sp->i - sp->nodes[sd_id].off;
    return true;
}

static bool rfc5424(struct sparser *sp)
{
    static const char *const names[] = {"timestamp", "hostname", "app_name", "procid", "msgid"};
    size_t vs = sp->i;
    while (sp->i < sp->n && sp->i - vs < 2 && is_digit(sp->p[sp->i])) {
        sp->i++;
    }
    if (!header(sp, "version", vs, sp->i - vs)) {
        return false;
    }
    sp->nodes[sp->c - 1].rm = LSC_RM_NEVER;
    sp->i++; /* the space, checked by the caller */
    for (size_t k = 0; k < 5; k++) {
        if (!token(sp, names[k], false)) {
            return false;
        }
    }
    if (sp->i < sp->n && sp->p[sp->i] == '-') {
        if (!header(sp, "structured_data", sp->i, 1)) {
            return false;
        }
        sp->i++;
    } else if (sp->i >= sp->n || sp->p[sp->i] != '[' || !structured_data(sp)) {
        return false;
    }
    if (sp->i < sp->n) {
        if (sp->p[sp->i] != ' ') {
            return false;
        }
        message(sp, sp->i + 1);
    }
    return sp->c < sp->max;
}

/* "Mmm dd hh:mm:ss" (day space-padded) or an RFC 3339 time. Returns its length, or 0. */
static size_t bsd_time(const char *p, size_t n)
{
    if (n >= 5 && is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) &&
        p[4] == '-') {
        size_t j = 0;
        while (j < n && p[j] != ' ') {
            if (!is_digit(p[j]) && (p[j] == '\0' || strchr("-:.+TZ", p[j]) == NULL)) {
                return 0; /* only what an RFC 3339 time is made of */
            }
            j++;
        }
        return j;
    }
    if (n < 16 || !(p[0] >= 'A' && p[0] <= 'Z') || p[3] != ' ' || p[6] != ' ' || !is_digit(p[5]) ||
        (p[4] != ' ' && !is_digit(p[4])) || p[9] != ':' || p[12] != ':' || !is_digit(p[7]) ||
        !is_digit(p[8]) || !is_digit(p[10]) || !is_digit(p[11]) || !is_digit(p[13]) ||
        !is_digit(p[14])) {
        return 0;
    }
    return 15;
}

static bool rfc3164(struct sparser *sp)
{
    const char *p = sp->p;
    size_t n = sp->n;
    size_t tl = bsd_time(p + sp->i, n - sp->i);
    if (tl == 0 || sp->i + tl >= n || p[sp->i + tl] != ' ' || !header(sp, "timestamp", sp->i, tl)) {
        return false;
    }
    sp->nodes[sp->c - 1].rm = LSC_RM_NEVER; /* "-" would not be a BSD timestamp */
    sp->i += tl + 1;
    if (!token(sp, "hostname", false)) {
        return false;
    }
    size_t ts = sp->i, j = sp->i;
    while (j < n && p[j] != ' ' && p[j] != ':' && p[j] != '[') {
        j++;
    }
    size_t tag_end = j, pid_s = 0, pid_e = 0;
    if (j < n && p[j] == '[') {
        /* A pid holds no space and no '[': so a label like "[jwt]" written into a message
         * never turns its start into "tag[pid]:" when the line is read again. */
        pid_s = ++j;
        while (j < n && p[j] != ']' && p[j] != '[' && p[j] != ' ') {
            j++;
        }
        pid_e = j < n && p[j] == ']' && j > pid_s ? j : 0;
        j = pid_e ? j + 1 : n;
    }
    if (j == ts || j >= n || p[j] != ':' || (pid_s && pid_e == 0)) {
        message(sp, ts); /* no "tag:": everything after the host is the message */
        return sp->c < sp->max;
    }
    if (!header(sp, "app_name", ts, tag_end - ts)) {
        return false;
    }
    sp->nodes[sp->c - 1].esc = LSC_ESC_TAG;
    if (pid_s && !header(sp, "procid", pid_s, pid_e - pid_s)) {
        return false;
    }
    sp->nodes[sp->c - 1].term = ']';
    j++;
    message(sp, j < n && p[j] == ' ' ? j + 1 : j);
    return sp->c < sp->max;
}

enum lsc_json_status lsc_syslog_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                      size_t max_nodes, size_t *count)
{
    if (max_nodes < 16) {
        return LSC_JSON_TOO_BIG;
    }
    struct sparser sp = {p, n, 0, nodes, max_nodes, 1, {0}};
    lsc_json_node_init(&nodes[0], LSC_JSON_OBJECT, -1, 0);
    nodes[0].len = n;
    bool ok;
    if (n > 0 && p[0] == '<') {
        if (!pri(&sp)) {
            return LSC_JSON_SYNTAX;
        }
        size_t v = sp.i;
        while (v < n && v - sp.i < 3 && is_digit(p[v])) {
            v++;
        }
        bool v5424 = v > sp.i && v - sp.i <= 2 && v < n && p[v] == ' ' && p[sp.i] != '0';
        ok = v5424 ? rfc5424(&sp) : rfc3164(&sp);
    } else {
        ok = rfc3164(&sp);
    }
    if (!ok) {
        return sp.c >= max_nodes ? LSC_JSON_TOO_BIG : LSC_JSON_SYNTAX;
    }
    *count = sp.c;
    return LSC_JSON_OK;
}
