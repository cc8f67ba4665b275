/*
 * syslog.h - RFC 5424 and RFC 3164 syslog lines as records of named members.
 */
#ifndef LSC_FORMAT_SYSLOG_H
#define LSC_FORMAT_SYSLOG_H

#include "json.h"

/*
 * Parses p[0..n) as one syslog line into nodes (at least 16, at most max_nodes). Node 0 is
 * the record; its members are named by node.name (pri, version, timestamp, hostname,
 * app_name, procid, msgid, structured_data, message); structured-data elements and params
 * are named by their keys in the line. Never reads outside p[0..n).
 */
enum lsc_json_status lsc_syslog_parse(const char *p, size_t n, struct lsc_json_node *nodes,
                                      size_t max_nodes, size_t *count);

#endif
