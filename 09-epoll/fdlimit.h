/* fdlimit.h - living with the descriptor limit: raise it at start, and
 * survive hitting it (EMFILE) without spinning.
 *
 * Every connection costs a descriptor, and a process may hold at most
 * RLIMIT_NOFILE of them (the soft limit, often 1024, which any process may
 * raise up to the hard limit). An event loop that holds 10,000 clients
 * must raise it first. */
#ifndef EPOLL_FDLIMIT_H
#define EPOLL_FDLIMIT_H

#include <sys/socket.h>

/* Raises the soft RLIMIT_NOFILE to the hard limit. Returns 0, or -1 with
 * errno. */
int raise_fd_limit(void);

/* A descriptor kept open on /dev/null for the day accept fails with
 * EMFILE; returns it or -1 with errno. */
int open_spare_fd(void);

/* accept4 of a non-blocking, close-on-exec connection. When the process is
 * out of descriptors (EMFILE, ENFILE) the pending connection would stay in
 * the listen queue and a level-triggered listener would be reported ready
 * again at once: the loop would spin at 100% CPU doing nothing. So: close
 * the spare descriptor, accept the connection with it, close the
 * connection (the client sees its connection closed), and reopen the spare
 * (the trick of libev and nginx). Then it returns -1 with errno EMFILE (or
 * ENFILE) for the caller to log. Other failures: -1 with accept's errno
 * (EAGAIN: nobody left to accept). */
int accept_or_shed(int listen_fd, int *spare_fd, struct sockaddr *addr,
                   socklen_t *addr_len);

#endif
