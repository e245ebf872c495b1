/* bench/pingpong.c - the loopback's physical limit: the barest blocking
 * ping-pong, one connection, an 8-byte request and an 8-byte reply.
 *
 * A yardstick for `make bench`, not a lesson: 01-iterative at concurrency 1
 * does the same round trip (plus the upper transform and the kit's
 * checks), so its rate divided by this one says what the kit's code costs.
 * No transform, no logging, no options beyond what the benchmark needs.
 *
 * Run:   ./bench/pingpong -s 0                   (prints "listening on port N")
 *        ./bench/pingpong -r 100000 127.0.0.1 N
 * Look:  the client's summary line has the shape of the kit's stress
 *        clients, so bench.sh reads both the same way.
 */
#include "client/client.h"
#include "io.h"
#include "net.h"
#include "server.h"
#include "client/stress.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MESSAGE_SIZE 8

/* The server side: one connection at a time, whatever arrives goes back.
 * Read and write at once per message: that is all a round trip needs. */
static int serve_forever(long port)
{
    int listen_fd = listen_or_report(port);

    if (listen_fd < 0 || announce_port(listen_fd) != 0)
        return 1;
    while (!stop_requested()) {
        char buf[MESSAGE_SIZE];
        ssize_t n;
        struct sockaddr_storage addr;
        socklen_t addr_len;
        int conn_fd = accept_unless_stopped(listen_fd, &addr, &addr_len);

        if (conn_fd < 0) {
            if (errno != EINTR)
                report_errno("accept");
            continue;
        }
        while ((n = read_unless_stopped(conn_fd, buf, sizeof buf)) > 0)
            if (write_all(conn_fd, buf, (size_t)n) != 0)
                break;
        close(conn_fd);
    }
    close(listen_fd);
    return 0;
}

/* The client side: R round trips on one connection, each timed the same
 * way as the kit's stress clients time theirs. */
static int ping_pong(const struct client_args *args)
{
    /* In capitals, so that a kit server sends it back unchanged too. */
    static const char request[MESSAGE_SIZE] = "PINGPONG";
    struct stress_report report;
    struct client_args one = *args; /* one connection, whatever -n says */
    double start;
    int status, fd = connect_or_report(args);

    if (fd < 0)
        return 1;
    one.clients = 1;
    if (stress_report_init(&report, &one) != 0) {
        report_errno("out of memory");
        close(fd);
        return 1;
    }
    start = now_seconds();
    for (long round = 0; round < args->rounds; round++) {
        char reply[MESSAGE_SIZE];
        double sent_at = now_seconds();

        if (write_all(fd, request, sizeof request) != 0 ||
            read_full(fd, reply, sizeof reply) != (ssize_t)sizeof reply ||
            memcmp(reply, request, sizeof reply) != 0) {
            stress_record_failure(&report, 0, "round trip failed");
            break;
        }
        stress_record_reply(&report, 0, (now_seconds() - sent_at) * 1000.0,
                            true);
    }
    status = stress_summary(&report, now_seconds() - start);
    stress_report_free(&report);
    close(fd);
    return status;
}

int main(int argc, char **argv)
{
    struct client_args args;
    int status;

    set_progname(argv[0]);
    if (argc == 3 && strcmp(argv[1], "-s") == 0) {
        long port;
        if (parse_port(argv[2], &port) != 0) {
            fprintf(stderr, "usage: %s -s PORT | [-r R] HOST PORT\n", argv[0]);
            return 2;
        }
        if (prepare_server_process() != 0)
            return 1;
        return serve_forever(port);
    }
    if ((status = parse_client_args(argc, argv, &args, 30, NULL, 0)) >= 0)
        return status;
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    return ping_pong(&args);
}
