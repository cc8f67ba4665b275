/*
 * scan.h - finding the bytes where a detector can start, 64 at a time.
 *
 * The text scan (text.c) has work only where some detector's entry condition holds: three
 * times 1-3 digits and a '.' (IPv4), a word starting with four digits whose digits go on for
 * two more steps, each a digit or a separator and a digit (a card), two upper-case letters
 * and two digits starting a word (IBAN), the first two bytes of a key prefix, JWT or
 * Bearer/Basic starting a word, "-----" (PEM), "--" and a letter or a word's '-' and a letter
 * (a command-line flag), and the bytes '@' '=' ':' '%' (e-mail, secret names, IPv6 from its
 * first colon, encoded '@' and '='). Every other
 * byte - ordinary words, numbers, spaces, slashes, quotes - only moves the scan on.
 * lsc_attention64 marks those positions in a 64-byte window, with SSE2 (the x86-64
 * baseline), AVX2 or AVX-512 (BW) when the CPU has them (chosen once, at the first call), or
 * a portable loop elsewhere; all four give the same bits. The marks are a superset: each detector
 * still checks its candidate in full.
 */
#ifndef LSC_DETECT_SCAN_H
#define LSC_DETECT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Bit k is set when p[i + k] needs the scan's attention (k < 64, i + k < n). The two bytes
 * before p[i] decide whether p[i] starts a word or a number. The conditions look ahead at
 * most to the end of a 64-byte window - p[i .. i + 64), or the input's last 64 bytes when
 * fewer are left - and count as met past it. Reads only p[0 .. n).
 */
uint64_t lsc_attention64(const char *p, size_t n, size_t i);

/* The implementation lsc_attention64 calls, for a loop that calls it many times; the first
 * call also builds the detectors' tables (lsc_detect_tables_build). */
typedef uint64_t (*lsc_attention_fn)(const char *p, size_t n, size_t i);
lsc_attention_fn lsc_attention_pick(void);

/* Below this many bytes ahead, walking byte by byte is cheaper than a mask. */
#define LSC_ATTENTION_MIN 16

/* The same, one byte at a time (the reference the vector versions are tested against). */
uint64_t lsc_attention64_scalar(const char *p, size_t n, size_t i);

/* Which implementation lsc_attention64 uses: "avx512", "avx2", "sse2" or "scalar". */
const char *lsc_attention_impl(void);

/* For tests: forces an implementation by name; false if this CPU or build lacks it. */
bool lsc_attention_force(const char *impl);

#endif
