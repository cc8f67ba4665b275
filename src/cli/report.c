/*
 * report.c - batch and scan reports in text, JSON and HTML (see report.h).
 *
 * The HTML page is self-contained: inline CSS and SVG bar charts, no script, no external
 * asset, so it opens offline and can be attached to an audit. Every string from the run
 * (file names, field names, masked examples) is escaped for the format it goes into.
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool lsc_report_format_by_name(const char *name, enum lsc_report_format *out)
{
    if (strcmp(name, "text") == 0) {
        *out = LSC_REPORT_TEXT;
    } else if (strcmp(name, "json") == 0) {
        *out = LSC_REPORT_JSON;
    } else if (strcmp(name, "html") == 0) {
        *out = LSC_REPORT_HTML;
    } else {
        return false;
    }
    return true;
}

void lsc_mask_example(const char *v, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        unsigned char c = (unsigned char)v[i];
        if (i == 0 && c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else if ((c | 32) >= 'a' && (c | 32) <= 'z') {
            out[o++] = 'x';
        } else if (c >= '0' && c <= '9') {
            out[o++] = '9';
        } else if (c >= 0x20 && c < 0x7f) {
            out[o++] = (char)c;
        } else {
            out[o++] = '?';
        }
    }
    if (o + 4 >= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            fprintf(f, "\\%c", *p);
        } else if (*p < 0x20 || *p >= 0x7f) {
            fprintf(f, "\\u%04x", *p);
        } else {
            fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void html_str(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*p < 0x20 || *p >= 0x7f ? '?' : *p, f);
        }
    }
}

static uint64_t total_replacements(const struct lsc_stats *st)
{
    uint64_t t = 0;
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        t += st->replacements[c];
    }
    return t;
}

/* The totals per field and per rule over all files (fields sorted by count). */
struct breakdown {
    struct lsc_name_count *fields;
    size_t nfields;
    uint64_t *rules;
};

/* ---- HTML scaffolding ---- */

static void html_head(FILE *f, const char *title)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    html_str(f, title);
    fprintf(f, "</title>\n<style>\n"
               "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;"
               "padding:0 1em;color:#222}\n"
               "table{border-collapse:collapse;margin:1em 0;width:100%%}\n"
               "th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:right}\n"
               "th:first-child,td:first-child{text-align:left;word-break:break-all}\n"
               "th{background:#f4f4f4}\n.bad{color:#b00020}\n.ok{color:#0a7d32}\n"
               "svg text{font:12px system-ui,sans-serif}\n"
               ".summary td:first-child{width:40%%}\n"
               "</style>\n</head>\n<body>\n");
}

/* A horizontal bar chart: one bar per label, scaled to the largest value. */
static void svg_bars(FILE *f, const char *title, const char *const *labels, const uint64_t *values,
                     size_t n)
{
    uint64_t max = 1;
    for (size_t i = 0; i < n; i++) {
        max = values[i] > max ? values[i] : max;
    }
    const int row = 22, left = 220, width = 420;
    fprintf(f, "<figure>\n<figcaption>");
    html_str(f, title);
    fprintf(f,
            "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%zu\" role=\"img\">\n",
            left + width + 90, n * (size_t)row + 4);
    for (size_t i = 0; i < n; i++) {
        int w = (int)((double)values[i] / (double)max * width);
        int y = (int)i * row;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + 15);
        char shown[48];
        snprintf(shown, sizeof shown, "%s", labels[i]);
        if (strlen(labels[i]) >= sizeof shown) {
            memcpy(shown + sizeof shown - 4, "...", 4);
        }
        html_str(f, shown);
        fprintf(f,
                "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b6ea5\"/>"
                "<text x=\"%d\" y=\"%d\">%" PRIu64 "</text>\n",
                left, y + 3, w > 0 ? w : 1, row - 6, left + (w > 0 ? w : 1) + 6, y + 15, values[i]);
    }
    fprintf(f, "</svg>\n</figure>\n");
}

/* ---- batch ---- */

