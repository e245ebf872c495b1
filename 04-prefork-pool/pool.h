/* pool.h - the process pool of 04-prefork-pool: N workers forked at
 * start-up, each with a channel to the parent, and the connections that
 * wait in the parent for an idle worker. */
#ifndef POOL_H
#define POOL_H

#include "net.h"
#include "options.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Accepted connections waiting for an idle worker. At the cap the parent
 * stops accepting: further clients wait in the kernel's listen queue
 * instead, still not refused. The cap also bounds the parent's descriptors. */
#define PENDING_MAX 128

struct worker {
    pid_t pid;      /* 0: no worker in this slot (a fork failed; retried) */
    int channel_fd; /* the parent's end of the socketpair, -1 when none */
    bool idle;      /* nothing handed to it since it last said it was idle */
};

/* Accepted connections, oldest first: a ring of PENDING_MAX slots whose
 * head index wraps, like CS:APP's sbuf. */
struct pending_queue {
    int fds[PENDING_MAX];
    char peers[PENDING_MAX][PEER_NAME_MAX];
    size_t head, count;
};

struct process_pool {
    const struct server_args *args;
    int listen_fd;
    pid_t parent_pid;
    long worker_count;
    long next_worker; /* the search for an idle worker starts here */
    struct worker workers[MAX_WORKERS];
    struct pending_queue pending;
};

void init_pool(struct process_pool *pool, const struct server_args *args,
               int listen_fd, long worker_count);

/* Forks a worker for every empty slot: all of them at start-up, then the
 * replacement of each worker that died. Returns how many slots stay empty
 * (each failed fork is reported; the caller retries later). */
long start_workers(struct process_pool *pool);

/* The worker's channel is readable: the worker is idle again, or it died
 * (reaped, logged, its slot emptied for start_workers). */
void read_worker_channel(struct process_pool *pool, long slot);

/* An idle worker, round robin; -1 when all are busy. */
long find_idle_worker(struct process_pool *pool);

/* Shutdown: closes the queued connections unserved, stops every worker
 * and reaps it; one still busy after a delay plus SHUTDOWN_GRACE_MS is
 * killed, and the parent says so. */
void stop_workers(struct process_pool *pool);

#endif
