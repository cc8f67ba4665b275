/*
 * action.h - turning a detected value into its replacement text.
 */
#ifndef LSC_ACTION_H
#define LSC_ACTION_H

#include "../detect/detect.h"

#include <stddef.h>

/* Longest text lsc_ip_truncate writes: a full IPv6 with a dotted tail. */
#define LSC_IP_TEXT_MAX 48

/*
 * lsc_ip_truncate keeps the first v4_bits of an IPv4 address (or of the IPv4 address
 * embedded in a v4-mapped, v4-compatible or NAT64 IPv6 address) or the first v6_bits of any
 * other IPv6 address, zeroes the rest and writes the result as text into out (at least
 * LSC_IP_TEXT_MAX bytes). IPv6 is written in RFC 5952 form. Returns the length written.
 */
size_t lsc_ip_truncate(const struct lsc_ip *ip, unsigned v4_bits, unsigned v6_bits, char *out);

#endif
