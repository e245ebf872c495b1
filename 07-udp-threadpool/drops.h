/* drops.h - the kernel's count of datagrams dropped on one UDP socket
 * because its receive buffer was full: 07's back-pressure made visible
 * (the server prints it at shutdown). */
#ifndef UDP_POOL_DROPS_H
#define UDP_POOL_DROPS_H

/* Datagrams the kernel dropped on socket fd, read from /proc/net/udp6 (or
 * udp) on the line of the socket's inode. Linux only; -1 where it cannot
 * be read. */
long kernel_drops(int fd);

/* The line the server prints at shutdown: "Dropped datagrams: K by the
 * kernel (socket buffer full), S by the server (too long or no memory),
 * U unanswered at shutdown" (K is "?" where it cannot be read). */
void print_drops(int fd, unsigned long by_server, unsigned long unanswered);

#endif
