/* listener.h - the struct listener of both select() servers of this
 * folder (server.c and chat's chatserver.c): the listening socket and its
 * defence against running out of descriptors, which accepts without ever
 * handing select() a descriptor it cannot hold. (09-epoll's listener.h
 * has the same role with another defence: a spare descriptor.) The output
 * a client's socket could not take yet waits in a struct outbuf
 * (common/outbuf.h).
 *
 * These are the mechanics of a non-blocking server, kept here so that each
 * server reads as its loop. Read them: they are part of the lesson. */
#ifndef SELECT_LISTENER_H
#define SELECT_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/select.h>
#include <sys/types.h>

/* How long the listener stays out of the read set after accept() failed
 * for lack of descriptors (EMFILE/ENFILE), unless a client leaves first. */
#define OUT_OF_FDS_PAUSE_S 1.0

struct listener {
    int fd;
    bool out_of_fds; /* accept() failed with EMFILE/ENFILE, not since won */
    double retry_at; /* now_seconds() when to try accept() again */
};

/* listen_or_report on port, made non-blocking (a client that resets between
 * select() and accept() must not leave accept() blocked), then announces
 * the port. Returns 0, or -1 after printing why. */
int listener_open(struct listener *listener, long port);

/* Whether the listener belongs in this pass's read set (false for a
 * moment after running out of descriptors). */
bool listener_watched(const struct listener *listener);

/* A descriptor was closed: accept() may succeed again. */
void listener_fd_freed(struct listener *listener);

/* Accepts the next waiting connection that select() can watch: returns its
 * descriptor (non-blocking) and writes "HOST:PORT" into peer (PEER_NAME_MAX
 * bytes), or -1 when nobody is waiting any more. A connection whose
 * descriptor is >= FD_SETSIZE is closed at once with a line on stderr and
 * the next one is tried. */
int accept_client(struct listener *listener, char *peer);

#endif
