/* evloop.c - one thread, one epoll loop, thousands of clients; the work
 * runs in the loop (server -w 0).
 *
 * What it teaches: readiness-based I/O. The loop asks the kernel "which of
 * my sockets can I read or write without blocking?" (epoll_wait), then
 * does exactly that much on each and goes back to asking. Every socket is
 * non-blocking, every connection's state lives in a struct conn that
 * epoll hands back (data.ptr), and nothing ever waits on one client. But
 * the simulated work still blocks the one thread: all clients progress in
 * turn (concurrent), none in parallel. handoff.c moves the work to worker
 * threads (-w N) and leaves this loop as it is.
 *
 * Run:   ./09-epoll/server -d 100 2000
 *        ./09-epoll/client -n 10 localhost 2000   (another terminal)
 * Look:  N x 8 x D seconds, like the iterative server, yet the replies
 *        interleave; -E switches to edge-triggered.
 *
 * Linux-only calls (no _GNU_SOURCE needed here): epoll_create1,
 * epoll_ctl, epoll_wait. accept4 and eventfd live in listener.c and
 * handoff.c.
 */
#include "evloop.h"

#include "conn.h"

#include "io.h"
#include "upper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Events taken from the kernel per epoll_wait. */
#define MAX_EVENTS 256
/* Edge-triggered fairness: reads per socket per wake-up. */
#define READS_PER_WAKEUP 16
/* New clients accepted per wake-up (listener.h says why a cap). */
#define ACCEPTS_PER_WAKEUP 64
/* epoll_wait wakes up at least this often, to check STALL_TIMEOUT_S. */
#define TICK_MS 1000

/* One chunk read: the unit of work. -w 0: do it right here, blocking the
 * whole loop for the delay (what asyncio does when a coroutine calls
 * time.sleep instead of awaiting). -w N: handoff.c takes it. */
static int handle_chunk(struct server *server, struct conn *conn, size_t len)
{
    if (server->worker_count > 0) {
        if (hand_to_worker(&server->handoff, conn, server->chunk, len) != 0)
            return -1;
        conn->job_in_flight = true; /* no more reads until it is back */
        return 0;
    }
    simulate_work(server->delay_ms);
    upper_transform(server->chunk, len);
    return send_reply(conn, server->chunk, len);
}

/* Reads what has arrived. Level-triggered: one read per wake-up; if more
 * is left, epoll reports the socket again. Edge-triggered: read until
 * EAGAIN, but at most READS_PER_WAKEUP times, so that one fast sender
 * cannot keep the loop to itself while everybody else waits; when the cap
 * stops us early, re-arming the descriptor (EPOLL_CTL_MOD) makes the next
 * epoll_wait report it again, after the others had their turn. */
static void read_from(struct server *server, struct conn *conn)
{
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
        conn->events = 0; /* makes settle_conn re-arm it */
    settle_conn(server, conn);
}

/* Workers finished jobs (-w N): send each reply and let its connection
 * read again. A connection retired meanwhile is freed at the end of the
 * round, now that its job, the last reference, is back. */
static void collect_replies(struct server *server)
{
    struct job *job = take_finished_jobs(&server->handoff);

    while (job != NULL) {
        struct job *next = job->next;
        struct conn *conn = job->owner;

        conn->job_in_flight = false;
        if (conn->fd < 0)
            ; /* the client left: the reply has nowhere to go */
        else if (send_reply(conn, job->data, job->len) != 0)
            drop_conn(server, conn, "write to");
        else
            settle_conn(server, conn);
        recycle_job(&server->handoff, job);
        job = next;
    }
}

static void handle_event(struct server *server, const struct epoll_event *ev)
{
    struct conn *conn = ev->data.ptr;

    if (ev->data.ptr == &server->listener)
        listener_accept(&server->listener, ACCEPTS_PER_WAKEUP, add_conn,
                        server);
    else if (ev->data.ptr == &server->handoff)
        collect_replies(server);
    else if (conn->fd < 0)
        ; /* retired earlier in this round */
    else if ((ev->events & EPOLLOUT) && outbuf_flush(&conn->out, conn->fd) < 0)
        drop_conn(server, conn, "write to");
    else if ((ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && may_read(conn))
        read_from(server, conn); /* a reset shows up here as ECONNRESET */
    else if (ev->events & (EPOLLERR | EPOLLHUP))
        retire_conn(server, conn); /* gone while its job was out */
    else
        settle_conn(server, conn); /* after a write */
}

/* Drops the clients whose output has not moved for STALL_TIMEOUT_S.
 * Teaching shortcut: a scan of every connection once a second; a list
 * kept in order of last progress would look only at the oldest. */
static void drop_stalled_conns(struct server *server)
{
    double now = now_seconds();
    struct conn *conn = server->open;

    if (now < server->next_stall_check)
        return;
    server->next_stall_check = now + TICK_MS / 1000.0;
    while (conn != NULL) {
        struct conn *next = conn->next; /* retire_conn relinks conn */
        if (outbuf_stalled(&conn->out, now, STALL_TIMEOUT_S)) {
            fprintf(stderr,
                    "%s: dropped %s: %zu bytes of replies unread for %.0f s\n",
                    progname(), conn->peer, outbuf_pending(&conn->out),
                    STALL_TIMEOUT_S);
            retire_conn(server, conn);
        }
        conn = next;
    }
}

int evloop_run(struct server *server)
{
    struct epoll_event events[MAX_EVENTS];

    while (!stop_requested()) {
        int ready = epoll_wait(server->epoll_fd, events, MAX_EVENTS, TICK_MS);

        if (ready < 0 && errno == EINTR)
            continue; /* a stop signal: the loop condition sees it */
        if (ready < 0) {
            report_errno("epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready && !stop_requested(); i++)
            handle_event(server, &events[i]);
        drop_stalled_conns(server);
        free_retired(server);
    }
    return 0;
}

int evloop_set_up(struct server *server)
{
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = &server->handoff};

    if ((server->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        report_errno("epoll_create1");
        return -1;
    }
    if (listener_watch(&server->listener, server->epoll_fd) != 0)
        return -1;
    if (server->worker_count == 0)
        return 0;
    if (start_handoff(&server->handoff, server->worker_count,
                      server->delay_ms) != 0) {
        server->worker_count = 0; /* nothing to stop */
        return -1;
    }
    /* A finished job wakes the loop like a readable socket would. */
    if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, server->handoff.wake_fd,
                  &wake) != 0) {
        report_errno("watch eventfd");
        return -1;
    }
    return 0;
}

void evloop_tear_down(struct server *server)
{
    if (server->worker_count > 0)
        stop_handoff(&server->handoff); /* joins the workers first */
    server->quiet = true; /* no "disconnected" lines at shutdown */
    while (server->open != NULL)
        retire_conn(server, server->open);
    for (struct conn *conn = server->retired; conn != NULL; conn = conn->next)
        conn->job_in_flight = false; /* the hand-off freed every job */
    free_retired(server);
    if (server->epoll_fd >= 0)
        close(server->epoll_fd);
    listener_close(&server->listener);
}
