/* conn.h - what both select() servers of this folder (server.c and chat.c)
 * need around their loop: a listening socket that accepts without ever
 * handing select() a descriptor it cannot hold, and a per-client buffer of
 * output that the socket could not take yet.
 *
 * These are the mechanics of a non-blocking server, kept here so that each
 * server.c reads as its loop. Read them: they are part of the lesson. */
#ifndef SELECT_CONN_H
#define SELECT_CONN_H

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

/* A queue of bytes: the bytes from start to end are pending. The servers
 * keep in one the output a client's socket could not take yet, waiting
 * for select() to say it is writable; the clients also use it for input
 * that is not a whole line or a whole reply yet. */
struct buffer {
    char *data;
    size_t start, end, size;
};

/* Bytes pending, and where they begin. */
size_t buffer_pending(const struct buffer *buf);
char *buffer_head(const struct buffer *buf);

/* Appends len bytes; fails with ENOBUFS (and appends nothing) when the
 * pending bytes would exceed limit, or ENOMEM. Returns 0 or -1. */
int buffer_append(struct buffer *buf, const void *bytes, size_t len,
                  size_t limit);

/* Forgets the first len pending bytes (len <= buffer_pending). */
void buffer_consume(struct buffer *buf, size_t len);

/* Writes as many pending bytes as the non-blocking fd takes now. Returns
 * the bytes written (0 when the socket is full), or -1 with errno when the
 * peer is gone (EPIPE, ECONNRESET...). */
ssize_t buffer_flush(int fd, struct buffer *buf);

/* One read() of at most max bytes appended to the buffer: the count (> 0),
 * 0 at end of file, or -1 with errno (EAGAIN: nothing there after all). */
ssize_t buffer_read(int fd, struct buffer *buf, size_t max);

void buffer_free(struct buffer *buf);

#endif
