/*
 * embedded.c - lookups in the table of built-in pattern files (generated at build time).
 */
#include "embedded.h"

#include <string.h>

const struct lsc_embedded_file *lsc_embedded_find(const char *name)
{
    for (size_t i = 0; i < lsc_embedded_count; i++) {
        if (strcmp(lsc_embedded_files[i].name, name) == 0) {
            return &lsc_embedded_files[i];
        }
    }
    return NULL;
}

size_t lsc_embedded_packs(char names[][64], size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < lsc_embedded_count && k < max; i++) {
        const char *n = lsc_embedded_files[i].name;
        size_t l = strlen(n);
        if (strchr(n, '/') != NULL || l < 6 || l - 5 >= 64) {
            continue;
        }
        memcpy(names[k], n, l - 5);
        names[k][l - 5] = '\0';
        k++;
    }
    return k;
}
