/*
 * geo.h - an address coarsened to where it is: country, continent, ASN, AS organisation or
 * city, from MaxMind databases (libmaxminddb), opened once with mmap and shared by threads.
 */
#ifndef LSC_ACTION_GEO_H
#define LSC_ACTION_GEO_H

#include "../detect/detect.h"

#include <stdbool.h>
#include <stddef.h>

enum lsc_geo_field {
    LSC_GEO_COUNTRY,   /* country.iso_code: "DE" */
    LSC_GEO_CONTINENT, /* continent.code: "EU" */
    LSC_GEO_ASN,       /* autonomous_system_number: "AS3320" */
    LSC_GEO_AS_ORG,    /* autonomous_system_organization */
    LSC_GEO_CITY,      /* city.names.en */
    LSC_GEO_FIELD_COUNT,
};

struct lsc_geo;

/* The field called name, or -1. */
int lsc_geo_field_by_name(const char *name, size_t len);

/*
 * Opens the databases (paths[0..npaths)) for the fields wanted; unknown is written for an
 * address none of them knows (private ranges included). NULL with a message on failure.
 */
struct lsc_geo *lsc_geo_open(const char *const *paths, size_t npaths, const int *fields,
                             size_t nfields, const char *unknown, char *err, size_t errlen);
void lsc_geo_free(struct lsc_geo *g);

/*
 * Writes the fields found for ip, joined by '/' ("EU/DE/AS3320"), into out (LSC_GEO_MAX
 * bytes; quotes, backslashes and control bytes from the database become '_'). Returns the
 * length.
 */
size_t lsc_geo_render(const struct lsc_geo *g, const struct lsc_ip *ip, char *out);

#endif
