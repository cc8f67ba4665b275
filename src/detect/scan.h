/*
 * scan.h - finding the bytes where a detector can start, 64 at a time.
 *
 * The text scan (text.c) has work only at a few kinds of byte: the start of a word (a letter
 * or digit after anything else), a digit right after a letter ("from1.2.3.4"), and the
 * trigger bytes '@' '=' ':' '%' '-'. Every other byte - the rest of a word, spaces, slashes,
 * dots, quotes - only moves the scan on. lsc_attention64 marks the bytes of a 64-byte window
 * that need work, with SSE2 (the x86-64 baseline) or AVX2 when the CPU has it (chosen once,
 * at the first call), or a portable loop elsewhere; all three give the same bits.
 */
#ifndef LSC_DETECT_SCAN_H
#define LSC_DETECT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bit k is set when p[i + k] needs the scan's attention (k < 64, i + k < n). The byte before
 * p[i] (when i > 0) decides whether p[i] starts a word. Reads only p[i - 1 .. n).
 */
uint64_t lsc_attention64(const char *p, size_t n, size_t i);

/* Below this many bytes ahead, walking byte by byte is cheaper than a mask. */
#define LSC_ATTENTION_MIN 16

/* The same, one byte at a time (the reference the vector versions are tested against). */
uint64_t lsc_attention64_scalar(const char *p, size_t n, size_t i);

/* Which implementation lsc_attention64 uses: "avx2", "sse2" or "scalar". */
const char *lsc_attention_impl(void);

/* For tests: forces an implementation by name; false if this CPU or build lacks it. */
bool lsc_attention_force(const char *impl);

#endif
