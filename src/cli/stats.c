/*
 * stats.c - the --stats summary: what came in, what went out, what was replaced, how fast,
 * and the accounting identity that proves no line was lost.
 */
#include "cli.h"

#include <inttypes.h>
#include <sys/resource.h>

void lsc_cli_print_stats(FILE *fp, const struct lsc_stats *st, const char *policy_name,
                         const char *policy_hash, double seconds)
{
    struct rusage ru;
    double rss_mib = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        rss_mib = (double)ru.ru_maxrss / 1024.0;
    }
    double mb = (double)st->bytes_in / 1e6;
    double secs = seconds > 1e-9 ? seconds : 1e-9;

    fprintf(fp, "logscrub stats (policy: %s, sha256:%s)\n", policy_name, policy_hash);
    fprintf(fp, "  lines in        %12" PRIu64 "\n", st->lines_in);
    fprintf(fp, "  emitted         %12" PRIu64 "   (changed %" PRIu64 ")\n", st->emitted,
            st->changed);
    fprintf(fp, "  dropped         %12" PRIu64 "\n", st->dropped);
    fprintf(fp, "  quarantined     %12" PRIu64 "\n", st->quarantined);
    fprintf(fp, "  failed closed   %12" PRIu64 "  ", st->failed);
    for (int i = 0; i < LSC_FAIL_COUNT; i++) {
        fprintf(fp, " %s %" PRIu64, lsc_fail_name((lsc_fail)i), st->fail_reason[i]);
    }
    fprintf(fp, "\n  parse fallback  %12" PRIu64 "   (lines not in the policy's format)\n",
            st->parse_fallback);
    fprintf(fp, "  fields removed  %12" PRIu64 "\n", st->fields_removed);
    if (st->pseudonyms > 0) {
        fprintf(fp,
                "  pseudonyms      %12" PRIu64 "   (record time not found, processing time "
                "used: %" PRIu64 ")\n",
                st->pseudonyms, st->time_fallback);
    }
    uint64_t looks = st->memo_hits + st->memo_misses;
    if (looks > 0) {
        fprintf(fp, "  memo            %12" PRIu64 "   lookups, %.1f %% hits (pseudonyms, geo)\n",
                looks, 100.0 * (double)st->memo_hits / (double)looks);
    }
    fprintf(fp, "  replacements   ");
    uint64_t total = 0;
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        fprintf(fp, " %s %" PRIu64, lsc_class_name((lsc_class)c), st->replacements[c]);
        total += st->replacements[c];
    }
    fprintf(fp, " (total %" PRIu64 ")\n", total);
    fprintf(fp, "  bytes           in %" PRIu64 ", out %" PRIu64 "\n", st->bytes_in, st->bytes_out);
    fprintf(fp, "  speed           %.3f s, %.1f MB/s, %.0f lines/s, peak RSS %.1f MiB\n", seconds,
            mb / secs, (double)st->lines_in / secs, rss_mib);
    uint64_t sum = st->emitted + st->dropped + st->quarantined;
    fprintf(fp,
            "  accounting      lines in %" PRIu64 " %s emitted + dropped + quarantined %" PRIu64
            "\n",
            st->lines_in, sum == st->lines_in ? "=" : "!=", sum);
}
