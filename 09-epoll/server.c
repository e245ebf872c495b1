/* 09-epoll/server.c - one thread, one epoll loop, thousands of clients.
 *
 * What it teaches: readiness-based I/O. The loop asks the kernel "which of
 * my sockets can I read or write without blocking?" (epoll_wait), then
 * does exactly that much on each and goes back to asking. Every socket is
 * non-blocking, every connection's state lives in a struct conn that
 * epoll hands back (data.ptr), and nothing ever waits on one client. But
 * the simulated work still blocks the one thread: with -w 0 all clients
 * progress in turn (concurrent) and none in parallel; with -w N the work
 * goes to N worker threads and the loop stays free (asyncio.to_thread).
 *
 * Run:   ./09-epoll/server -d 100 2000    and then
 *        ./09-epoll/client -n 10 localhost 2000
 * Look:  -w 0 takes N x 8 x D like the iterative server, yet the replies
 *        interleave; -w 10 takes 8 x D. -E switches to edge-triggered.
 *
 * Linux-only calls (no _GNU_SOURCE needed here): epoll_create1,
 * epoll_ctl, epoll_wait. accept4 and eventfd live in listener.c and pool.c.
 */
#include "io.h"
#include "listener.h"
#include "net.h"
#include "options.h"
#include "pool.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Events taken from the kernel per epoll_wait. */
#define MAX_EVENTS 256
/* Back-pressure: above this much unsent output the loop stops reading from
 * that client, so a client that never reads cannot make us buffer without
 * end. One read adds at most CHUNK_SIZE, hence the cap below. */
#define OUTPUT_HIGH_WATER ((size_t)256 * 1024)
#define OUTPUT_CAP        (OUTPUT_HIGH_WATER + CHUNK_SIZE)
/* Edge-triggered fairness: reads per socket per wake-up. */
#define READS_PER_WAKEUP 16
/* New clients accepted per wake-up (listener.h says why a cap). */
#define ACCEPTS_PER_WAKEUP 64

struct conn {
    int fd;
    uint32_t events;    /* what epoll watches for it now */
    bool peer_closed;   /* read() gave 0: flush what is left, then close */
    bool job_in_flight; /* a worker has its bytes (-w N) */
    char *out;          /* unsent output: out[out_sent .. out_len) */
    size_t out_len, out_sent, out_cap;
    struct conn *prev, *next; /* in the server's open or closed list */
    char peer[PEER_NAME_MAX];
    double last_input; /* when it last sent something (-i) */
};

struct server {
    int epoll_fd;
    struct listener listener;
    long delay_ms, worker_count;
    long idle_s; /* -i: close a connection silent this long (0: never) */
    bool quiet, edge;
    struct pool pool;    /* only with -w N */
    struct conn *open;   /* connections being served */
    struct conn *closed; /* closed, freed at the end of the round (below) */
    char chunk[CHUNK_SIZE];
};

static size_t pending(const struct conn *conn)
{
    return conn->out_len - conn->out_sent;
}

/* Whether we are willing to read from it: not after its end of file, not
 * while its job is with a worker, not while too much output waits for it
 * (back-pressure). */
static bool may_read(const struct conn *conn)
{
    return !conn->peer_closed && !conn->job_in_flight &&
           pending(conn) <= OUTPUT_HIGH_WATER;
}

/* What this connection wants from epoll: EPOLLIN while we may read, and
 * EPOLLOUT only while output waits. A socket is almost always writable, so
 * watching EPOLLOUT all the time would wake the loop for nothing, over and
 * over. */
static uint32_t wanted_events(const struct server *server,
                              const struct conn *conn)
{
    uint32_t events = 0;

    if (may_read(conn))
        events |= EPOLLIN;
    if (pending(conn) > 0)
        events |= EPOLLOUT;
    /* Level-triggered (the default): epoll_wait reports a socket as long
     * as it is readable, so reading once per wake-up is enough and nothing
     * is ever forgotten. Edge-triggered (EPOLLET): it is reported once per
     * change (new data arrived), so we must read until EAGAIN or never
     * hear of the rest; in exchange, fewer wake-ups. */
    if (server->edge)
        events |= EPOLLET;
    return events;
}

/* Tells epoll what we want, only when that changed (one system call). */
static int update_events(struct server *server, struct conn *conn)
{
    struct epoll_event change = {.events = wanted_events(server, conn),
                                 .data.ptr = conn};

    if (change.events == conn->events)
        return 0;
    conn->events = change.events;
    return epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, conn->fd, &change);
}

static void unlink_conn(struct conn **list, struct conn *conn)
{
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        *list = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    conn->prev = conn->next = NULL;
}

