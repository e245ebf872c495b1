/* queue.c - the bounded queue of queue.h: a ring, one mutex, two
 * condition variables. Read put() and take() side by side: they are
 * mirror images (wait on one condition, change the ring, signal the
 * other). */
#include "queue.h"

#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

/* The lock and unlock calls below are not checked: on a default mutex of
 * our own, held only inside these functions, they cannot fail (POSIX lists
 * no error for that case but a deadlock we never create). */

/* Timed waits on the clock that never jumps (queue.h). Teaching shortcut:
 * when a step fails (only for want of memory) the ring is freed, but the
 * attribute, mutex or condition made before it are not destroyed. */
int queue_init(struct queue *q, size_t capacity)
{
    pthread_condattr_t attr;
    int rc;

    if (capacity == 0)
        return EINVAL;
    if ((q->items = calloc(capacity, sizeof *q->items)) == NULL)
        return ENOMEM;
    q->capacity = capacity;
    q->head = q->count = 0;
    q->closed = false;
    if ((rc = pthread_condattr_init(&attr)) != 0 ||
        (rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) != 0 ||
        (rc = pthread_mutex_init(&q->lock, NULL)) != 0 ||
        (rc = pthread_cond_init(&q->not_full, &attr)) != 0 ||
        (rc = pthread_cond_init(&q->not_empty, &attr)) != 0) {
        free(q->items);
        q->items = NULL;
        return rc;
    }
    pthread_condattr_destroy(&attr);
    return 0;
}

void queue_destroy(struct queue *q)
{
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->lock);
    free(q->items);
    q->items = NULL;
}

/* Waits on cond (the lock held) while the ring is full (for a put) or
 * empty (for a take) and the queue is open. deadline NULL: no limit.
 * Returns 0 when the caller may go on (it must still look at `closed`),
 * ETIMEDOUT when the deadline passed first. */
static int wait_while(struct queue *q, pthread_cond_t *cond, bool for_put,
                      const struct timespec *deadline)
{
    while (!q->closed && (for_put ? q->count == q->capacity : q->count == 0)) {
        int rc = deadline == NULL
                     ? pthread_cond_wait(cond, &q->lock)
                     : pthread_cond_timedwait(cond, &q->lock, deadline);
        if (rc == ETIMEDOUT)
            return ETIMEDOUT;
    }
    return 0;
}

static int put(struct queue *q, void *item, const struct timespec *deadline)
{
    int rc;

    pthread_mutex_lock(&q->lock);
    rc = wait_while(q, &q->not_full, true, deadline);
    if (rc == 0 && q->closed)
        rc = EPIPE;
    if (rc == 0) {
        q->items[(q->head + q->count) % q->capacity] = item;
        q->count++;
    }
    pthread_mutex_unlock(&q->lock);
    /* After unlocking: the woken taker can take the mutex at once. */
    if (rc == 0)
        pthread_cond_signal(&q->not_empty);
    return rc;
}

static int take(struct queue *q, void **item, const struct timespec *deadline)
{
    int rc;

    pthread_mutex_lock(&q->lock);
    rc = wait_while(q, &q->not_empty, false, deadline);
    /* Closed but not empty: hand out what is left (a drain). */
    if (rc == 0 && q->count == 0)
        rc = EPIPE;
    if (rc == 0) {
        *item = q->items[q->head];
        q->head = (q->head + 1) % q->capacity;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    if (rc == 0)
        pthread_cond_signal(&q->not_full);
    return rc;
}

int queue_put(struct queue *q, void *item)
{
    return put(q, item, NULL);
}

int queue_take(struct queue *q, void **item)
{
    return take(q, item, NULL);
}

int queue_put_within(struct queue *q, void *item, long timeout_ms)
{
    struct timespec deadline = monotonic_deadline(timeout_ms);

    return put(q, item, &deadline);
}

int queue_take_within(struct queue *q, void **item, long timeout_ms)
{
    struct timespec deadline = monotonic_deadline(timeout_ms);

    return take(q, item, &deadline);
}

/* Broadcast, not signal: EVERY waiter must see `closed` and leave. */
void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_mutex_unlock(&q->lock);
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
}
