/* drops.h - the datagrams 07's server does not answer, made visible: the
 * kernel's count of those dropped because the socket's receive buffer was
 * full (07's back-pressure, printed at shutdown), the ones the reflection
 * rule refuses, and the replies sendto could not send. */
#ifndef UDP_POOL_DROPS_H
#define UDP_POOL_DROPS_H

#include <sys/socket.h>

/* Datagrams the kernel dropped on socket fd, read from /proc/net/udp6 (or
 * udp) on the line of the socket's inode. Linux only; -1 where it cannot
 * be read. */
long kernel_drops(int fd);

/* The line the server prints at shutdown: "Dropped datagrams: K by the
 * kernel (socket buffer full), S by the server (too long or no memory),
 * U unanswered at shutdown" (K is "?" where it cannot be read). */
void print_drops(int fd, unsigned long by_server, unsigned long unanswered);

/* "Refused: HOST:PORT (why)": a source the reflection rule of
 * common/datagram.h does not answer (why: its reason). */
void print_refusal(const struct sockaddr_storage *from, socklen_t from_len,
                   const char *why);

/* "server: sendto HOST:PORT: reason" for errno. The peer's name is made
 * only here: getnameinfo for every datagram would cost more than the
 * transform itself. */
void report_sendto_error(const struct sockaddr_storage *to, socklen_t to_len);

#endif
