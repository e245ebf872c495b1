/* 05-prefork-accept/server.c - preforked workers that accept by themselves.
 *
 * What it teaches: N worker processes are forked at start-up and every one
 * of them blocks in accept() on the same listening socket, inherited from
 * the parent (the chapter's tcp_prefork_pool_accept.py). No process hands
 * out work: the kernel gives each new connection to one of the blocked
 * workers. The parent only waits, replacing workers that die. With -p each
 * worker has a listening socket of its own on the same port (SO_REUSEPORT)
 * and the kernel spreads connections over the sockets instead.
 *
 * Run:   ./05-prefork-accept/server -w 4 -d 100 2000
 *        ./05-prefork-accept/client -n 10 localhost 2000   (another terminal)
 * Look:  each log line carries the PID of the worker that accepted the
 *        client: count them to see how the kernel shares the connections
 *        (README.md), with and without -p.
 */
#include "children.h"
#include "net.h"
#include "options.h"
#include "reuseport.h"
#include "serve.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_WORKERS 10

/* How long the parent waits before trying a failed fork again. */
#define RESPAWN_RETRY_S 1

struct process_pool {
    const struct server_args *args;
    pid_t parent_pid;
    long worker_count;
    /* Shared mode: one socket, listen_fds[0], for every worker. With -p:
     * worker i accepts on listen_fds[i]. The parent keeps them all open but
     * never accepts: a replacement worker inherits the same socket and
     * takes over the connections waiting in its queue. */
    bool reuseport;
    long socket_count;
    int listen_fds[MAX_WORKERS];
    pid_t pids[MAX_WORKERS]; /* 0: no worker in this slot right now */
};

static int listen_fd_of(const struct process_pool *pool, long slot)
{
    return pool->listen_fds[pool->reuseport ? slot : 0];
}

/* ---- the worker ---------------------------------------------------------- */

/* A worker is a whole iterative server (01-iterative) on a shared port:
 * accept one client, serve it to the end, accept the next. */
static void accept_and_serve(int listen_fd, const struct server_args *args)
{
    const long pid = (long)getpid();

    while (!stop_requested()) {
        struct sockaddr_storage addr;
        socklen_t addr_len = sizeof addr;
        char peer[PEER_NAME_MAX];
        int conn_fd = accept(listen_fd, (struct sockaddr *)&addr, &addr_len);

        if (conn_fd < 0) {
            /* EINTR: a stop signal (the loop checks). ECONNABORTED: the
             * client gave up while queued. Neither is worth a line. */
            if (errno != EINTR && errno != ECONNABORTED)
                report_errno("accept");
            pause_if_out_of_resources(errno);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, peer, sizeof peer);
        if (!args->quiet)
            printf("Client connected: %s (worker %ld)\n", peer, pid);
        serve_upper_connection(conn_fd, peer, args->delay_ms);
        close(conn_fd);
        if (!args->quiet)
            printf("Client disconnected: %s (worker %ld)\n", peer, pid);
    }
}

/* The life of a worker, in the child just after fork(). It keeps the
 * inherited SIGTERM handler: the signal sets the stop flag and makes a
 * blocked accept() or read() fail with EINTR, so the worker finishes the
 * unit of work at hand, closes its client and exits. */
static void worker_main(const struct process_pool *pool, long slot)
{
    int listen_fd = listen_fd_of(pool, slot);

    /* With -p, the other workers' sockets: this worker never accepts on
     * them, and a copy here would keep one listening (and being given its
     * share of connections) after its own worker and the parent are gone. */
    for (long i = 0; i < pool->socket_count; i++)
        if (pool->listen_fds[i] != listen_fd)
            close(pool->listen_fds[i]);
    /* A worker blocked in accept() would wait for ever if the parent were
     * killed with SIGKILL, holding the port: prepare_worker_process asks
     * the kernel for a SIGTERM then. */
    if (prepare_worker_process(pool->parent_pid) != 0) {
        report_errno("prepare worker");
        exit(1);
    }
    accept_and_serve(listen_fd, pool->args);
    close(listen_fd);
    exit(0);
}

/* ---- the parent ---------------------------------------------------------- */

static int start_worker(struct process_pool *pool, long slot)
{
    pid_t pid;

    fflush(stdout); /* a child must not print its parent's buffered lines */
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0)
        worker_main(pool, slot);
    pool->pids[slot] = pid;
    return 0;
}

