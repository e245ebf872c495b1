/* 07-udp-threadpool/server.c - UDP with a pool of worker threads and one
 * responder thread (the chapter's Listing 14.11, in C).
 *
 * What it teaches: the work runs in parallel on -w N worker threads, yet
 * no socket is shared for writing. The main thread is the only one that
 * receives; it puts each request in a bounded queue. A worker takes it,
 * works, and puts the reply in a second queue. One responder thread takes
 * replies from that queue and is the only one that sends. Both are the
 * kit's bounded queue (common/queue.h): a thread with nothing to do sleeps,
 * it never spins. When the request queue is full, the receiver stops
 * receiving: datagrams wait in the kernel's socket buffer, and beyond it
 * the kernel drops them. Memory stays bounded; drops are printed at the end.
 * A datagram from a source port below 1024 or from the server's own port,
 * or one that sends back our reply once too often, is refused (reflection:
 * see 06-udp/README.md).
 *
 * Run:   ./07-udp-threadpool/server -w 4 2000      and in another terminal
 *        ./07-udp-threadpool/client -n 8 localhost 2000
 * Look:  8 clients on 4 workers take 2 x 8 delays, not 8 x 8.
 */
#include "datagram.h"
#include "drops.h"
#include "net.h"
#include "options.h"
#include "queue.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_WORKERS 20
/* Requests received but not yet taken by a worker, and replies made but
 * not yet sent. Each holds up to 64 KiB, so these bound the memory. */
#define REQUEST_QUEUE_SIZE 64
#define REPLY_QUEUE_SIZE   64

/* One request, and later its reply: the same bytes, transformed in place.
 * Allocated by the receiver, freed by the responder after sending. */
struct datagram {
    unsigned long number;
    struct sockaddr_storage from;
    socklen_t from_len;
    size_t len;
    char bytes[]; /* len bytes */
};

struct udp_pool_server {
    int fd;
    const struct server_args *args;
    struct queue requests, replies;
    char *buf; /* the receiver's buffer, DATAGRAM_BUFFER_SIZE bytes */
    unsigned long received;
    unsigned long dropped;    /* by the server: too long, or no memory */
    unsigned long unanswered; /* still queued at shutdown */
    struct echo_guard echo;   /* the receiver's: sources echoing replies */
};

/* Receiver (main thread): one datagram from the socket into a new struct
 * datagram, or NULL (stop signal, error, or a datagram dropped). */
static struct datagram *receive_request(struct udp_pool_server *server)
{
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    struct datagram *d;
    const char *why;
    bool truncated;
    ssize_t n = receive_datagram(server->fd, server->buf, DATAGRAM_BUFFER_SIZE,
                                 &from, &from_len, &truncated);

    if (n < 0) {
        if (errno != EINTR)
            report_errno("recvmsg");
        return NULL;
    }
    /* Reflection (06-udp/README.md): a source that may be another server
     * is never answered, and costs no worker anything. */
    why = datagram_source_refusal(&from, from_len, server->fd);
    if (why == NULL && !truncated) /* a peer echoing us ends the ping-pong */
        why = echo_guard_check(&server->echo, &from, from_len, server->buf,
                               (size_t)n);
    if (why != NULL) {
        if (!server->args->quiet)
            print_refusal(&from, from_len, why);
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

/* Back-pressure: while the request queue is full the receiver waits in
 * queue_put, holding one datagram, and calls recvmsg no more. The next
 * datagrams wait in the socket's buffer; beyond it the kernel drops them.
 * A worker makes room within one delay, so a stop is noticed within one
 * delay too: the receiver's wait for a datagram watches the stop
 * descriptor (receive_datagram, common/stop.h). */
static void receive_requests(struct udp_pool_server *server)
{
    while (!stop_requested()) {
        struct datagram *d = receive_request(server);

        if (d != NULL && queue_put(&server->requests, d) != 0) {
            free(d);
            server->unanswered++;
        }
    }
}

/* Worker: takes a request, works, hands the reply to the responder. It
 * never touches the socket. */
static void *worker_main(void *arg)
{
    struct udp_pool_server *server = arg;
    void *item;

    while (queue_take(&server->requests, &item) == 0) {
        struct datagram *d = item;

        simulate_work(server->args->delay_ms);
        upper_transform(d->bytes, d->len);
        if (queue_put(&server->replies, d) != 0)
            free(d);
    }
    return NULL;
}

/* Responder: the only thread that sends. One sender means one sendto at a
 * time, in one order, with no lock around the socket. */
static void *responder_main(void *arg)
{
    struct udp_pool_server *server = arg;
    void *item;

    while (queue_take(&server->replies, &item) == 0) {
        struct datagram *d = item;

        if (send_datagram(server->fd, d->bytes, d->len,
                          (struct sockaddr *)&d->from, d->from_len) != 0)
            report_sendto_error(&d->from, d->from_len);
        free(d);
    }
    return NULL;
}

/* Starts the responder and the workers. Only the main thread watches for
 * a stop; it tells the others by closing their queues (stop_threads).
 * Returns how many threads started; threads[0] is the responder. */
static long start_threads(struct udp_pool_server *server, pthread_t *threads,
                          long wanted)
{
    long started = 0;

    for (; started < wanted; started++) {
        int rc =
            pthread_create(&threads[started], NULL,
                           started == 0 ? responder_main : worker_main, server);
        if (rc != 0) {
            report_error("pthread_create", strerror(rc));
            break;
        }
    }
    return started;
}

/* Workers first: the requests still queued are dropped (they would take
 * many delays), each worker finishes the request in its hands, and then
 * the responder sends every reply made before it stops. */
static void stop_threads(struct udp_pool_server *server, pthread_t *threads,
                         long started)
{
    void *item;

    while (queue_take_within(&server->requests, &item, 0) == 0) {
        free(item);
        server->unanswered++;
    }
    queue_close(&server->requests);
    for (long i = 1; i < started; i++)
        pthread_join(threads[i], NULL);
    queue_close(&server->replies);
    if (started > 0)
        pthread_join(threads[0], NULL);
}

/* Runs the threads until a stop signal, then stops them and reports the
 * drops. Returns the exit status. */
static int serve(struct udp_pool_server *server, long worker_count)
{
    pthread_t *threads = calloc((size_t)worker_count + 1, sizeof *threads);
    long started;
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
    stop_threads(server, threads, started);
    if (status == 0)
        print_drops(server->fd, server->dropped, server->unanswered);
    free(threads);
    return status;
}

/* Frees what was made of the server, after every thread was joined: both
 * queues are empty (stop_threads drained one, the responder the other). */
static void free_server(struct udp_pool_server *server)
{
    if (server->requests.items != NULL)
        queue_destroy(&server->requests);
    if (server->replies.items != NULL)
        queue_destroy(&server->replies);
    free(server->buf);
    free(server);
}

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = DEFAULT_WORKERS;
    const struct opt_spec pool[] = {
        {'w', "N", "worker threads (default 20)", 1, MAX_WORKERS, &worker_count,
         NULL},
    };
    struct udp_pool_server *server;
    int status, rc = ENOMEM;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, pool,
                                    sizeof pool / sizeof pool[0])) >= 0)
        return status;
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
        (rc = queue_init(&server->requests, REQUEST_QUEUE_SIZE)) != 0 ||
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
