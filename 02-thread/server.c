/* 02-thread/server.c - the concurrent TCP server with threads, two ways.
 *
 * What it teaches: with -w 0 (the default) the main thread only accepts,
 * and every connection gets a thread of its own that blocks in read() on
 * that client alone; the chapter's multithreaded server. With -w N the
 * threads are made once, at start-up (a prethreaded server): the main
 * thread accepts and puts each connection in a bounded queue, and N worker
 * threads take them out, one client at a time each (CS:APP's sbuf, UNP's
 * prethreaded server). Both are concurrent AND parallel: the threads run at
 * once on every core.
 *
 * Run:   ./02-thread/server -d 100 2000      and in another terminal
 *        ./02-thread/client -n 10 localhost 2000
 * Look:  the 10 clients finish in about 8 x 100 ms, not 10 x 8 x 100 ms,
 *        and their replies interleave. Then try -w 3 on the server: about
 *        ceil(10/3) = 4 times longer, and the clients are served in waves.
 */
#include "io.h"
#include "net.h"
#include "options.h"
#include "serve.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A thread's stack is reserved address space, and the kernel gives it real
 * memory only page by page as the thread touches it. The default (8 MiB,
 * `ulimit -s`) would reserve 8 GiB for 1,000 clients; a client's thread
 * needs the 64 KiB read buffer of serve_client and little else, so
 * 256 KiB is roomy, even under the sanitizers. */
#define THREAD_STACK_SIZE ((size_t)256 * 1024)
/* -w N: at most this many workers, and this many accepted connections
 * waiting for one. A full queue makes the acceptor wait, so the clients
 * beyond it wait in the kernel's listen queue instead. */
#define QUEUE_CAPACITY 64
/* A signal does not wake pthread_cond_wait, so an acceptor waiting for
 * room in a full queue looks at the stop flag this often. */
#define STOP_CHECK_MS 200

/* What one client's thread gets: a heap copy of everything it needs, so
 * that it never touches main's stack (main may return before it ends). */
struct conn {
    int fd;
    char peer[PEER_NAME_MAX];
    long delay_ms;
    bool quiet;
};

/* Accepts one connection and wraps it in a struct conn, or returns NULL:
 * EINTR (a stop signal; the caller's loop checks the flag) or a failure
 * that costs only that client. */
static struct conn *accept_conn(int listen_fd, const struct server_args *args)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    struct conn *conn;
    int conn_fd = accept(listen_fd, (struct sockaddr *)&addr, &addr_len);

    if (conn_fd < 0) {
        if (errno != EINTR)
            report_errno("accept");
        pause_if_out_of_resources(errno);
        return NULL;
    }
    conn = malloc(sizeof *conn);
    if (conn == NULL) {
        report_errno("malloc");
        close(conn_fd);
        return NULL;
    }
    conn->fd = conn_fd;
    format_peer((struct sockaddr *)&addr, addr_len, conn->peer,
                sizeof conn->peer);
    conn->delay_ms = args->delay_ms;
    conn->quiet = args->quiet;
    return conn;
}

/* 01-iterative's serve loop, with one difference: a thread here must
 * not look at the stop flag, which common's read_some and
 * serve_upper_connection (serve.h) read before every read(). The flag is
 * written by the signal handler in the main thread, and a volatile
 * sig_atomic_t is safe between a handler and its own thread only: read
 * from another thread it is a data race (ThreadSanitizer reports it). The
 * threads block the stop signals, so an EINTR here is never a stop; they
 * are told to stop by their owner instead (stop_pool, or the process
 * ending). */
