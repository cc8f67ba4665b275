/*
 * geo.c - GeoIP coarsening with libmaxminddb. Each database is opened once (MMDB_MODE_MMAP)
 * and only read afterwards, so one is shared by every scrubber. Lookups start from the
 * binary address (MMDB_lookup_sockaddr: no text round trip); the paths into the record
 * are fixed arrays, built once. A field no database has, or an address none knows
 * (private ranges, documentation ranges), is written as the policy's `unknown` text.
 * Population-based suppression (drop the ASN of a tiny network) is not done: the databases
 * carry no population figures to base it on honestly.
 */
#include "geo.h"

#include "action.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DBS 4

static const char *const field_names[LSC_GEO_FIELD_COUNT] = {
    "country", "continent", "asn", "as_org", "city",
};

static const char *const *const field_paths[LSC_GEO_FIELD_COUNT] = {
    (const char *const[]){"country", "iso_code", NULL},
    (const char *const[]){"continent", "code", NULL},
    (const char *const[]){"autonomous_system_number", NULL},
    (const char *const[]){"autonomous_system_organization", NULL},
    (const char *const[]){"city", "names", "en", NULL},
};

struct lsc_geo {
    MMDB_s db[MAX_DBS];
    size_t ndb;
    int fields[LSC_GEO_FIELD_COUNT];
    size_t nfields;
    char unknown[64];
};

int lsc_geo_field_by_name(const char *name, size_t len)
{
    for (int i = 0; i < LSC_GEO_FIELD_COUNT; i++) {
        if (strlen(field_names[i]) == len && memcmp(field_names[i], name, len) == 0) {
            return i;
        }
    }
    return -1;
}

void lsc_geo_free(struct lsc_geo *g)
{
    if (g == NULL) {
        return;
    }
    for (size_t i = 0; i < g->ndb; i++) {
        MMDB_close(&g->db[i]);
    }
    free(g);
}

struct lsc_geo *lsc_geo_open(const char *const *paths, size_t npaths, const int *fields,
                             size_t nfields, const char *unknown, char *err, size_t errlen)
{
    struct lsc_geo *g = calloc(1, sizeof *g);
    if (g == NULL || npaths == 0 || npaths > MAX_DBS || nfields == 0 ||
        nfields > LSC_GEO_FIELD_COUNT) {
        snprintf(err, errlen, g == NULL ? "out of memory" : "give 1 to %d databases", MAX_DBS);
        free(g);
        return NULL;
    }
    for (size_t i = 0; i < npaths; i++) {
        int rc = MMDB_open(paths[i], MMDB_MODE_MMAP, &g->db[i]);
        if (rc != MMDB_SUCCESS) {
            snprintf(err, errlen, "GeoIP database %s: %s", paths[i], MMDB_strerror(rc));
            lsc_geo_free(g);
            return NULL;
        }
        g->ndb++;
    }
    memcpy(g->fields, fields, nfields * sizeof *fields);
    g->nfields = nfields;
    snprintf(g->unknown, sizeof g->unknown, "%s", unknown);
    return g;
}

/* Appends the value of one field for ip, or returns false if no database has it. */
static bool lookup(const struct lsc_geo *g, const struct sockaddr *sa, int field, char *out,
                   size_t *o)
{
    for (size_t i = 0; i < g->ndb; i++) {
        int mmdb = 0;
        MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&g->db[i], sa, &mmdb);
        if (mmdb != MMDB_SUCCESS || !r.found_entry) {
            continue;
        }
        MMDB_entry_data_s e;
        if (MMDB_aget_value(&r.entry, &e, field_paths[field]) != MMDB_SUCCESS || !e.has_data) {
            continue;
        }
        if (e.type == MMDB_DATA_TYPE_UTF8_STRING) {
            size_t n = e.data_size < 40 ? e.data_size : 40;
            for (size_t k = 0; k < n; k++) {
                unsigned char c = (unsigned char)e.utf8_string[k];
                out[(*o)++] = c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '_' : (char)c;
            }
            return true;
        }
        if (e.type == MMDB_DATA_TYPE_UINT32) {
            *o += (size_t)snprintf(out + *o, 16, "AS%u", e.uint32);
            return true;
        }
    }
    return false;
}

size_t lsc_geo_render(const struct lsc_geo *g, const struct lsc_ip *ip, char *out)
{
    struct sockaddr_in6 s6;
    struct sockaddr_in s4;
    const struct sockaddr *sa;
    uint8_t v4[4];
    if (lsc_ip_v4_of(ip, v4)) {
        memset(&s4, 0, sizeof s4);
        s4.sin_family = AF_INET;
        memcpy(&s4.sin_addr, v4, 4);
        sa = (const struct sockaddr *)&s4;
    } else {
        memset(&s6, 0, sizeof s6);
        s6.sin6_family = AF_INET6;
        memcpy(&s6.sin6_addr, ip->bytes, 16);
        sa = (const struct sockaddr *)&s6;
    }
    size_t o = 0;
    bool any = false;
    for (size_t f = 0; f < g->nfields; f++) {
        if (f > 0) {
            out[o++] = '/';
        }
        if (lookup(g, sa, g->fields[f], out, &o)) {
            any = true;
        } else {
            size_t ul = strlen(g->unknown);
            memcpy(out + o, g->unknown, ul);
            o += ul;
        }
    }
    if (!any) {
        o = strlen(g->unknown);
        memcpy(out, g->unknown, o);
    }
    return o;
}
