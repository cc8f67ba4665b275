/*
 * buf.c - a growable byte buffer with a hard cap, used for output and replacement arenas.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

bool lsc_buf_grow(struct lsc_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra) {
        return true;
    }
    if (extra > b->limit || b->len > b->limit - extra) {
        return false;
    }
    size_t need = b->len + extra;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) {
        cap = cap > b->limit / 2 ? b->limit : cap * 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

bool lsc_edit_push(struct lsc_edit_list *l, struct lsc_edit e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct lsc_edit *v = realloc(l->v, cap * sizeof *v);
        if (v == NULL) {
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = e;
    return true;
}

void lsc_buf_free(struct lsc_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
