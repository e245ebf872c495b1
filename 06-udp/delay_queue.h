/* delay_queue.h - datagrams waiting for their time to leave, ordered by
 * the time each is due: the mechanism under relay.c, kept apart so that
 * relay.c reads as the lesson (what a bad link does) and this as the tool
 * (a timer queue: a binary heap, as a server with many timers keeps). */
#ifndef UDP_DELAY_QUEUE_H
#define UDP_DELAY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

/* Independent streams (the relay's two directions): a datagram held back
 * waits for the next one of its own lane. */
#define DELAY_QUEUE_LANES 2
/* A held datagram leaves at the latest this long after it was due, when
 * no other datagram of its lane came to overtake it. */
#define DELAY_QUEUE_HOLD_S 0.5

struct pending {
    double due;          /* now_seconds() time */
    unsigned long order; /* equal dues leave in this order */
    size_t slot;         /* its index in the heap */
    int lane;
    void *owner; /* the caller's, e.g. the relay's flow */
    size_t len;
    char data[]; /* len bytes */
};

struct delay_queue {
    struct pending **heap; /* heap[0] is due first; NULL until the first */
    size_t count, capacity;
    size_t bytes; /* the data of all count datagrams: the caller caps it */
    unsigned long next_order;
    struct pending *held[DELAY_QUEUE_LANES]; /* or NULL */
};

/* Queues a copy of data (len bytes) to leave at `due`; equal dues leave in
 * the order queued. When hold is true it waits until the next datagram of
 * its lane is queued and leaves right after that one (at the latest
 * DELAY_QUEUE_HOLD_S after due). O(log count). Returns 0, or -1 (out of
 * memory). The queue has no cap of its own: count and bytes are there for
 * the caller to check first. */
int delay_queue_add(struct delay_queue *queue, int lane, void *owner,
                    const void *data, size_t len, double due, bool hold);

/* The head if it is due at `now` (taken out of the queue: the caller frees
 * it), else NULL. O(log count). */
struct pending *delay_queue_pop_due(struct delay_queue *queue, double now);

/* Milliseconds until the head is due (0 if it is), at most max_ms: a
 * poll() timeout. */
int delay_queue_wait_ms(const struct delay_queue *queue, double now,
                        int max_ms);

/* Frees every datagram still waiting, and the heap; returns how many
 * datagrams there were. */
size_t delay_queue_clear(struct delay_queue *queue);

#endif
