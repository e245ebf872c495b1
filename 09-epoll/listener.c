/* listener.c - the listening side of the epoll loops (see listener.h).
 *
 * _GNU_SOURCE for one Linux-only call: accept4, which accepts and sets
 * O_NONBLOCK and FD_CLOEXEC in one system call instead of three. */
#define _GNU_SOURCE

#include "listener.h"

#include "net.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

int raise_fd_limit(void)
{
    struct rlimit limit;

    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur == limit.rlim_max)
        return 0;
    limit.rlim_cur = limit.rlim_max;
    return setrlimit(RLIMIT_NOFILE, &limit);
}

static int open_spare_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int listener_watch(struct listener *listener, int epoll_fd)
{
    struct epoll_event watch = {.events = EPOLLIN, .data.ptr = listener};

    if (raise_fd_limit() != 0)
        report_errno("setrlimit RLIMIT_NOFILE (going on)");
    if ((listener->spare_fd = open_spare_fd()) < 0) {
        report_errno("open /dev/null");
        return -1;
    }
    if (set_nonblocking(listener->listen_fd) != 0 ||
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener->listen_fd, &watch) != 0) {
        report_errno("watch listening socket");
        return -1;
    }
    return 0;
}

/* The EMFILE way out: one descriptor freed, one connection taken off the
 * queue and closed, the spare taken back. */
static void shed_one_client(struct listener *listener)
{
    int fd;

    close(listener->spare_fd);
    fd = accept(listener->listen_fd, NULL, NULL);
    if (fd >= 0)
        close(fd);
    listener->spare_fd = open_spare_fd();
}

void listener_accept(struct listener *listener, int max,
                     accept_handler *on_client, void *context)
{
    for (int i = 0; i < max; i++) {
        struct sockaddr_storage addr;
        socklen_t addr_len = sizeof addr;
        int fd = accept4(listener->listen_fd, (struct sockaddr *)&addr,
                         &addr_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            on_client(context, fd, (struct sockaddr *)&addr, addr_len);
            continue;
        }
        if ((errno == EMFILE || errno == ENFILE) && listener->spare_fd >= 0) {
            int saved = errno;
            shed_one_client(listener);
            errno = saved;
            report_errno("accept (out of descriptors: one client closed)");
        } else if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
            report_errno("accept");
        return; /* EAGAIN: nobody else is waiting */
    }
}

void listener_close(struct listener *listener)
{
    if (listener->spare_fd >= 0)
        close(listener->spare_fd);
    listener->spare_fd = -1;
    close(listener->listen_fd);
}
