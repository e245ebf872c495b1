/* 07-udp-threadpool/server.c - UDP with a pool of worker threads and one
 * responder thread (the chapter's Listing 14.11, in C).
 *
 * What it teaches: the work runs in parallel on -w N worker threads, yet
 * no socket is shared for writing. The main thread is the only one that
 * receives; it puts each request in a bounded queue. A worker takes it,
 * works, and puts the reply in a second queue. One responder thread takes
 * replies from that queue and is the only one that sends. Each queue is a
 * mutex and two condition variables: a thread with nothing to do sleeps,
 * it never spins. When the request queue is full, the receiver stops
 * receiving: datagrams wait in the kernel's socket buffer, and when that
 * is full too the kernel drops them. Memory never grows without bound, and
 * the drops are counted and printed at shutdown.
 *
 * Run:   ./07-udp-threadpool/server -w 4 2000      and in another terminal
 *        ./07-udp-threadpool/client -n 8 localhost 2000
 * Look:  8 clients on 4 workers take 2 x 8 delays, not 8 x 8.
 */
#include "datagram.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_WORKERS 20
/* Requests received but not yet taken by a worker, and replies made but
 * not yet sent. Each holds up to 64 KiB, so these bound the memory. */
#define REQUEST_QUEUE_SIZE 64
#define REPLY_QUEUE_SIZE   64
/* -Q: the largest request queue allowed (64 MiB of datagrams at most). */
#define REQUEST_QUEUE_MAX 1024
/* The receiver, waiting for room in a full request queue, looks at the
 * stop flag this often: a signal handler cannot wake a condition variable
 * (pthread_cond_signal is not async-signal-safe). */
#define STOP_CHECK_MS 100

/* One request, and later its reply: the same bytes, transformed in place.
 * Allocated by the receiver, freed by the responder after sending. */
struct datagram {
    unsigned long number;
    struct sockaddr_storage from;
    socklen_t from_len;
    size_t len;
    char bytes[]; /* len bytes */
};

/* A bounded queue of datagrams, in a ring of `capacity` slots: `head` is
 * the oldest, `count` how many are in. The indices wrap, never grow. */
struct queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty; /* a taker waits on this */
    pthread_cond_t not_full;  /* a putter waits on this */
    struct datagram **slots;
    size_t capacity, head, count;
    bool closed; /* no more puts; takers leave once it is empty */
};

struct udp_pool_server {
    int fd;
    const struct server_args *args;
    struct queue requests, replies;
    char *buf; /* the receiver's buffer, DATAGRAM_BUFFER_SIZE bytes */
    unsigned long received;
    unsigned long dropped; /* by the server: too long, or no memory */
};

/* --- the bounded queue -------------------------------------------------- */

static int queue_init(struct queue *q, size_t capacity)
{
    int rc;

    q->slots = calloc(capacity, sizeof(struct datagram *));
    if (q->slots == NULL)
        return ENOMEM;
    q->capacity = capacity;
    q->head = q->count = 0;
    q->closed = false;
    if ((rc = pthread_mutex_init(&q->lock, NULL)) != 0 ||
        (rc = pthread_cond_init(&q->not_empty, NULL)) != 0 ||
        (rc = pthread_cond_init(&q->not_full, NULL)) != 0) {
        /* Teaching shortcut: these never fail on Linux; were one to fail,
         * the objects made before it would not be destroyed. */
        free(q->slots);
        q->slots = NULL;
        return rc;
    }
    return 0;
}

/* Frees what is still queued; returns how many there were. */
static size_t queue_drop_all(struct queue *q)
{
    size_t dropped;

    pthread_mutex_lock(&q->lock);
    dropped = q->count;
    for (; q->count > 0; q->count--) {
        free(q->slots[q->head]);
        q->head = (q->head + 1) % q->capacity;
    }
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return dropped;
}

static void queue_destroy(struct queue *q)
{
    queue_drop_all(q);
    free(q->slots);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
}

