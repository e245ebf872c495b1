/* loop.c - one thread, one io_uring, many clients: the completion loop
 * (server.c sets it up; requests.c fills the requests).
 *
 * What it teaches: completion-based I/O. 09's epoll loop asks the kernel
 * "which sockets could I read now?" and then reads each itself, a system
 * call per read and per write. This loop asks the kernel to DO the work:
 * "accept a client", "receive into this buffer", "send these bytes". The
 * requests pile up in the submission ring and go in one io_uring_enter,
 * which also waits; the results come back in the completion ring, each
 * with the user_data that says which connection and which request it was.
 * So a round of the loop is: enter (submit the batch, wait), then handle
 * every completion, queueing the next requests for the next enter.
 *
 * What stays the same: the kernel still does the socket work of each
 * receive and send, and the simulated work (-d) still blocks the one
 * thread: clients progress in turn, concurrent and not parallel.
 *
 * Linux-only: io_uring (ring.c has the system calls).
 */
#include "loop.h"

#include "requests.h"

#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A read completed: res bytes are in conn->buf, which is ours again. */
static void read_done(struct server *server, struct conn *conn, int res)
{
    if (res == 0) {
        retire_conn(server, conn); /* end of file: the client is done */
        return;
    }
    if (res < 0) {
        errno = -res; /* an error comes back as a negative result */
        report_peer_errno("read from", conn->peer);
        retire_conn(server, conn);
        return;
    }
    /* The unit of work, in the loop: every other client waits (09 -w 0). */
    simulate_work(server->delay_ms);
    upper_transform(conn->buf, (size_t)res);
    conn->reply_len = (size_t)res;
    conn->reply_sent = 0;
    submit_write(server, conn);
}

/* A send completed: res bytes of the reply went. A short send is not an
 * error: the rest is asked for again, from where it stopped. */
static void write_done(struct server *server, struct conn *conn, int res)
{
    if (res < 0) {
        errno = -res; /* EPIPE, ECONNRESET: this client only */
        report_peer_errno("write to", conn->peer);
        retire_conn(server, conn);
        return;
    }
    conn->reply_sent += (size_t)res;
    if (conn->reply_sent < conn->reply_len)
        submit_write(server, conn);
    else
        submit_read(server, conn); /* the whole reply went: next chunk */
}

/* The accept completed: res is the new client's descriptor, or -errno.
 * Exactly one accept is in flight; each completion asks for the next. A
 * failure (out of descriptors: EMFILE) asks again only after a pause, so
 * that a client waiting in the listen queue cannot make the loop spin;
 * the other clients are served meanwhile. */
static void accept_done(struct server *server, int res)
{
    server->accept_pending = false;
    if (res >= 0 && server->stopping) {
        close(res);
        return;
    }
    if (res >= 0) {
        add_conn(server, res);
        submit_accept(server);
        return;
    }
    if (res == -ECANCELED)
        return; /* shutting down */
    errno = -res;
    report_errno("accept (trying again shortly)");
    submit_accept_after_pause(server, ACCEPT_RETRY_PAUSE_MS);
}

/* The completion dispatch: user_data says what finished and for whom.
 * Nothing here waits: each case looks at the result and queues the next
 * request, which the loop's next io_uring_enter submits with the rest. */
static void handle_completion(struct server *server,
                              unsigned long long user_data, int res)
{
    struct conn *conn = request_conn(user_data);

    server->in_flight--;
    switch (request_kind(user_data)) {
    case REQ_ACCEPT:
        accept_done(server, res);
        break;
    case REQ_PAUSE: /* the timer expired (-ETIME) or was cancelled */
        server->accept_pending = false;
        if (!server->stopping)
            submit_accept(server);
        break;
    case REQ_READ:
    case REQ_WRITE:
        conn->pending = 0; /* the buffer is ours again */
        if (conn->closing)
            finish_conn(server, conn); /* dropped meanwhile: close it now */
        else if (request_kind(user_data) == REQ_READ)
            read_done(server, conn, res);
        else
            write_done(server, conn, res);
        break;
    case REQ_CANCEL:
        break; /* the cancelled request reports for itself */
    case REQ_STOP:
        /* SIGINT or SIGTERM is pending: the loop ends after this round. */
        server->stop_seen = true;
        break;
    }
}

