/* net.c - socket helpers on getaddrinfo. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Closes fd without letting close() overwrite the errno that explains why
 * the caller gave up on it. */
static void close_keeping_errno(int fd)
{
    int saved = errno;
    close(fd);
    errno = saved;
}

/* A socket of the kind socktype on every local address at port: IPv6
 * first, with IPV6_V6ONLY off so that it also takes IPv4 traffic; where
 * the host has no IPv6, socket() fails and the IPv4 wildcard is used. TCP
 * only: SO_REUSEADDR (on Linux it would let a second UDP server share the
 * port, datagrams split between the two) and listen(). */
static int passive_socket(long port, int socktype, int backlog, int *gai_error)
{
    struct addrinfo hints = {.ai_socktype = socktype,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *list;
    char service[16];
    const bool stream = socktype == SOCK_STREAM;
    int fd = -1, on = 1, off = 0;

    /* AF_UNSPEC, and no AI_ADDRCONFIG: it hides IPv6 on hosts whose only
     * IPv6 address is ::1, exactly the loopback the tests use. */
    snprintf(service, sizeof service, "%ld", port);
    if ((*gai_error = getaddrinfo(NULL, service, &hints, &list)) != 0)
        return -1;
    errno = EAFNOSUPPORT;
    for (int pass = 0; pass < 2 && fd < 0; pass++) {
        int family = pass == 0 ? AF_INET6 : AF_INET;
        for (struct addrinfo *ai = list; ai != NULL && fd < 0;
             ai = ai->ai_next) {
            if (ai->ai_family != family ||
                (fd = socket(family, socktype, 0)) < 0)
                continue;
            if ((stream &&
                 setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on)) ||
                (family == AF_INET6 &&
                 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off)) ||
                bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
                (stream && listen(fd, backlog) != 0)) {
                close_keeping_errno(fd);
                fd = -1;
            }
        }
    }
    freeaddrinfo(list);
    return fd;
}

int tcp_listen(long port, int backlog, int *gai_error)
{
    return passive_socket(port, SOCK_STREAM, backlog, gai_error);
}

int udp_bind(long port, int *gai_error)
{
    return passive_socket(port, SOCK_DGRAM, 0, gai_error);
}

/* connect() interrupted by a signal goes on in the background and cannot
 * simply be called again (EALREADY): wait until the socket is writable and
 * read the outcome from SO_ERROR, as Stevens describes (UNP 16.3). */
static int connect_completely(int fd, const struct sockaddr *addr,
                              socklen_t len)
{
    struct pollfd wait_out = {.fd = fd, .events = POLLOUT};
    int error = 0;
    socklen_t error_len = sizeof error;

    if (connect(fd, addr, len) == 0)
        return 0;
    if (errno != EINTR)
        return -1;
    while (poll(&wait_out, 1, -1) < 0)
        if (errno != EINTR)
            return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0)
        return -1;
    errno = error;
    return error == 0 ? 0 : -1;
}

int tcp_connect(const char *host, const char *port, int *gai_error)
{
    struct addrinfo hints, *list;
    int fd = -1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    *gai_error = getaddrinfo(host, port, &hints, &list);
    if (*gai_error != 0)
        return -1;
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect_completely(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close_keeping_errno(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    return fd;
}

int udp_socket_to(const char *host, const char *port,
                  struct sockaddr_storage *dest, socklen_t *dest_len,
                  int *gai_error)
{
    struct addrinfo hints, *list;
    int fd = -1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    *gai_error = getaddrinfo(host, port, &hints, &list);
    if (*gai_error != 0)
        return -1;
    /* UDP has no handshake to tell which address answers: take the first
     * address whose family this host can open a socket for. */
    for (struct addrinfo *ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0) {
            memcpy(dest, ai->ai_addr, ai->ai_addrlen);
            *dest_len = ai->ai_addrlen;
        }
    }
    freeaddrinfo(list);
    return fd;
}

/* A dual-stack socket sees IPv4 clients as ::ffff:a.b.c.d: they are shown
 * as the plain IPv4 address they used. */
void format_peer(const struct sockaddr *addr, socklen_t len, char *out,
                 size_t size)
{
    char host[INET6_ADDRSTRLEN], port[8]; /* NI_MAXHOST is not POSIX */
    const char *shown = host;

    if (getnameinfo(addr, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, size, "?");
        return;
    }
    if (strncmp(host, "::ffff:", 7) == 0 && strchr(host, '.') != NULL)
        shown = host + 7;
    snprintf(out, size,
             shown == host && addr->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
             shown, port);
}

int local_port(int fd)
{
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;

    if (getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    return ntohs(addr.ss_family == AF_INET6
                     ? ((struct sockaddr_in6 *)&addr)->sin6_port
                     : ((struct sockaddr_in *)&addr)->sin_port);
}

int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int set_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    if ((flags & O_NONBLOCK) == 0)
        return 0; /* already blocking: no second system call */
    return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}
