/*
 * logfmt.h - a zero-copy logfmt tokenizer producing the same nodes as the JSON tokenizer,
 * so the structured engine treats both alike: node 0 is the record, each pair a member.
 */
#ifndef LSC_FORMAT_LOGFMT_H
#define LSC_FORMAT_LOGFMT_H

#include "json.h"

/*
 * Parses p[0..n) as logfmt pairs into nodes (at most max_nodes). Keys are bare
 * (key_bare set); values are quoted strings (LSC_JSON_STRING), bare values (LSC_JSON_BARE),
 * or absent for a bare key (LSC_JSON_LITERAL, empty). Never reads outside p[0..n).
 */
enum lsc_json_status lsc_logfmt_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                      size_t max_nodes, size_t *count);

#endif
