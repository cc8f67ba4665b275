/*
 * archive.h - compressed files, read and written transparently: gzip (zlib) and zstd
 * (libzstd). Input is recognised by its magic bytes, never by its name; output is
 * compressed as asked. A truncated or corrupt archive is an error, never a short read.
 */
#ifndef LSC_IO_ARCHIVE_H
#define LSC_IO_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum lsc_compress {
    LSC_COMPRESS_NONE,
    LSC_COMPRESS_GZIP,
    LSC_COMPRESS_ZSTD,
};

struct lsc_source;

/* A reader over fd (not owned), or NULL when out of memory. */
struct lsc_source *lsc_source_new(int fd);
void lsc_source_free(struct lsc_source *s);

/*
 * Reads up to n decompressed bytes. Returns the count, 0 at the clean end of the input,
 * -1 on a read error (errno set) and -2 when the archive is truncated or corrupt
 * (lsc_source_error says how).
 */
ssize_t lsc_source_read(struct lsc_source *s, char *buf, size_t n);
const char *lsc_source_error(const struct lsc_source *s);

/* What the input turned out to be (known after the first read). */
enum lsc_compress lsc_source_kind(const struct lsc_source *s);

/* The compression a file name asks for: .gz, .zst, else none. */
enum lsc_compress lsc_compress_for_name(const char *path);

struct lsc_sink;

/* A writer to fd (not owned) compressing with c, or NULL when out of memory. */
struct lsc_sink *lsc_sink_new(int fd, enum lsc_compress c);

/* Writes n bytes (compressed as set). Returns 0, or -1 with errno set. */
int lsc_sink_write(struct lsc_sink *s, const char *p, size_t n);

/* Ends the compressed stream (writing its trailer) and frees s. Returns 0, or -1. */
int lsc_sink_finish(struct lsc_sink *s);

#endif
