/*
 * fuzz_policy_load.c - libFuzzer target for the policy loader: any bytes as a policy file.
 * A policy that loads must also explain, hash and scrub a line without failing.
 */
#include "logscrub.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lsc_policy *pol = NULL;
    char err[2048];
    if (lsc_policy_load_buffer("fuzz.yaml", (const char *)data, size, NULL, &pol, err,
                               sizeof err) != LSC_OK) {
        return 0;
    }
    char *text = NULL;
    char hex[65];
    struct lsc_scrubber *sc = NULL;
    const char *out;
    size_t outlen;
    static const char line[] = "1.2.3.4 a@b.com token=x 4111111111111111 TICKET-1\n";
    if (lsc_policy_explain(pol, &text) != LSC_OK || lsc_policy_hash(pol, hex) != LSC_OK ||
        lsc_scrubber_new(pol, &sc) != LSC_OK ||
        lsc_scrub_buffer(sc, line, sizeof line - 1, &out, &outlen) != LSC_OK) {
        abort();
    }
    free(text);
    lsc_scrubber_free(sc);
    lsc_policy_free(pol);
    return 0;
}
