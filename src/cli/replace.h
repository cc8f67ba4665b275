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

#endif