/* Adds d, sleeping while the queue is full. Returns 0, or -1 when the
 * queue was closed (d was not added: the caller still owns it). */
static int queue_put(struct queue *q, struct datagram *d)
{
    /* EXERCISE(07-udp-threadpool): add d at the tail, waiting on not_full while
     * the queue is full; wake a taker; fail once the queue is closed */
    int status = -1;

    pthread_mutex_lock(&q->lock);
    while (q->count == q->capacity && !q->closed)
        pthread_cond_wait(&q->not_full, &q->lock);
    if (!q->closed) {
        q->slots[(q->head + q->count) % q->capacity] = d;
        q->count++;
        status = 0;
    }
    pthread_mutex_unlock(&q->lock);
    /* Signalled after unlocking: a taker woken while we still held the
     * lock could only go back to sleep, on the mutex this time. */
    if (status == 0)
        pthread_cond_signal(&q->not_empty);
    return status;
    /* STUB: (void)q; (void)d; return -1; */
    /* END EXERCISE */
}

/* Takes the oldest datagram, sleeping while the queue is empty. Returns
 * NULL once the queue is closed and empty: the taker should finish. */
static struct datagram *queue_take(struct queue *q)
{
    /* EXERCISE(07-udp-threadpool): take the oldest datagram, waiting on
     * not_empty while the queue is empty; wake a putter; NULL once closed and
     * empty */
    struct datagram *d = NULL;

    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->count > 0) {
        d = q->slots[q->head];
        q->head = (q->head + 1) % q->capacity;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    if (d != NULL)
        pthread_cond_signal(&q->not_full);
    return d;
    /* STUB: (void)q; return NULL; */
    /* END EXERCISE */
}

/* Wakes every sleeper for good. */
static void queue_close(struct queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

/* For the receiver (main thread): sleeps until the queue has room or a
 * stop signal came. Returns true when there is room. */
static bool queue_wait_for_room(struct queue *q)
{
    bool room;

    pthread_mutex_lock(&q->lock);
    while (q->count == q->capacity && !stop_requested()) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until); /* cond_timedwait's clock */
        until.tv_nsec += STOP_CHECK_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&q->not_full, &q->lock, &until);
    }
    room = q->count < q->capacity;
    pthread_mutex_unlock(&q->lock);
    return room;
}

/* --- the three kinds of thread ------------------------------------------ */

/* Receiver (main thread): one datagram from the socket into a new struct
 * datagram, or NULL (stop signal, error, or a datagram dropped). */
static struct datagram *receive_request(struct udp_pool_server *server)
{
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    struct datagram *d;
    bool truncated;
    ssize_t n = receive_datagram(server->fd, server->buf, DATAGRAM_BUFFER_SIZE,
                                 &from, &from_len, &truncated);

    if (n < 0) {
        if (errno != EINTR)
            report_errno("recvmsg");
        return NULL;
    }
    d = truncated ? NULL : malloc(sizeof *d + (size_t)n);
    if (d == NULL) {
        server->dropped++; /* a cut datagram must not get a cut reply */
        return NULL;
    }
    d->number = ++server->received;
    d->from = from;
    d->from_len = from_len;
    d->len = (size_t)n;
    memcpy(d->bytes, server->buf, d->len);
    if (!server->args->quiet) {
        char peer[PEER_NAME_MAX];
        format_peer((struct sockaddr *)&from, from_len, peer, sizeof peer);
        printf("New request: %lu %s\n", d->number, peer);
    }
    return d;
}

static void receive_requests(struct udp_pool_server *server)
{
    while (!stop_requested()) {
        struct datagram *d;

        /* Back-pressure: no room, no recvmsg. The next datagrams wait in
         * the socket's buffer; beyond it the kernel drops them. */
        if (!queue_wait_for_room(&server->requests))
            continue;
        d = receive_request(server);
        if (d != NULL && queue_put(&server->requests, d) != 0)
            free(d);
    }
}

