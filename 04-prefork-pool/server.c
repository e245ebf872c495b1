/* 04-prefork-pool/server.c - a preforked pool fed by the parent.
 *
 * What it teaches: N worker processes are forked once, at start-up, and
 * serve client after client. The parent is the only process that calls
 * accept(); it hands each new connection to an idle worker by sending the
 * descriptor itself over that worker's UNIX-domain socketpair (sendmsg with
 * SCM_RIGHTS). This is the C twin of the chapter's multiprocessing.Pool and
 * pool.apply_async(handle, (conn, client)): to get `conn` into a worker,
 * Python too passes its descriptor with SCM_RIGHTS underneath
 * (multiprocessing.resource_sharer). A worker writes one byte back on its
 * channel when it is idle again; when every worker is busy, new
 * connections wait in a queue in the parent. None is refused.
 *
 * Run:   ./04-prefork-pool/server -w 3 -d 100 2000      and in another terminal
 *        ./04-prefork-pool/client -n 10 localhost 2000
 * Look:  every log line names the worker that served the client: only 3
 *        different PIDs, each serving client after client. `kill -9` one
 *        worker and the parent says so and forks a new one.
 */
#include "children.h"
#include "io.h"
#include "net.h"
#include "options.h"
#include "serve.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_WORKERS 10
/* Accepted connections waiting for an idle worker. At the cap the parent
 * stops accepting: further clients wait in the kernel's listen queue
 * instead, still not refused. The cap also bounds the parent's descriptors. */
#define PENDING_MAX 128
/* A worker that could not be forked again is retried this often. */
#define RESPAWN_RETRY_MS 1000
/* What a worker writes on its channel when it is free for the next client. */
#define IDLE_BYTE 'i'

struct worker {
    pid_t pid;      /* 0: no worker in this slot (a fork failed; retried) */
    int channel_fd; /* the parent's end of the socketpair, -1 when none */
    bool idle;      /* nothing handed to it since its last IDLE_BYTE */
};

/* Accepted connections, oldest first: a ring of PENDING_MAX slots whose
 * head index wraps, like CS:APP's sbuf. */
struct pending_queue {
    int fds[PENDING_MAX];
    char peers[PENDING_MAX][PEER_NAME_MAX];
    size_t head, count;
};

struct pool {
    const struct server_args *args;
    int listen_fd;
    pid_t parent_pid;
    long worker_count;
    long next_worker; /* the search for an idle worker starts here */
    struct worker workers[MAX_WORKERS];
    struct pending_queue pending;
};

/* ---- descriptor passing ------------------------------------------------ */

/* The control buffer for one descriptor: CMSG_SPACE bytes, aligned like a
 * cmsghdr (the union does the aligning; a bare char array might not be). */
union fd_control {
    struct cmsghdr header;
    char bytes[CMSG_SPACE(sizeof(int))];
};

/* Sends conn_fd to the worker at the other end of channel_fd. The message
 * is the peer's name (a message must carry at least one byte of ordinary
 * data anyway, and the worker needs the name for its log lines); the
 * descriptor travels beside it as ancillary data. The kernel installs a
 * new descriptor in the worker for the same open connection, as dup()
 * would across processes. */
static int send_connection(int channel_fd, int conn_fd, const char *peer)
{
    /* iovec serves both directions, so its pointer is not const: sendmsg
     * only reads through it. */
    struct iovec data = {.iov_base = (void *)peer, .iov_len = strlen(peer) + 1};
    union fd_control control;
    struct msghdr msg;
    struct cmsghdr *cmsg;

    memset(&control, 0, sizeof control);
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &data;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &conn_fd, sizeof conn_fd);
    return sendmsg(channel_fd, &msg, 0) < 0 ? -1 : 0;
}

/* The worker's side: waits for the next connection. Returns its new
 * descriptor and fills peer, or -1: end of file (the parent is gone or
 * closed the channel to stop us), a stop signal, or an error (reported). */
