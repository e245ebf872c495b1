/* server.c - start-up steps shared by every server. */
#include "server.h"

#include "net.h"
#include "stop.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>

int prepare_server_process(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0 || catch_stop_signals() != 0) {
        report_errno("stop signals");
        return -1;
    }
    return 0;
}

/* tcp_listen(port, SOMAXCONN) or udp_bind(port), and the message when it
 * fails. SOMAXCONN, not the course's listen(5): with a queue of 5, a burst
 * of 100 clients loses SYNs and stalls for seconds (see handout.md). */
static int open_or_report(long port, int socktype)
{
    char what[48];
    int gai_error;
    int fd = socktype == SOCK_STREAM ? tcp_listen(port, SOMAXCONN, &gai_error)
                                     : udp_bind(port, &gai_error);

    if (fd >= 0)
        return fd;
    snprintf(what, sizeof what, "listen on port %ld", port);
    if (gai_error != 0)
        report_error(what, gai_strerror(gai_error));
    else
        report_errno(what);
    return -1;
}

int listen_or_report(long port)
{
    return open_or_report(port, SOCK_STREAM);
}

int udp_bind_or_report(long port)
{
    return open_or_report(port, SOCK_DGRAM);
}

int announce_port(int fd)
{
    int port = local_port(fd);

    if (port < 0) {
        report_errno("getsockname");
        return -1;
    }
    printf("listening on port %d\n", port);
    fflush(stdout);
    return 0;
}

void pause_if_out_of_resources(int error)
{
    if (error == EMFILE || error == ENFILE || error == ENOBUFS ||
        error == ENOMEM)
        simulate_work(ACCEPT_RETRY_PAUSE_MS);
}
