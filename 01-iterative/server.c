/* 01-iterative/server.c - the iterative TCP server: one client at a time.
 *
 * What it teaches: an iterative server blocks in exactly two places, in
 * accept() waiting for the next client and in read() waiting for the
 * current client's next message. While it serves one client, every other
 * client waits in the kernel's listen queue: connected (the kernel finished
 * the handshake) but unanswered. No concurrency at all.
 *
 * Run:   ./01-iterative/server 2000      and in another terminal
 *        ./01-iterative/client localhost 2000
 * Look:  start a second client while the first is open: its lines get no
 *        reply until the first client ends (Ctrl-D).
 */
#include "io.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/* Serves one client until it closes: read a chunk, work, reply. The whole
 * server waits here, so nobody else is served meanwhile. */
static void serve_client(int conn_fd, const char *peer, long delay_ms)
{
    char buf[CHUNK_SIZE];
    ssize_t n;

    while ((n = read_unless_stopped(conn_fd, buf, sizeof buf)) > 0) {
        simulate_work(delay_ms);
        upper_transform(buf, (size_t)n);
        if (write_all(conn_fd, buf, (size_t)n) != 0) {
            report_peer_errno("write to", peer);
            return;
        }
    }
    /* n == 0 is the client closing; EINTR here means a stop signal. */
    if (n < 0 && errno != EINTR)
        report_peer_errno("read from", peer);
}

/* The acceptor loop: take the next client from the listen queue, serve it
 * to the end, repeat, until SIGINT or SIGTERM. Both waits, for a client
 * and for its next message, also watch for a stop (common/stop.h). */
static void accept_clients(int listen_fd, const struct server_args *args)
{
    while (!stop_requested()) {
        struct sockaddr_storage addr;
        socklen_t addr_len;
        char peer[PEER_NAME_MAX];
        int conn_fd = accept_unless_stopped(listen_fd, &addr, &addr_len);

        if (conn_fd < 0) {
            /* EINTR is a stop (checked by the loop); anything else
             * (a client that reset before we accepted it...) costs only
             * that client. */
            if (errno != EINTR)
                report_errno("accept");
            pause_if_out_of_resources(errno);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, peer, sizeof peer);
        if (!args->quiet)
            printf("Client connected: %s\n", peer);
        serve_client(conn_fd, peer, args->delay_ms);
        close(conn_fd);
        if (!args->quiet)
            printf("Client disconnected: %s\n", peer);
    }
}

int main(int argc, char **argv)
{
    struct server_args args;
    int status, listen_fd;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, NULL, 0)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (announce_port(listen_fd) != 0) {
        close(listen_fd);
        return 1;
    }
    accept_clients(listen_fd, &args);
    close(listen_fd);
    printf("shut down\n");
    return 0;
}
