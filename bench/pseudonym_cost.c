/*
 * pseudonym_cost.c - what one pseudonym costs cold (no memo): the PRF over a canonical
 * IPv4 address plus writing the token, and the KDF run when the period changes.
 *   usage: lsc_pseudonym_cost [N]     (N addresses, default 2,000,000)
 */
#define _POSIX_C_SOURCE 200809L
#include "action/action.h"
#include "policy/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    struct lsc_key k;
    if (n <= 0 || !lsc_key_test(&k)) {
        fprintf(stderr, "usage: lsc_pseudonym_cost [N]\n");
        return 1;
    }
    unsigned char sub[LSC_SUBKEY_BYTES], h[LSC_PRF_BYTES], in[32];
    struct lsc_action a = {.kind = LSC_ACT_PSEUDONYM, .token_hex = 16};
    char out[LSC_PSEUDONYM_MAX];
    lsc_key_subkey(&k, LSC_ROTATE_DAILY, 20779, sub);
    size_t sink = 0;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        struct lsc_ip ip = {.family = 4};
        uint32_t x = (uint32_t)i * 2654435761u;
        memcpy(ip.bytes, &x, 4);
        char type;
        size_t il = lsc_pseudonym_input(LSC_CLASS_IPV4, NULL, 0, &ip, &type, in);
        lsc_prf(sub, type, in, il, h);
        sink += lsc_pseudonym_render(&a, h, type, &ip, out);
    }
    double t1 = now();
    long kd = n / 20;
    for (long i = 0; i < kd; i++) {
        lsc_key_subkey(&k, LSC_ROTATE_DAILY, (uint64_t)i, sub);
        sink += sub[0];
    }
    double t2 = now();
    printf("pseudonym (IPv4, cold): %.0f ns each (%ld)\n", (t1 - t0) / (double)n * 1e9, n);
    printf("subkey derivation:      %.0f ns each (%ld)\n", (t2 - t1) / (double)kd * 1e9, kd);
    lsc_key_free(&k);
    return sink == 0;
}
