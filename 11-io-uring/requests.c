/* requests.c - the requests of the completion loop (see requests.h), and a
 * connection's life around them: one request in flight per connection
 * (a recv, then a send of the reply, then a recv...), so its buffer is
 * never the kernel's twice at once, and a client that does not read
 * cannot make the server buffer more than one reply for it.
 */
#include "requests.h"

#include "stop.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned long long request_id(struct conn *conn, enum request_kind kind)
{
    return (unsigned long long)(uintptr_t)conn | (unsigned long long)kind;
}

/* The number back into the address it was made from: the one place an
 * integer becomes a pointer (clang-tidy flags every such cast). */
struct conn *request_conn(unsigned long long user_data)
{
    uintptr_t address =
        (uintptr_t)(user_data & ~(unsigned long long)REQUEST_KIND_MASK);
    return (struct conn *)address; // NOLINT(performance-no-int-to-ptr)
}

enum request_kind request_kind(unsigned long long user_data)
{
    return (enum request_kind)(user_data & REQUEST_KIND_MASK);
}

/* A zeroed submission slot for one request, counted as in flight. When
 * every slot is taken, the full batch goes to the kernel first (without
 * waiting): a round that queues more than SQ_ENTRIES requests costs one
 * more io_uring_enter, never a lost request. */
static struct io_uring_sqe *new_request(struct server *server, int op, int fd,
                                        unsigned long long user_data)
{
    struct io_uring_sqe *sqe;

    while ((sqe = ring_get_sqe(&server->ring)) == NULL)
        if (ring_enter(&server->ring, 0, NULL, -1) != 0 && errno != EINTR &&
            errno != EBUSY && errno != EAGAIN)
            report_errno("io_uring_enter (submitting a full batch)");
    sqe->opcode = (unsigned char)op;
    sqe->fd = fd;
    sqe->user_data = user_data;
    server->in_flight++;
    return sqe;
}

void submit_accept(struct server *server)
{
    struct io_uring_sqe *sqe;

    server->accept_request = request_id(NULL, REQ_ACCEPT);
    sqe = new_request(server, IORING_OP_ACCEPT, server->listen_fd,
                      server->accept_request);
    /* The kernel writes the peer's address here when a client comes: the
     * two fields are its until the completion. */
    server->peer_len = sizeof server->peer_addr;
    sqe->addr = (unsigned long)&server->peer_addr;
    sqe->addr2 = (unsigned long)&server->peer_len;
    sqe->accept_flags = SOCK_CLOEXEC;
    server->accept_pending = true;
}

void submit_accept_after_pause(struct server *server, long pause_ms)
{
    struct io_uring_sqe *sqe;

    server->pause.tv_sec = pause_ms / 1000;
    server->pause.tv_nsec = pause_ms % 1000 * 1000000;
    server->accept_request = request_id(NULL, REQ_PAUSE);
    sqe = new_request(server, IORING_OP_TIMEOUT, -1, server->accept_request);
    sqe->addr = (unsigned long)&server->pause;
    sqe->len = 1;
    server->accept_pending = true;
}

void submit_read(struct server *server, struct conn *conn)
{
    struct io_uring_sqe *sqe;

    conn->pending = request_id(conn, REQ_READ);
    sqe = new_request(server, IORING_OP_RECV, conn->fd, conn->pending);
    sqe->addr = (unsigned long)conn->buf;
    sqe->len = sizeof conn->buf;
}

void submit_write(struct server *server, struct conn *conn)
{
    struct io_uring_sqe *sqe;

    conn->pending = request_id(conn, REQ_WRITE);
    sqe = new_request(server, IORING_OP_SEND, conn->fd, conn->pending);
    sqe->addr = (unsigned long)(conn->buf + conn->reply_sent);
    sqe->len = (unsigned)(conn->reply_len - conn->reply_sent);
    sqe->msg_flags = MSG_NOSIGNAL; /* EPIPE as a result, never SIGPIPE */
    conn->last_progress = now_seconds();
}

/* SIGINT and SIGTERM stay blocked (common/stop.c): a stop signal waits,
 * pending, and the stop descriptor turns readable. This asks the kernel
 * to complete a request when that happens, so the loop's one wait,
 * io_uring_enter, also waits for Ctrl-C: no signal interrupts anything,
 * and a stop that came while the loop worked is seen at the next wait. */
void submit_stop_watch(struct server *server)
{
    struct io_uring_sqe *sqe = new_request(
        server, IORING_OP_POLL_ADD, stop_fd(), request_id(NULL, REQ_STOP));

    sqe->poll32_events = POLLIN;
}

void submit_cancel(struct server *server, unsigned long long target)
{
    /* Its own completion says whether the target was found (0), had
     * already finished (-ENOENT) or is finishing (-EALREADY); either way
     * the target completes too, -ECANCELED if it was stopped. */
    struct io_uring_sqe *sqe = new_request(server, IORING_OP_ASYNC_CANCEL, -1,
                                           request_id(NULL, REQ_CANCEL));
    sqe->addr = target;
}

static void unlink_conn(struct server *server, struct conn *conn)
{
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        server->conns = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
}

void add_conn(struct server *server, int fd)
{
    struct conn *conn = calloc(1, sizeof *conn);

    if (conn == NULL) {
        report_errno("calloc (connection refused)");
        close(fd);
        return;
    }
    conn->fd = fd;
    format_peer((const struct sockaddr *)&server->peer_addr, server->peer_len,
                conn->peer, sizeof conn->peer);
    conn->next = server->conns;
    if (server->conns != NULL)
        server->conns->prev = conn;
    server->conns = conn;
    if (!server->quiet)
        printf("Client connected: %s\n", conn->peer);
    submit_read(server, conn);
}

/* The descriptor is closed only once the kernel holds no request on it:
 * closing earlier would let the next accept reuse the number while a
 * cancelled send still refers to it. */
void finish_conn(struct server *server, struct conn *conn)
{
    if (conn->pending != 0)
        return; /* its last completion comes back here */
    close(conn->fd);
    if (!server->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    unlink_conn(server, conn);
    free(conn);
}

void retire_conn(struct server *server, struct conn *conn)
{
    if (conn->closing)
        return;
    conn->closing = true;
    if (conn->pending != 0)
        submit_cancel(server, conn->pending);
    finish_conn(server, conn);
}
