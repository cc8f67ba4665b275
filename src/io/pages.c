/*
 * pages.c - the framer's buffers: a MiB or more each, in 2 MiB huge pages where asked.
 *
 * A page touched for the first time is dear in this project's VM (about 10 us: a fault
 * taken to the hypervisor, 5 ms for 2 MiB of 4 KiB pages; one 2 MiB huge page, about 0.1
 * ms). With the framer's buffers in huge pages, -j 2 - five such buffers, one a batch in
 * flight - took 439 page faults instead of 881 on the 200 MB nginx corpus (with the held
 * workers of parallel.c, -j 2 ran 1.87 x one thread, against 1.81 x before both); 1 MiB
 * lines, whose 2.25 MiB buffer took 576 faults, ran 8-16 % faster (bench/RESULTS.md).
 * So a buffer of LSC_PAGES_MIN bytes or more is a mapping of whole, aligned 2 MiB pages,
 * marked MADV_HUGEPAGE when the caller asks (transparent huge pages in "always" or
 * "madvise" mode; with them off or none free, the kernel backs it with 4 KiB pages as
 * before). A huge page is resident whole once touched, so the caller says which buffers are
 * worth it (-j N's pool: a few). Smaller buffers, and all of them in a sanitizer build
 * (ASan sees an overrun of malloc's memory, not of a mapping's), come from malloc. Whether
 * a buffer is a mapping follows from its size alone, so lsc_pages_free needs only the size
 * it was asked for.
 */
#include "io.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

static bool mapped(size_t size)
{
    return !LSC_PAGES_FROM_MALLOC && size >= LSC_PAGES_MIN;
}

/* The whole huge pages a mapping of size bytes takes. */
static size_t room(size_t size)
{
    return (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *lsc_pages_alloc(size_t size, bool huge)
{
    if (!mapped(size)) {
        return malloc(size);
    }
    if (size > SIZE_MAX - 2 * HUGE_PAGE) {
        return NULL;
    }
    size_t len = room(size);
    /* One huge page more than needed, then the parts before the first boundary and after
     * the last one unmapped: what stays starts on a boundary. */
    char *raw =
        mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        return NULL;
    }
    char *p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    size_t head = (size_t)(p - raw); /* (less than a huge page) */
    if (head > 0) {
        munmap(raw, head);
    }
    munmap(p + len, HUGE_PAGE - head);
    if (huge) {
        madvise(p, len, MADV_HUGEPAGE); /* (a hint: refused, 4 KiB pages as before) */
    }
    return p;
}

void lsc_pages_free(void *p, size_t size)
{
    if (p == NULL) {
        return;
    }
    if (!mapped(size)) {
        free(p);
        return;
    }
    munmap(p, room(size));
}
