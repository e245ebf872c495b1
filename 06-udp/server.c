/* 06-udp/server.c - the UDP upper server, and the chapter's three designs.
 *
 * What it teaches: one socket for every client, one datagram in, one
 * datagram out. main only reads the command line, opens the socket and
 * hands it to the model chosen; each model is a file of its own:
 *   (default) loop.c          the basic loop: concurrent, not parallel
 *   -f        per_datagram.c  a process per datagram: parallel, costly
 *   -P N      prefork.c       N processes blocked in recvmsg() on the one
 *                             shared socket; the kernel picks one each time
 * Every model answers only the sources it may (datagram_source_refusal in
 * common/datagram.h): a forged source must not turn it into a reflector.
 *
 * Run:   ./06-udp/server 2000         and in another terminal
 *        ./06-udp/client localhost 2000
 * Look:  ./06-udp/client -n 3: the replies interleave, [0] [1] [2] [0]...,
 *        yet the total time is 3 x 8 delays; with -P 3 it is 8 delays.
 */
#include "datagram.h"
#include "loop.h"
#include "options.h"
#include "per_datagram.h"
#include "prefork.h"
#include "server.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Opens and announces the socket (the -f handler first, so that no child
 * can exit unseen). Returns the descriptor, or -1 after a report. */
static int open_server_socket(const struct server_args *args, bool fork_each)
{
    int fd;

    if (prepare_server_process() != 0)
        return -1;
    if (fork_each && catch_child_exits() != 0) {
        report_errno("sigaction");
        return -1;
    }
    fd = udp_bind_or_report(args->port);
    if (fd >= 0 && announce_port(fd) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long pool_size = 0;
    bool fork_each = false;
    const struct opt_spec modes[] = {
        {'f', NULL, "a process per datagram", 0, 0, NULL, &fork_each},
        {'P', "N", "a preforked pool of N processes sharing the socket", 1,
         MAX_POOL, &pool_size, NULL},
    };
    struct udp_server server = {.fd = -1, .args = &args};
    int status;

    set_progname(argv[0]);
    status = parse_server_args(argc, argv, &args, modes,
                               sizeof modes / sizeof modes[0]);
    if (status >= 0)
        return status;
    if (fork_each && pool_size > 0) {
        report_error("-f and -P", "choose one mode");
        return 2;
    }
    server.buf = malloc(DATAGRAM_BUFFER_SIZE);
    if (server.buf == NULL) {
        report_errno("malloc");
        return 1;
    }
    server.fd = open_server_socket(&args, fork_each);
    if (server.fd < 0) {
        free(server.buf);
        return 1;
    }
    status = 0;
    if (fork_each)
        serve_with_a_process_each(&server);
    else if (pool_size > 0)
        status = serve_with_a_pool(&server, pool_size);
    else
        serve_datagrams(&server);
    close(server.fd);
    free(server.buf);
    printf("shut down\n");
    return status;
}