/* All of them, at start-up: a fork that fails then is a start-up failure. */
static int start_workers(struct process_pool *pool)
{
    for (long i = 0; i < pool->worker_count; i++) {
        if (start_worker(pool, i) != 0) {
            report_errno("fork");
            return -1;
        }
    }
    return 0;
}

/* The parent has nothing else to do, so it may simply insist. */
static void restart_worker(struct process_pool *pool, long slot)
{
    while (!stop_requested() && start_worker(pool, slot) != 0) {
        report_errno("fork a new worker (retrying)");
        sleep(RESPAWN_RETRY_S);
    }
}

static long slot_of(const struct process_pool *pool, pid_t pid)
{
    for (long i = 0; i < pool->worker_count; i++)
        if (pool->pids[i] == pid)
            return i;
    return -1;
}

/* The parent's whole job while serving: sleep in waitpid() until a worker
 * dies (reap it, say so, fork its replacement) or a stop signal interrupts
 * the wait (no SA_RESTART: waitpid fails with EINTR). */
static void replace_dead_workers(struct process_pool *pool)
{
    while (!stop_requested()) {
        char how[80];
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        long slot;

        if (pid < 0) {
            if (errno == EINTR)
                continue;
            report_errno("waitpid");
            return;
        }
        if ((slot = slot_of(pool, pid)) < 0)
            continue;
        pool->pids[slot] = 0;
        /* waitpid() returns a dead worker even when a stop signal came at
         * the same moment. Ctrl-C signals the workers too: they are not
         * to be replaced then. */
        if (stop_requested())
            break;
        describe_wait_status(status, how, sizeof how);
        printf("worker %ld %s, replacing it\n", (long)pid, how);
        restart_worker(pool, slot);
    }
}

/* SIGTERM interrupts each worker's accept() or read(); then reap them all.
 * One still busy after a delay plus SHUTDOWN_GRACE_MS is killed. */
static void stop_workers(struct process_pool *pool)
{
    long killed = stop_children(
        pool->pids, pool->worker_count,
        (double)(pool->args->delay_ms + SHUTDOWN_GRACE_MS) / 1000.0);

    if (killed > 0)
        fprintf(stderr, "server: %ld %s did not stop in time: killed\n", killed,
                killed == 1 ? "worker" : "workers");
    memset(pool->pids, 0, sizeof pool->pids);
}

static void close_sockets(struct process_pool *pool)
{
    for (long i = 0; i < pool->socket_count; i++)
        close(pool->listen_fds[i]);
    pool->socket_count = 0;
}

/* Shared mode: one socket from listen_or_report. -p: a SO_REUSEPORT
 * group, one socket per worker (reuseport.c). */
static int open_sockets(struct process_pool *pool, long port)
{
    int fd;

    if (pool->reuseport) {
        if (reuseport_group(pool->listen_fds, pool->worker_count, &port) != 0) {
            char what[48];
            snprintf(what, sizeof what, "listen on port %ld", port);
            report_errno(what);
            return -1;
        }
        pool->socket_count = pool->worker_count;
        return 0;
    }
    if ((fd = listen_or_report(port)) < 0)
        return -1;
    pool->listen_fds[pool->socket_count++] = fd;
    return 0;
}

int main(int argc, char **argv)
{
    struct server_args args;
    struct process_pool pool = {.worker_count = DEFAULT_WORKERS};
    const struct opt_spec extra[] = {
        {'w', "N", "worker processes (default 10)", 1, MAX_WORKERS,
         &pool.worker_count, NULL},
        {'p', NULL, "a SO_REUSEPORT socket per worker (Linux)", 0, 0, NULL,
         &pool.reuseport},
    };
    int status;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra, 2)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    pool.args = &args;
    pool.parent_pid = getpid();
    if (open_sockets(&pool, args.port) != 0)
        return 1;
    /* The workers exist before the port is announced; a client faster than
     * them waits in the listen queue until one reaches accept(). */
    if (start_workers(&pool) != 0 || announce_port(pool.listen_fds[0]) != 0) {
        stop_workers(&pool);
        close_sockets(&pool);
        return 1;
    }
    replace_dead_workers(&pool);
    stop_workers(&pool);
    close_sockets(&pool);
    printf("shut down\n");
    return 0;
}