static void batch_text(FILE *f, const struct lsc_batch_report *r, const struct lsc_stats *tot,
                       size_t failed, size_t skipped)
{
    fprintf(f, "logscrub batch report\n  started    %s\n  policy     %s (sha256:%s)\n", r->started,
            r->policy_name, r->policy_hash);
    fprintf(f, "  key id     %s\n", r->key_id ? r->key_id : "- (no pseudonyms)");
    fprintf(f, "  files      %zu (%zu failed, %zu done by an earlier run)\n", r->nfiles, failed,
            skipped);
    fprintf(f,
            "  lines      in %" PRIu64 ", out %" PRIu64 ", dropped %" PRIu64
            ", quarantined %" PRIu64 ", failed closed %" PRIu64 "\n",
            tot->lines_in, tot->emitted, tot->dropped, tot->quarantined, tot->failed);
    fprintf(f, "  replaced  ");
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        fprintf(f, " %s %" PRIu64, lsc_class_name((lsc_class)c), tot->replacements[c]);
    }
    fprintf(f, " (total %" PRIu64 ")\n", total_replacements(tot));
    fprintf(f, "  fields removed %" PRIu64 ", pseudonyms %" PRIu64 "\n", tot->fields_removed,
            tot->pseudonyms);
    fprintf(f, "  time       %.3f s\n\n", r->seconds);
    for (size_t i = 0; i < r->nfiles; i++) {
        const struct lsc_file_report *fr = &r->files[i];
        fprintf(f, "%s\n", fr->path);
        if (fr->error != NULL) {
            fprintf(f, "  FAILED: %s\n", fr->error);
            continue;
        }
        if (fr->skipped) {
            fprintf(f, "  done by an earlier run (journal)\n");
        }
        fprintf(f,
                "  -> %s\n  lines in %" PRIu64 ", out %" PRIu64 ", dropped %" PRIu64
                ", quarantined %" PRIu64 "; replacements %" PRIu64 "\n",
                fr->out_path, fr->st.lines_in, fr->st.emitted, fr->st.dropped, fr->st.quarantined,
                total_replacements(&fr->st));
        fprintf(f,
                "  sha256 in  %s (%" PRIu64 " bytes)\n  sha256 out %s (%" PRIu64
                " bytes)\n  %.3f s\n",
                fr->sha_in, fr->size_in, fr->sha_out, fr->size_out, fr->seconds);
    }
}

static void stats_json(FILE *f, const struct lsc_stats *st)
{
    fprintf(f,
            "{\"lines_in\":%" PRIu64 ",\"lines_out\":%" PRIu64 ",\"dropped\":%" PRIu64
            ",\"quarantined\":%" PRIu64 ",\"failed_closed\":%" PRIu64 ",\"parse_fallback\":%" PRIu64
            ",\"fields_removed\":%" PRIu64 ",\"pseudonyms\":%" PRIu64 ",\"bytes_in\":%" PRIu64
            ",\"bytes_out\":%" PRIu64 ",\"replacements\":{",
            st->lines_in, st->emitted, st->dropped, st->quarantined, st->failed, st->parse_fallback,
            st->fields_removed, st->pseudonyms, st->bytes_in, st->bytes_out);
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        fprintf(f, "%s\"%s\":%" PRIu64, c ? "," : "", lsc_class_name((lsc_class)c),
                st->replacements[c]);
    }
    fprintf(f, "},\"replacements_total\":%" PRIu64 "}", total_replacements(st));
}

static void breakdown_json(FILE *f, const struct lsc_batch_report *r,
                           const struct lsc_name_count *fields, size_t nfields,
                           const uint64_t *rules);

