/* loop.h - the upper server's completion loop (loop.c), the requests it
 * submits (requests.c) and the state it keeps per connection. */
#ifndef URING_LOOP_H
#define URING_LOOP_H

#include "net.h"
#include "ring.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Submission slots: how many requests one io_uring_enter can carry. A
 * round that queues more submits the full batch early (requests.c). */
#define SQ_ENTRIES 256
/* Completion slots. Every connection has one request in flight, so many
 * more may complete at once than are submitted in one batch; a full CQ is
 * not lost (the kernel keeps the overflow and says EBUSY), only slower. */
#define CQ_ENTRIES 4096
/* Each connection's buffer: one read's worth, the unit of work. A buffer
 * per connection is what a completion model costs: it is the kernel's
 * while the read is in flight, so an idle client holds it too; 10,000
 * idle clients hold 40 MiB. (09's readiness loop reads into one shared
 * buffer only when data is there.) */
#define CONN_BUFFER_SIZE 4096
/* A client whose reply has not moved for this long is not reading: its
 * write is cancelled and the client dropped (a client that never reads
 * would hold its descriptor and buffer for ever otherwise). */
#define STALL_TIMEOUT_S 5.0
/* io_uring_enter returns at least this often, to look for stalled writes. */
#define TICK_MS 1000

/* What a request was, kept in the low bits of its user_data (a struct
 * conn is aligned to at least 8, so its address leaves them free). */
enum request_kind {
    REQ_ACCEPT = 1, /* the listening socket's one accept */
    REQ_PAUSE,      /* a timer: accept again after a failure */
    REQ_READ,       /* a connection's recv */
    REQ_WRITE,      /* a connection's send */
    REQ_CANCEL,     /* a cancellation of another request */
    REQ_STOP        /* a poll of the stop descriptor: Ctrl-C is a completion */
};
#define REQUEST_KIND_MASK 7u

struct conn {
    int fd;
    unsigned long long pending; /* user_data of its request in flight, or 0 */
    bool closing;               /* dropped: closed once nothing is in flight */
    size_t reply_len, reply_sent; /* the reply being written from buf */
    double last_progress;         /* when the reply last moved */
    struct conn *prev, *next;     /* in the server's list */
    char peer[PEER_NAME_MAX];
    /* The kernel's from a request's submission to its completion: we read
     * it only after the read completed, and write into it only after the
     * send completed. */
    char buf[CONN_BUFFER_SIZE];
};

struct server {
    struct ring ring;
    int listen_fd;
    long delay_ms;
    bool quiet, stopping;
    bool stop_seen;      /* the stop descriptor's poll completed */
    unsigned in_flight;  /* requests submitted and not yet completed */
    bool accept_pending; /* the accept (or the pause before it) is out */
    unsigned long long accept_request; /* its user_data, for cancelling */
    /* The accept's peer address: the kernel's until it completes. */
    struct sockaddr_storage peer_addr;
    socklen_t peer_len;
    /* The pause's length: read by the kernel when it takes the request,
     * at the next io_uring_enter, so it must outlive submit_...(). */
    struct __kernel_timespec pause;
    struct conn *conns;
    double next_stall_check;
};

/* Opens the ring (its error, with the cause, reported). Returns 0 or -1. */
int loop_set_up(struct server *server);

/* The completion loop, until SIGINT/SIGTERM. Returns the exit status. */
int loop_run(struct server *server);

/* Cancels every request in flight, waits for their completions, closes
 * every connection and the ring. */
void loop_shut_down(struct server *server);

#endif
