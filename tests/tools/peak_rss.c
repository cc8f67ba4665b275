/*
 * peak_rss.c - runs a command and reports its peak resident set size, for tests that bound
 * memory (Debian's /usr/bin/time is not always installed).
 *
 *   lsc_peak_rss KIB_FILE COMMAND [ARG...]
 *
 * The command inherits standard input, output and error; its peak RSS in KiB (ru_maxrss
 * of the child, from wait4) is written to KIB_FILE. Exits with the command's status, or 126
 * when it could not be run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lsc_peak_rss KIB_FILE COMMAND [ARG...]\n");
        return 126;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("lsc_peak_rss: fork");
        return 126;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("lsc_peak_rss: exec");
        _exit(126);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("lsc_peak_rss: wait4");
        return 126;
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0) {
        perror(argv[1]);
        return 126;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
