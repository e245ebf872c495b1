/* stop.c - the stop descriptor and the waits that watch it. */
#define _GNU_SOURCE /* Linux: ppoll (and signalfd) */
#include "stop.h"

#include "io.h"

#include <errno.h>
#include <poll.h>
#include <sys/signalfd.h> /* Linux only: signalfd */
#include <unistd.h>

/* Written once at start-up, read-only afterwards (like progname). */
static int stop_descriptor = -1;

void stop_signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
}

int catch_stop_signals(void)
{
    sigset_t stop_signals;

    stop_signal_set(&stop_signals);
    if (sigprocmask(SIG_BLOCK, &stop_signals, NULL) != 0)
        return -1;
    /* Nobody ever reads it: the signal stays pending, the descriptor
     * stays readable, and a second look (another thread, a later loop)
     * sees the stop too. */
    stop_descriptor = signalfd(-1, &stop_signals, SFD_CLOEXEC);
    return stop_descriptor < 0 ? -1 : 0;
}

int stop_fd(void)
{
    return stop_descriptor;
}

bool stop_requested(void)
{
    struct pollfd stop = {.fd = stop_descriptor, .events = POLLIN};

    return poll(&stop, 1, 0) > 0;
}

int wait_for_input(int fd)
{
    struct pollfd watched[2] = {{.fd = fd, .events = POLLIN},
                                {.fd = stop_descriptor, .events = POLLIN}};

    if (poll(watched, 2, -1) < 0)
        return -1;
    return watched[1].revents != 0 ? 0 : 1;
}

ssize_t read_unless_stopped(int fd, void *buf, size_t len)
{
    int ready;

    while ((ready = wait_for_input(fd)) < 0 && errno == EINTR) {
        /* another signal's handler ran: wait again */
    }
    if (ready <= 0) {
        if (ready == 0)
            errno = EINTR;
        return -1;
    }
    return read_some(fd, buf, len);
}

int accept_unless_stopped(int listen_fd, struct sockaddr_storage *addr,
                          socklen_t *addr_len)
{
    for (;;) {
        int ready = wait_for_input(listen_fd), conn_fd;

        if (ready <= 0) {
            if (ready == 0)
                errno = EINTR;
            return -1; /* EINTR: a stop, or a handler ran (03's SIGCHLD) */
        }
        *addr_len = sizeof *addr;
        conn_fd = accept(listen_fd, (struct sockaddr *)addr, addr_len);
        if (conn_fd >= 0 ||
            (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return conn_fd;
    }
}

int wait_for_stop_or_signal(const sigset_t *mask)
{
    struct pollfd stop = {.fd = stop_descriptor, .events = POLLIN};

    if (ppoll(&stop, 1, NULL, mask) > 0)
        return 0;
    return -1;
}