static int receive_connection(int channel_fd, char *peer, size_t peer_size)
{
    /* EXERCISE(04-prefork-pool): receive one message with recvmsg: the peer's
     * name as data, the connection's descriptor as SCM_RIGHTS ancillary data
     * (send_connection is the model) */
    struct iovec data = {.iov_base = peer, .iov_len = peer_size - 1};
    union fd_control control;
    struct msghdr msg;
    struct cmsghdr *cmsg;
    ssize_t n;
    int conn_fd;

    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &data;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    n = recvmsg(channel_fd, &msg, 0);
    if (n <= 0) {
        /* EINTR: no handler but the stop handler is installed, so it means
         * stop. 0: nobody holds the parent's end any more. */
        if (n < 0 && errno != EINTR)
            report_errno("receive connection");
        return -1;
    }
    peer[n] = '\0';
    cmsg = CMSG_FIRSTHDR(&msg);
    if ((msg.msg_flags & MSG_CTRUNC) || cmsg == NULL ||
        cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        report_error("receive connection", "message without a descriptor");
        return -1;
    }
    memcpy(&conn_fd, CMSG_DATA(cmsg), sizeof conn_fd);
    return conn_fd;
    /* STUB: char byte; */
    /* STUB: ssize_t n = recv(channel_fd, &byte, sizeof byte, 0); */
    /* STUB: (void)n; (void)peer; (void)peer_size; */
    /* STUB: return -1; */
    /* END EXERCISE */
}

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

    while ((conn_fd = receive_connection(channel_fd, peer, sizeof peer)) >= 0) {
        if (!args->quiet)
            printf("Client connected: %s (worker %ld)\n", peer, pid);
        serve_upper_connection(conn_fd, peer, args->delay_ms);
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
static void close_inherited_descriptors(const struct pool *pool, long self)
{
    const struct pending_queue *q = &pool->pending;

    close(pool->listen_fd);
    for (long i = 0; i < pool->worker_count; i++)
        if (i != self && pool->workers[i].channel_fd >= 0)
            close(pool->workers[i].channel_fd);
    for (size_t k = 0; k < q->count; k++)
        close(q->fds[(q->head + k) % PENDING_MAX]);
}

/* The life of a worker, in the child just after fork(). It keeps the
 * inherited SIGTERM handler: the signal sets the stop flag, a blocked read
 * or recvmsg fails with EINTR, and the worker finishes the unit of work at
 * hand, closes its client and exits. */
static void run_worker(const struct pool *pool, long self, int channel_fd)
{
    close_inherited_descriptors(pool, self);
    /* Two ways to notice a parent killed by SIGKILL: an idle worker sees
     * end of file on its channel, but a busy one is blocked reading its
     * client and would serve on as an orphan. The death signal that
     * prepare_worker_process asks for reaches both. */
    if (prepare_worker_process(pool->parent_pid) != 0) {
        report_errno("prepare worker");
        exit(1);
    }
    serve_handed_connections(channel_fd, pool->args);
    close(channel_fd);
    exit(0);
}

/* ---- the parent: workers ------------------------------------------------ */

/* Forks the worker of one slot, with a new socketpair as its channel.
 * SOCK_SEQPACKET keeps message boundaries (one connection per message)
 * and, unlike a datagram socket, reports end of file when the other side
 * has gone. */
static int start_worker(struct pool *pool, long slot)
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
        run_worker(pool, slot, ends[1]);
    }
    /* The parent keeps ends[0]. It closes the worker's end: a copy of it
     * here would hide the end of file that says the worker died. */
    close(ends[1]);
    w->pid = pid;
    w->channel_fd = ends[0];
    w->idle = true;
    return 0;
}

/* A worker's channel reached end of file: its last descriptor closed as it
 * exited. Collect its exit status (no zombie) and say so; the slot is left
 * empty for run_parent to fill. */
static void replace_worker(struct pool *pool, long slot)
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

/* Forks a worker for every empty slot: all of them at start-up, then the
 * replacement of each worker that died. Returns how many stay empty (a
 * failed fork is tried again RESPAWN_RETRY_MS later). */
static long start_missing_workers(struct pool *pool)
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

/* The worker's channel is readable: an IDLE_BYTE, or end of file. */
static void read_worker_channel(struct pool *pool, long slot)
{
    char byte;
    ssize_t n = read(pool->workers[slot].channel_fd, &byte, 1);

    if (n == 1)
        pool->workers[slot].idle = true;
    else if (n == 0 || errno != EINTR)
        replace_worker(pool, slot);
}

