/* util.c - error reporting, strict parsing, clocks, signal dispositions. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written once at start-up, read-only afterwards (like BSD getprogname). */
static const char *program_name = "kit";

void set_progname(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash != NULL ? slash + 1 : argv0;
}

const char *progname(void)
{
    return program_name;
}

void report_errno(const char *what)
{
    int saved = errno;
    fprintf(stderr, "%s: %s: %s\n", program_name, what, strerror(saved));
    errno = saved;
}

void report_peer_errno(const char *action, const char *peer)
{
    int saved = errno;
    fprintf(stderr, "%s: %s %s: %s\n", program_name, action, peer,
            strerror(saved));
    errno = saved;
}

void report_error(const char *what, const char *reason)
{
    fprintf(stderr, "%s: %s: %s\n", program_name, what, reason);
}

/* strtol alone would accept " 7", "+7" and "7abc" (stopping at 'a'), and
 * "-0" equals 0, so a range check lets it through: a typo'd port "-0"
 * would start a server on a port the kernel chooses. So: an optional '-',
 * then digits to the end, and a minus sign must mean a negative number. */
int parse_long(const char *text, long min, long max, long *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (digits[0] < '0' || digits[0] > '9' || *end != '\0' ||
        (digits != text && value == 0)) {
        errno = EINVAL;
        return -1;
    }
    if (errno == ERANGE || value < min || value > max) {
        errno = ERANGE;
        return -1;
    }
    *out = value;
    return 0;
}

int parse_port(const char *text, long *port)
{
    return parse_long(text, 0, 65535, port);
}

double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

struct timespec monotonic_deadline(long ms)
{
    struct timespec at;

    clock_gettime(CLOCK_MONOTONIC, &at);
    at.tv_sec += ms / 1000;
    at.tv_nsec += (ms % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

int ignore_sigpipe(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGPIPE, &action, NULL);
}