static void link_conn(struct conn **list, struct conn *conn)
{
    conn->prev = NULL;
    conn->next = *list;
    if (*list != NULL)
        (*list)->prev = conn;
    *list = conn;
}

/* close() also removes the descriptor from the epoll set (no other copy of
 * it exists), but the struct cannot be freed yet, for two reasons:
 * - epoll_wait returned a whole array of events; a later entry of it may
 *   point to this struct (a reply from a worker can close a connection
 *   whose own event comes next), so it must stay valid until the round
 *   ends; fd == -1 tells handle_event to skip it;
 * - a worker may still hold this connection's bytes, and the finished job
 *   points to the struct: the job is a second reference, and the struct is
 *   freed only once it is back (both run on this thread: a flag does, no
 *   atomic counter). The job points to the struct and not to the fd
 *   because the next accept reuses the descriptor number at once. */
static void close_conn(struct server *server, struct conn *conn)
{
    close(conn->fd);
    conn->fd = -1;
    if (!server->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    unlink_conn(&server->open, conn);
    link_conn(&server->closed, conn);
}

/* End of a round: free the closed connections no worker refers to. */
static void free_closed(struct server *server)
{
    struct conn *conn = server->closed;

    while (conn != NULL) {
        struct conn *next = conn->next;
        if (!conn->job_in_flight) {
            unlink_conn(&server->closed, conn);
            free(conn->out);
            free(conn);
        }
        conn = next;
    }
}

static void drop_conn(struct server *server, struct conn *conn,
                      const char *action)
{
    report_peer_errno(action, conn->peer);
    close_conn(server, conn);
}

/* Keeps what write() did not take. Returns -1 past OUTPUT_CAP. */
static int keep_output(struct conn *conn, const char *data, size_t len)
{
    size_t need = pending(conn) + len;

    if (need > OUTPUT_CAP) {
        errno = ENOBUFS;
        return -1;
    }
    if (conn->out_sent > 0) { /* slide the unsent part to the front */
        memmove(conn->out, conn->out + conn->out_sent, pending(conn));
        conn->out_len -= conn->out_sent;
        conn->out_sent = 0;
    }
    if (need > conn->out_cap) {
        size_t cap = conn->out_cap > 0 ? conn->out_cap : 4096;
        char *grown;
        while (cap < need)
            cap *= 2;
        if ((grown = realloc(conn->out, cap)) == NULL)
            return -1;
        conn->out = grown;
        conn->out_cap = cap;
    }
    memcpy(conn->out + conn->out_len, data, len);
    conn->out_len += len;
    return 0;
}

/* Writes until done or until the socket is full. A non-blocking write
 * never sleeps, so it cannot be interrupted by a signal (no EINTR). */
static int flush_output(struct conn *conn)
{
    while (pending(conn) > 0) {
        ssize_t n = write(conn->fd, conn->out + conn->out_sent, pending(conn));
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        conn->out_sent += (size_t)n;
    }
    /* All sent: give the buffer back. Only a client that falls behind ever
     * gets one; the steady state (reply fits the socket) allocates none. */
    free(conn->out);
    conn->out = NULL;
    conn->out_len = conn->out_sent = conn->out_cap = 0;
    return 0;
}

/* Sends a reply now if the socket takes it, keeps the rest otherwise. */
static int send_reply(struct conn *conn, const char *data, size_t len)
{
    if (pending(conn) == 0) {
        ssize_t n = write(conn->fd, data, len);
        if (n < 0 && errno != EAGAIN)
            return -1;
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        }
    }
    return len > 0 ? keep_output(conn, data, len) : 0;
}

/* After any change: close a finished connection (half-close: the peer's
 * end of file came and every reply has gone), or update what we watch. */
static void settle(struct server *server, struct conn *conn)
{
    if (conn->peer_closed && !conn->job_in_flight && pending(conn) == 0)
        close_conn(server, conn);
    else if (update_events(server, conn) != 0)
        drop_conn(server, conn, "epoll_ctl for");
}

static bool is_open(const struct conn *conn)
{
    return conn->fd >= 0;
}

/* One chunk read: the unit of work. -w 0: do it right here, blocking the
 * whole loop for the delay (what asyncio does when a coroutine calls
 * time.sleep instead of awaiting). -w N: hand it to a worker and stop
 * reading from this client until the reply is back: one job at a time per
 * connection keeps its replies in order (two jobs on two workers could
 * finish in either order) and bounds what one client can queue. */
