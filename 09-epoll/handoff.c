/* handoff.c - the worker hand-off behind the epoll loop (server -w N; see
 * handoff.h).
 *
 * What it teaches: how an event loop that must never block still gets
 * blocking work done. The loop is the producer of a bounded queue and the
 * workers its consumers; the way back is a list under a mutex plus an
 * eventfd, because the loop sleeps in epoll_wait, never on a condition
 * variable. Everything the loop alone touches needs no lock.
 *
 * Run:   ./09-epoll/server -d 100 -w 10 2000
 *        ./09-epoll/client -n 10 localhost 2000   (another terminal)
 * Look:  8 x D seconds instead of N x 8 x D: the loop stays free while the
 *        workers sleep.
 *
 * Linux-only call: eventfd (declared by <sys/eventfd.h> without
 * _GNU_SOURCE). A pipe would do the same job with two descriptors. */
#include "handoff.h"

#include "upper.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void free_jobs(struct job *job)
{
    while (job != NULL) {
        struct job *next = job->next;
        free(job->data);
        free(job);
        job = next;
    }
}

/* Puts a finished job on the done list and wakes the loop. Only the push
 * that finds the list empty writes to the eventfd: until the loop takes
 * the list, one wake-up covers every job added after it. */
static void hand_back(struct worker_handoff *handoff, struct job *job)
{
    const uint64_t one = 1;
    bool was_empty;

    pthread_mutex_lock(&handoff->done_lock);
    was_empty = handoff->done == NULL;
    job->next = handoff->done;
    handoff->done = job;
    pthread_mutex_unlock(&handoff->done_lock);
    /* An eventfd is a counter: write adds, read returns it and resets it.
     * It cannot be full in practice (2^64 - 2), so the write cannot fail
     * but on a bad descriptor, which would be a bug. */
    if (was_empty && write(handoff->wake_fd, &one, sizeof one) != sizeof one)
        report_errno("write eventfd");
}

/* A worker: the slow part of each request, away from the loop, until the
 * queue is closed (and drained). */
static void *worker_main(void *arg)
{
    struct worker_handoff *handoff = arg;
    void *item;

    while (queue_take(&handoff->work, &item) == 0) {
        struct job *job = item;
        simulate_work(handoff->delay_ms);
        upper_transform(job->data, job->len);
        hand_back(handoff, job);
    }
    return NULL;
}

static int start_workers(struct worker_handoff *handoff, long workers)
{
    sigset_t stop_signals, previous;
    int rc = 0;

    /* Threads inherit the signal mask of their creator: block the stop
     * signals while creating them, so that a signal always interrupts
     * the loop thread's epoll_wait and never lands in a worker. */
    stop_signal_set(&stop_signals);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
    while (handoff->worker_count < workers && rc == 0) {
        rc = pthread_create(&handoff->threads[handoff->worker_count], NULL,
                            worker_main, handoff);
        if (rc == 0)
            handoff->worker_count++;
    }
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (rc != 0) {
        report_error("pthread_create", strerror(rc));
        return -1;
    }
    return 0;
}

/* Closes the queue, drops what is still queued (a worker finishes only
 * the job in its hands: shutdown takes one delay, not the whole queue's),
 * and joins the workers. */
static void stop_workers(struct worker_handoff *handoff)
{
    void *item;

    queue_close(&handoff->work);
    while (queue_take_within(&handoff->work, &item, 0) == 0)
        free_jobs(item);
    for (long i = 0; i < handoff->worker_count; i++) {
        int rc = pthread_join(handoff->threads[i], NULL);
        if (rc != 0)
            report_error("pthread_join", strerror(rc));
    }
    handoff->worker_count = 0;
}

int start_handoff(struct worker_handoff *handoff, long workers, long delay_ms)
{
    int rc;

    memset(handoff, 0, sizeof *handoff);
    handoff->wake_fd = -1;
    handoff->delay_ms = delay_ms;
    if ((rc = queue_init(&handoff->work, WORK_QUEUE_CAP)) != 0) {
        report_error("queue_init", strerror(rc));
        return -1;
    }
    pthread_mutex_init(&handoff->done_lock, NULL);
    /* Non-blocking: the loop reads it only when epoll says it is ready. */
    handoff->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    handoff->threads = calloc((size_t)workers, sizeof *handoff->threads);
    if (handoff->wake_fd < 0 || handoff->threads == NULL) {
        report_errno(handoff->wake_fd < 0 ? "eventfd" : "calloc");
        stop_handoff(handoff);
        return -1;
    }
    if (start_workers(handoff, workers) != 0) {
        stop_handoff(handoff);
        return -1;
    }
    return 0;
}

/* A job with room for len bytes (a spare one when possible), or NULL. */
static struct job *new_job(struct worker_handoff *handoff, size_t len)
{
    struct job *job = handoff->spare;

    if (job != NULL) {
        handoff->spare = job->next;
        handoff->spare_count--;
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

/* Moves waiting jobs into the queue while it has room, without waiting
 * (a put "within 0 ms"): the loop must never sleep but in epoll_wait. */
static void refill_queue(struct worker_handoff *handoff)
{
    while (handoff->waiting != NULL) {
        struct job *job = handoff->waiting, *next = job->next;
        job->next = NULL; /* once queued, the job is a worker's to link */
        if (queue_put_within(&handoff->work, job, 0) != 0) {
            job->next = next; /* full (ETIMEDOUT): it keeps waiting */
            break;
        }
        handoff->waiting = next;
    }
    if (handoff->waiting == NULL)
        handoff->waiting_tail = NULL;
}

int hand_to_worker(struct worker_handoff *handoff, void *owner,
                   const char *data, size_t len)
{
    struct job *job = new_job(handoff, len);

    if (job == NULL)
        return -1;
    if (len > 0) /* memcpy wants real pointers, even for 0 bytes */
        memcpy(job->data, data, len);
    job->owner = owner;
    /* A job that finds the queue full waits in the loop's own list. That
     * list stays bounded because a connection has one job at a time. */
    if (handoff->waiting_tail != NULL)
        handoff->waiting_tail->next = job;
    else
        handoff->waiting = job;
    handoff->waiting_tail = job;
    refill_queue(handoff);
    return 0;
}

struct job *take_finished_jobs(struct worker_handoff *handoff)
{
    uint64_t count;
    struct job *done;

    /* Reset the counter first, then take the list: a job handed back after
     * the read writes the eventfd again, so it cannot be missed. */
    if (read(handoff->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
        report_errno("read eventfd");
    pthread_mutex_lock(&handoff->done_lock);
    done = handoff->done;
    handoff->done = NULL;
    pthread_mutex_unlock(&handoff->done_lock);
    refill_queue(handoff); /* the workers freed places in the queue */
    return done;
}

void recycle_job(struct worker_handoff *handoff, struct job *job)
{
    if (handoff->spare_count >= SPARE_JOBS_MAX) {
        job->next = NULL;
        free_jobs(job);
        return;
    }
    job->next = handoff->spare;
    handoff->spare = job;
    handoff->spare_count++;
}

void stop_handoff(struct worker_handoff *handoff)
{
    stop_workers(handoff);
    /* Every worker is gone: nothing else touches the lists now. */
    free_jobs(handoff->done);
    free_jobs(handoff->waiting);
    free_jobs(handoff->spare);
    queue_destroy(&handoff->work);
    pthread_mutex_destroy(&handoff->done_lock);
    if (handoff->wake_fd >= 0)
        close(handoff->wake_fd);
    free(handoff->threads);
    memset(handoff, 0, sizeof *handoff);
    handoff->wake_fd = -1;
}
