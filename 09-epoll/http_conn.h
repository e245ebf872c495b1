/* http_conn.h - one client connection of 09-epoll/httpd: what it has
 * read, the replies it owes, and the deadline it is held to.
 *
 * What it teaches: the protocol side of an event loop. httpd.c owns the
 * loop (epoll, accept, timers); this file is called with one connection
 * whose socket is ready, does what it can without blocking, and says
 * whether the connection must go. Each connection has two fixed buffers,
 * allocated once with it: no allocation per request.
 *
 * What to look for: every way a client can hold the connection without
 * doing its part has a deadline (struct http_timeouts): a silent or
 * dribbling client that never completes a head, an idle keep-alive
 * connection, a body or a reply that stops moving, a client that never
 * closes after the last reply. Without them a few hundred silent
 * connections take every descriptor and new clients are refused. */
#ifndef EPOLL_HTTP_CONN_H
#define EPOLL_HTTP_CONN_H

#include "http.h"
#include "http_body.h"
#include "http_deadline.h"
#include "http_reply.h"
#include "net.h"

#include <stdint.h>

/* Replies waiting to be written, per connection: room for dozens of
 * pipelined replies; when it is full, parsing stops until it drains. */
#define OUT_MAX 4096
/* Whatever one head queues fits in an empty buffer, or nothing is ever
 * answered. */
_Static_assert(OUT_MAX >= HTTP_HEAD_REPLIES_MAX,
               "OUT_MAX must hold the replies of one request head");
/* After the last reply, bytes of the client's we read and drop before we
 * stop waiting for its end of file and close anyway. */
#define LINGER_MAX 65536

struct conn {
    int fd;
    uint32_t events; /* what epoll watches for it now */
    bool closing;    /* the last reply is queued: then shut down */
    bool lingering;  /* shut down: drop input until the client closes */
    bool answered;   /* a request was answered: silence is keep-alive */
    enum conn_wait wait;
    double deadline;       /* now_seconds() after which it is dropped */
    struct http_body body; /* the body being skipped, if any */
    const struct http_reply *after_body; /* queued once the body ends */
    size_t in_len;   /* bytes of the next request(s) in in[] */
    size_t lingered; /* bytes dropped while lingering */
    size_t out_len, out_sent;
    struct conn *prev, *next; /* every connection, for timeouts and exit */
    char peer[PEER_NAME_MAX];
    char in[HTTP_HEAD_MAX];
    char out[OUT_MAX];
};

/* The socket is readable: read, answer what is complete, write. Returns
 * -1 when the connection must be closed (end of file, error, linger
 * done). */
int http_conn_read(struct conn *conn, const struct http_replies *replies);

/* The socket is writable again: write the rest, then answer requests that
 * were waiting for room. Returns -1 when the connection must be closed. */
int http_conn_write(struct conn *conn, const struct http_replies *replies);

/* True while replies wait to be written. */
bool http_conn_output_waits(const struct conn *conn);

/* Makes epoll watch conn for EPOLLIN, or for EPOLLOUT while replies wait
 * (a client that does not read its replies gets no more parsing:
 * back-pressure with fixed buffers). In the steady state this never
 * changes, so the loop makes no epoll_ctl call per request. Returns 0, or
 * -1 with errno. */
int http_conn_watch(struct conn *conn, int epoll_fd);

/* A new connection on fd, added at the head of *list; NULL when out of
 * memory (fd is left open). */
struct conn *http_conn_new(int fd, const struct sockaddr *addr,
                           socklen_t addr_len, struct conn **list);

/* Takes conn out of *list, closes its socket, frees it. */
void http_conn_free(struct conn *conn, struct conn **list);

#endif
