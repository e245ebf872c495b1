/* 02-thread/db/dbclient.c - where the lab's client starts: one request.
 *
 * It reads ONE line from stdin, sends it to the server, prints the
 * server's one reply line and ends, as the one-shot server beside it
 * expects. On a terminal it shows a prompt first; with stdin from a file
 * or a pipe it prints only the reply.
 *
 * Run:   ./02-thread/dbclient localhost 2000      then type: upper hola
 *        echo 'upper hola' | ./02-thread/dbclient localhost 2000
 * Look:  "OK HOLA", and the client is done: a second line would need a
 *        loop here and in the server (the lab's first step).
 */
#include "client/client.h"
#include "io.h"
#include "linereader.h"
#include "options.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROMPT "db> "
/* The longest reply line accepted: "OK " and the longest request's text. */
#define REPLY_LINE_MAX 4096

/* Sends line[0..len) with its newline in one write, then reads the reply
 * line and prints it. Returns the exit status: 0, or 1 after reporting. */
static int ask(int fd, char *line, size_t len)
{
    struct line_reader reader;
    char reply[LINE_BUFFER_SIZE(REPLY_LINE_MAX)];
    size_t reply_len;

    line[len] = '\n'; /* where the text's newline or getline's NUL was */
    if (write_all(fd, line, len + 1) != 0) {
        report_errno("write to server");
        return 1;
    }
    line_reader_init(&reader, fd);
    switch (read_line(&reader, reply, REPLY_LINE_MAX, &reply_len)) {
    case LINE_OK:
        fwrite(reply, 1, reply_len, stdout);
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

int main(int argc, char **argv)
{
    struct client_args args = {0};
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    long port;
    int fd, status;

    set_progname(argv[0]);
    if (asks_for_help(argc, argv) ||
        (argc == 2 && strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s HOST PORT\n", progname());
        return 0;
    }
    if (argc != 3 || argv[1][0] == '-' ||
        parse_long(argv[2], 1, 65535, &port) != 0) {
        fprintf(stderr, "usage: %s HOST PORT\n", progname());
        return 2;
    }
    args.host = argv[1];
    args.port = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    if ((fd = connect_or_report(&args)) < 0)
        return 1;
    if (isatty(STDIN_FILENO)) {
        fputs(PROMPT, stdout);
        fflush(stdout);
    }
    status = 0;
    if ((len = getline(&line, &line_cap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            len--;
        status = ask(fd, line, (size_t)len);
    } else if (ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
    free(line);
    close(fd);
    return status;
}
