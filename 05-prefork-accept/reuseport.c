/* reuseport.c - a listening socket with SO_REUSEPORT.
 *
 * _GNU_SOURCE: SO_REUSEPORT is not POSIX, and glibc's <sys/socket.h> only
 * defines it when asked for more than POSIX. */
#define _GNU_SOURCE
#include "reuseport.h"

#include "net.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Options, bind and listen on an open socket; closes it on failure. */
static int bind_and_listen(int fd, const struct sockaddr *addr, socklen_t len,
                           int backlog)
{
    int on = 1, off = 0, saved;

    /* Every socket of the group must set SO_REUSEPORT before its bind(). */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) == 0 &&
        (addr->sa_family != AF_INET6 ||
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) == 0) &&
        bind(fd, addr, len) == 0 && listen(fd, backlog) == 0)
        return fd;
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int reuseport_listen(long port, int backlog)
{
    struct sockaddr_in6 any6;
    struct sockaddr_in any4;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);

    /* The wildcard address needs no name lookup: :: (which also takes IPv4
     * clients once IPV6_V6ONLY is off), or 0.0.0.0 where IPv6 is missing. */
    if (fd >= 0) {
        memset(&any6, 0, sizeof any6);
        any6.sin6_family = AF_INET6;
        any6.sin6_addr = in6addr_any;
        any6.sin6_port = htons((uint16_t)port);
        return bind_and_listen(fd, (struct sockaddr *)&any6, sizeof any6,
                               backlog);
    }
    if (errno != EAFNOSUPPORT)
        return -1;
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        return -1;
    memset(&any4, 0, sizeof any4);
    any4.sin_family = AF_INET;
    any4.sin_addr.s_addr = htonl(INADDR_ANY);
    any4.sin_port = htons((uint16_t)port);
    return bind_and_listen(fd, (struct sockaddr *)&any4, sizeof any4, backlog);
}

int reuseport_group(int *fds, long count, long *port)
{
    for (long i = 0; i < count; i++) {
        int fd = reuseport_listen(*port, SOMAXCONN);
        long chosen = fd >= 0 && i == 0 ? local_port(fd) : *port;

        if (fd < 0 || chosen < 0) {
            int saved = errno;
            if (fd >= 0)
                close(fd);
            while (i-- > 0)
                close(fds[i]);
            errno = saved;
            return -1;
        }
        /* Port 0: the kernel picked one for the first socket, and the
         * others must join that one. */
        *port = chosen;
        fds[i] = fd;
    }
    return 0;
}
