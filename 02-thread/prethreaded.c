/* prethreaded.c - the prethreaded server (server -w N): CS:APP's
 * echoservert_pre.c and UNP's thread pool, on the kit's bounded queue.
 *
 * What it teaches: the threads are made once, at start-up. The main thread
 * accepts and puts each connection in a bounded queue (common/queue.h);
 * N worker threads take them out and serve one client at a time each. No
 * thread is created per client, so a flood of clients costs no more
 * threads: the extra ones wait in the queue, then in the kernel's listen
 * queue. The price: client N+1 waits until a worker is free.
 *
 * Run:   ./02-thread/server -w 3 -d 100 2000      and in another terminal
 *        ./02-thread/client -n 10 localhost 2000
 * Look:  the clients are served in waves of 3, each log line names its
 *        worker; and at Ctrl-C, stop_pool: how a pool is stopped cleanly.
 */
#include "prethreaded.h"

#include "conn.h"
#include "serve.h"
#include "queue.h"
#include "stop.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Accepted connections waiting for a worker. A full queue makes the
 * acceptor wait, so the clients beyond it wait in the listen queue. */
#define QUEUE_CAPACITY 64
/* Nothing wakes a condition variable on a stop, so an acceptor waiting for
 * room in a full queue (every worker busy with a client that stays) looks
 * at the stop descriptor this often. */
#define STOP_CHECK_MS 200

struct thread_pool;

/* One worker: its thread and the descriptor of the client it is serving
 * (-1 when idle), guarded by the pool's lock so that stop_pool can find
 * it. The struct is the worker thread's heap argument. */
struct worker {
    struct thread_pool *pool;
    size_t number;
    pthread_t thread;
    int active_fd;
};

struct thread_pool {
    struct queue queue;         /* struct conn *, acceptor -> workers */
    pthread_mutex_t lock;       /* guards every active_fd */
    pthread_cond_t worker_idle; /* a worker let go of its client */
    struct worker *workers;
    size_t worker_count;
    long delay_ms;
};

/* Records the worker's client under the pool's lock, so that stop_pool
 * can find it. */
static void begin_serving(struct worker *worker, const struct conn *conn)
{
    struct thread_pool *pool = worker->pool;

    pthread_mutex_lock(&pool->lock);
    worker->active_fd = conn->fd;
    pthread_mutex_unlock(&pool->lock);
}

/* Forgets the descriptor BEFORE it is closed: once closed, its number may
 * belong to the next accepted client, which stop_pool must not cut. */
static void end_serving(struct worker *worker)
{
    struct thread_pool *pool = worker->pool;

    pthread_mutex_lock(&pool->lock);
    worker->active_fd = -1;
    pthread_mutex_unlock(&pool->lock);
    pthread_cond_signal(&pool->worker_idle); /* for stop_pool */
}

/* A worker's whole life: take a connection, serve it, close it, again,
 * until the queue is closed and empty. */
static void *worker_main(void *arg)
{
    struct worker *worker = arg;
    void *item;

    while (queue_take(&worker->pool->queue, &item) == 0) {
        struct conn *conn = item;

        begin_serving(worker, conn);
        if (!conn->quiet)
            printf("Client connected: %s (worker %zu)\n", conn->peer,
                   worker->number);
        serve_client(conn->fd, conn->peer, conn->delay_ms);
        if (!conn->quiet)
            printf("Client disconnected: %s (worker %zu)\n", conn->peer,
                   worker->number);
        end_serving(worker);
        close_conn(conn);
    }
    return NULL;
}

/* Shuts down every connection a worker is still serving. Called with the
 * pool's lock held. */
static void cut_active_connections(struct thread_pool *pool)
{
    for (size_t i = 0; i < pool->worker_count; i++) {
        struct worker *worker = &pool->workers[i];
        if (worker->active_fd < 0)
            continue;
        fprintf(stderr, "%s: worker %zu still busy at shutdown: connection cut\n",
                progname(), worker->number);
        shutdown(worker->active_fd, SHUT_RDWR);
    }
}

static bool any_worker_busy(const struct thread_pool *pool)
{
    for (size_t i = 0; i < pool->worker_count; i++)
        if (pool->workers[i].active_fd >= 0)
            return true;
    return false;
}