static void serve_client(int conn_fd, const char *peer, long delay_ms)
{
    char buf[CHUNK_SIZE];
    ssize_t n;

    for (;;) {
        n = read(conn_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* 0: the client closed, or stop_pool shut it down */
        simulate_work(delay_ms);
        upper_transform(buf, (size_t)n);
        if (write_all(conn_fd, buf, (size_t)n) != 0) {
            report_peer_errno("write to", peer);
            return;
        }
    }
    if (n < 0)
        report_peer_errno("read from", peer);
}

static void close_conn(struct conn *conn)
{
    close(conn->fd);
    free(conn);
}

/* Starts a thread with SIGINT and SIGTERM blocked: a new thread inherits
 * the mask of the one that creates it, so blocking them here (and not in
 * the thread, which would leave a moment with them open) makes sure that
 * the kernel delivers a stop signal to the main thread alone, whose
 * accept() it must interrupt. SIGALRM too: after a stop the stop handler
 * arms alarm(1) to interrupt that same accept() (common/util.c). Returns
 * pthread_create's error number. */
static int start_thread(pthread_t *thread, const pthread_attr_t *attr,
                        void *(*body)(void *), void *arg)
{
    sigset_t stop_signals, old_mask;
    int rc;

    stop_signal_set(&stop_signals);
    sigaddset(&stop_signals, SIGALRM);
    rc = pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    if (rc != 0)
        return rc;
    rc = pthread_create(thread, attr, body, arg);
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return rc;
}

/* --- -w 0: a thread per connection ----------------------------------------
 */

static void *connection_thread(void *arg)
{
    struct conn *conn = arg;

    if (!conn->quiet)
        printf("Client connected: %s\n", conn->peer);
    serve_client(conn->fd, conn->peer, conn->delay_ms);
    if (!conn->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    close_conn(conn);
    return NULL; /* detached: the thread's resources go back by themselves */
}

/* Detached threads are never joined: nobody waits for them, and the
 * system frees each one as it ends. The main thread goes straight back
 * to accept(). */
static void serve_thread_per_connection(int listen_fd,
                                        const struct server_args *args,
                                        const pthread_attr_t *attr)
{
    while (!stop_requested()) {
        struct conn *conn = accept_conn(listen_fd, args);
        pthread_t thread;
        int rc;

        if (conn == NULL)
            continue;
        rc = start_thread(&thread, attr, connection_thread, conn);
        if (rc != 0) {
            /* EAGAIN: too many threads or no memory for a stack. Refuse
             * this client (it sees the connection close) and go on. */
            char what[PEER_NAME_MAX + 40];
            snprintf(what, sizeof what, "no thread for %s", conn->peer);
            report_error(what, strerror(rc));
            close_conn(conn);
        }
    }
    /* Teaching shortcut: the detached threads are not stopped one by one.
     * Returning from main calls exit(), which ends the whole process and
     * every thread in it at once; the kernel then closes their sockets. A
     * client waiting for a reply sees the connection close (its read
     * returns 0) and may lose that reply. -w N shows a clean stop. */
}

/* --- -w N: prethreaded, a bounded queue of connections --------------------
 */

/* The queue between the acceptor and the workers: a ring of
 * QUEUE_CAPACITY slots, the oldest at `head`, `count` in use. One mutex
 * guards everything here; not_empty wakes a worker, not_full the acceptor.
 * The indices wrap around, they never grow. */
struct conn_queue {
    struct conn *slots[QUEUE_CAPACITY];
    size_t head, count;
    bool closing; /* set once, at shutdown: every wait ends */
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
};

struct pool;

/* One worker: its thread and the descriptor of the client it is serving
 * (-1 when idle), guarded by the queue's lock so that shutdown can find it
 * (stop_pool). The struct is the worker thread's heap argument. */
struct worker {
    struct pool *pool;
    size_t number;
    pthread_t thread;
    int active_fd;
};

struct pool {
    struct conn_queue queue;
    pthread_cond_t worker_idle; /* a worker let go of its client */
    struct worker *workers;
    size_t worker_count;
    long delay_ms;
};

/* The absolute time ms milliseconds from now on the monotonic clock, for
 * pthread_cond_timedwait on a condition variable made by monotonic_cond. */
static struct timespec deadline_after(long ms)
{
    struct timespec until;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    return until;
}

/* A condition variable whose timed waits measure on the monotonic clock,
 * which a change of the date cannot make jump. */
static int monotonic_cond(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);

    if (rc != 0)
        return rc;
    if ((rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

static int queue_init(struct conn_queue *queue)
{
    int rc;

    memset(queue, 0, sizeof *queue);
    if ((rc = pthread_mutex_init(&queue->lock, NULL)) == 0 &&
        (rc = pthread_cond_init(&queue->not_empty, NULL)) == 0)
        rc = monotonic_cond(&queue->not_full);
    return rc;
}

static void queue_destroy(struct conn_queue *queue)
{
    pthread_cond_destroy(&queue->not_full);
    pthread_cond_destroy(&queue->not_empty);
    pthread_mutex_destroy(&queue->lock);
}

/* The acceptor's side: waits while the queue is full, then appends.
 * Returns false when the connection could not be queued (the server is
 * stopping): the caller still owns it. */
static bool queue_put(struct conn_queue *queue, struct conn *conn)
{
    /* EXERCISE(02-thread): queue a connection, wait while full */
    bool queued = false;

    pthread_mutex_lock(&queue->lock);
    while (queue->count == QUEUE_CAPACITY && !stop_requested()) {
        struct timespec until = deadline_after(STOP_CHECK_MS);
        pthread_cond_timedwait(&queue->not_full, &queue->lock, &until);
    }
    if (queue->count < QUEUE_CAPACITY) {
        queue->slots[(queue->head + queue->count) % QUEUE_CAPACITY] = conn;
        queue->count++;
        queued = true;
        pthread_cond_signal(&queue->not_empty);
    }
    pthread_mutex_unlock(&queue->lock);
    return queued;
    /* STUB: (void)queue; (void)conn; return false; */
    /* END EXERCISE */
}

/* A worker's side: waits while the queue is empty, takes the oldest
 * connection and records it as the worker's active one, in the same
 * critical section so that shutdown never misses it. NULL at shutdown. */
static struct conn *queue_take(struct worker *worker)
{
    /* EXERCISE(02-thread): take the oldest connection, waiting while empty */
    struct conn_queue *queue = &worker->pool->queue;
    struct conn *conn = NULL;

    pthread_mutex_lock(&queue->lock);
    while (queue->count == 0 && !queue->closing)
        pthread_cond_wait(&queue->not_empty, &queue->lock);
    if (!queue->closing) {
        conn = queue->slots[queue->head];
        queue->head = (queue->head + 1) % QUEUE_CAPACITY;
        queue->count--;
        worker->active_fd = conn->fd;
        pthread_cond_signal(&queue->not_full);
    }
    pthread_mutex_unlock(&queue->lock);
    return conn;
    /* STUB: (void)worker; return NULL; */
    /* END EXERCISE */
}

static void *worker_thread(void *arg)
{
    struct worker *worker = arg;
    struct conn_queue *queue = &worker->pool->queue;
    struct conn *conn;

    while ((conn = queue_take(worker)) != NULL) {
        if (!conn->quiet)
            printf("Client connected: %s (worker %zu)\n", conn->peer,
                   worker->number);
        serve_client(conn->fd, conn->peer, conn->delay_ms);
        if (!conn->quiet)
            printf("Client disconnected: %s (worker %zu)\n", conn->peer,
                   worker->number);
        /* Forget the descriptor before closing it: once closed, its number
         * may belong to the next accepted client, which stop_pool must not
         * shut down by mistake. */
        pthread_mutex_lock(&queue->lock);
        worker->active_fd = -1;
        pthread_cond_signal(&worker->pool->worker_idle); /* for stop_pool */
        pthread_mutex_unlock(&queue->lock);
        close_conn(conn);
    }
    return NULL;
}

/* Shuts down every connection a worker is serving (how: SHUT_RD or
 * SHUT_RDWR). Called with the queue's lock held. */
static void cut_active_connections(struct pool *pool, int how)
{
    for (size_t i = 0; i < pool->worker_count; i++) {
        struct worker *worker = &pool->workers[i];
        if (worker->active_fd < 0)
            continue;
        if (how == SHUT_RDWR)
            fprintf(stderr,
                    "%s: worker %zu still busy at shutdown: "
                    "connection cut\n",
                    progname(), worker->number);
        shutdown(worker->active_fd, how);
    }
}

static bool any_worker_busy(const struct pool *pool)
{
    for (size_t i = 0; i < pool->worker_count; i++)
        if (pool->workers[i].active_fd >= 0)
            return true;
    return false;
}

/* Shutdown: the workers block SIGINT/SIGTERM, so a worker blocked in
 * read() on an idle client is not interrupted by the signal. The main
 * thread therefore shuts down the reading side of every active connection
 * (shutdown SHUT_RD): a blocked read() returns 0 at once, as if the client
 * had closed, while a worker in the middle of the simulated work still
 * writes its reply (the writing side stays open) and then finds end of
 * file. Idle workers are woken by the broadcast and see `closing`.
 * A worker blocked in write() to a client that never reads would never
 * finish: after one delay plus SHUTDOWN_GRACE_MS the main thread shuts
 * down the writing side too, and that write fails with EPIPE. */
static void stop_pool(struct pool *pool)
{
    struct conn_queue *queue = &pool->queue;
    struct timespec until = deadline_after(pool->delay_ms + SHUTDOWN_GRACE_MS);

    pthread_mutex_lock(&queue->lock);
    queue->closing = true;
    cut_active_connections(pool, SHUT_RD);
    pthread_cond_broadcast(&queue->not_empty);
    while (any_worker_busy(pool) &&
           pthread_cond_timedwait(&pool->worker_idle, &queue->lock, &until) !=
               ETIMEDOUT) {
        /* each wake-up: check again whether a worker is still busy */
    }
    cut_active_connections(pool, SHUT_RDWR);
    pthread_mutex_unlock(&queue->lock);
    for (size_t i = 0; i < pool->worker_count; i++) {
        int rc = pthread_join(pool->workers[i].thread, NULL);
        if (rc != 0)
            report_error("pthread_join", strerror(rc));
    }
    /* Connections accepted but never taken by a worker: just close. */
    while (queue->count > 0) {
        close_conn(queue->slots[queue->head]);
        queue->head = (queue->head + 1) % QUEUE_CAPACITY;
        queue->count--;
    }
    free(pool->workers);
    pthread_cond_destroy(&pool->worker_idle);
    queue_destroy(queue);
}

/* Creates the queue and the N workers; on failure stops the workers
 * already running and returns -1. */
static int start_pool(struct pool *pool, size_t count, long delay_ms,
                      const pthread_attr_t *attr)
{
    int rc = queue_init(&pool->queue);

    if (rc != 0 || (rc = monotonic_cond(&pool->worker_idle)) != 0) {
        report_error("pthread mutex/cond init", strerror(rc));
        return -1;
    }
    pool->worker_count = 0;
    pool->delay_ms = delay_ms;
    pool->workers = calloc(count, sizeof *pool->workers);
    if (pool->workers == NULL) {
        report_errno("calloc");
        pthread_cond_destroy(&pool->worker_idle);
        queue_destroy(&pool->queue);
        return -1;
    }
    while (pool->worker_count < count) {
        struct worker *worker = &pool->workers[pool->worker_count];
        *worker = (struct worker){pool, pool->worker_count + 1, 0, -1};
        rc = start_thread(&worker->thread, attr, worker_thread, worker);
        if (rc != 0) {
            report_error("pthread_create", strerror(rc));
            stop_pool(pool);
            return -1;
        }
        pool->worker_count++;
    }
    return 0;
}

/* The acceptor: the main thread accepts and queues, the workers serve.
 * Returns the exit status (1 when the workers could not start). */
static int serve_prethreaded(int listen_fd, const struct server_args *args,
                             size_t worker_count, const pthread_attr_t *attr)
{
    struct pool pool;

    if (start_pool(&pool, worker_count, args->delay_ms, attr) != 0)
        return 1;
    while (!stop_requested()) {
        struct conn *conn = accept_conn(listen_fd, args);
        if (conn != NULL && !queue_put(&pool.queue, conn))
            close_conn(conn); /* stopping while the queue was full */
    }
    stop_pool(&pool);
    return 0;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = 0;
    const struct opt_spec extra[] = {
        {'w', "N", "worker threads (0: a thread per connection)", 0,
         MAX_WORKERS, &worker_count, NULL},
    };
    pthread_attr_t attr;
    int status, listen_fd, rc;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra, 1)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if ((rc = pthread_attr_init(&attr)) != 0 ||
        (rc = pthread_attr_setstacksize(&attr, THREAD_STACK_SIZE)) != 0 ||
        (worker_count == 0 && (rc = pthread_attr_setdetachstate(
                                   &attr, PTHREAD_CREATE_DETACHED)) != 0)) {
        report_error("pthread_attr", strerror(rc));
        close(listen_fd);
        return 1;
    }
    if (announce_port(listen_fd) != 0) {
        close(listen_fd);
        return 1;
    }
    status = 0;
    if (worker_count == 0)
        serve_thread_per_connection(listen_fd, &args, &attr);
    else
        status =
            serve_prethreaded(listen_fd, &args, (size_t)worker_count, &attr);
    pthread_attr_destroy(&attr);
    close(listen_fd);
    if (status != 0)
        return status;
    printf("shut down\n");
    return 0;
}
