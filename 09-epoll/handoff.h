/* handoff.h - the epoll server's worker hand-off (server -w N): worker
 * threads that run the upper service's work for the loop, the C version
 * of the chapter's asyncio.to_thread.
 *
 * The loop hands over a job (who asked, and the bytes) and goes straight
 * back to epoll_wait. A worker takes it from the kit's bounded queue
 * (common/queue.h), sleeps the simulated work, transforms the bytes and
 * puts the finished job on the done list; then it writes to an eventfd
 * that the loop watches beside its sockets, so a finished job wakes the
 * loop exactly like a readable socket would. */
#ifndef EPOLL_HANDOFF_H
#define EPOLL_HANDOFF_H

#include "queue.h"

#include <pthread.h>
#include <stddef.h>

/* Jobs waiting for a worker: the bounded queue's size. */
#define WORK_QUEUE_CAP 1024
/* Finished jobs kept for reuse, so the steady state allocates nothing. */
#define SPARE_JOBS_MAX 256

struct job {
    struct job *next; /* in the done, waiting or spare list */
    void *owner;      /* the connection that asked: only the loop uses it */
    size_t len, cap;  /* bytes in data, and room */
    char *data;
};

struct worker_handoff {
    struct queue work; /* jobs for the workers (struct job *) */
    pthread_mutex_t done_lock;
    struct job *done; /* finished jobs, not yet collected by the loop */
    /* The rest is touched by the loop thread only (no lock needed). */
    struct job *waiting; /* jobs that found the queue full, oldest first */
    struct job *waiting_tail;
    struct job *spare; /* finished jobs to reuse */
    size_t spare_count;
    int wake_fd; /* the eventfd: readable when something is done */
    long delay_ms;
    pthread_t *threads;
    long worker_count;
};

/* Starts `workers` threads and opens wake_fd. Reports its own errors and
 * returns -1 (nothing left running). */
int start_handoff(struct worker_handoff *handoff, long workers, long delay_ms);

/* Copies len bytes into a job for owner and hands it to the workers.
 * Never blocks: when the queue is full the job waits in the loop's own
 * list and goes in as soon as room appears. Returns 0, or -1 (ENOMEM). */
int hand_to_worker(struct worker_handoff *handoff, void *owner,
                   const char *data, size_t len);

/* Called when wake_fd is readable: clears it and returns the finished jobs
 * (a list through ->next). Give each back with recycle_job. */
struct job *take_finished_jobs(struct worker_handoff *handoff);
void recycle_job(struct worker_handoff *handoff, struct job *job);

/* Stops and joins every worker (each finishes the job in its hands; the
 * jobs still queued are dropped), frees every job and closes wake_fd. */
void stop_handoff(struct worker_handoff *handoff);

/* The loop's side (server -w N). handoff_set_up starts the workers, adds
 * wake_fd to the loop's epoll set and sets struct server's two hooks, so
 * that evloop.c hands each chunk over and collects the replies; 0, or -1
 * (said; nothing left running). handoff_tear_down stops the workers before
 * evloop_tear_down frees the connections. */
struct server;
int handoff_set_up(struct server *server, long workers);
void handoff_tear_down(struct server *server);

#endif
