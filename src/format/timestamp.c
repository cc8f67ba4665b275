/*
 * timestamp.c - record times: nginx/Apache, RFC 3339, epoch seconds and milliseconds, BSD
 * syslog (year inferred). Strict: every field is range-checked; a value that is almost a
 * time is not one, and the caller falls back to the processing time (and counts it).
 */
#include "timestamp.h"

#include "json.h"

#include <string.h>

static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static bool digits(const char *s, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return true;
}

static int month_of(const char *s)
{
    for (int m = 0; m < 12; m++) {
        if (memcmp(month_names + 3 * m, s, 3) == 0) {
            return m + 1;
        }
    }
    return 0;
}

/* Days since 1970-01-01 of a civil date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool valid(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] &&
           h < 24 && mi < 60 && s <= 60;
}

static int64_t civil(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (s > 59 ? 59 : s);
}

/* "+hhmm", "+hh:mm", "Z" at s[0..n): the offset in seconds east of UTC. */
static bool zone(const char *s, size_t n, int64_t *off)
{
    unsigned h, m;
    if (n == 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off = 0;
        return true;
    }
    if ((n != 5 && n != 6) || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &h) ||
        !digits(s + n - 2, 2, &m) || (n == 6 && s[3] != ':') || h > 23 || m > 59) {
        return false;
    }
    *off = (s[0] == '-' ? -1 : 1) * (int64_t)(h * 3600 + m * 60);
    return true;
}

/* 22/Nov/2026:10:00:00 +0000 */
static bool access_time(const char *s, size_t n, int64_t *out)
{
    unsigned d, y, h, mi, se;
    int mo;
    int64_t off;
    if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' ||
        s[20] != ' ' || !digits(s, 2, &d) || (mo = month_of(s + 3)) == 0 || !digits(s + 7, 4, &y) ||
        !digits(s + 12, 2, &h) || !digits(s + 15, 2, &mi) || !digits(s + 18, 2, &se) ||
        !zone(s + 21, 5, &off) || !valid(y, (unsigned)mo, d, h, mi, se)) {
        return false;
    }
    *out = civil(y, (unsigned)mo, d, h, mi, se) - off;
    return true;
}

/* 2026-11-22T10:00:00[.fff][Z|+hh:mm] (or a space for T; no zone is UTC) */
static bool rfc3339(const char *s, size_t n, int64_t *out)
{
    unsigned y, mo, d, h, mi, se;
    if (n < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
        !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
        !digits(s + 17, 2, &se) || !valid(y, mo, d, h, mi, se)) {
        return false;
    }
    size_t i = 19;
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        size_t f = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        if (i == f) {
            return false;
        }
    }
    int64_t off = 0;
    if (i < n && !zone(s + i, n - i, &off)) {
        return false;
    }
    *out = civil(y, mo, d, h, mi, se) - off;
    return true;
}

/* 1763805600, 1763805600.123, 1763805600123 */
static bool epoch(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i < 13) {
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i == 13 && i == n) {
        *out = v / 1000; /* milliseconds */
        return true;
    }
    if (i != 10 || (i < n && s[i] != '.')) {
        return false;
    }
    for (size_t k = i + (i < n); k < n; k++) {
        if (s[k] < '0' || s[k] > '9') {
            return false;
        }
    }
    *out = v;
    return true;
}

/* Nov 22 10:00:00 (day space-padded), the year inferred from now. */
static bool bsd_time(const char *s, size_t n, int64_t now, int64_t *out)
{
    unsigned d, h, mi, se;
    int mo;
    if (n != 15 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' ||
        (mo = month_of(s)) == 0 || !digits(s + 7, 2, &h) || !digits(s + 10, 2, &mi) ||
        !digits(s + 13, 2, &se)) {
        return false;
    }
    if (!digits(s + 4, 2, &d) && !(s[4] == ' ' && digits(s + 5, 1, &d))) {
        return false;
    }
    int64_t days = now / 86400;
    /* The civil year of now. */
    int64_t y = 1970 + days / 366;
    while (days_from_civil(y + 1, 1, 1) <= days) {
        y++;
    }
    for (int back = 0; back < 8; back++) {
        unsigned yy = (unsigned)(y - back);
        bool leap = yy % 4 == 0 && (yy % 100 != 0 || yy % 400 == 0);
        if (!valid(yy, (unsigned)mo, d, h, mi, se) || (mo == 2 && d == 29 && !leap)) {
            continue; /* Feb 29 takes the nearest leap year */
        }
        int64_t t = civil(yy, (unsigned)mo, d, h, mi, se);
        if (t <= now + 31 * 86400) {
            *out = t;
            return true;
        }
    }
    return false;
}

