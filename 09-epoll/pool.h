/* pool.h - worker threads that run the upper service's work for an event
 * loop: the C version of the chapter's asyncio.to_thread.
 *
 * The loop hands over a job (who asked, and the bytes) and goes straight
 * back to epoll_wait. A worker sleeps the simulated work, transforms the
 * bytes and puts the finished job on a second list, the done list; then it
 * writes to an eventfd that the loop watches beside its sockets, so a
 * finished job wakes the loop exactly like a readable socket would. */
#ifndef EPOLL_POOL_H
#define EPOLL_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Jobs waiting for a worker (the bounded queue) and the most workers -w
 * may ask for. */
#define WORK_QUEUE_CAP 1024
/* Finished jobs kept for reuse, so the steady state allocates nothing. */
#define SPARE_JOBS_MAX 256

struct job {
    struct job *next; /* in the done, waiting or spare list */
    void *owner;      /* the connection that asked: only the loop uses it */
    size_t len, cap;  /* bytes in data, and room */
    char *data;
};

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work_ready; /* the queue got a job, or the pool stops */
    struct job *queue[WORK_QUEUE_CAP]; /* ring: head + count, indices wrap */
    size_t queue_head, queue_count;
    struct job *done; /* finished jobs, not yet collected by the loop */
    bool stopping;    /* workers leave when they see it */
    /* The rest is touched by the loop thread only (no lock needed). */
    struct job *waiting; /* jobs that found the queue full, oldest first */
    struct job *waiting_tail;
    struct job *spare; /* finished jobs to reuse */
    size_t spare_count;
    int wake_fd; /* the eventfd: readable when something is done */
    long delay_ms;
    pthread_t *threads;
    long thread_count;
};

/* Starts `workers` threads with SIGINT/SIGTERM blocked (only the loop
 * thread must see them) and opens pool->wake_fd. Reports its own errors
 * and returns -1 (nothing left running). */
int pool_start(struct pool *pool, long workers, long delay_ms);

/* A job with room for len bytes (reused when possible), or NULL. */
struct job *pool_job(struct pool *pool, size_t len);

/* Hands a job to the workers. Never blocks: when the queue is full the job
 * waits in the loop's own list and goes in as soon as room appears. */
void pool_submit(struct pool *pool, struct job *job);

/* Called when wake_fd is readable: clears it and returns the finished jobs
 * (a list through ->next). Give each back with pool_recycle. */
struct job *pool_take_done(struct pool *pool);
void pool_recycle(struct pool *pool, struct job *job);

/* Stops and joins every worker (each finishes the job in its hands), then
 * frees every job the pool still holds and closes wake_fd. */
void pool_stop(struct pool *pool);

#endif
