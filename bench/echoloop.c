/* bench/echoloop.c - the cheapest multiplexed upper server: one epoll loop,
 * level-triggered, no logging, no delay, no per-connection state.
 *
 * A yardstick for `make bench`, not a lesson: 09-epoll -d 0 -q at
 * concurrency 100 is compared with it, driven by the same client, to see
 * what the kit's structure (connection structs, output buffers, options)
 * costs over the bare system calls.
 *
 * Run:   ./bench/echoloop 0        (prints "listening on port N")
 *        ./09-epoll/client -q -n 100 -r 1000 127.0.0.1 N
 */
#define _GNU_SOURCE /* epoll_create1, epoll_ctl, epoll_wait, accept4: Linux */
#include "net.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
/* The yardstick reads at most this much per call (its own figure, not the
 * kit's CHUNK_SIZE: an 8-byte word fits either way). */
#define ECHO_READ_SIZE 4096

/* Accepts every pending connection and watches it for input. */
static void accept_all(int epoll_fd, int listen_fd)
{
    int conn_fd;

    while ((conn_fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
        struct epoll_event event = {.events = EPOLLIN, .data.fd = conn_fd};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, conn_fd, &event) != 0)
            close(conn_fd);
    }
}

/* One read, transformed, written back. Teaching shortcut: a reply the
 * socket cannot take at once closes the connection instead of being
 * buffered; the benchmark's short messages always fit. */
static void answer(int conn_fd)
{
    char buf[ECHO_READ_SIZE];
    ssize_t n = read(conn_fd, buf, sizeof buf);

    if (n < 0 && errno == EAGAIN)
        return;
    if (n > 0) {
        upper_transform(buf, (size_t)n);
        if (write(conn_fd, buf, (size_t)n) == n)
            return;
    }
    close(conn_fd); /* end of file, error or short write; epoll forgets it */
}

int main(int argc, char **argv)
{
    struct epoll_event events[MAX_EVENTS];
    struct epoll_event listen_event = {.events = EPOLLIN};
    int listen_fd, epoll_fd;
    long port;

    set_progname(argv[0]);
    if (argc != 2 || parse_port(argv[1], &port) != 0) {
        fprintf(stderr, "usage: %s PORT\n", progname());
        return 2;
    }
    if (prepare_server_process() != 0 ||
        (listen_fd = listen_or_report(port)) < 0)
        return 1;
    listen_event.data.fd = listen_fd;
    if (set_nonblocking(listen_fd) != 0 || (epoll_fd = epoll_create1(0)) < 0 ||
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event) != 0) {
        report_errno("epoll set-up");
        return 1;
    }
    /* The stop descriptor (common/stop.h) wakes epoll_wait on SIGINT. */
    listen_event.data.fd = stop_fd();
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, stop_fd(), &listen_event) != 0 ||
        announce_port(listen_fd) != 0)
        return 1;
    while (!stop_requested()) {
        int ready = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
        if (ready < 0 && errno != EINTR) {
            report_errno("epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready; i++) {
            if (events[i].data.fd == stop_fd())
                break;
            if (events[i].data.fd == listen_fd)
                accept_all(epoll_fd, listen_fd);
            else
                answer(events[i].data.fd);
        }
    }
    close(epoll_fd);
    close(listen_fd);
    return 0;
}
