/* 11-io-uring/server.c - one thread, one io_uring: the server asks the
 * kernel to accept, receive and send, and acts when each is complete.
 *
 * What it teaches: the completion model, after 08's and 09's readiness
 * model. Read ring.h (the two rings, who owns which index), ring.c (the
 * raw system calls), then loop.c (the loop and its completion dispatch)
 * and requests.c (the requests and a connection's life).
 *
 * Run:   ./11-io-uring/server -d 100 2000    and then
 *        ./11-io-uring/client -n 10 localhost 2000
 * Look:  N x 8 x D seconds, like 09 -w 0 (the work runs in the loop), and
 *        the replies interleave; strace -c -f shows io_uring_enter where
 *        09 shows a read and a write per request.
 *
 * Where io_uring is missing or refused (an old kernel,
 * kernel.io_uring_disabled, a container's seccomp profile) the server
 * says so in one line and exits 1.
 */
#include "loop.h"
#include "options.h"
#include "server.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct server server = {.listen_fd = -1};
    struct server_args args;
    int status;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, NULL, 0)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    server.delay_ms = args.delay_ms;
    server.quiet = args.quiet;
    /* The ring first: without io_uring there is nothing to listen for. */
    if (loop_set_up(&server) != 0)
        return 1;
    if ((server.listen_fd = listen_or_report(args.port)) < 0 ||
        announce_port(server.listen_fd) != 0) {
        loop_shut_down(&server);
        return 1;
    }
    status = loop_run(&server);
    loop_shut_down(&server);
    close(server.listen_fd);
    printf("shut down\n");
    return status;
}