/* Worker: takes a request, works, hands the reply to the responder. It
 * never touches the socket. */
static void *worker_main(void *arg)
{
    struct udp_pool_server *server = arg;
    struct datagram *d;

    while ((d = queue_take(&server->requests)) != NULL) {
        simulate_work(server->args->delay_ms);
        upper_transform(d->bytes, d->len);
        if (queue_put(&server->replies, d) != 0)
            free(d);
    }
    return NULL;
}

/* The peer's name is made only when it is printed: getnameinfo for every
 * datagram would cost more than the transform itself. */
static void report_sendto_error(const struct datagram *d)
{
    int saved = errno;
    char peer[PEER_NAME_MAX];

    format_peer((const struct sockaddr *)&d->from, d->from_len, peer,
                sizeof peer);
    errno = saved;
    report_peer_errno("sendto", peer);
}

/* Responder: the only thread that sends. One sender means one sendto at a
 * time, in one order, with no lock around the socket. */
static void *responder_main(void *arg)
{
    struct udp_pool_server *server = arg;
    struct datagram *d;

    while ((d = queue_take(&server->replies)) != NULL) {
        if (send_datagram(server->fd, d->bytes, d->len,
                          (struct sockaddr *)&d->from, d->from_len) != 0)
            report_sendto_error(d);
        free(d);
    }
    return NULL;
}

/* --- start, stop, count ------------------------------------------------- */

/* Starts the responder and the workers with SIGINT/SIGTERM blocked (they
 * inherit the mask), so that only the main thread, blocked in recvmsg, is
 * interrupted by them. Returns how many threads started; threads[0] is the
 * responder. */
static long start_threads(struct udp_pool_server *server, pthread_t *threads,
                          long wanted)
{
    sigset_t stop_signals, before;
    long started = 0;

    stop_signal_set(&stop_signals);
    pthread_sigmask(SIG_BLOCK, &stop_signals, &before);
    for (; started < wanted; started++) {
        int rc =
            pthread_create(&threads[started], NULL,
                           started == 0 ? responder_main : worker_main, server);
        if (rc != 0) {
            report_error("pthread_create", strerror(rc));
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    return started;
}

/* Workers first: the requests still queued are dropped (they would take
 * many delays), each worker finishes the request in its hands, and then
 * the responder sends every reply made before it stops. */
static size_t stop_threads(struct udp_pool_server *server, pthread_t *threads,
                           long started)
{
    size_t unanswered = queue_drop_all(&server->requests);

    queue_close(&server->requests);
    for (long i = 1; i < started; i++)
        pthread_join(threads[i], NULL);
    queue_close(&server->replies);
    if (started > 0)
        pthread_join(threads[0], NULL);
    return unanswered;
}

/* The columns of /proc/net/udp and udp6: sl local remote st queues timer
 * retrnsmt uid timeout inode ref pointer drops. */
#define PROC_INODE_COLUMN 9
#define PROC_DROPS_COLUMN 12

/* The drops column of one line of that table when the line is about the
 * socket with this inode; -1 otherwise. */
static long drops_on_line(char *line, long inode)
{
    char *rest = NULL;
    char *field = strtok_r(line, " \t\n", &rest);
    long value, drops = -1;
    bool ours = false;

    for (int column = 0; field != NULL; column++) {
        if (parse_long(field, 0, LONG_MAX, &value) == 0) {
            if (column == PROC_INODE_COLUMN)
                ours = value == inode;
            else if (column == PROC_DROPS_COLUMN && ours)
                drops = value;
        }
        field = strtok_r(NULL, " \t\n", &rest);
    }
    return drops;
}

/* Datagrams the kernel dropped on this socket because its receive buffer
 * was full, read from /proc/net/udp6 (or udp) on the line of our socket's
 * inode. Linux only; -1 where it cannot be read. */
static long kernel_drops(int fd)
{
    const char *tables[] = {"/proc/net/udp6", "/proc/net/udp"};
    struct stat self;
    long drops = -1;

    if (fstat(fd, &self) != 0)
        return -1;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0] && drops < 0; t++) {
        FILE *table = fopen(tables[t], "r");
        char line[512];

        while (table != NULL && drops < 0 &&
               fgets(line, sizeof line, table) != NULL)
            drops = drops_on_line(line, (long)self.st_ino);
        if (table != NULL)
            fclose(table);
    }
    return drops;
}

