/* reuseport.h - a listening socket that shares its port with others.
 *
 * With SO_REUSEPORT (Linux 3.9 and later) several sockets of the same user
 * may listen on one port at once; the kernel spreads incoming connections
 * over them by a hash of each connection's addresses and ports. The -p mode
 * of this folder's server gives every worker such a socket of its own. */
#ifndef REUSEPORT_H
#define REUSEPORT_H

/* A TCP socket listening on every local address at port (0: the kernel
 * picks; read it back with local_port), with SO_REUSEPORT set before
 * bind() so that more sockets can join the same port. Dual-stack where the
 * host has IPv6, like tcp_listen. Returns the descriptor, or -1 with errno. */
int reuseport_listen(long port, int backlog);

/* count such sockets, all on one port, into fds[0..count-1]. The first
 * binds *port (0: the kernel picks one, and *port is set to it), the
 * others join it. Opened together, before any fork, so that a port in use
 * is found at start-up. Returns 0, or -1 with errno, none left open. */
int reuseport_group(int *fds, long count, long *port);

#endif
