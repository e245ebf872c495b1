/* 02-thread/db/dbclient.c - the client of the database server.
 *
 * Each line you type is one request; the client sends it and prints every
 * line of the reply. On a terminal it shows a prompt; with stdin from a
 * file or a pipe it prints only the replies (the scripted mode the tests
 * use). Empty lines are not sent.
 *
 * Run:   ./02-thread/dbclient localhost 2000
 *        printf 'add 42 30 Ana Perez\nget 42\n' |
 *            ./02-thread/dbclient localhost 2000
 * Look:  most replies are one line; LIST's first line says how many more
 *        follow ("OK 3" and three records), which is how the client knows
 *        when the reply is complete: TCP itself has no message boundaries.
 */
#include "client/client.h"
#include "io.h"
#include "linereader.h"
#include "options.h"
#include "util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PROMPT "db> "
/* The longest reply line accepted: the server's longest is "OK " and a
 * 1,024-byte text, or a LIST line of about 270 bytes. */
#define REPLY_LINE_MAX 4096

static void print_usage(FILE *out)
{
    fprintf(out, "usage: %s HOST PORT\n", progname());
}

/* Returns -1 to go on, or the exit status (0 after -h, 2 after a mistake). */
static int parse_args(int argc, char **argv, struct client_args *args)
{
    char what[3] = "-?";
    long port;
    int letter;

    if (asks_for_help(argc, argv)) {
        print_usage(stdout);
        return 0;
    }
    while ((letter = getopt(argc, argv, ":h")) != -1) {
        if (letter == 'h') {
            print_usage(stdout);
            return 0;
        }
        what[1] = (char)optopt;
        report_error(what, "unknown option");
        print_usage(stderr);
        return 2;
    }
    if (argc - optind != 2) {
        report_error("arguments", argc - optind < 2 ? "missing" : "too many");
        print_usage(stderr);
        return 2;
    }
    args->host = argv[optind];
    args->port = argv[optind + 1];
    if (parse_long(args->port, 1, 65535, &port) != 0) {
        report_error(args->port, "not a port number (1-65535)");
        print_usage(stderr);
        return 2;
    }
    return -1;
}

/* True when the request's first word is LIST, in any case: its reply is
 * "OK n" followed by n more lines. */
static bool is_list_request(const char *line, size_t len)
{
    size_t rest = len;
    const char *word = line;

    while (rest > 0 && *word == ' ') {
        word++;
        rest--;
    }
    if (rest < 4 || strncasecmp(word, "LIST", 4) != 0)
        return false;
    return rest == 4 || word[4] == ' ' || word[4] == '\r';
}

/* Reads one reply line and prints it. Returns 0, or 1 after reporting
 * that the server closed the connection or failed. */
static int print_reply_line(struct line_reader *reader, char *reply,
                            size_t *len)
{
    switch (read_line(reader, reply, REPLY_LINE_MAX, len)) {
    case LINE_OK:
        /* fwrite: a reply to UPPER may carry NUL bytes. */
        fwrite(reply, 1, *len, stdout);
        putchar('\n');
        return 0;
    case LINE_TOO_LONG:
        report_error("server", "reply line too long");
        return 1;
    case LINE_EOF:
        report_error("server", "closed the connection");
        return 1;
    case LINE_ERROR:
        report_errno("read from server");
        return 1;
    }
    return 1;
}

/* Sends one request and prints its whole reply: one line, or for a
 * successful LIST the "OK n" line and the n lines after it. */
static int exchange_request(int fd, struct line_reader *reader, char *line,
                            size_t len)
{
    char reply[LINE_BUFFER_SIZE(REPLY_LINE_MAX)];
    size_t reply_len;
    long more = 0;

    /* One write for the request and its newline: two small writes would
     * meet Nagle's algorithm and wait for a delayed ACK (40 ms) each time.
     * line[len] is the '\n' or the NUL getline put after the text. */
    line[len] = '\n';
    if (write_all(fd, line, len + 1) != 0) {
        report_errno("write to server");
        return 1;
    }
    if (print_reply_line(reader, reply, &reply_len) != 0)
        return 1;
    /* parse_long leaves more at 0 when the text is not a count. */
    if (is_list_request(line, len) && strncmp(reply, "OK ", 3) == 0)
        parse_long(reply + 3, 0, LONG_MAX, &more);
    for (long i = 0; i < more; i++) {
        if (print_reply_line(reader, reply, &reply_len) != 0)
            return 1;
    }
    return 0;
}

/* Reads requests from stdin until end of input; returns the exit status. */
static int run_session(int fd)
{
    bool interactive = isatty(STDIN_FILENO);
    struct line_reader reader;
    char *line = NULL;
    size_t line_cap = 0;
    int status = 0;

    line_reader_init(&reader, fd);
    while (status == 0) {
        ssize_t line_len;
        size_t len;

        if (interactive) {
            fputs(PROMPT, stdout);
            fflush(stdout);
        }
        if ((line_len = getline(&line, &line_cap, stdin)) < 0)
            break;
        len = (size_t)line_len;
        if (line[len - 1] == '\n')
            len--;
        if (len > 0)
            status = exchange_request(fd, &reader, line, len);
    }
    if (status == 0 && ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
    if (interactive && status == 0)
        putchar('\n'); /* after Ctrl-D, give the shell a fresh line */
    free(line);
    return status;
}

int main(int argc, char **argv)
{
    struct client_args args = {0};
    int status, fd;

    set_progname(argv[0]);
    if ((status = parse_args(argc, argv, &args)) >= 0)
        return status;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    if ((fd = connect_or_report(&args)) < 0)
        return 1;
    status = run_session(fd);
    close(fd);
    return status;
}