static void print_drops(const struct udp_pool_server *server, size_t unanswered)
{
    long by_kernel = kernel_drops(server->fd);

    if (by_kernel >= 0)
        printf("Dropped datagrams: %ld by the kernel (socket buffer full), ",
               by_kernel);
    else
        printf("Dropped datagrams: ? by the kernel (socket buffer full), ");
    printf("%lu by the server (too long or no memory), %zu unanswered at "
           "shutdown\n",
           server->dropped, unanswered);
}

/* Runs the threads until a stop signal, then stops them and reports the
 * drops. Returns the exit status. */
static int serve(struct udp_pool_server *server, long worker_count)
{
    pthread_t *threads = calloc((size_t)worker_count + 1, sizeof *threads);
    long started;
    size_t unanswered;
    int status = 1;

    if (threads == NULL) {
        report_errno("calloc");
        return 1;
    }
    /* "listening" only once every thread is up: a client (or a test)
     * that reads it finds the whole pool ready. */
    started = start_threads(server, threads, worker_count + 1);
    if (started == worker_count + 1 && announce_port(server->fd) == 0) {
        receive_requests(server);
        status = 0;
    }
    unanswered = stop_threads(server, threads, started);
    if (status == 0)
        print_drops(server, unanswered);
    free(threads);
    return status;
}

/* Frees the server and whatever of it was made (a queue is made when it
 * has slots). Only after every thread has been joined. */
static void free_server(struct udp_pool_server *server)
{
    if (server->requests.slots != NULL)
        queue_destroy(&server->requests);
    if (server->replies.slots != NULL)
        queue_destroy(&server->replies);
    free(server->buf);
    free(server);
}

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = DEFAULT_WORKERS;
    long queue_size = REQUEST_QUEUE_SIZE;
    const struct opt_spec pool[] = {
        {'w', "N", "worker threads (default 20)", 1, MAX_WORKERS, &worker_count,
         NULL},
        /* EXERCISE(07-udp-threadpool): add -Q N, the request queue's size */
        {'Q', "N", "request queue slots (default 64)", 1, REQUEST_QUEUE_MAX,
         &queue_size, NULL},
        /* END EXERCISE */
    };
    struct udp_pool_server *server;
    int status, rc = ENOMEM;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, pool,
                                    sizeof pool / sizeof pool[0])) >= 0)
        return status;
    /* EXERCISE(07-udp-threadpool): when the queue works, delete this guard */
    /* STUB: report_error("queue_put/queue_take", "not written yet"); */
    /* STUB: return 1; */
    /* END EXERCISE */
    /* On the heap: every thread gets a pointer to it, and it is freed only
     * after all of them have been joined. */
    server = calloc(1, sizeof *server);
    if (server == NULL) {
        report_errno("calloc");
        return 1;
    }
    server->fd = -1;
    server->args = &args;
    server->buf = malloc(DATAGRAM_BUFFER_SIZE);
    if (server->buf == NULL ||
        (rc = queue_init(&server->requests, (size_t)queue_size)) != 0 ||
        (rc = queue_init(&server->replies, REPLY_QUEUE_SIZE)) != 0) {
        report_error("out of memory", strerror(rc));
        free_server(server);
        return 1;
    }
    status = 1;
    if (prepare_server_process() == 0 &&
        (server->fd = udp_bind_or_report(args.port)) >= 0)
        status = serve(server, worker_count);
    if (server->fd >= 0)
        close(server->fd);
    free_server(server);
    if (status == 0)
        printf("shut down\n");
    return status;
}
