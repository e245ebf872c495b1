/* 04-prefork-pool/server.c - a preforked pool fed by the parent.
 *
 * What it teaches: N worker processes are forked once, at start-up, and
 * serve client after client (pool.c). The parent is the only process that
 * calls accept(); it hands each new connection to an idle worker by
 * sending the descriptor itself over that worker's UNIX-domain socketpair
 * (fdpass.c: sendmsg with SCM_RIGHTS). This is the C twin of the chapter's
 * multiprocessing.Pool and pool.apply_async(handle, (conn, client)): to get
 * `conn` into a worker, Python too passes its descriptor with SCM_RIGHTS
 * underneath (multiprocessing.resource_sharer). A worker writes one byte
 * back on its channel when it is idle again; when every worker is busy,
 * new connections wait in a queue in the parent. None is refused.
 *
 * Run:   ./04-prefork-pool/server -w 3 -d 100 2000      and in another terminal
 *        ./04-prefork-pool/client -n 10 localhost 2000
 * Look:  every log line names the worker that served the client: only 3
 *        different PIDs, each serving client after client. `kill -9` one
 *        worker and the parent says so and forks a new one.
 */
#include "fdpass.h"
#include "net.h"
#include "options.h"
#include "pool.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_WORKERS 10
/* A worker that could not be forked again is retried this often. */
#define RESPAWN_RETRY_MS 1000

/* Accepts every client waiting in the listen queue, up to PENDING_MAX
 * queued in the parent. The listener is non-blocking: a client that
 * resets between poll() and accept() must not stall the parent (UNP 16.6). */
static void accept_clients(struct process_pool *pool)
{
    struct pending_queue *q = &pool->pending;

    while (q->count < PENDING_MAX) {
        struct sockaddr_storage addr;
        socklen_t addr_len = sizeof addr;
        size_t tail = (q->head + q->count) % PENDING_MAX;
        int conn_fd =
            accept(pool->listen_fd, (struct sockaddr *)&addr, &addr_len);

        if (conn_fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                report_errno("accept");
            pause_if_out_of_resources(errno);
            return;
        }
        /* The workers' reads must block, whatever the listener passed on. */
        if (set_blocking(conn_fd) != 0) {
            report_errno("fcntl");
            close(conn_fd);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, q->peers[tail],
                    PEER_NAME_MAX);
        q->fds[tail] = conn_fd;
        q->count++;
    }
}

/* Gives queued connections, oldest first, to idle workers. */
static void hand_out_connections(struct process_pool *pool)
{
    struct pending_queue *q = &pool->pending;
    long slot;

    while (q->count > 0 && (slot = find_idle_worker(pool)) >= 0) {
        struct worker *w = &pool->workers[slot];

        w->idle = false;
        if (send_connection(w->channel_fd, q->fds[q->head],
                            q->peers[q->head]) != 0) {
            /* A worker we cannot talk to is no use: end it. Its end of file
             * brings it to read_worker_channel; the client stays queued. */
            report_errno("hand a connection to a worker");
            kill(w->pid, SIGKILL);
            continue;
        }
        /* The worker holds the connection now. The parent's copy must go,
         * or the client would never see the server close. */
        close(q->fds[q->head]);
        q->head = (q->head + 1) % PENDING_MAX;
        q->count--;
    }
}

/* The parent's loop: one poll() over the listening socket, every worker's
 * channel and the stop descriptor (common/stop.h), until SIGINT or
 * SIGTERM. */
static void run_parent(struct process_pool *pool)
{
    struct pollfd watched[2 + MAX_WORKERS];
    const nfds_t watched_count = 2 + (nfds_t)pool->worker_count;
    struct pollfd *stop = &watched[1 + pool->worker_count];

    for (;;) {
        int timeout_ms = start_workers(pool) > 0 ? RESPAWN_RETRY_MS : -1;

        /* A full queue: stop looking at the listener (poll skips negative
         * descriptors), so clients wait in the kernel's listen queue. */
        watched[0].fd =
            pool->pending.count < PENDING_MAX ? pool->listen_fd : -1;
        watched[0].events = POLLIN;
        for (long i = 0; i < pool->worker_count; i++) {
            watched[1 + i].fd = pool->workers[i].channel_fd;
            watched[1 + i].events = POLLIN;
        }
        *stop = (struct pollfd){.fd = stop_fd(), .events = POLLIN};
        if (poll(watched, watched_count, timeout_ms) < 0) {
            if (errno != EINTR)
                report_errno("poll");
            continue;
        }
        /* Stop first: Ctrl-C signals the workers too, and their end of
         * file must not be taken for deaths to replace. */
        if (stop->revents != 0)
            break;
        for (long i = 0; i < pool->worker_count; i++)
            if (watched[1 + i].revents != 0)
                read_worker_channel(pool, i);
        if (watched[0].revents != 0)
            accept_clients(pool);
        hand_out_connections(pool);
    }
}

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = DEFAULT_WORKERS;
    const struct opt_spec extra[] = {
        {'w', "N", "worker processes (default 10)", 1, MAX_WORKERS,
         &worker_count, NULL},
    };
    struct process_pool pool;
    int status, listen_fd;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra, 1)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (set_nonblocking(listen_fd) != 0) {
        report_errno("fcntl");
        close(listen_fd);
        return 1;
    }
    init_pool(&pool, &args, listen_fd, worker_count);
    /* The workers exist before the port is announced: a client that reads
     * "listening" finds the whole pool ready. */
    if (start_workers(&pool) > 0 || announce_port(listen_fd) != 0) {
        stop_workers(&pool);
        close(listen_fd);
        return 1;
    }
    run_parent(&pool);
    stop_workers(&pool);
    close(listen_fd);
    printf("shut down\n");
    return 0;
}
