/* queue.h - the kit's bounded queue between threads (CS:APP's sbuf, in
 * the kit's style): a fixed ring of `void *` items, one mutex, two
 * condition variables.
 *
 * What it teaches: the producer/consumer pattern. A putter waits while
 * the ring is full (not_full), a taker while it is empty (not_empty); a
 * thread with nothing to do sleeps in pthread_cond_wait, it never spins.
 * The bound is the point: a fast producer is slowed to the consumers'
 * pace instead of growing memory without limit. Used by 02-thread's
 * prethreaded pool (connections), 07-udp-threadpool (requests and
 * replies) and 09-epoll's worker hand-off (jobs).
 *
 * Three details worth a look in queue.c:
 *   - the indices are size_t and wrap modulo the capacity: they never grow;
 *   - every wait is a `while`, never an `if`: a wake-up only says "look
 *     again" (another thread may have taken the item first, and POSIX
 *     allows spurious wake-ups);
 *   - a waiter is signalled AFTER the mutex is released: glibc does not
 *     move a woken thread onto the mutex's queue ("wait morphing"), so a
 *     taker woken while the putter still held the lock would wake only to
 *     sleep again on the mutex.
 *
 * Timed waits measure on CLOCK_MONOTONIC (pthread_condattr_setclock): a
 * change of the date cannot make a 100 ms wait last an hour.
 *
 * Shutdown: queue_close() wakes every waiter. From then on puts fail, and
 * takes return what is still queued, then fail: workers finish the queue
 * and leave (a caller that wants to discard the rest takes it first, with
 * queue_take_within(q, &item, 0)).
 *
 * Every function returns 0 or an error number (like the pthread calls):
 *   EPIPE      the queue is closed (for a take: closed AND empty);
 *   ETIMEDOUT  the _within variant's time ran out (0 ms: "not right now");
 *   ENOMEM, EINVAL, or a pthread error from queue_init.
 * Nothing here prints or exits: the caller decides. */
#ifndef KIT_QUEUE_H
#define KIT_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct queue {
    void **items;    /* the ring: capacity slots */
    size_t capacity; /* fixed at queue_init */
    size_t head;     /* the oldest item's slot */
    size_t count;    /* items in the ring */
    bool closed;     /* set once by queue_close */
    pthread_mutex_t lock;
    pthread_cond_t not_full;  /* a putter waits on this */
    pthread_cond_t not_empty; /* a taker waits on this */
};

/* An empty queue of capacity slots (capacity >= 1). */
int queue_init(struct queue *q, size_t capacity);
/* Frees the ring. No thread may use q any more; items still in it are
 * NOT freed (they are the caller's: take them first). */
void queue_destroy(struct queue *q);

/* Appends item, waiting while the queue is full. EPIPE: closed, the item
 * was not queued and still belongs to the caller. */
int queue_put(struct queue *q, void *item);
/* Removes the oldest item into *item, waiting while the queue is empty.
 * EPIPE: closed and empty, nothing more will come. */
int queue_take(struct queue *q, void **item);

/* The same, waiting at most timeout_ms (0: do not wait at all). ETIMEDOUT
 * when the time ran out: a thread that must also notice something a
 * condition variable cannot announce (a stop signal's flag) waits in
 * slices and looks between them. */
int queue_put_within(struct queue *q, void *item, long timeout_ms);
int queue_take_within(struct queue *q, void **item, long timeout_ms);

/* Wakes every waiter for good: later puts fail, takes drain then fail. */
void queue_close(struct queue *q);

#endif