static int handle_chunk(struct server *server, struct conn *conn, size_t len)
{
    struct job *job;

    if (server->worker_count == 0) {
        simulate_work(server->delay_ms);
        upper_transform(server->chunk, len);
        return send_reply(conn, server->chunk, len);
    }
    if ((job = pool_job(&server->pool, len)) == NULL)
        return -1;
    memcpy(job->data, server->chunk, len);
    job->owner = conn;
    conn->job_in_flight = true;
    pool_submit(&server->pool, job);
    return 0;
}

/* Reads what has arrived. Level-triggered: one read per wake-up; if more
 * is left, epoll reports the socket again. Edge-triggered: read until
 * EAGAIN, but at most READS_PER_WAKEUP times, so that one fast sender
 * cannot keep the loop to itself while everybody else waits; when the cap
 * stops us early, re-arming the descriptor (EPOLL_CTL_MOD) makes the next
 * epoll_wait report it again, after the others had their turn. */
static void read_from(struct server *server, struct conn *conn)
{
    /* EXERCISE(09-epoll): read what has arrived (once when level-triggered,
     * until EAGAIN within the budget when edge-triggered), hand each chunk to
     * handle_chunk, note end of file, then settle the connection */
    int budget = server->edge ? READS_PER_WAKEUP : 1;

    while (budget-- > 0 && may_read(conn)) {
        ssize_t n = read_some(conn->fd, server->chunk, sizeof server->chunk);
        if (n > 0 && handle_chunk(server, conn, (size_t)n) != 0) {
            drop_conn(server, conn, "reply to");
            return;
        }
        if (n == 0)
            conn->peer_closed = true; /* half-close: flush, then close */
        if (n < 0 && errno == EAGAIN)
            break; /* drained: the edge-triggered loop ends here */
        if (n < 0 && errno == EINTR)
            return; /* a stop signal: the loop is about to end */
        if (n < 0) {
            drop_conn(server, conn, "read from");
            return;
        }
    }
    if (server->edge && budget < 0 && may_read(conn))
        conn->events = 0; /* makes update_events re-arm it */
    settle(server, conn);
    /* STUB: (void)handle_chunk; */
    /* STUB: close_conn(server, conn); */
    /* END EXERCISE */
}

static void write_to(struct server *server, struct conn *conn)
{
    if (flush_output(conn) != 0)
        drop_conn(server, conn, "write to");
    else
        settle(server, conn);
}

/* A new client (listener_accept calls this for each). */
static void add_conn(void *context, int fd, const struct sockaddr *addr,
                     socklen_t addr_len)
{
    struct server *server = context;
    struct conn *conn = calloc(1, sizeof *conn);
    struct epoll_event watch;

    if (conn == NULL) {
        report_errno("calloc (connection refused)");
        close(fd);
        return;
    }
    conn->fd = fd;
    conn->last_input = now_seconds();
    format_peer(addr, addr_len, conn->peer, sizeof conn->peer);
    conn->events = wanted_events(server, conn);
    watch = (struct epoll_event){.events = conn->events, .data.ptr = conn};
    if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &watch) != 0) {
        report_errno("epoll_ctl (connection refused)");
        close(fd);
        free(conn);
        return;
    }
    link_conn(&server->open, conn);
    if (!server->quiet)
        printf("Client connected: %s\n", conn->peer);
}

/* The eventfd is readable: workers finished jobs. Send each reply and let
 * its connection read again; a connection that closed meanwhile is freed
 * at the end of the round, now that its job, the last reference, is back. */
static void collect_replies(struct server *server)
{
    struct job *job = pool_take_done(&server->pool);

    while (job != NULL) {
        struct job *next = job->next;
        struct conn *conn = job->owner;

        conn->job_in_flight = false;
        if (!is_open(conn))
            ; /* the client left: the reply has nowhere to go */
        else if (send_reply(conn, job->data, job->len) != 0)
            drop_conn(server, conn, "write to");
        else
            settle(server, conn);
        pool_recycle(&server->pool, job);
        job = next;
    }
}

