/* options.h - command lines of the kit's programs (CONTRACT.md §4 and §5).
 *
 * Every server takes "[-d MS] [-q] ... PORT" and every TCP/UDP client
 * "[-n N] [-r R] [-t SEC] [-q] HOST PORT"; a program lists only the extra
 * options of its section in a small table. Usage goes to stderr with exit
 * status 2 on a mistake, to stdout with status 0 for -h. */
#ifndef KIT_OPTIONS_H
#define KIT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One extra option: a flag (arg == NULL, sets *flag) or a number in
 * [min, max] (stored in *value). */
struct opt_spec {
    char letter;
    const char *arg; /* "N", "MS"... or NULL for a flag */
    const char *help;
    long min, max;
    long *value;
    bool *flag;
};

/* True when argv holds "--help" among its options: the contract accepts
 * it wherever -h works (usage on stdout, exit 0). parse_server_args and
 * parse_client_args check it themselves; a program with its own parser
 * calls it before getopt. */
bool asks_for_help(int argc, char **argv);

struct server_args {
    long port;
    long delay_ms; /* -d, default DEFAULT_DELAY_MS */
    bool quiet;    /* -q: no per-client log lines */
};

/* Fills *args (and the extras) from argv. Returns -1 when the program
 * should go on, or the exit status to return at once (0 after -h, 2 after
 * a usage error, which has then been printed). */
int parse_server_args(int argc, char **argv, struct server_args *args,
                      const struct opt_spec *extra, size_t extra_count);

struct client_args {
    const char *host;
    const char *port;
    long clients;           /* -n: simulated clients; 0 = interactive mode */
    long rounds;            /* -r: messages per simulated client (default 8) */
    long timeout_s;         /* -t: seconds to wait for one reply */
    bool quiet;             /* -q: no per-reply lines in stress mode */
    const char *trace_path; /* -o FILE: stress mode's trace, or NULL */
};

/* The same for clients; default_timeout_s is 30 for TCP, 2 for UDP. */
int parse_client_args(int argc, char **argv, struct client_args *args,
                      long default_timeout_s, const struct opt_spec *extra,
                      size_t extra_count);

#endif