/* y/m/d of a day number (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t lsc_time_add(int64_t t, unsigned months, int64_t secs)
{
    if (months > 0) {
        int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
        int64_t rem = t - days * 86400;
        int64_t y;
        unsigned m, d;
        civil_from_days(days, &y, &m, &d);
        int64_t mi = (int64_t)m - 1 + months;
        y += mi / 12;
        m = (unsigned)(mi % 12) + 1;
        static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        unsigned last = mdays[m - 1] + (m == 2 && leap);
        t = days_from_civil(y, m, d < last ? d : last) * 86400 + rem;
    }
    return t + secs;
}

size_t lsc_time_iso(int64_t t, char out[20])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t rem = t - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned v[6] = {(unsigned)(y % 10000), m, d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
                     (unsigned)(rem % 60)};
    static const char layout[] = "0000-00-00T00:00:00Z";
    memcpy(out, layout, 20);
    static const unsigned pos[6] = {0, 5, 8, 11, 14, 17};
    for (int i = 0; i < 6; i++) {
        unsigned x = v[i];
        unsigned w = i == 0 ? 4 : 2;
        for (unsigned k = w; k-- > 0;) {
            out[pos[i] + k] = (char)('0' + x % 10);
            x /= 10;
        }
    }
    return 20;
}

bool lsc_time_parse(const char *s, size_t n, int64_t now, int64_t *out)
{
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0) {
        return false;
    }
    if (s[0] >= '0' && s[0] <= '9') {
        return (n > 4 && s[4] == '-' && rfc3339(s, n, out)) ||
               (n > 2 && s[2] == '/' && access_time(s, n, out)) || epoch(s, n, out);
    }
    return bsd_time(s, n, now, out);
}

int lsc_time_layout_by_name(const char *name, size_t len)
{
    static const char *const names[] = {"access", "rfc3339", "epoch", "epoch_ms", "bsd"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) {
            return (int)i + 1;
        }
    }
    return -1;
}

bool lsc_time_parse_as(enum lsc_time_layout l, const char *s, size_t n, int64_t now, int64_t *out)
{
    if (l == LSC_LAYOUT_ANY) {
        return lsc_time_parse(s, n, now, out);
    }
    if (l == LSC_LAYOUT_ACCESS && n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    switch (l) {
    case LSC_LAYOUT_ACCESS:
        return access_time(s, n, out);
    case LSC_LAYOUT_RFC3339:
        return rfc3339(s, n, out);
    case LSC_LAYOUT_EPOCH:
        return n >= 1 && s[0] != '0' && n != 13 && epoch(s, n, out);
    case LSC_LAYOUT_EPOCH_MS:
        return n == 13 && epoch(s, n, out);
    case LSC_LAYOUT_BSD:
        return bsd_time(s, n, now, out);
    case LSC_LAYOUT_ANY:
        break;
    }
    return false;
}

bool lsc_time_of_record(const char *line, const struct lsc_json_node *nodes, size_t count,
                        const char *field, enum lsc_time_layout layout, int64_t now, int64_t *out)
{
    static const char *const usual[] = {
        "ts", "time", "timestamp", "@timestamp", "time_local", "time_iso8601", "msec", "date", NULL,
    };
    const char *one[2] = {field, NULL};
    const char *const *names = field ? one : usual;
    for (size_t k = 0; names[k] != NULL; k++) {
        for (int32_t i = lsc_json_find_member(line, nodes, count, 1, names[k]); i >= 0;
             i = lsc_json_find_member(line, nodes, count, (size_t)i + 1, names[k])) {
            const struct lsc_json_node *n = &nodes[i];
            bool str = n->type == LSC_JSON_STRING;
            if (n->len >= 2 * str &&
                lsc_time_parse_as(layout, line + n->off + str, n->len - 2 * str, now, out)) {
                return true;
            }
        }
    }
    return false;
}

bool lsc_time_in_text(const char *p, size_t n, int64_t now, int64_t *out)
{
    if (n >= 15 && p[0] >= 'A' && p[0] <= 'Z' && bsd_time(p, 15, now, out)) {
        return true;
    }
    if (n >= 19 && p[0] >= '0' && p[0] <= '9') {
        size_t e = 0;
        while (e < n && p[e] != ' ') {
            e++;
        }
        if (rfc3339(p, e, out) || (e == 10 && n >= 19 && rfc3339(p, 19, out))) {
            return true;
        }
    }
    const char *b = memchr(p, '[', n < 256 ? n : 256);
    return b != NULL && (size_t)(p + n - b) >= 28 && b[27] == ']' && access_time(b + 1, 26, out);
}