static void handle_event(struct server *server, const struct epoll_event *ev)
{
    struct conn *conn = ev->data.ptr;

    if (ev->data.ptr == &server->listener) {
        listener_accept(&server->listener, ACCEPTS_PER_WAKEUP, add_conn,
                        server);
        return;
    }
    if (ev->data.ptr == &server->pool.wake_fd) {
        collect_replies(server);
        return;
    }
    if (!is_open(conn))
        return; /* closed earlier in this round */
    if (ev->events & EPOLLOUT)
        write_to(server, conn);
    if (!is_open(conn))
        return;
    /* EXERCISE(09-epoll): -i SEC: note when the client last sent something */
    if (ev->events & EPOLLIN)
        conn->last_input = now_seconds();
    /* END EXERCISE */
    if ((ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && may_read(conn))
        read_from(server, conn); /* a reset shows up here as ECONNRESET */
    else if (ev->events & (EPOLLERR | EPOLLHUP))
        close_conn(server, conn); /* gone while its job was out */
}

/* EXERCISE(09-epoll): -i SEC: close the connections silent for SEC s */
/* Teaching shortcut: a scan of every connection once per pass; a list
 * kept in order of last activity would look only at the oldest. */
static void close_idle_conns(struct server *server)
{
    double now = now_seconds();
    struct conn *conn = server->open;

    while (server->idle_s > 0 && conn != NULL) {
        struct conn *next = conn->next; /* close_conn relinks conn */
        if (!conn->peer_closed && !conn->job_in_flight &&
            now - conn->last_input >= (double)server->idle_s) {
            fprintf(stderr, "%s: dropped %s: idle for %ld s\n", progname(),
                    conn->peer, server->idle_s);
            close_conn(server, conn);
        }
        conn = next;
    }
}
/* END EXERCISE */

/* The event loop: wait for readiness, handle each ready descriptor, until
 * SIGINT/SIGTERM interrupts epoll_wait (EINTR: no SA_RESTART). */
static int run_loop(struct server *server)
{
    struct epoll_event events[MAX_EVENTS];

    while (!stop_requested()) {
        int timeout_ms = -1;
        int ready;

        /* EXERCISE(09-epoll): -i SEC: wake up at least once a second */
        if (server->idle_s > 0)
            timeout_ms = 1000;
        /* END EXERCISE */
        ready = epoll_wait(server->epoll_fd, events, MAX_EVENTS, timeout_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            report_errno("epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready && !stop_requested(); i++)
            handle_event(server, &events[i]);
        /* EXERCISE(09-epoll): -i SEC: close the connections silent for SEC s */
        close_idle_conns(server);
        /* END EXERCISE */
        free_closed(server);
    }
    return 0;
}

/* Opens the epoll set, watches the listener, starts the workers. */
static int set_up(struct server *server)
{
    struct epoll_event wake = {.events = EPOLLIN};

    if ((server->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        report_errno("epoll_create1");
        return -1;
    }
    if (listener_watch(&server->listener, server->epoll_fd) != 0)
        return -1;
    if (server->worker_count == 0)
        return 0;
    if (pool_start(&server->pool, server->worker_count, server->delay_ms) !=
        0) {
        server->worker_count = 0; /* nothing to stop */
        return -1;
    }
    wake.data.ptr = &server->pool.wake_fd;
    if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, server->pool.wake_fd,
                  &wake) != 0) {
        report_errno("watch eventfd");
        return -1;
    }
    return 0;
}

static void tear_down(struct server *server)
{
    if (server->worker_count > 0)
        pool_stop(&server->pool); /* joins the workers first */
    while (server->open != NULL) {
        server->quiet = true; /* no "disconnected" lines at shutdown */
        close_conn(server, server->open);
    }
    for (struct conn *conn = server->closed; conn != NULL; conn = conn->next)
        conn->job_in_flight = false; /* the pool freed every job */
    free_closed(server);
    if (server->epoll_fd >= 0)
        close(server->epoll_fd);
    listener_close(&server->listener);
}

int main(int argc, char **argv)
{
    struct server server = {.open = NULL};
    struct server_args args;
    long workers = 0, idle_s = 0;
    bool edge = false;
    const struct opt_spec extra[] = {
        {'w', "N", "worker threads for the work (default 0: in the loop)", 0,
         MAX_WORKERS, &workers, NULL},
        {'E', NULL, "edge-triggered epoll (default level-triggered)", 0, 0,
         NULL, &edge},
        /* EXERCISE(09-epoll): add -i SEC, the idle timeout (0 to 3600) */
        {'i', "SEC", "close a client silent for SEC s (default 0: never)", 0,
         3600, &idle_s, NULL},
        /* END EXERCISE */
    };
    int status;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra,
                                    sizeof extra / sizeof extra[0])) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    server.epoll_fd = server.listener.spare_fd = -1;
    server.delay_ms = args.delay_ms;
    server.quiet = args.quiet;
    server.edge = edge;
    server.worker_count = workers;
    server.idle_s = idle_s;
    if ((server.listener.listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (set_up(&server) != 0 || announce_port(server.listener.listen_fd) != 0) {
        tear_down(&server);
        return 1;
    }
    status = run_loop(&server);
    tear_down(&server);
    printf("shut down\n");
    return status;
}
