/* pool.c - the workers of 04-prefork-pool: their start, their life, their end.
 *
 * What it teaches: a process pool (UNP's child_make/child_main, section
 * 30.9). Each worker is forked with a channel of its own, a socketpair:
 * down it come connections (fdpass.c), up it goes one byte each time the
 * worker is free again. A worker's death shows as end of file on its
 * channel: the parent reaps it and forks a replacement.
 *
 * Run:   ./04-prefork-pool/server -w 3 2000, then `kill -9` one worker.
 * Look:  what a new worker closes and why (close_inherited_descriptors);
 *        how the parent learns that a worker died.
 */
#include "pool.h"

#include "children.h"
#include "fdpass.h"
#include "io.h"
#include "serve.h"
#include "stop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a worker writes on its channel when it is free for the next client. */
#define IDLE_BYTE 'i'

/* ---- the worker ---------------------------------------------------------- */

/* Serves the connections the parent sends, one at a time, telling the
 * parent after each one that it is free again. */
static void serve_handed_connections(int channel_fd,
                                     const struct server_args *args)
{
    const char idle = IDLE_BYTE;
    const long pid = (long)getpid();
    char peer[PEER_NAME_MAX];
    int conn_fd;

    while (wait_for_input(channel_fd) > 0 &&
           (conn_fd = receive_connection(channel_fd, peer, sizeof peer)) >= 0) {
        if (!args->quiet)
            printf("Client connected: %s (worker %ld)\n", peer, pid);
        serve_client(conn_fd, peer, args->delay_ms);
        /* This is the last descriptor of the connection (the parent closed
         * its own after sending): the client sees the server close. */
        close(conn_fd);
        if (!args->quiet)
            printf("Client disconnected: %s (worker %ld)\n", peer, pid);
        if (stop_requested() || write_all(channel_fd, &idle, 1) != 0)
            break;
    }
}

/* A new worker inherited every descriptor of the parent. It closes all it
 * does not need, and each one for a reason:
 * - the listening socket: only the parent accepts, and an orphaned copy
 *   would keep the port open with nobody accepting on it;
 * - the other workers' channels: while a copy of one stays open here, that
 *   worker never sees the end of file that tells it the parent is gone;
 * - the queued connections: a copy here would keep a client's connection
 *   open after the worker that served it closed it. */
static void close_inherited_descriptors(const struct process_pool *pool,
                                        long self)
{
    const struct pending_queue *q = &pool->pending;

    close(pool->listen_fd);
    for (long i = 0; i < pool->worker_count; i++)
        if (i != self && pool->workers[i].channel_fd >= 0)
            close(pool->workers[i].channel_fd);
    for (size_t k = 0; k < q->count; k++)
        close(q->fds[(q->head + k) % PENDING_MAX]);
}

/* The life of a worker, in the child just after fork(). A SIGTERM is a
 * stop (common/stop.h): its waits, for a connection or for its client's
 * next message, end, so it finishes the unit of work at hand, closes its
 * client and exits. */
static void worker_main(const struct process_pool *pool, long self,
                        int channel_fd)
{
    close_inherited_descriptors(pool, self);
    /* Two ways to notice a parent killed by SIGKILL: an idle worker sees
     * end of file on its channel, but a busy one is blocked reading its
     * client and would serve on as an orphan. The death signal that
     * exit_with_parent asks for reaches both. */
    if (exit_with_parent(pool->parent_pid) != 0) {
        report_errno("prepare worker");
        exit(1);
    }
    serve_handed_connections(channel_fd, pool->args);
    close(channel_fd);
    exit(0);
}

/* ---- the parent's side -------------------------------------------------- */

/* Forks the worker of one slot, with a new socketpair as its channel.
 * SOCK_SEQPACKET keeps message boundaries (one connection per message)
 * and, unlike a datagram socket, reports end of file when the other side
 * has gone. */
static int start_worker(struct process_pool *pool, long slot)
{
    struct worker *w = &pool->workers[slot];
    int ends[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ends) != 0)
        return -1;
    fflush(stdout); /* a child must not print its parent's buffered lines */
    pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(ends[0]);
        close(ends[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        close(ends[0]);
        worker_main(pool, slot, ends[1]);
    }
    /* The parent keeps ends[0]. It closes the worker's end: a copy of it
     * here would hide the end of file that says the worker died. */
    close(ends[1]);
    w->pid = pid;
    w->channel_fd = ends[0];
    w->idle = true;
    return 0;
}

long start_workers(struct process_pool *pool)
{
    long missing = 0;

    for (long i = 0; i < pool->worker_count; i++) {
        if (pool->workers[i].pid != 0)
            continue;
        if (start_worker(pool, i) != 0) {
            report_errno("fork a worker");
            missing++;
        }
    }
    return missing;
}

/* A worker's channel reached end of file: its last descriptor closed as it
 * exited. Collect its exit status (no zombie) and say so; the slot is left
 * empty for start_workers to fill. */
static void reap_worker(struct process_pool *pool, long slot)
{
    struct worker *w = &pool->workers[slot];
    char how[80];
    int status;

    close(w->channel_fd);
    w->channel_fd = -1;
    while (waitpid(w->pid, &status, 0) < 0) {
        if (errno != EINTR) {
            report_errno("waitpid");
            status = 0;
            break;
        }
    }
    describe_wait_status(status, how, sizeof how);
    printf("worker %ld %s, replacing it\n", (long)w->pid, how);
    w->pid = 0;
    w->idle = false;
}

void read_worker_channel(struct process_pool *pool, long slot)
{
    char byte;
    ssize_t n = read(pool->workers[slot].channel_fd, &byte, 1);

    if (n == 1)
        pool->workers[slot].idle = true;
    else if (n == 0 || errno != EINTR)
        reap_worker(pool, slot);
}

/* Round robin, so that the log shows the work spread over the pool. */
long find_idle_worker(struct process_pool *pool)
{
    for (long k = 0; k < pool->worker_count; k++) {
        long i = (pool->next_worker + k) % pool->worker_count;
        if (pool->workers[i].pid != 0 && pool->workers[i].idle) {
            pool->next_worker = (i + 1) % pool->worker_count;
            return i;
        }
    }
    return -1;
}

/* Every worker gets end of file on its channel (wakes an idle one) and
 * SIGTERM (interrupts a busy one's read, in stop_children). */
void stop_workers(struct process_pool *pool)
{
    struct pending_queue *q = &pool->pending;
    pid_t pids[MAX_WORKERS];
    long killed;

    for (; q->count > 0; q->count--, q->head = (q->head + 1) % PENDING_MAX)
        close(q->fds[q->head]);
    for (long i = 0; i < pool->worker_count; i++) {
        if (pool->workers[i].channel_fd >= 0)
            close(pool->workers[i].channel_fd);
        pool->workers[i].channel_fd = -1;
        pids[i] = pool->workers[i].pid;
    }
    killed = stop_children(pids, pool->worker_count,
                           (double)(pool->args->delay_ms + SHUTDOWN_GRACE_MS) /
                               1000.0);
    if (killed > 0)
        fprintf(stderr, "%s: %ld %s did not stop in time: killed\n", progname(),
                killed, killed == 1 ? "worker" : "workers");
}

void init_pool(struct process_pool *pool, const struct server_args *args,
               int listen_fd, long worker_count)
{
    memset(pool, 0, sizeof *pool);
    pool->args = args;
    pool->listen_fd = listen_fd;
    pool->parent_pid = getpid();
    pool->worker_count = worker_count;
    for (long i = 0; i < worker_count; i++)
        pool->workers[i].channel_fd = -1;
}