/* Waits until no worker is busy, for one delay plus SHUTDOWN_GRACE_MS at
 * most; then cuts what is left. Called with the pool's lock held. */
static void wait_for_idle_workers(struct thread_pool *pool)
{
    struct timespec until =
        monotonic_deadline(pool->delay_ms + SHUTDOWN_GRACE_MS);

    while (any_worker_busy(pool) &&
           pthread_cond_timedwait(&pool->worker_idle, &pool->lock, &until) !=
               ETIMEDOUT) {
        /* each wake-up: look again whether a worker is still busy */
    }
    cut_active_connections(pool);
}

/* Shutdown: every worker's read watches the stop descriptor too
 * (serve_client, common/stop.h), so a worker waiting for an idle client
 * lets it go at once, and one in the middle of the simulated work still
 * writes its reply first. The connections still queued are closed
 * unserved, and closing the queue wakes the idle workers, which leave. A
 * worker blocked in write() to a client that never reads would never
 * finish: after one delay plus SHUTDOWN_GRACE_MS its connection is cut,
 * and that write fails with EPIPE. */
static void stop_pool(struct thread_pool *pool)
{
    void *item;

    while (queue_take_within(&pool->queue, &item, 0) == 0)
        close_conn(item);
    queue_close(&pool->queue);
    pthread_mutex_lock(&pool->lock);
    wait_for_idle_workers(pool);
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < pool->worker_count; i++) {
        int rc = pthread_join(pool->workers[i].thread, NULL);
        if (rc != 0)
            report_error("pthread_join", strerror(rc));
    }
    free(pool->workers);
    pthread_cond_destroy(&pool->worker_idle);
    pthread_mutex_destroy(&pool->lock);
    queue_destroy(&pool->queue);
}

/* The pool's queue, lock and condition variable (timed waits on the
 * monotonic clock, which a change of the date cannot make jump). */
static int init_pool(struct thread_pool *pool, size_t count, long delay_ms)
{
    pthread_condattr_t attr;
    int rc;

    *pool = (struct thread_pool){.worker_count = 0, .delay_ms = delay_ms};
    pool->workers = calloc(count, sizeof *pool->workers);
    if (pool->workers == NULL)
        return ENOMEM;
    if ((rc = queue_init(&pool->queue, QUEUE_CAPACITY)) != 0 ||
        (rc = pthread_mutex_init(&pool->lock, NULL)) != 0 ||
        (rc = pthread_condattr_init(&attr)) != 0)
        return rc; /* Teaching shortcut: start-up fails, the process ends */
    if ((rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(&pool->worker_idle, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

/* Creates the pool and its N workers; on failure stops the workers
 * already running and returns -1. */
static int start_pool(struct thread_pool *pool, size_t count, long delay_ms,
                      const pthread_attr_t *attr)
{
    int rc = init_pool(pool, count, delay_ms);

    if (rc != 0) {
        report_error("starting the pool", strerror(rc));
        return -1;
    }
    while (pool->worker_count < count) {
        struct worker *worker = &pool->workers[pool->worker_count];
        *worker = (struct worker){pool, pool->worker_count + 1, 0, -1};
        rc = pthread_create(&worker->thread, attr, worker_main, worker);
        if (rc != 0) {
            report_error("pthread_create", strerror(rc));
            stop_pool(pool);
            return -1;
        }
        pool->worker_count++;
    }
    return 0;
}

/* The acceptor's hand-off: waits for room in the queue, in slices, so that
 * a stop signal is noticed. False: stopping, the caller still owns conn. */
static bool hand_to_workers(struct thread_pool *pool, struct conn *conn)
{
    int rc;

    do
        rc = queue_put_within(&pool->queue, conn, STOP_CHECK_MS);
    while (rc == ETIMEDOUT && !stop_requested());
    return rc == 0;
}

int serve_prethreaded(int listen_fd, const struct server_args *args,
                      size_t worker_count, const pthread_attr_t *attr)
{
    struct thread_pool pool;

    if (start_pool(&pool, worker_count, args->delay_ms, attr) != 0)
        return 1;
    while (!stop_requested()) {
        struct conn *conn = accept_conn(listen_fd, args->delay_ms, args->quiet);
        if (conn != NULL && !hand_to_workers(&pool, conn))
            close_conn(conn); /* stopping while the queue was full */
    }
    stop_pool(&pool);
    return 0;
}
