/*
 * logfmt.c - logfmt lines (key=value key="quoted \"value\"" flag).
 *
 * Grammar: ws* (pair (ws+ pair)*)? ws*, pair = key ["=" [value]], key = 1+ bytes other than
 * space, tab, '=' and '"', value = '"' (escape | byte other than '"' and '\')* '"' | bare,
 * bare = bytes other than space, tab and '"'. A backslash escapes the next byte inside quotes.
 * Anything else (a quote inside a key, an unterminated quote, a quote glued to a value) is a
 * syntax error, and the engine falls back as for any line not in the declared format.
 */
#include "logfmt.h"

#include <string.h>

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

enum lsc_json_status lsc_logfmt_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                      size_t max_nodes, size_t *count)
{
    if (max_nodes == 0) {
        return LSC_JSON_TOO_BIG;
    }
    lsc_json_node_init(&nodes[0], LSC_JSON_OBJECT, -1, 0);
    nodes[0].len = n;
    size_t c = 1, i = 0;
    int32_t prev = -1;
    for (;;) {
        while (i < n && space(p[i])) {
            i++;
        }
        if (i >= n) {
            break;
        }
        size_t ks = i;
        while (i < n && !space(p[i]) && p[i] != '=' && p[i] != '"') {
            i++;
        }
        if (i == ks || (i < n && p[i] == '"')) {
            return LSC_JSON_SYNTAX;
        }
        if (c == max_nodes) {
            return LSC_JSON_TOO_BIG;
        }
        struct lsc_json_node *nd = &nodes[c];
        lsc_json_node_init(nd, LSC_JSON_LITERAL, 0, 1);
        nd->key_off = ks;
        nd->key_len = i - ks;
        nd->key_bare = true;
        if (i < n && p[i] == '=') {
            i++;
            if (i < n && p[i] == '"') {
                size_t vs = i++;
                while (i < n && p[i] != '"') {
                    if (p[i] == '\\') {
                        nd->escaped = true;
                        i++;
                    }
                    i++;
                }
                if (i >= n) {
                    return LSC_JSON_SYNTAX; /* unterminated quote */
                }
                i++;
                if (i < n && !space(p[i])) {
                    return LSC_JSON_SYNTAX; /* "a"b */
                }
                nd->type = LSC_JSON_STRING;
                nd->off = vs;
                nd->len = i - vs;
            } else {
                size_t vs = i;
                while (i < n && !space(p[i]) && p[i] != '"') {
                    i++;
                }
                if (i < n && p[i] == '"') {
                    return LSC_JSON_SYNTAX;
                }
                nd->type = LSC_JSON_BARE;
                nd->off = vs;
                nd->len = i - vs;
            }
        } else {
            nd->type = LSC_JSON_LITERAL; /* a bare key: nothing to hide but the key */
            nd->off = i;
            nd->len = 0;
        }
        if (prev >= 0) {
            nodes[prev].next = (int32_t)c;
        } else {
            nodes[0].first = (int32_t)c;
        }
        prev = (int32_t)c++;
    }
    *count = c;
    return LSC_JSON_OK;
}
