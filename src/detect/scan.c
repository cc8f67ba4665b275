/*
 * scan.c - the attention mask of scan.h: scalar, SSE2 and AVX2, picked at run time.
 *
 * A byte needs attention when it is a letter or digit after a byte that is neither (a word
 * start), a digit after a letter, or one of '@' '=' ':' '%' '-'. The vector versions compare
 * each byte and the byte before it (a second load, one byte back) in 16 or 32 lanes at once;
 * a window that would read before the input or past its end is copied into a padded buffer
 * first, so no version ever reads outside p[i - 1 .. n). (The text scan walks short spans,
 * like most JSON values, one byte at a time instead: LSC_ATTENTION_MIN.)
 */
#include "scan.h"

#include "chars.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LSC_X86 1
#endif

static bool attention(unsigned char prev, unsigned char c)
{
    if (lsc_is_alnum(c)) {
        return !lsc_is_alnum(prev) || (lsc_is_digit(c) && lsc_is_alpha(prev));
    }
    return c == '@' || c == '=' || c == ':' || c == '%' || c == '-';
}

uint64_t lsc_attention64_scalar(const char *p, size_t n, size_t i)
{
    uint64_t mask = 0;
    unsigned char prev = i > 0 ? (unsigned char)p[i - 1] : ' ';
    for (size_t k = 0; k < 64 && i + k < n; k++) {
        unsigned char c = (unsigned char)p[i + k];
        if (attention(prev, c)) {
            mask |= (uint64_t)1 << k;
        }
        prev = c;
    }
    return mask;
}

#ifdef LSC_X86
/* Lanes of x that are digits / letters: unsigned range tests by saturating subtraction. */
static inline __m128i digits16(__m128i x)
{
    __m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
    return _mm_cmpeq_epi8(_mm_subs_epu8(d, _mm_set1_epi8(9)), _mm_setzero_si128());
}

static inline __m128i letters16(__m128i x)
{
    __m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
    return _mm_cmpeq_epi8(_mm_subs_epu8(l, _mm_set1_epi8(25)), _mm_setzero_si128());
}

static inline uint32_t block16(const char *p)
{
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p - 1));
    __m128i cd = digits16(c), cl = letters16(c);
    __m128i bd = digits16(b), bl = letters16(b);
    __m128i c_alnum = _mm_or_si128(cd, cl), b_alnum = _mm_or_si128(bd, bl);
    __m128i start = _mm_andnot_si128(b_alnum, c_alnum);
    __m128i glued = _mm_and_si128(cd, bl);
    __m128i trig = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8('@')), _mm_cmpeq_epi8(c, _mm_set1_epi8('='))),
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(c, _mm_set1_epi8(':')),
                                  _mm_cmpeq_epi8(c, _mm_set1_epi8('%'))),
                     _mm_cmpeq_epi8(c, _mm_set1_epi8('-'))));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(start, glued), trig));
}

/*
 * A window that would read before p or past p + n is copied into w first, with the byte
 * before it (' ' at the start of the input) and ' ' as padding, which never needs
 * attention. Returns where the window starts; *valid has a bit for each real byte.
 */
static const char *window(const char *p, size_t n, size_t i, char w[1 + 64], uint64_t *valid)
{
    if (i > 0 && n - i >= 64) {
        *valid = ~(uint64_t)0;
        return p + i;
    }
    size_t len = n - i < 64 ? n - i : 64;
    memset(w, ' ', 1 + 64);
    w[0] = i > 0 ? p[i - 1] : ' ';
    memcpy(w + 1, p + i, len);
    *valid = len == 64 ? ~(uint64_t)0 : ((uint64_t)1 << len) - 1;
    return w + 1;
}

static uint64_t attention64_sse2(const char *p, size_t n, size_t i)
{
    char w[1 + 64];
    uint64_t valid;
    const char *q = window(p, n, i, w, &valid);
    return ((uint64_t)block16(q) | (uint64_t)block16(q + 16) << 16 |
            (uint64_t)block16(q + 32) << 32 | (uint64_t)block16(q + 48) << 48) &
           valid;
}

__attribute__((target("avx2"))) static inline __m256i digits32(__m256i x)
{
    __m256i d = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
    return _mm256_cmpeq_epi8(_mm256_subs_epu8(d, _mm256_set1_epi8(9)), _mm256_setzero_si256());
}

__attribute__((target("avx2"))) static inline __m256i letters32(__m256i x)
{
    __m256i l = _mm256_sub_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
    return _mm256_cmpeq_epi8(_mm256_subs_epu8(l, _mm256_set1_epi8(25)), _mm256_setzero_si256());
}

__attribute__((target("avx2"))) static inline uint32_t block32(const char *p)
{
    __m256i c = _mm256_loadu_si256((const __m256i *)(const void *)p);
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p - 1));
    __m256i cd = digits32(c), cl = letters32(c);
    __m256i bd = digits32(b), bl = letters32(b);
    __m256i c_alnum = _mm256_or_si256(cd, cl), b_alnum = _mm256_or_si256(bd, bl);
    __m256i start = _mm256_andnot_si256(b_alnum, c_alnum);
    __m256i glued = _mm256_and_si256(cd, bl);
    __m256i trig = _mm256_or_si256(
        _mm256_or_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8('@')),
                        _mm256_cmpeq_epi8(c, _mm256_set1_epi8('='))),
        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(c, _mm256_set1_epi8(':')),
                                        _mm256_cmpeq_epi8(c, _mm256_set1_epi8('%'))),
                        _mm256_cmpeq_epi8(c, _mm256_set1_epi8('-'))));
    return (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(start, glued), trig));
}

__attribute__((target("avx2"))) static uint64_t attention64_avx2(const char *p, size_t n, size_t i)
{
    char w[1 + 64];
    uint64_t valid;
    const char *q = window(p, n, i, w, &valid);
    return ((uint64_t)block32(q) | (uint64_t)block32(q + 32) << 32) & valid;
}
#endif

typedef uint64_t (*attention_fn)(const char *, size_t, size_t);

static attention_fn chosen;
static const char *chosen_name;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose(void)
{
#ifdef LSC_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) {
        chosen = attention64_avx2;
        chosen_name = "avx2";
        return;
    }
    chosen = attention64_sse2;
    chosen_name = "sse2";
#else
    chosen = lsc_attention64_scalar;
    chosen_name = "scalar";
#endif
}

uint64_t lsc_attention64(const char *p, size_t n, size_t i)
{
    pthread_once(&choose_once, choose);
    return chosen(p, n, i);
}

const char *lsc_attention_impl(void)
{
    pthread_once(&choose_once, choose);
    return chosen_name;
}

bool lsc_attention_force(const char *impl)
{
    pthread_once(&choose_once, choose);
    if (strcmp(impl, "scalar") == 0) {
        chosen = lsc_attention64_scalar;
#ifdef LSC_X86
    } else if (strcmp(impl, "sse2") == 0) {
        chosen = attention64_sse2;
    } else if (strcmp(impl, "avx2") == 0 && __builtin_cpu_supports("avx2")) {
        chosen = attention64_avx2;
#endif
    } else {
        return false;
    }
    chosen_name = impl;
    return true;
}
