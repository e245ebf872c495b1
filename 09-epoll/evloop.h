/* evloop.h - the upper server's epoll loop (evloop.c) and the state it
 * keeps per connection. server.c picks the model: the work in the loop
 * (-w 0, evloop.c alone) or handed to worker threads (-w N, handoff.c).
 */
#ifndef EPOLL_EVLOOP_H
#define EPOLL_EVLOOP_H

#include "handoff.h"
#include "listener.h"
#include "net.h"
#include "outbuf.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Back-pressure: at this much unsent output the loop stops reading from
 * that client: a client that sends and never reads cannot make the server
 * buffer without end. One read adds at most CHUNK_SIZE, hence the cap. */
#define OUTPUT_HIGH_WATER ((size_t)256 * 1024)
#define OUTPUT_CAP        (OUTPUT_HIGH_WATER + CHUNK_SIZE)
/* A client whose unsent output has not moved for this long is not
 * reading: drop it, and free its descriptor and its buffer (a client that
 * never reads would hold both for ever otherwise). */
#define STALL_TIMEOUT_S 5.0

struct conn {
    int fd;                   /* -1 once retired */
    uint32_t events;          /* what epoll watches for it now */
    bool peer_closed;         /* read() gave 0: flush what is left, close */
    bool job_in_flight;       /* a worker has its bytes (-w N) */
    struct outbuf out;        /* replies the socket could not take yet */
    struct conn *prev, *next; /* in the server's open or retired list */
    char peer[PEER_NAME_MAX];
};

struct server {
    int epoll_fd;
    struct listener listener;
    long delay_ms, worker_count;
    bool quiet, edge;
    /* The model: NULL hooks run the work in the loop (-w 0). handoff.c's
     * sets them (-w N): hand_off takes a chunk read from conn, on_ready
     * runs when the event whose data.ptr is the server itself is ready. */
    int (*hand_off)(struct server *server, struct conn *conn, size_t len);
    void (*on_ready)(struct server *server);
    struct worker_handoff handoff; /* only with -w N */
    struct conn *open;             /* connections being served */
    struct conn *retired;          /* closed, freed at the end of the round */
    double next_stall_check;       /* now_seconds() of the next scan */
    char chunk[CHUNK_SIZE];
};

/* Opens the epoll set and watches the stop descriptor and the listener
 * (whose listen_fd is open). Returns 0 or -1 (said). */
int evloop_set_up(struct server *server);

/* The event loop, until SIGINT/SIGTERM. Returns the exit status. */
int evloop_run(struct server *server);

/* Closes every connection and what set_up opened (after
 * handoff_tear_down with -w N). */
void evloop_tear_down(struct server *server);

#endif
