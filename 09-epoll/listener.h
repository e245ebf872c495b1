/* listener.h - the listening side of this folder's epoll loops (server and
 * httpd): the descriptor limit raised at start, the listening socket in
 * the epoll set, and accepting without spinning when descriptors run out.
 *
 * Every connection costs a descriptor, and a process may hold at most
 * RLIMIT_NOFILE of them (the soft limit, often 1024, which any process may
 * raise up to the hard limit). A loop that holds 10,000 clients must raise
 * it first. */
#ifndef EPOLL_LISTENER_H
#define EPOLL_LISTENER_H

#include <sys/socket.h>

/* Raises the soft RLIMIT_NOFILE to the hard limit. Returns 0, or -1 with
 * errno. */
int raise_fd_limit(void);

struct listener {
    int listen_fd; /* non-blocking; epoll's data.ptr for it is this struct */
    int spare_fd;  /* open on /dev/null, for the day accept fails: EMFILE */
};

/* Raises the descriptor limit, opens the spare descriptor and adds the
 * (already listening) listen_fd to the epoll set, level-triggered, with
 * data.ptr = listener. Reports its own errors; returns 0 or -1. */
int listener_watch(struct listener *listener, int epoll_fd);

/* Called for each accepted client: a non-blocking, close-on-exec fd. */
typedef void accept_handler(void *context, int fd, const struct sockaddr *addr,
                            socklen_t addr_len);

/* Accepts up to max waiting clients (the cap keeps a burst of newcomers
 * from starving the connected clients; the rest come on the next round).
 *
 * When the process is out of descriptors (EMFILE, ENFILE) the pending
 * connection would stay in the listen queue, and a level-triggered
 * listener would be reported ready again at once: the loop would spin at
 * 100% CPU doing nothing. So: close the spare descriptor, accept the
 * connection with the freed slot, close it (the client sees its
 * connection closed), reopen the spare, and log a line (the trick of
 * libev and nginx). */
void listener_accept(struct listener *listener, int max,
                     accept_handler *on_client, void *context);

/* Closes what listener_watch opened, and the listening socket. */
void listener_close(struct listener *listener);

#endif
