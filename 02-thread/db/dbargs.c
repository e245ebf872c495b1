/* dbargs.c - dbserver's command line (see dbargs.h). */
#include "dbargs.h"

#include "util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_DELAY_MS 3600000L

static void print_usage(FILE *out, bool full)
{
    fprintf(out, "usage: %s [-d MS] [-q] [-L MODE] PORT\n", progname());
    if (full)
        fputs("  -d MS   simulated work per request, in ms, done with its "
              "locks held (default 0)\n"
              "  -q      quiet: no per-client log lines\n"
              "  -L MODE locking: record (default: a lock per record) or "
              "global (one lock)\n"
              "  -h      print this help\n",
              out);
}

/* --help, the long spelling of -h that every program of the kit accepts
 * (getopt alone would call it an unknown option '-'). */
static bool asks_for_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

static int usage_error(const char *what, const char *reason)
{
    report_error(what, reason);
    print_usage(stderr, false);
    return 2;
}

/* Returns -1 to go on, or the exit status (0 after -h, 2 after a mistake). */
int parse_dbserver_args(int argc, char **argv, struct dbserver_args *args)
{
    char what[3] = "-?", reason[96];
    int letter;

    args->delay_ms = 0;
    args->quiet = false;
    args->locking = DB_LOCK_RECORD;
    if (asks_for_help(argc, argv)) {
        print_usage(stdout, true);
        return 0;
    }
    while ((letter = getopt(argc, argv, ":hd:qL:")) != -1) {
        what[1] = (char)(letter == ':' || letter == '?' ? optopt : letter);
        switch (letter) {
        case 'h':
            print_usage(stdout, true);
            return 0;
        case 'q':
            args->quiet = true;
            break;
        case 'd':
            if (parse_long(optarg, 0, MAX_DELAY_MS, &args->delay_ms) != 0) {
                snprintf(reason, sizeof reason,
                         "'%s' is not a number from 0 to %ld", optarg,
                         MAX_DELAY_MS);
                return usage_error(what, reason);
            }
            break;
        case 'L':
            if (strcmp(optarg, "record") == 0)
                args->locking = DB_LOCK_RECORD;
            else if (strcmp(optarg, "global") == 0)
                args->locking = DB_LOCK_GLOBAL;
            else
                return usage_error(what, "must be record or global");
            break;
        case ':':
            return usage_error(what, "needs an argument");
        default:
            return usage_error(what, "unknown option");
        }
    }
    if (argc - optind != 1)
        return usage_error("arguments",
                           argc - optind < 1 ? "missing" : "too many");
    if (parse_port(argv[optind], &args->port) != 0)
        return usage_error(argv[optind], "not a port number (0-65535)");
    return -1;
}
