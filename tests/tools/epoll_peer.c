/* tests/tools/epoll_peer.c - test peers for 09-epoll (server and httpd).
 *
 *   epoll_peer hold HOST PORT COUNT SEC  open COUNT connections one after
 *                                        another, print "opened N" (how
 *                                        many connects succeeded), hold
 *                                        them all SEC seconds, close
 *   epoll_peer raw HOST PORT SEC         send all of stdin in ONE write,
 *                                        copy what comes back to stdout
 *                                        until the server closes or SEC
 *                                        seconds pass without a byte; then
 *                                        print "closed" or "open" to stderr
 *
 * Exit status 0 when it did what it was asked, 1 otherwise. */
#include "io.h"
#include "net.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int do_hold(const char *host, const char *port, long count, long sec)
{
    int *fds = calloc((size_t)count, sizeof *fds);
    long opened = 0;

    if (fds == NULL)
        return 1;
    for (long i = 0; i < count; i++) {
        int gai_error;
        fds[i] = tcp_connect(host, port, &gai_error);
        opened += fds[i] >= 0;
    }
    printf("opened %ld\n", opened);
    fflush(stdout);
    simulate_work(sec * 1000);
    for (long i = 0; i < count; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    return 0;
}

static int do_raw(const char *host, const char *port, long sec)
{
    char buf[65536];
    size_t len = 0;
    ssize_t n;
    int gai_error, fd;

    while (len < sizeof buf && (n = read(0, buf + len, sizeof buf - len)) > 0)
        len += (size_t)n;
    if ((fd = tcp_connect(host, port, &gai_error)) < 0) {
        report_errno("connect");
        return 1;
    }
    if (write_all(fd, buf, len) != 0) {
        report_errno("write");
        close(fd);
        return 1;
    }
    for (;;) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int rc = poll(&ready, 1, (int)(sec * 1000));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            fputs("open\n", stderr);
            break;
        }
        n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            fputs(n == 0 ? "closed\n" : "reset\n", stderr);
            break;
        }
        if (write_all(1, buf, (size_t)n) != 0)
            break;
    }
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    long count = 0, sec = 0;

    set_progname(argv[0]);
    ignore_sigpipe();
    if (argc == 6 && strcmp(argv[1], "hold") == 0 &&
        parse_long(argv[4], 1, 100000, &count) == 0 &&
        parse_long(argv[5], 0, 3600, &sec) == 0)
        return do_hold(argv[2], argv[3], count, sec);
    if (argc == 5 && strcmp(argv[1], "raw") == 0 &&
        parse_long(argv[4], 0, 3600, &sec) == 0)
        return do_raw(argv[2], argv[3], sec);
    fprintf(stderr, "usage: epoll_peer hold HOST PORT COUNT SEC\n"
                    "       epoll_peer raw HOST PORT SEC\n");
    return 2;
}