static void batch_json(FILE *f, const struct lsc_batch_report *r, const struct lsc_stats *tot,
                       size_t failed, size_t skipped, const struct breakdown *bd)
{
    fprintf(f, "{\"report\":\"logscrub batch\",\"started\":");
    json_str(f, r->started);
    fprintf(f, ",\"seconds\":%.3f,\"policy\":{\"name\":", r->seconds);
    json_str(f, r->policy_name);
    fprintf(f, ",\"sha256\":\"%s\"},\"key_id\":", r->policy_hash);
    if (r->key_id) {
        json_str(f, r->key_id);
    } else {
        fprintf(f, "null");
    }
    fprintf(f,
            ",\"files_total\":%zu,\"files_failed\":%zu,\"files_skipped\":%zu,\"total\":", r->nfiles,
            failed, skipped);
    stats_json(f, tot);
    breakdown_json(f, r, bd->fields, bd->fields ? bd->nfields : 0, bd->rules);
    fprintf(f, ",\"files\":[");
    for (size_t i = 0; i < r->nfiles; i++) {
        const struct lsc_file_report *fr = &r->files[i];
        fprintf(f, "%s\n{\"path\":", i ? "," : "");
        json_str(f, fr->path);
        if (fr->error != NULL) {
            fprintf(f, ",\"error\":");
            json_str(f, fr->error);
            fprintf(f, "}");
            continue;
        }
        fprintf(f, ",\"output\":");
        json_str(f, fr->out_path);
        fprintf(f,
                ",\"skipped\":%s,\"sha256_in\":\"%s\",\"sha256_out\":\"%s\",\"size_in\":%" PRIu64
                ",\"size_out\":%" PRIu64 ",\"seconds\":%.3f,\"stats\":",
                fr->skipped ? "true" : "false", fr->sha_in, fr->sha_out, fr->size_in, fr->size_out,
                fr->seconds);
        stats_json(f, &fr->st);
        breakdown_json(f, r, fr->fields, fr->nfields, fr->rule_hits);
        fprintf(f, "}");
    }
    fprintf(f, "\n]}\n");
}

