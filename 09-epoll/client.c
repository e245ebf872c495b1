/* 09-epoll/client.c - thousands of simulated clients from one thread.
 *
 * Interactive mode is every TCP client's (common/client/client.c). The lesson is
 * the stress mode (-n N): no thread or process per simulated client, but
 * one epoll loop that drives them all, each one a small state machine
 * (connecting -> waiting for a reply -> ... -> finished), exactly as the
 * server drives its connections. That is how one process holds 10,000
 * connections: a struct of a few dozen bytes each instead of a thread
 * stack.
 *
 * Run:   ./09-epoll/client -q -n 10000 localhost 2000   (server: -d 0 -q)
 * Look:  all connections are open at once (ss -tn | wc -l in another
 *        terminal), yet `top` shows a single thread.
 *
 * This file sets the run up and reports it; the sessions and the loop
 * that drives them are in sessions.c.
 */
#include "client/client.h"
#include "listener.h"
#include "sessions.h"
#include "client/stress.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Teaching shortcut: every session uses the first address getaddrinfo
 * gives (the blocking clients try each in turn). For "localhost" against
 * the kit's dual-stack servers, that is always enough. */
static int resolve(const struct client_args *args, struct addrinfo **list)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    int rc = getaddrinfo(args->host, args->port, &hints, list);
    char what[300];

    if (rc == 0)
        return 0;
    snprintf(what, sizeof what, "connect to %s:%s", args->host, args->port);
    report_error(what, gai_strerror(rc));
    return -1;
}

static int stress_with_epoll(const struct client_args *args)
{
    struct driver driver = {.args = args, .epoll_fd = -1};
    struct addrinfo *list = NULL;
    double start;
    int status = 1;

    if (raise_fd_limit() != 0)
        report_errno("setrlimit RLIMIT_NOFILE (going on)");
    if (stress_report_init(&driver.report, args) != 0 ||
        (driver.sessions =
             calloc((size_t)args->clients, sizeof *driver.sessions)) == NULL) {
        report_errno("out of memory");
        stress_report_free(&driver.report);
        return 1;
    }
    for (long i = 0; i < args->clients; i++)
        driver.sessions[i] = (struct session){.fd = -1, .id = i};
    start = now_seconds();
    if (resolve(args, &list) == 0) {
        driver.addr = list;
        if ((driver.epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0)
            report_errno("epoll_create1");
        else
            run_sessions(&driver);
    }
    /* Whatever did not finish (resolution failed...) is an error. */
    for (long i = 0; i < args->clients; i++)
        if (driver.sessions[i].state != FINISHED)
            fail_session(&driver, &driver.sessions[i], "not run");
    status = stress_summary(&driver.report, now_seconds() - start);
    if (list != NULL)
        freeaddrinfo(list);
    if (driver.epoll_fd >= 0)
        close(driver.epoll_fd);
    free(driver.sessions);
    stress_report_free(&driver.report);
    return status;
}

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_epoll);
}
