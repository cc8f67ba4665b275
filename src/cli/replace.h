/*
 * replace.h - crash-safe file replacement shared by expire, erase and batch (replace.c).
 */
#ifndef LSC_CLI_REPLACE_H
#define LSC_CLI_REPLACE_H

#include <stdbool.h>
#include <stddef.h>

#define TMP_SUFFIX ".logscrub-new"

/* out = a + mid + b. False (out empty) when it does not fit. */
bool lsc_join3(char *out, size_t cap, const char *a, const char *mid, const char *b);

/* The hidden name of base's new file in dir (".BASE.logscrub-new"). */
bool lsc_tmp_name(char *out, size_t cap, const char *dir, const char *base);

/* Opens a new file for base in dir: unnamed (named[0] == '\0'), else the hidden name. */
int lsc_open_tmp(const char *dir, const char *base, char *named, size_t cap);

/* Gives fd (from lsc_open_tmp, already fsynced) the path final, durably. -1 with errno. */
int lsc_commit(int fd, const char *named, const char *dir, const char *base, const char *final);

/* A hidden ".NAME.logscrub-new" an interrupted run left. */
bool lsc_is_leftover(const char *name);

struct stat;

/*
 * Walking the PATHs a command is given. Every regular file under path (or path itself)
 * goes to file(); every directory to dir() first, which may return 1 to skip it. Symbolic
 * links are skipped with a message (replacing a file through a link would turn the link
 * into a file). A ".NAME.logscrub-new" left by an interrupted run is removed (the original
 * is intact by construction). rel names path below the command's output root; entries
 * below path get rel/NAME. Directories are read in name order. Problems are reported as
 * "logscrub VERB: PATH: ..." and counted: returns how many there were.
 */
struct lsc_walk {
    const char *verb;
    int (*file)(void *ctx, const char *path, const char *rel, const struct stat *st);
    int (*dir)(void *ctx, const char *path, const char *rel, const struct stat *st);
    void *ctx;
    bool skip_hidden; /* also skip names starting with '.' */
};

unsigned lsc_walk(const struct lsc_walk *w, const char *path, const char *rel);

#endif