static void batch_html(FILE *f, const struct lsc_batch_report *r, const struct lsc_stats *tot,
                       size_t failed, size_t skipped, const struct breakdown *bd)
{
    html_head(f, "logscrub batch report");
    fprintf(f, "<h1>logscrub batch report</h1>\n<table class=\"summary\">\n");
    fprintf(f, "<tr><td>Started</td><td>");
    html_str(f, r->started);
    fprintf(f, "</td></tr>\n<tr><td>Policy</td><td>");
    html_str(f, r->policy_name);
    fprintf(f, " <small>sha256:%s</small></td></tr>\n", r->policy_hash);
    fprintf(f, "<tr><td>Key id</td><td>%s</td></tr>\n", r->key_id ? r->key_id : "none");
    fprintf(f,
            "<tr><td>Files</td><td id=\"files\">%zu</td></tr>\n"
            "<tr><td>Failed</td><td id=\"failed\" class=\"%s\">%zu</td></tr>\n"
            "<tr><td>Done by an earlier run</td><td>%zu</td></tr>\n",
            r->nfiles, failed ? "bad" : "ok", failed, skipped);
    fprintf(f,
            "<tr><td>Lines in</td><td id=\"lines-in\">%" PRIu64 "</td></tr>\n"
            "<tr><td>Lines out</td><td id=\"lines-out\">%" PRIu64 "</td></tr>\n"
            "<tr><td>Dropped</td><td>%" PRIu64 "</td></tr>\n"
            "<tr><td>Quarantined</td><td>%" PRIu64 "</td></tr>\n"
            "<tr><td>Failed closed</td><td>%" PRIu64 "</td></tr>\n"
            "<tr><td>Replacements</td><td id=\"replacements\">%" PRIu64 "</td></tr>\n"
            "<tr><td>Time</td><td>%.3f s</td></tr>\n</table>\n",
            tot->lines_in, tot->emitted, tot->dropped, tot->quarantined, tot->failed,
            total_replacements(tot), r->seconds);
    const char *labels[LSC_CLASS_COUNT];
    uint64_t values[LSC_CLASS_COUNT];
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        labels[c] = lsc_class_name((lsc_class)c);
        values[c] = tot->replacements[c];
    }
    svg_bars(f, "Replacements by class", labels, values, LSC_CLASS_COUNT);
    size_t nf = bd->fields == NULL ? 0 : bd->nfields < 30 ? bd->nfields : 30;
    if (nf > 0) {
        const char **fl = calloc(nf, sizeof *fl);
        uint64_t *fv = calloc(nf, sizeof *fv);
        if (fl != NULL && fv != NULL) {
            for (size_t i = 0; i < nf; i++) {
                fl[i] = bd->fields[i].name;
                fv[i] = bd->fields[i].n;
            }
            svg_bars(f, "Replacements by field (structured lines)", fl, fv, nf);
        }
        free(fl);
        free(fv);
    }
    if (r->nrules > 0 && bd->rules != NULL) {
        fprintf(f, "<h2>Pattern rules</h2>\n<table id=\"rules\">\n<tr><th>Rule</th>"
                   "<th>Replacements</th></tr>\n");
        for (size_t k = 0; k < r->nrules; k++) {
            fprintf(f, "<tr><td>");
            html_str(f, r->rule_names[k]);
            fprintf(f, "</td><td>%" PRIu64 "</td></tr>\n", bd->rules[k]);
        }
        fprintf(f, "</table>\n");
    }
    size_t n = r->nfiles < 40 ? r->nfiles : 40;
    const char **fl = calloc(n ? n : 1, sizeof *fl);
    uint64_t *fv = calloc(n ? n : 1, sizeof *fv);
    if (fl != NULL && fv != NULL) {
        for (size_t i = 0; i < n; i++) {
            fl[i] = r->files[i].path;
            fv[i] = total_replacements(&r->files[i].st);
        }
        svg_bars(f, r->nfiles > 40 ? "Replacements by file (first 40)" : "Replacements by file", fl,
                 fv, n);
    }
    free(fl);
    free(fv);
    fprintf(f, "<h2>Files</h2>\n<table id=\"file-table\">\n<tr><th>File</th><th>Lines in</th>"
               "<th>Out</th><th>Dropped</th><th>Quarantined</th><th>Replacements</th>"
               "<th>SHA-256 in / out</th><th>Seconds</th></tr>\n");
    for (size_t i = 0; i < r->nfiles; i++) {
        const struct lsc_file_report *fr = &r->files[i];
        fprintf(f, "<tr><td>");
        html_str(f, fr->path);
        if (fr->error != NULL) {
            fprintf(f, "</td><td colspan=\"7\" class=\"bad\">failed: ");
            html_str(f, fr->error);
            fprintf(f, "</td></tr>\n");
            continue;
        }
        fprintf(f,
                "%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64
                "</td><td>%" PRIu64 "</td><td><small>%.16s&hellip; / %.16s&hellip;</small></td>"
                "<td>%.3f</td></tr>\n",
                fr->skipped ? " <small>(earlier run)</small>" : "", fr->st.lines_in, fr->st.emitted,
                fr->st.dropped, fr->st.quarantined, total_replacements(&fr->st), fr->sha_in,
                fr->sha_out, fr->seconds);
    }
    fprintf(f, "</table>\n<p><small>Counts only: this report never holds a value from the "
               "logs.</small></p>\n</body>\n</html>\n");
}

static int by_count(const void *a, const void *b)
{
    const struct lsc_name_count *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

static void breakdown_of(const struct lsc_batch_report *r, struct breakdown *bd)
{
    size_t cap = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        cap += r->files[i].nfields;
    }
    bd->fields = calloc(cap ? cap : 1, sizeof *bd->fields);
    bd->rules = calloc(r->nrules ? r->nrules : 1, sizeof *bd->rules);
    bd->nfields = 0;
    for (size_t i = 0; i < r->nfiles && bd->fields != NULL; i++) {
        const struct lsc_file_report *fr = &r->files[i];
        for (size_t k = 0; k < fr->nfields; k++) {
            size_t j = 0;
            while (j < bd->nfields && strcmp(bd->fields[j].name, fr->fields[k].name) != 0) {
                j++;
            }
            if (j == bd->nfields) {
                bd->fields[bd->nfields++] = fr->fields[k];
            } else {
                bd->fields[j].n += fr->fields[k].n;
            }
        }
        for (size_t k = 0; k < r->nrules && bd->rules != NULL && fr->rule_hits != NULL; k++) {
            bd->rules[k] += fr->rule_hits[k];
        }
    }
    if (bd->fields != NULL && bd->nfields > 1) {
        qsort(bd->fields, bd->nfields, sizeof *bd->fields, by_count);
    }
}

