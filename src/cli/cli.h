/*
 * cli.h - pieces of the command-line front end.
 */
#ifndef LSC_CLI_H
#define LSC_CLI_H

#include "logscrub.h"

#include <stdbool.h>
#include <stdio.h>

/* Parses sizes like 1048576, 64K, 1M, 2G. Returns false on junk or overflow. */
bool lsc_cli_parse_size(const char *s, size_t *out);

/* Prints the --stats summary. */
void lsc_cli_print_stats(FILE *fp, const struct lsc_stats *st, const char *policy_name,
                         const char *policy_hash, double seconds);

/* The check and test subcommands; argv[0] is the subcommand. Return an exit status. */
int lsc_cli_check(int argc, char **argv);
int lsc_cli_test(int argc, char **argv);
int lsc_cli_keygen(int argc, char **argv);
int lsc_cli_expire(int argc, char **argv);
int lsc_cli_erase(int argc, char **argv);
int lsc_cli_follow(int argc, char **argv);
int lsc_cli_batch(int argc, char **argv);
int lsc_cli_scan(int argc, char **argv);

#endif