/* Every completion waiting in the CQ. Each entry is copied out and its
 * slot given back before it is handled: handling it queues requests, and
 * their completions need slots. */
static void handle_completions(struct server *server)
{
    struct io_uring_cqe *cqe;

    while ((cqe = ring_peek(&server->ring)) != NULL) {
        unsigned long long user_data = cqe->user_data;
        int res = cqe->res;

        ring_seen(&server->ring);
        handle_completion(server, user_data, res);
    }
}

/* Drops the clients whose reply has not moved for STALL_TIMEOUT_S: their
 * send is cancelled, and they are closed when it completes. Teaching
 * shortcut: a scan of every connection once a second, as in 09. */
static void drop_stalled_conns(struct server *server)
{
    double now = now_seconds();

    if (now < server->next_stall_check)
        return;
    server->next_stall_check = now + TICK_MS / 1000.0;
    for (struct conn *conn = server->conns; conn != NULL;) {
        struct conn *next = conn->next; /* retire_conn may free conn */
        if (!conn->closing && request_kind(conn->pending) == REQ_WRITE &&
            now - conn->last_progress >= STALL_TIMEOUT_S) {
            fprintf(stderr,
                    "%s: dropped %s: %zu bytes of replies unread for %.0f s\n",
                    progname(), conn->peer, conn->reply_len - conn->reply_sent,
                    STALL_TIMEOUT_S);
            retire_conn(server, conn);
        }
        conn = next;
    }
}

int loop_run(struct server *server)
{
    submit_stop_watch(server);
    submit_accept(server);
    while (!server->stop_seen) {
        /* Submit the batch, wait for one completion at least, at most a
         * tick. A stop is one more completion (submit_stop_watch): it
         * cannot be lost between the check and the wait. */
        if (ring_enter(&server->ring, 1, NULL, TICK_MS) != 0 &&
            errno != EINTR && errno != ETIME && errno != EBUSY) {
            report_errno("io_uring_enter");
            return 1;
        }
        handle_completions(server);
        drop_stalled_conns(server);
    }
    return 0;
}

int loop_set_up(struct server *server)
{
    const char *cause;

    if (ring_open(&server->ring, SQ_ENTRIES, CQ_ENTRIES) == 0)
        return 0;
    if (errno == ENOSYS)
        cause = "not in this kernel, or hidden by a seccomp profile";
    else if (errno == EPERM)
        cause = "refused by kernel.io_uring_disabled or a seccomp profile";
    else
        cause = "cannot set up a ring";
    {
        char reason[160];
        snprintf(reason, sizeof reason, "%s (%s)", cause, strerror(errno));
        report_error("io_uring", reason);
    }
    return -1;
}

/* Shutdown with requests in flight: a buffer or an address the kernel may
 * still write cannot be freed, nor a descriptor it may still use closed.
 * So: cancel every request, then keep reaping completions until each one
 * has come back (bounded by SHUTDOWN_GRACE_MS), then close. The stop
 * signals stay blocked: a second Ctrl-C changes nothing. */
void loop_shut_down(struct server *server)
{
    double deadline = now_seconds() + SHUTDOWN_GRACE_MS / 1000.0;

    server->stopping = true;
    server->quiet = true; /* no "disconnected" lines at shutdown */
    if (server->accept_pending)
        submit_cancel(server, server->accept_request);
    if (!server->stop_seen) /* the loop ended on an error */
        submit_cancel(server, request_id(NULL, REQ_STOP));
    for (struct conn *conn = server->conns; conn != NULL;) {
        struct conn *next = conn->next;
        retire_conn(server, conn);
        conn = next;
    }
    while (server->in_flight > 0 && now_seconds() < deadline) {
        long left_ms = (long)((deadline - now_seconds()) * 1000) + 1;
        if (ring_enter(&server->ring, 1, NULL, left_ms) != 0 &&
            errno != EINTR && errno != ETIME && errno != EBUSY)
            break;
        handle_completions(server);
    }
    /* Only if the kernel did not answer in time is anything left: closing
     * the ring cancels it. */
    ring_close(&server->ring);
    while (server->conns != NULL) {
        server->conns->pending = 0;
        finish_conn(server, server->conns);
    }
}
