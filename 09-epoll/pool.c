/* pool.c - the worker threads behind the epoll loop (see pool.h).
 *
 * Linux-only call: eventfd (declared by <sys/eventfd.h> without
 * _GNU_SOURCE). A pipe would do the same job with two descriptors. */
#include "pool.h"

#include "upper.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void free_list(struct job *job)
{
    while (job != NULL) {
        struct job *next = job->next;
        free(job->data);
        free(job);
        job = next;
    }
}

/* Takes the oldest job, or NULL when the pool is stopping. */
static struct job *take_work(struct pool *pool)
{
    struct job *job = NULL;

    pthread_mutex_lock(&pool->lock);
    while (pool->queue_count == 0 && !pool->stopping)
        pthread_cond_wait(&pool->work_ready, &pool->lock);
    if (!pool->stopping) {
        job = pool->queue[pool->queue_head];
        pool->queue_head = (pool->queue_head + 1) % WORK_QUEUE_CAP;
        pool->queue_count--;
    }
    pthread_mutex_unlock(&pool->lock);
    return job;
}

/* Puts a finished job on the done list and wakes the loop. Only the push
 * that finds the list empty writes to the eventfd: until the loop takes
 * the list, one wake-up covers every job added after it. */
static void hand_back(struct pool *pool, struct job *job)
{
    const uint64_t one = 1;
    bool was_empty;

    pthread_mutex_lock(&pool->lock);
    was_empty = pool->done == NULL;
    job->next = pool->done;
    pool->done = job;
    pthread_mutex_unlock(&pool->lock);
    /* An eventfd is a counter: write adds, read returns it and resets it.
     * It cannot be full in practice (2^64 - 2), so the write cannot fail
     * but on a bad descriptor, which would be a bug. */
    if (was_empty && write(pool->wake_fd, &one, sizeof one) != sizeof one)
        report_errno("write eventfd");
}

/* A worker: the slow part of each request, away from the loop. */
static void *worker(void *arg)
{
    struct pool *pool = arg;
    struct job *job;

    while ((job = take_work(pool)) != NULL) {
        simulate_work(pool->delay_ms);
        upper_transform(job->data, job->len);
        hand_back(pool, job);
    }
    return NULL;
}

static int start_threads(struct pool *pool, long workers)
{
    sigset_t stop_signals, previous;
    int rc;

    /* Threads inherit the signal mask of their creator: block SIGINT and
     * SIGTERM while creating them, so that the signal always interrupts
     * the loop thread's epoll_wait and never lands in a worker. */
    stop_signal_set(&stop_signals);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    for (rc = 0; pool->thread_count < workers; pool->thread_count++) {
        rc = pthread_create(&pool->threads[pool->thread_count], NULL, worker,
                            pool);
        if (rc != 0)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        report_error("pthread_create", strerror(rc));
        return -1;
    }
    return 0;
}

int pool_start(struct pool *pool, long workers, long delay_ms)
{
    memset(pool, 0, sizeof *pool);
    pool->wake_fd = -1;
    pool->delay_ms = delay_ms;
    pool->threads = calloc((size_t)workers, sizeof *pool->threads);
    if (pool->threads == NULL) {
        report_errno("calloc");
        return -1;
    }
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work_ready, NULL);
    /* Non-blocking: the loop reads it only when epoll says it is ready. */
    pool->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (pool->wake_fd < 0) {
        report_errno("eventfd");
        pool_stop(pool);
        return -1;
    }
    if (start_threads(pool, workers) != 0) {
        pool_stop(pool);
        return -1;
    }
    return 0;
}

struct job *pool_job(struct pool *pool, size_t len)
{
    struct job *job = pool->spare;

    if (job != NULL) {
        pool->spare = job->next;
        pool->spare_count--;
    } else if ((job = calloc(1, sizeof *job)) == NULL) {
        return NULL;
    }
    if (job->cap < len) {
        char *grown = realloc(job->data, len);
        if (grown == NULL) {
            free(job->data);
            free(job);
            return NULL;
        }
        job->data = grown;
        job->cap = len;
    }
    job->len = len;
    job->next = NULL;
    return job;
}

/* Moves waiting jobs into the queue while it has room. Loop thread only. */
static void refill_queue(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->waiting != NULL && pool->queue_count < WORK_QUEUE_CAP) {
        struct job *job = pool->waiting;
        pool->waiting = job->next;
        pool->queue[(pool->queue_head + pool->queue_count) % WORK_QUEUE_CAP] =
            job;
        pool->queue_count++;
        pthread_cond_signal(&pool->work_ready);
    }
    if (pool->waiting == NULL)
        pool->waiting_tail = NULL;
    pthread_mutex_unlock(&pool->lock);
}

void pool_submit(struct pool *pool, struct job *job)
{
    /* A classic bounded buffer has a second condition variable, "not
     * full", on which the producer sleeps. Our producer is the event loop,
     * which must never sleep on anything but epoll_wait: a job that finds
     * the queue full waits in the loop's own list instead. That list stays
     * bounded because a connection has at most one job at a time. */
    job->next = NULL;
    if (pool->waiting_tail != NULL)
        pool->waiting_tail->next = job;
    else
        pool->waiting = job;
    pool->waiting_tail = job;
    refill_queue(pool);
}

struct job *pool_take_done(struct pool *pool)
{
    uint64_t count;
    struct job *done;

    /* Reset the counter first, then take the list: a job handed back after
     * the read writes the eventfd again, so it cannot be missed. */
    if (read(pool->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
        report_errno("read eventfd");
    pthread_mutex_lock(&pool->lock);
    done = pool->done;
    pool->done = NULL;
    pthread_mutex_unlock(&pool->lock);
    refill_queue(pool); /* the workers freed places in the queue */
    return done;
}

void pool_recycle(struct pool *pool, struct job *job)
{
    if (pool->spare_count >= SPARE_JOBS_MAX) {
        job->next = NULL;
        free_list(job);
        return;
    }
    job->next = pool->spare;
    pool->spare = job;
    pool->spare_count++;
}

void pool_stop(struct pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->work_ready);
    pthread_mutex_unlock(&pool->lock);
    for (long i = 0; i < pool->thread_count; i++) {
        int rc = pthread_join(pool->threads[i], NULL);
        if (rc != 0)
            report_error("pthread_join", strerror(rc));
    }
    /* Every worker is gone: nothing else touches the lists now. */
    for (size_t i = 0; i < pool->queue_count; i++) {
        struct job *job = pool->queue[(pool->queue_head + i) % WORK_QUEUE_CAP];
        job->next = NULL;
        free_list(job);
    }
    free_list(pool->done);
    free_list(pool->waiting);
    free_list(pool->spare);
    pthread_cond_destroy(&pool->work_ready);
    pthread_mutex_destroy(&pool->lock);
    if (pool->wake_fd >= 0)
        close(pool->wake_fd);
    free(pool->threads);
    memset(pool, 0, sizeof *pool);
    pool->wake_fd = -1;
}