static void breakdown_json(FILE *f, const struct lsc_batch_report *r,
                           const struct lsc_name_count *fields, size_t nfields,
                           const uint64_t *rules)
{
    fprintf(f, ",\"replacements_by_field\":{");
    for (size_t k = 0; k < nfields; k++) {
        fprintf(f, "%s", k ? "," : "");
        json_str(f, fields[k].name);
        fprintf(f, ":%" PRIu64, fields[k].n);
    }
    fprintf(f, "},\"replacements_by_rule\":{");
    for (size_t k = 0; k < r->nrules && rules != NULL; k++) {
        fprintf(f, "%s", k ? "," : "");
        json_str(f, r->rule_names[k]);
        fprintf(f, ":%" PRIu64, rules[k]);
    }
    fprintf(f, "}");
}

void lsc_batch_report_write(FILE *f, enum lsc_report_format fmt, const struct lsc_batch_report *r)
{
    struct lsc_stats tot = {0};
    size_t failed = 0, skipped = 0;
    for (size_t i = 0; i < r->nfiles; i++) {
        failed += r->files[i].error != NULL;
        skipped += r->files[i].skipped;
        lsc_stats_add(&tot, &r->files[i].st);
    }
    struct breakdown bd;
    breakdown_of(r, &bd);
    if (fmt == LSC_REPORT_TEXT) {
        batch_text(f, r, &tot, failed, skipped);
        fprintf(f, "\nreplacements by field (structured lines):\n");
        for (size_t k = 0; bd.fields != NULL && k < bd.nfields; k++) {
            fprintf(f, "  %-40s %" PRIu64 "\n", bd.fields[k].name, bd.fields[k].n);
        }
        fprintf(f, "replacements by pattern rule:\n");
        for (size_t k = 0; bd.rules != NULL && k < r->nrules; k++) {
            fprintf(f, "  %-40s %" PRIu64 "\n", r->rule_names[k], bd.rules[k]);
        }
    } else if (fmt == LSC_REPORT_JSON) {
        batch_json(f, r, &tot, failed, skipped, &bd);
    } else {
        batch_html(f, r, &tot, failed, skipped, &bd);
    }
    free(bd.fields);
    free(bd.rules);
}

/* ---- scan ---- */

