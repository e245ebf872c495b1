/* tests/tools/peer.c - a TCP peer that misbehaves on purpose, for tests.
 *
 *   peer reset HOST PORT BYTES      send BYTES bytes, then abort the
 *                                   connection with a RST (SO_LINGER 0)
 *   peer halfclose HOST PORT        send all of stdin, shutdown(SHUT_WR),
 *                                   copy every reply byte to stdout until EOF
 *   peer noread HOST PORT BYTES SEC send BYTES bytes (as far as the socket
 *                                   takes them), never read, hold SEC s
 *   peer hold HOST PORT SEC         connect, send nothing, hold SEC s
 *   peer many HOST PORT COUNT       COUNT connections in a row, each sending
 *                                   "x" and waiting for "X"
 *
 * Exit status 0 when it did what it was asked, 1 otherwise. */
#include "client/client.h"
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
#include <sys/socket.h>
#include <unistd.h>

static int open_connection(const char *host, const char *port)
{
    int gai_error;
    int fd = tcp_connect(host, port, &gai_error);

    if (fd < 0) {
        if (gai_error != 0)
            report_error("connect", gai_strerror(gai_error));
        else
            report_errno("connect");
    }
    return fd;
}

static int send_pattern(int fd, long bytes, int flags_nonblocking)
{
    char block[4096];
    long sent = 0;

    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (char)('a' + i % 26);
    while (sent < bytes) {
        size_t chunk = (size_t)(bytes - sent) < sizeof block
                           ? (size_t)(bytes - sent)
                           : sizeof block;
        ssize_t n = write(fd, block, chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && flags_nonblocking && errno == EAGAIN)
            return 0; /* the peer does not read and the buffers are full */
        if (n < 0)
            return -1;
        sent += n;
    }
    return 0;
}

static int do_reset(int fd, long bytes)
{
    struct linger abort_now = {.l_onoff = 1, .l_linger = 0};

    if (send_pattern(fd, bytes, 0) != 0)
        return 1;
    simulate_work(50); /* let the server start working on the data */
    /* Linger on with a zero timeout: close() sends RST instead of FIN. */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    close(fd);
    return 0;
}

static int do_halfclose(int fd)
{
    char buf[65536];
    size_t in_len = 0, in_cap = 1 << 16, sent = 0;
    char *in = malloc(in_cap);
    ssize_t n;
    int status = 0;

    if (in == NULL)
        return 1;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (in_len + (size_t)n > in_cap) {
            char *grown = realloc(in, in_cap *= 2);
            if (grown == NULL) {
                free(in);
                return 1;
            }
            in = grown;
        }
        memcpy(in + in_len, buf, (size_t)n);
        in_len += (size_t)n;
    }
    set_nonblocking(fd);
    /* Write and read at once (the server replies while we send), then
     * half-close and drain until the server closes. */
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (sent < in_len)
            p.events |= POLLOUT;
        if (poll(&p, 1, -1) < 0 && errno != EINTR)
            break;
        if (p.revents & POLLOUT) {
            n = write(fd, in + sent, in_len - sent);
            if (n > 0 && (sent += (size_t)n) == in_len)
                shutdown(fd, SHUT_WR);
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            n = read(fd, buf, sizeof buf);
            if (n == 0)
                break;
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                status = 1;
                break;
            }
            if (n > 0 && write_all(1, buf, (size_t)n) != 0) {
                status = 1;
                break;
            }
        }
    }
    if (in_len == 0)
        shutdown(fd, SHUT_WR);
    free(in);
    close(fd);
    return status;
}

static int do_many(const char *host, const char *port, long count)
{
    for (long i = 0; i < count; i++) {
        char reply;
        int fd = open_connection(host, port);
        if (fd < 0)
            return 1;
        if (write_all(fd, "x", 1) != 0 || read_full(fd, &reply, 1) != 1 ||
            reply != 'X') {
            fprintf(stderr, "peer: connection %ld got no correct reply\n", i);
            close(fd);
            return 1;
        }
        close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    long number = 0, seconds = 0;
    int fd;

    set_progname(argv[0]);
    ignore_sigpipe();
    if (argc < 4 ||
        (argc >= 5 && parse_long(argv[4], 0, 1L << 40, &number) != 0) ||
        (argc >= 6 && parse_long(argv[5], 0, 3600, &seconds) != 0)) {
        fprintf(stderr, "usage: peer reset|halfclose|noread|hold|many HOST "
                        "PORT [N [SEC]]\n");
        return 2;
    }
    if (strcmp(argv[1], "many") == 0)
        return do_many(argv[2], argv[3], number);
    if ((fd = open_connection(argv[2], argv[3])) < 0)
        return 1;
    if (strcmp(argv[1], "reset") == 0)
        return do_reset(fd, number);
    if (strcmp(argv[1], "halfclose") == 0)
        return do_halfclose(fd);
    if (strcmp(argv[1], "noread") == 0) {
        set_nonblocking(fd);
        if (send_pattern(fd, number, 1) != 0)
            return 1;
        sleep((unsigned)seconds);
        return 0;
    }
    if (strcmp(argv[1], "hold") == 0) {
        sleep((unsigned)number);
        return 0;
    }
    fprintf(stderr, "peer: unknown mode %s\n", argv[1]);
    return 2;
}