/* An idle worker, round robin so that the log shows the work spread over
 * the pool; -1 when all are busy. */
static long find_idle_worker(struct pool *pool)
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

/* ---- the parent: connections -------------------------------------------- */

/* POSIX lets an accepted socket inherit O_NONBLOCK from the listener (BSD
 * does, Linux does not); the workers' reads must block. */
static int make_blocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    if ((flags & O_NONBLOCK) == 0)
        return 0; /* blocking already (always, on Linux): no second call */
    return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/* Accepts every client waiting in the listen queue, up to PENDING_MAX
 * queued in the parent. The listener is non-blocking: a client that
 * resets between poll() and accept() must not stall the parent (UNP 16.6). */
static void accept_clients(struct pool *pool)
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
        if (make_blocking(conn_fd) != 0) {
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
static void hand_out_connections(struct pool *pool)
{
    struct pending_queue *q = &pool->pending;
    long slot;

    while (q->count > 0 && (slot = find_idle_worker(pool)) >= 0) {
        struct worker *w = &pool->workers[slot];

        w->idle = false;
        if (send_connection(w->channel_fd, q->fds[q->head],
                            q->peers[q->head]) != 0) {
            /* A worker we cannot talk to is no use: end it. Its end of file
             * brings it to replace_worker; the client stays queued. */
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

/* The parent's loop: one poll() over the listening socket and every
 * worker's channel, until SIGINT or SIGTERM. */
static void run_parent(struct pool *pool)
{
    struct pollfd watched[1 + MAX_WORKERS];
    const nfds_t watched_count = 1 + (nfds_t)pool->worker_count;

    while (!stop_requested()) {
        int timeout_ms =
            start_missing_workers(pool) > 0 ? RESPAWN_RETRY_MS : -1;

        /* A full queue: stop looking at the listener (poll skips negative
         * descriptors), so clients wait in the kernel's listen queue. */
        watched[0].fd =
            pool->pending.count < PENDING_MAX ? pool->listen_fd : -1;
        watched[0].events = POLLIN;
        for (long i = 0; i < pool->worker_count; i++) {
            watched[1 + i].fd = pool->workers[i].channel_fd;
            watched[1 + i].events = POLLIN;
        }
        if (poll(watched, watched_count, timeout_ms) < 0) {
            if (errno != EINTR)
                report_errno("poll");
            continue;
        }
        /* poll() returns the events it found even when a stop signal came
         * at the same moment. Ctrl-C signals the workers too, and their
         * end of file must not be taken for deaths to replace. */
        if (stop_requested())
            break;
        for (long i = 0; i < pool->worker_count; i++)
            if (watched[1 + i].revents != 0)
                read_worker_channel(pool, i);
        if (watched[0].revents != 0)
            accept_clients(pool);
        hand_out_connections(pool);
    }
}

/* Shutdown: queued clients are closed unserved; every worker gets end of
 * file on its channel (wakes an idle one) and SIGTERM (interrupts a busy
 * one's read), and is reaped; one still busy after a delay plus
 * SHUTDOWN_GRACE_MS is killed. */
static void stop_pool(struct pool *pool)
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
        fprintf(stderr, "server: %ld %s did not stop in time: killed\n", killed,
                killed == 1 ? "worker" : "workers");
}

static void init_pool(struct pool *pool, const struct server_args *args,
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

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = DEFAULT_WORKERS;
    const struct opt_spec extra[] = {
        {'w', "N", "worker processes (default 10)", 1, MAX_WORKERS,
         &worker_count, NULL},
    };
    struct pool pool;
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
    if (start_missing_workers(&pool) > 0) {
        stop_pool(&pool);
        close(listen_fd);
        return 1;
    }
    if (announce_port(listen_fd) != 0) {
        stop_pool(&pool);
        close(listen_fd);
        return 1;
    }
    run_parent(&pool);
    stop_pool(&pool);
    close(listen_fd);
    printf("shut down\n");
    return 0;
}
