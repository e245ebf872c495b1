/* client.c - connecting, and the interactive mode shared by TCP clients. */
#include "client.h"

#include "net.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int connect_or_report(const struct client_args *args)
{
    char what[300];
    int gai_error;
    int fd = tcp_connect(args->host, args->port, &gai_error);

    if (fd >= 0)
        return fd;
    snprintf(what, sizeof what, "connect to %s:%s", args->host, args->port);
    if (gai_error != 0)
        report_error(what, gai_strerror(gai_error));
    else
        report_errno(what);
    return -1;
}

int exchange(int fd, const char *request, char *reply, size_t len)
{
    size_t sent = 0, got = 0;

    /* Stevens' str_cli lesson: a client that first writes everything and
     * only then reads can deadlock when the request is larger than the
     * buffers between it and the server, since the server stops reading
     * while its replies wait to be read. So write and read as each side
     * becomes ready. */
    while (got < len) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (sent < len)
            ready.events |= POLLOUT;
        if (poll(&ready, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (ready.revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(fd, reply + got, len - got);
            if (n == 0)
                return 0;
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                return -1;
            if (n > 0)
                got += (size_t)n;
        }
        if (sent < len && (ready.revents & POLLOUT)) {
            n = write(fd, request + sent, len - sent);
            if (n < 0 && errno != EINTR && errno != EAGAIN)
                return -1;
            if (n > 0)
                sent += (size_t)n;
        }
    }
    return 1;
}

int run_interactive(const struct client_args *args)
{
    char *line = NULL, *reply = NULL;
    size_t line_cap = 0;
    ssize_t line_len;
    int status = 0;
    int fd = connect_or_report(args);

    if (fd < 0)
        return 1;
    if (set_nonblocking(fd) != 0) {
        report_errno("fcntl");
        close(fd);
        return 1;
    }
    while (status == 0 && (line_len = getline(&line, &line_cap, stdin)) > 0) {
        size_t len = (size_t)line_len;
        char *grown;
        int outcome;

        if (line[len - 1] == '\n')
            len--; /* the newline is not part of the message */
        if (len == 0)
            continue; /* nothing to send: an empty message has no reply */
        grown = realloc(reply, len);
        if (grown == NULL) {
            report_errno("realloc");
            status = 1;
            break;
        }
        reply = grown;
        outcome = exchange(fd, line, reply, len);
        if (outcome == 1) {
            /* fwrite, not printf's %s: the reply may contain NUL bytes. */
            fputs("Reply is '", stdout);
            fwrite(reply, 1, len, stdout);
            fputs("'\n", stdout);
        } else {
            if (outcome == 0)
                report_error("server", "closed the connection");
            else
                report_errno("send/receive");
            status = 1;
        }
    }
    if (status == 0 && ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
    free(line);
    free(reply);
    close(fd);
    return status;
}

int tcp_client_main(int argc, char **argv,
                    int (*stress_driver)(const struct client_args *))
{
    struct client_args args;
    int status;

    set_progname(argv[0]);
    status = parse_client_args(argc, argv, &args, 30, NULL, 0);
    if (status >= 0)
        return status;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    return args.clients > 0 ? stress_driver(&args) : run_interactive(&args);
}
