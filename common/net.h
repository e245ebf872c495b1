/* net.h - socket helpers on getaddrinfo, for IPv4 and IPv6 alike.
 *
 * They only open, name and configure sockets; what a server does with its
 * listening socket (accept in a loop, fork, hand to a worker...) is the
 * lesson of each folder and stays there. Each returns a descriptor or 0, or
 * -1 with errno set; a name-resolution failure instead stores getaddrinfo's
 * code in *gai_error (print it with gai_strerror) and leaves it 0 otherwise. */
#ifndef KIT_NET_H
#define KIT_NET_H

#include <stddef.h>
#include <sys/socket.h>

/* "HOST:PORT" for log lines: "127.0.0.1:43172" or "[::1]:43172". */
#define PEER_NAME_MAX 64

/* A listening TCP socket on every local address at port (0: the kernel
 * picks). Dual-stack when the host has IPv6: one IPv6 socket with
 * IPV6_V6ONLY off also accepts IPv4 clients (seen as ::ffff:a.b.c.d).
 * SO_REUSEADDR is set so that a restarted server does not fail while old
 * connections sit in TIME_WAIT. */
int tcp_listen(long port, int backlog, int *gai_error);

/* A UDP socket bound like tcp_listen's (dual-stack, any address), without
 * SO_REUSEADDR, so that a second server on the same port fails. */
int udp_bind(long port, int *gai_error);

/* A TCP connection to host (a name, an IPv4 or an IPv6 literal) at port,
 * trying every address getaddrinfo returns until one answers. */
int tcp_connect(const char *host, const char *port, int *gai_error);

/* An unbound UDP socket for talking to host:port; the resolved address is
 * stored in *dest / *dest_len for sendto. */
int udp_socket_to(const char *host, const char *port,
                  struct sockaddr_storage *dest, socklen_t *dest_len,
                  int *gai_error);

/* Writes "HOST:PORT" (numeric, IPv4-mapped addresses shown as IPv4) into
 * out, which should hold PEER_NAME_MAX bytes. Never fails: an address it
 * cannot print becomes "?". */
void format_peer(const struct sockaddr *addr, socklen_t len, char *out,
                 size_t size);

/* The local port a socket is bound to (after port 0), or -1. */
int local_port(int fd);

/* Sets O_NONBLOCK: calls that would block fail with EAGAIN instead. */
int set_nonblocking(int fd);
/* Clears O_NONBLOCK: calls wait again. POSIX lets an accepted socket
 * inherit O_NONBLOCK from its listener (BSD does, Linux does not), so a
 * server whose listener is non-blocking calls this on each connection it
 * gives to blocking code. */
int set_blocking(int fd);

#endif
