/* 09-epoll/server.c - one thread, one epoll loop, thousands of clients;
 * the work in the loop, or handed to worker threads.
 *
 * What it teaches: the command line picks the model, the models live
 * apart. -w 0 (the default): evloop.c alone, the simulated work runs in
 * the loop and stops it, so clients progress in turn (concurrent, not
 * parallel). -w N: the loop hands each chunk to handoff.c's N worker
 * threads and stays free (asyncio.to_thread). Read evloop.c first, then
 * conn.c (a connection's life) and handoff.c.
 *
 * Run:   ./09-epoll/server -d 100 2000    and then
 *        ./09-epoll/client -n 10 localhost 2000
 * Look:  -w 0 takes N x 8 x D like the iterative server, yet the replies
 *        interleave; -w 10 takes 8 x D. -E switches to edge-triggered.
 */
#include "evloop.h"
#include "options.h"
#include "server.h"

#include <stdbool.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    struct server server = {.open = NULL}; /* worker_count 0, no hooks */
    struct server_args args;
    long workers = 0;
    bool edge = false;
    const struct opt_spec extra[] = {
        {'w', "N", "worker threads for the work (default 0: in the loop)", 0,
         MAX_WORKERS, &workers, NULL},
        {'E', NULL, "edge-triggered epoll (default level-triggered)", 0, 0,
         NULL, &edge},
    };
    int status;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra,
                                    sizeof extra / sizeof extra[0])) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    server.epoll_fd = server.listener.spare_fd = -1;
    server.delay_ms = args.delay_ms;
    server.quiet = args.quiet;
    server.edge = edge;
    if ((server.listener.listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (evloop_set_up(&server) != 0 ||
        (workers > 0 && handoff_set_up(&server, workers) != 0) ||
        announce_port(server.listener.listen_fd) != 0) {
        handoff_tear_down(&server);
        evloop_tear_down(&server);
        return 1;
    }
    status = evloop_run(&server);
    handoff_tear_down(&server); /* -w N: the workers first */
    evloop_tear_down(&server);
    printf("shut down\n");
    return status;
}
