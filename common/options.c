/* options.c - one table-driven getopt loop for every program of the kit. */
#include "options.h"

#include "upper.h"
#include "util.h"

#include <string.h>
#include <unistd.h>

#define MAX_SPECS 12

/* One command line: the kit's common options, then a program's extras. */
struct command_line {
    struct opt_spec specs[MAX_SPECS];
    size_t count;
    const char *operands; /* "PORT" or "HOST PORT" */
    const char **text;    /* where -o FILE goes (clients only) */
};

static void add_specs(struct command_line *cl, const struct opt_spec *specs,
                      size_t count)
{
    for (size_t i = 0; i < count && cl->count < MAX_SPECS; i++)
        cl->specs[cl->count++] = specs[i];
}

/* "usage: server [-d MS] [-q] PORT"; full: one line of help per option. */
static void print_usage(FILE *out, const struct command_line *cl, bool full)
{
    fprintf(out, "usage: %s", progname());
    for (size_t i = 0; i < cl->count; i++)
        fprintf(out, cl->specs[i].arg != NULL ? " [-%c %s]" : " [-%c]%s",
                cl->specs[i].letter,
                cl->specs[i].arg != NULL ? cl->specs[i].arg : "");
    fprintf(out, " %s\n", cl->operands);
    for (size_t i = 0; full && i < cl->count; i++)
        fprintf(out, "  -%c %-4s %s\n", cl->specs[i].letter,
                cl->specs[i].arg != NULL ? cl->specs[i].arg : "",
                cl->specs[i].help);
    if (full)
        fprintf(out, "  -h      print this help (also --help)\n");
}

static int usage_error(const struct command_line *cl, const char *what,
                       const char *reason)
{
    report_error(what, reason);
    print_usage(stderr, cl, false);
    return 2;
}

bool asks_for_help(int argc, char **argv)
{
    /* getopt knows only one-letter options: "--help" would read as the
     * unknown option '-'. So look for it first, before any "--". */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

/* getopt over the table, then the count of operands: -1 to go on, or the
 * exit status (0 after -h, 2 after a mistake, said). */
static int parse_options(int argc, char **argv, const struct command_line *cl,
                         int operands)
{
    char optstring[3 * MAX_SPECS + 3] = ":h", *end = optstring + 2;
    int letter = asks_for_help(argc, argv) ? 'h' : 0;

    for (size_t i = 0; i < cl->count; i++) {
        *end++ = cl->specs[i].letter;
        if (cl->specs[i].arg != NULL)
            *end++ = ':';
    }
    *end = '\0';
    while (letter == 'h' || (letter = getopt(argc, argv, optstring)) != -1) {
        const struct opt_spec *spec = cl->specs;
        char what[3] = {'-', (char)optopt, '\0'};
        char reason[96];

        if (letter == 'h') {
            print_usage(stdout, cl, true);
            return 0;
        }
        while (spec < cl->specs + cl->count && spec->letter != letter)
            spec++;
        if (letter == ':')
            return usage_error(cl, what, "needs an argument");
        if (spec == cl->specs + cl->count)
            return usage_error(cl, what, "unknown option");
        if (spec->arg == NULL)
            *spec->flag = true;
        else if (spec->value == NULL) /* the one text option: -o FILE */
            *cl->text = optarg;
        else if (parse_long(optarg, spec->min, spec->max, spec->value) != 0) {
            what[1] = spec->letter;
            snprintf(reason, sizeof reason,
                     "'%s' is not a number from %ld to %ld", optarg, spec->min,
                     spec->max);
            return usage_error(cl, what, reason);
        }
    }
    if (argc - optind != operands)
        return usage_error(cl, "arguments",
                           argc - optind < operands ? "missing" : "too many");
    return -1;
}

int parse_server_args(int argc, char **argv, struct server_args *args,
                      const struct opt_spec *extra, size_t extra_count)
{
    const struct opt_spec common[] = {
        {'d', "MS", "simulated work per request, in ms (default 1000)", 0,
         3600000, &args->delay_ms, NULL},
        {'q', NULL, "quiet: no per-client log lines", 0, 0, NULL, &args->quiet},
    };
    struct command_line cl = {.count = 0, .operands = "PORT"};
    int status;

    args->delay_ms = DEFAULT_DELAY_MS;
    args->quiet = false;
    add_specs(&cl, common, sizeof common / sizeof common[0]);
    add_specs(&cl, extra, extra_count);
    if ((status = parse_options(argc, argv, &cl, 1)) >= 0)
        return status;
    if (parse_port(argv[optind], &args->port) != 0)
        return usage_error(&cl, argv[optind], "not a port number (0-65535)");
    return -1;
}

int parse_client_args(int argc, char **argv, struct client_args *args,
                      long default_timeout_s, const struct opt_spec *extra,
                      size_t extra_count)
{
    const struct opt_spec common[] = {
        {'n', "N", "stress mode: N simulated clients at once", 1, 100000,
         &args->clients, NULL},
        {'r', "R", "stress mode: messages per client (default 8)", 1, 10000000,
         &args->rounds, NULL},
        {'t', "SEC", "seconds to wait for a reply", 1, 3600, &args->timeout_s,
         NULL},
        {'q', NULL, "quiet: only the summary line in stress mode", 0, 0, NULL,
         &args->quiet},
        {'o', "FILE", "stress mode: write every request's times to FILE", 0, 0,
         NULL, NULL},
    };
    struct command_line cl = {
        .count = 0, .operands = "HOST PORT", .text = &args->trace_path};
    long port;
    int status;

    args->clients = 0;
    args->rounds = 8;
    args->timeout_s = default_timeout_s;
    args->quiet = false;
    args->trace_path = NULL;
    add_specs(&cl, common, sizeof common / sizeof common[0]);
    add_specs(&cl, extra, extra_count);
    if ((status = parse_options(argc, argv, &cl, 2)) >= 0)
        return status;
    args->host = argv[optind];
    args->port = argv[optind + 1];
    /* Port 0 means "any" to a server but cannot be connected to. */
    if (parse_long(args->port, 1, 65535, &port) != 0)
        return usage_error(&cl, args->port, "not a port number (1-65535)");
    return -1;
}
