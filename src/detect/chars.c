/*
 * chars.c - the byte tables behind chars.h: one load answers "letter or digit", "hex
 * digit", "name byte", a hex digit's value or a name byte folded for comparison, where
 * range tests would take several compares each (they run at every candidate of the text
 * scan). Built at compile time from the definitions written out below.
 */
#include "chars.h"

#define LSC_DIGIT_(c) ((c) >= '0' && (c) <= '9')
#define LSC_ALPHA_(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define LSC_HEXL_(c) (((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define LSC_ALNUM_(c) (LSC_DIGIT_(c) || LSC_ALPHA_(c))
#define C(c)                                                                                       \
    (unsigned char)((LSC_ALNUM_(c) ? LSC_C_ALNUM : 0) |                                            \
                    (LSC_DIGIT_(c) || LSC_HEXL_(c) ? LSC_C_HEX : 0) |                              \
                    (LSC_ALNUM_(c) || (c) == '_' || (c) == '.' || (c) == '-' || (c) == '%'         \
                         ? LSC_C_NAME                                                              \
                         : 0))
#define R4(c) C(c), C((c) + 1), C((c) + 2), C((c) + 3)
#define R16(c) R4(c), R4((c) + 4), R4((c) + 8), R4((c) + 12)
#define R64(c) R16(c), R16((c) + 16), R16((c) + 32), R16((c) + 48)

const unsigned char lsc_ctype[256] = {R64(0), R64(64), R64(128), R64(192)};

#undef C
#define C(c)                                                                                       \
    (unsigned char)(LSC_DIGIT_(c) ? (c) - '0' : LSC_HEXL_(c) ? ((c) | 32) - 'a' + 10 : LSC_NOT_HEX)

const unsigned char lsc_hexval[256] = {R64(0), R64(64), R64(128), R64(192)};

#undef C
#define C(c) (unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) | 32 : (c) == '-' ? '_' : (c))

const unsigned char lsc_name_fold[256] = {R64(0), R64(64), R64(128), R64(192)};
