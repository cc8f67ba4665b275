/*
 * chars.c - the byte tables behind chars.h: one load answers "letter or digit", "hex
 * digit", "name byte" (with or without '%'), a hex digit's value or a name byte folded for
 * comparison, where range tests would take several compares each (they run at every candidate of
 * the text scan). Built at compile time from the definitions written out below.
 */
#include "chars.h"

#define LSC_DIGIT_(c) ((c) >= '0' && (c) <= '9')
#define LSC_ALPHA_(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define LSC_HEXL_(c) (((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define LSC_ALNUM_(c) (LSC_DIGIT_(c) || LSC_ALPHA_(c))
#define LSC_NAME_RAW_(c) (LSC_ALNUM_(c) || (c) == '_' || (c) == '.' || (c) == '-')
#define CLASSES(c)                                                                                 \
    (unsigned char)((LSC_ALNUM_(c) ? LSC_C_ALNUM : 0) |                                            \
                    (LSC_DIGIT_(c) || LSC_HEXL_(c) ? LSC_C_HEX : 0) |                              \
                    (LSC_NAME_RAW_(c) || (c) == '%' ? LSC_C_NAME : 0) |                            \
                    (LSC_NAME_RAW_(c) ? LSC_C_NAME_RAW : 0))
#define HEXVAL(c)                                                                                  \
    (unsigned char)(LSC_DIGIT_(c) ? (c) - '0' : LSC_HEXL_(c) ? ((c) | 32) - 'a' + 10 : LSC_NOT_HEX)
#define FOLD(c) (unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) | 32 : (c) == '-' ? '_' : (c))

const unsigned char lsc_ctype[256] = LSC_TABLE_256(CLASSES);
const unsigned char lsc_hexval[256] = LSC_TABLE_256(HEXVAL);
const unsigned char lsc_name_fold[256] = LSC_TABLE_256(FOLD);
