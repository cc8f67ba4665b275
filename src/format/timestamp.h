/*
 * timestamp.h - when a record happened, from the time formats logs use.
 */
#ifndef LSC_FORMAT_TIMESTAMP_H
#define LSC_FORMAT_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses s[0..n) as one of: nginx/Apache "22/Nov/2026:10:00:00 +0000" (brackets allowed);
 * RFC 3339 / ISO 8601 "2026-11-22T10:00:00.123+01:00" ('T' or a space, 'Z' or an offset;
 * no offset means UTC); Unix epoch seconds ("1763805600", "1763805600.123") or milliseconds
 * (13 digits); BSD syslog "Nov 22 10:00:00", whose year is inferred: the year of now, or
 * the one before when that would put the time more than a month after now. On success
 * stores seconds since 1970 (UTC) in *out.
 */
bool lsc_time_parse(const char *s, size_t n, int64_t now, int64_t *out);

/* One layout only, for input.timestamp.layout: nothing else is taken for a time. */
enum lsc_time_layout {
    LSC_LAYOUT_ANY,      /* every form above */
    LSC_LAYOUT_ACCESS,   /* 22/Nov/2026:10:00:00 +0000 */
    LSC_LAYOUT_RFC3339,  /* 2026-11-22T10:00:00Z */
    LSC_LAYOUT_EPOCH,    /* seconds, optionally with a fraction */
    LSC_LAYOUT_EPOCH_MS, /* milliseconds */
    LSC_LAYOUT_BSD,      /* Nov 22 10:00:00 */
};

/* The layout called name (access, rfc3339, epoch, epoch_ms, bsd), or -1. */
int lsc_time_layout_by_name(const char *name, size_t len);

/* lsc_time_parse restricted to one layout. */
bool lsc_time_parse_as(enum lsc_time_layout l, const char *s, size_t n, int64_t now, int64_t *out);

struct lsc_json_node;

/*
 * A parsed record's time: the member called field, or (field NULL) the first of ts, time,
 * timestamp, @timestamp, time_local, time_iso8601, msec, date that holds a time.
 */
bool lsc_time_of_record(const char *line, const struct lsc_json_node *nodes, size_t count,
                        const char *field, enum lsc_time_layout layout, int64_t now, int64_t *out);

/*
 * Finds a record's time in a plain text line: a BSD syslog or RFC 3339 time at its start,
 * or the first "[dd/Mon/yyyy:hh:mm:ss zone]" of an access log.
 */
bool lsc_time_in_text(const char *p, size_t n, int64_t now, int64_t *out);

/*
 * t plus months calendar months (the day clamped to the month's last: Jan 31 + 1 month is
 * Feb 28 or 29) plus secs seconds, all in UTC, so time zones and DST do not enter.
 */
int64_t lsc_time_add(int64_t t, unsigned months, int64_t secs);

/* Writes t as "2026-11-22T10:00:00Z" (20 bytes, no NUL); returns 20. */
size_t lsc_time_iso(int64_t t, char out[20]);

#endif