static double share(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void lsc_scan_report_write(FILE *f, enum lsc_report_format fmt, const struct lsc_scan_report *r)
{
    if (fmt == LSC_REPORT_TEXT) {
        fprintf(f,
                "logscrub scan report\n  started  %s\n  format   %s\n  files    %" PRIu64
                " (%" PRIu64 " failed)\n  lines    %" PRIu64 "\n  bytes    %" PRIu64
                "\n  time     %.3f s\n\n",
                r->started, r->format, r->files, r->failed_files, r->lines, r->bytes, r->seconds);
        fprintf(f, "%-28s %-13s %10s %8s %10s  %s\n", "field", "class", "hits", "lines%",
                "distinct~", "examples (masked)");
        for (size_t i = 0; i < r->nrows; i++) {
            const struct lsc_scan_row *row = &r->rows[i];
            fprintf(f, "%-28s %-13s %10" PRIu64 " %7.2f%% %10" PRIu64 " ",
                    row->field[0] ? row->field : "(line)", lsc_class_name(row->cls), row->hits,
                    share(row->lines, r->lines), row->distinct);
            for (int k = 0; k < row->nexamples; k++) {
                fprintf(f, " %s", row->examples[k]);
            }
            fputc('\n', f);
        }
        if (r->nrows == 0) {
            fprintf(f, "(nothing found)\n");
        }
        return;
    }
    if (fmt == LSC_REPORT_JSON) {
        fprintf(f, "{\"report\":\"logscrub scan\",\"started\":");
        json_str(f, r->started);
        fprintf(f,
                ",\"seconds\":%.3f,\"format\":\"%s\",\"files\":%" PRIu64
                ",\"failed_files\":%" PRIu64 ",\"lines\":%" PRIu64 ",\"bytes\":%" PRIu64
                ",\"findings\":[",
                r->seconds, r->format, r->files, r->failed_files, r->lines, r->bytes);
        for (size_t i = 0; i < r->nrows; i++) {
            const struct lsc_scan_row *row = &r->rows[i];
            fprintf(f, "%s\n{\"field\":", i ? "," : "");
            json_str(f, row->field);
            fprintf(f,
                    ",\"class\":\"%s\",\"hits\":%" PRIu64 ",\"lines\":%" PRIu64
                    ",\"share_of_lines\":%.4f,\"distinct_approx\":%" PRIu64 ",\"examples\":[",
                    lsc_class_name(row->cls), row->hits, row->lines,
                    share(row->lines, r->lines) / 100.0, row->distinct);
            for (int k = 0; k < row->nexamples; k++) {
                if (k) {
                    fputc(',', f);
                }
                json_str(f, row->examples[k]);
            }
            fprintf(f, "]}");
        }
        fprintf(f, "\n],\"fields\":[");
        for (size_t i = 0; i < r->nfields; i++) {
            if (i) {
                fputc(',', f);
            }
            json_str(f, r->fields[i]);
        }
        fprintf(f, "]}\n");
        return;
    }
    html_head(f, "logscrub scan report");
    fprintf(f,
            "<h1>logscrub scan report</h1>\n<table class=\"summary\">\n"
            "<tr><td>Started</td><td>%s</td></tr>\n<tr><td>Format</td><td>%s</td></tr>\n"
            "<tr><td>Files</td><td id=\"files\">%" PRIu64 "</td></tr>\n"
            "<tr><td>Lines</td><td id=\"lines\">%" PRIu64 "</td></tr>\n"
            "<tr><td>Bytes</td><td>%" PRIu64 "</td></tr>\n"
            "<tr><td>Time</td><td>%.3f s</td></tr>\n</table>\n",
            r->started, r->format, r->files, r->lines, r->bytes, r->seconds);
    uint64_t by_class[LSC_CLASS_COUNT] = {0};
    const char *labels[LSC_CLASS_COUNT];
    for (size_t i = 0; i < r->nrows; i++) {
        by_class[r->rows[i].cls] += r->rows[i].hits;
    }
    for (int c = 0; c < LSC_CLASS_COUNT; c++) {
        labels[c] = lsc_class_name((lsc_class)c);
    }
    svg_bars(f, "Findings by class", labels, by_class, LSC_CLASS_COUNT);
    fprintf(f, "<h2>Findings</h2>\n<table id=\"findings\">\n<tr><th>Field</th><th>Class</th>"
               "<th>Hits</th><th>Share of lines</th><th>Distinct (approx.)</th>"
               "<th>Examples (masked)</th></tr>\n");
    for (size_t i = 0; i < r->nrows; i++) {
        const struct lsc_scan_row *row = &r->rows[i];
        fprintf(f, "<tr><td>");
        html_str(f, row->field[0] ? row->field : "(line)");
        fprintf(f, "</td><td>%s</td><td>%" PRIu64 "</td><td>%.2f %%</td><td>%" PRIu64 "</td><td>",
                lsc_class_name(row->cls), row->hits, share(row->lines, r->lines), row->distinct);
        for (int k = 0; k < row->nexamples; k++) {
            fprintf(f, "%s<code>", k ? " " : "");
            html_str(f, row->examples[k]);
            fprintf(f, "</code>");
        }
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</table>\n<p><small>Examples are masked (first character kept, letters x, "
               "digits 9): this report never holds a value from the logs.</small></p>\n"
               "</body>\n</html>\n");
}
