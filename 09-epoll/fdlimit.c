/* fdlimit.c - raising RLIMIT_NOFILE and surviving EMFILE (see fdlimit.h).
 *
 * _GNU_SOURCE for one Linux-only call: accept4, which accepts and sets
 * O_NONBLOCK and FD_CLOEXEC in one system call instead of three. */
#define _GNU_SOURCE

#include "fdlimit.h"

#include <errno.h>
#include <fcntl.h>
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

int open_spare_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int accept_or_shed(int listen_fd, int *spare_fd, struct sockaddr *addr,
                   socklen_t *addr_len)
{
    int fd = accept4(listen_fd, addr, addr_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int saved;

    if (fd >= 0 || (errno != EMFILE && errno != ENFILE) || *spare_fd < 0)
        return fd;
    saved = errno;
    close(*spare_fd); /* one descriptor free: just enough for one accept */
    fd = accept(listen_fd, NULL, NULL);
    if (fd >= 0)
        close(fd); /* the client sees its connection closed at once */
    *spare_fd = open_spare_fd();
    errno = saved;
    return -1;
}
