/* http_conn.c - one client connection of 09-epoll/httpd (see http_conn.h):
 * read, find each request (http.c) and its body (http_body.c), queue the
 * preformatted reply, write, and close the way a browser expects. */
#include "http_conn.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static bool room_for(const struct conn *conn, size_t len)
{
    return conn->out_len + len <= OUT_MAX;
}

static void queue_reply(struct conn *conn, const struct http_reply *r)
{
    memcpy(conn->out + conn->out_len, r->text, r->len);
    conn->out_len += r->len;
}

/* A bad request: 400, and nothing after it is read as a request. */
static void refuse(struct conn *conn, const struct http_replies *replies)
{
    queue_reply(conn, &replies->bad);
    conn->closing = true;
}

/* A complete head: queue its reply now, or once its body is skipped. The
 * caller checked there is room for HTTP_HEAD_REPLIES_MAX bytes: "100
 * Continue" and the longest reply (or the 400 of a bad body). */
static void take_request(struct conn *conn, const struct http_request *request,
                         const struct http_replies *replies)
{
    const struct http_reply *reply =
        &replies->ok[request->keep_alive][request->head_method];

    conn->answered = true;
    conn->wait = WAIT_NONE;     /* the next head gets its own deadline */
    if (!request->keep_alive) { /* answer and close: no need for the body */
        queue_reply(conn, reply);
        conn->closing = true;
        return;
    }
    http_body_begin(&conn->body, request);
    if (!http_body_pending(&conn->body)) {
        queue_reply(conn, reply);
        return;
    }
    /* The client waits for this before it sends a body (curl does so for
     * bodies over 1 MiB); without it, it sends none, and we would wait
     * for one forever. */
    if (request->expect_continue)
        queue_reply(conn, &replies->go_on);
    conn->after_body = reply;
}

/* Skips the body bytes at in[pos]; returns how many. */
static size_t skip_body(struct conn *conn, size_t pos,
                        const struct http_replies *replies)
{
    size_t used = 0;
    enum http_body_verdict verdict =
        http_body_skip(&conn->body, conn->in + pos, conn->in_len - pos, &used);

    if (verdict == HTTP_BODY_BAD) {
        refuse(conn, replies);
        return conn->in_len - pos;
    }
    if (verdict == HTTP_BODY_DONE)
        queue_reply(conn, conn->after_body);
    return used;
}

/* Answers every complete request in in[], in order (pipelining), until
 * the input runs out, the output is full, or a reply ends the connection
 * (Connection: close, HTTP/1.0, a bad request: 400 and close). */
static void answer_requests(struct conn *conn,
                            const struct http_replies *replies)
{
    size_t pos = 0;

    while (!conn->closing && pos < conn->in_len) {
        struct http_request request;
        enum http_verdict verdict;

        if (http_body_pending(&conn->body)) {
            pos += skip_body(conn, pos, replies);
            continue;
        }
        verdict = http_parse_head(conn->in + pos, conn->in_len - pos, &request);
        if (verdict == HTTP_INCOMPLETE)
            break;
        /* Room for the most this head can queue, whatever it turns out
         * to be (a keep-alive reply after "100 Continue" is the longest):
         * no room now, parse it again after the flush. */
        if (!room_for(conn, HTTP_HEAD_REPLIES_MAX))
            break;
        if (verdict == HTTP_BAD) {
            refuse(conn, replies);
            pos = conn->in_len;
            break;
        }
        pos += request.head_len;
        take_request(conn, &request, replies);
    }
    /* Keep the unfinished part at the front (usually nothing to move). */
    memmove(conn->in, conn->in + pos, conn->in_len - pos);
    conn->in_len -= pos;
}

bool http_conn_output_waits(const struct conn *conn)
{
    return conn->out_sent < conn->out_len;
}

int http_conn_watch(struct conn *conn, int epoll_fd)
{
    struct epoll_event change = {.events = http_conn_output_waits(conn)
                                               ? (uint32_t)EPOLLOUT
                                               : (uint32_t)EPOLLIN,
                                 .data.ptr = conn};

    if (change.events == conn->events)
        return 0;
    conn->events = change.events;
    return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn->fd, &change);
}

/* Writes the replies. Returns -1 when the connection must go. */
static int flush_replies(struct conn *conn)
{
    while (http_conn_output_waits(conn)) {
        ssize_t n = write(conn->fd, conn->out + conn->out_sent,
                          conn->out_len - conn->out_sent);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        conn->out_sent += (size_t)n;
    }
    conn->out_len = conn->out_sent = 0;
    /* Closing right away could lose the reply: if the client's unread
     * bytes are still in our receive buffer, close() sends a RST, and the
     * client may discard the reply it had not read yet. So shut down our
     * side (the client reads the reply, then end of file) and wait for the
     * client to close: the "lingering close" of Apache and nginx. */
    if (conn->closing && !conn->lingering) {
        shutdown(conn->fd, SHUT_WR);
        conn->lingering = true;
    }
    return 0;
}

/* Answers and writes until no more progress: when the replies filled
 * out[] and the socket took them all at once, requests may still wait in
 * in[], and no new event would come for them. */
static int answer_and_flush(struct conn *conn,
                            const struct http_replies *replies)
{
    size_t before;

    do {
        before = conn->in_len;
        answer_requests(conn, replies);
        if (flush_replies(conn) != 0)
            return -1;
    } while (conn->in_len < before && conn->in_len > 0 && conn->out_len == 0 &&
             !conn->closing);
    return 0;
}

int http_conn_read(struct conn *conn, const struct http_replies *replies)
{
    ssize_t n;

    if (conn->lingering) {
        char drop[4096];
        n = read(conn->fd, drop, sizeof drop);
        if (n < 0 && errno == EAGAIN)
            return 0;
        conn->lingered += n > 0 ? (size_t)n : 0;
        return n > 0 && conn->lingered < LINGER_MAX ? 0 : -1;
    }
    n = read(conn->fd, conn->in + conn->in_len, sizeof conn->in - conn->in_len);
    if (n < 0 && errno == EAGAIN)
        return 0;
    if (n <= 0)
        return -1; /* the client closed, or reset */
    conn->in_len += (size_t)n;
    return answer_and_flush(conn, replies);
}

int http_conn_write(struct conn *conn, const struct http_replies *replies)
{
    if (flush_replies(conn) != 0)
        return -1;
    if (conn->out_len == 0 && !conn->closing)
        return answer_and_flush(conn, replies);
    return 0;
}

struct conn *http_conn_new(int fd, const struct sockaddr *addr,
                           socklen_t addr_len, struct conn **list)
{
    struct conn *conn = malloc(sizeof *conn);

    if (conn == NULL)
        return NULL;
    /* Only the header fields: the two buffers need no clearing. */
    memset(conn, 0, offsetof(struct conn, in));
    conn->fd = fd;
    conn->events = EPOLLIN;
    format_peer(addr, addr_len, conn->peer, sizeof conn->peer);
    conn->next = *list;
    if (*list != NULL)
        (*list)->prev = conn;
    *list = conn;
    return conn;
}

void http_conn_free(struct conn *conn, struct conn **list)
{
    close(conn->fd);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        *list = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    free(conn);
}
