/* 09-epoll/httpd.c - the chapter's "epoll web server that returns one line
 * of text to any browser", done properly and fast.
 *
 * What it teaches: the same epoll loop as server.c speaking a real
 * protocol. HTTP/1.1 keeps a connection open for more requests
 * (keep-alive) and lets a client send several requests without waiting
 * (pipelining), so the loop must find where each request ends (http.c),
 * answer them in order, and close only when asked. Speed comes from doing
 * little: no allocation per request, replies formatted once at start, one
 * read and one write per request when requests come one at a time.
 *
 * Run:   ./09-epoll/httpd 8080      then  curl -i http://localhost:8080/
 * Look:  wrk -t1 -c100 -d10s http://127.0.0.1:8080/ (see bench.sh for the
 *        comparison with nginx), or a browser on http://localhost:8080/.
 *
 * Linux-only calls (no _GNU_SOURCE needed here): epoll_create1,
 * epoll_ctl, epoll_wait; accept4 is in listener.c.
 */
#include "http.h"
#include "listener.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define BODY "Hello from the C kit's epoll httpd\n"
/* Replies waiting to be written, per connection: room for dozens of
 * pipelined replies; when it is full the loop stops parsing until it
 * drains. */
#define OUT_MAX            4096
#define MAX_EVENTS         256
#define ACCEPTS_PER_WAKEUP 64
/* After the last reply, bytes of the client's we read and drop before we
 * stop waiting for its end of file and close anyway. */
#define LINGER_MAX 65536

struct response {
    char text[256];
    size_t len;
};

struct hconn {
    int fd;
    uint32_t events;  /* what epoll watches for it now */
    bool closing;     /* the last reply is queued: then shut down */
    bool lingering;   /* shut down: drop input until the client closes */
    size_t in_len;    /* bytes of the next request(s) in in[] */
    size_t body_left; /* bytes of a request body still to drop */
    size_t lingered;  /* bytes dropped while lingering */
    size_t out_len, out_sent;
    struct hconn *prev, *next; /* every connection, to free them at exit */
    char peer[PEER_NAME_MAX];
    char in[HTTP_HEAD_MAX];
    char out[OUT_MAX];
};

struct httpd {
    int epoll_fd;
    struct listener listener;
    bool quiet;
    struct hconn *conns;
    /* Formatted once: [keep-alive][HEAD] and the 400. */
    struct response ok[2][2], bad;
};

static void format_ok(struct response *r, bool keep_alive, bool head_method)
{
    /* Teaching shortcut: no Date header (a real server formats one per
     * second and reuses it). */
    int n = snprintf(r->text, sizeof r->text,
                     "HTTP/1.1 200 OK\r\n"
                     "Server: kit-httpd\r\n"
                     "Content-Type: text/plain\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: %s\r\n\r\n%s",
                     sizeof BODY - 1, keep_alive ? "keep-alive" : "close",
                     head_method ? "" : BODY);
    r->len = (size_t)n;
}

static void format_responses(struct httpd *httpd)
{
    const char bad[] = "HTTP/1.1 400 Bad Request\r\n"
                       "Server: kit-httpd\r\n"
                       "Content-Type: text/plain\r\n"
                       "Content-Length: 12\r\n"
                       "Connection: close\r\n\r\n"
                       "Bad Request\n";

    for (int keep = 0; keep < 2; keep++)
        for (int head = 0; head < 2; head++)
            format_ok(&httpd->ok[keep][head], keep, head);
    memcpy(httpd->bad.text, bad, sizeof bad - 1);
    httpd->bad.len = sizeof bad - 1;
}

/* EPOLLIN unless replies wait (a client that does not read its replies
 * gets no more parsing: back-pressure with fixed buffers); EPOLLOUT only
 * while they wait. In the steady state this never changes, so the loop
 * makes no epoll_ctl call per request. */
static int update_events(struct httpd *httpd, struct hconn *conn)
{
    bool waiting = conn->out_sent < conn->out_len;
    struct epoll_event change = {.events = waiting ? (uint32_t)EPOLLOUT
                                                   : (uint32_t)EPOLLIN,
                                 .data.ptr = conn};

    if (change.events == conn->events)
        return 0;
    conn->events = change.events;
    return epoll_ctl(httpd->epoll_fd, EPOLL_CTL_MOD, conn->fd, &change);
}

/* Connections are closed only from handle_event, on their own event, so
 * no later entry of the same epoll_wait array can point to a freed one. */
static void close_conn(struct httpd *httpd, struct hconn *conn)
{
    if (!httpd->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    close(conn->fd);
    if (conn->prev != NULL)
        conn->prev->next = conn->next;
    else
        httpd->conns = conn->next;
    if (conn->next != NULL)
        conn->next->prev = conn->prev;
    free(conn);
}

static bool queue_reply(struct hconn *conn, const struct response *r)
{
    if (conn->out_len + r->len > OUT_MAX)
        return false; /* no room now: parse it again after the flush */
    memcpy(conn->out + conn->out_len, r->text, r->len);
    conn->out_len += r->len;
    return true;
}

/* Answers every complete request in in[], in order (pipelining), until
 * the input runs out, the output is full, or a reply ends the connection
 * (Connection: close, HTTP/1.0, a bad request: 400 and close). */
static void answer_requests(struct httpd *httpd, struct hconn *conn)
{
    size_t pos = 0;

    while (!conn->closing && pos < conn->in_len) {
        struct http_request request;
        enum http_verdict verdict;

        if (conn->body_left > 0) { /* a body we do not need: drop it */
            size_t drop = conn->in_len - pos < conn->body_left
                              ? conn->in_len - pos
                              : conn->body_left;
            pos += drop;
            conn->body_left -= drop;
            continue;
        }
        verdict = http_parse_head(conn->in + pos, conn->in_len - pos, &request);
        if (verdict == HTTP_INCOMPLETE)
            break;
        if (verdict == HTTP_BAD) {
            if (queue_reply(conn, &httpd->bad)) {
                conn->closing = true;
                pos = conn->in_len; /* nothing after garbage is a request */
            }
            break;
        }
        if (!queue_reply(conn,
                         &httpd->ok[request.keep_alive][request.head_method]))
            break;
        pos += request.head_len;
        conn->body_left = request.body_len;
        conn->closing = !request.keep_alive;
    }
    /* Keep the unfinished part at the front (usually nothing to move). */
    memmove(conn->in, conn->in + pos, conn->in_len - pos);
    conn->in_len -= pos;
}

/* Writes the replies. Returns -1 when the connection must go. */
static int flush_replies(struct hconn *conn)
{
    while (conn->out_sent < conn->out_len) {
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
static int answer_and_flush(struct httpd *httpd, struct hconn *conn)
{
    size_t before;

    do {
        before = conn->in_len;
        answer_requests(httpd, conn);
        if (flush_replies(conn) != 0)
            return -1;
    } while (conn->in_len < before && conn->in_len > 0 && conn->out_len == 0 &&
             !conn->closing);
    return 0;
}

/* Reads, answers, writes: the whole life of a request. */
static int serve(struct httpd *httpd, struct hconn *conn)
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
    return answer_and_flush(httpd, conn);
}

/* The socket drained our replies: write the rest, then answer requests
 * that were left waiting for room. */
static int resume(struct httpd *httpd, struct hconn *conn)
{
    if (flush_replies(conn) != 0)
        return -1;
    if (conn->out_len == 0 && !conn->closing)
        return answer_and_flush(httpd, conn);
    return 0;
}

static void handle_event(struct httpd *httpd, struct hconn *conn,
                         uint32_t events)
{
    int outcome =
        (events & EPOLLOUT) != 0 ? resume(httpd, conn) : serve(httpd, conn);

    if (outcome != 0 || update_events(httpd, conn) != 0)
        close_conn(httpd, conn);
}

/* A new client (listener_accept calls this for each). */
static void add_conn(void *context, int fd, const struct sockaddr *addr,
                     socklen_t addr_len)
{
    struct httpd *httpd = context;
    struct hconn *conn = malloc(sizeof *conn);
    struct epoll_event watch = {.events = EPOLLIN, .data.ptr = conn};
    int on = 1;

    /* Nagle's algorithm would hold back a small reply while an earlier one
     * is unacknowledged; the chapter's example sets TCP_NODELAY too. */
    if (conn == NULL ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0 ||
        epoll_ctl(httpd->epoll_fd, EPOLL_CTL_ADD, fd, &watch) != 0) {
        report_errno("accept (connection closed)");
        free(conn);
        close(fd);
        return;
    }
    /* Only the header fields: the two buffers need no clearing. */
    memset(conn, 0, offsetof(struct hconn, in));
    conn->fd = fd;
    conn->events = EPOLLIN;
    format_peer(addr, addr_len, conn->peer, sizeof conn->peer);
    conn->next = httpd->conns;
    if (httpd->conns != NULL)
        httpd->conns->prev = conn;
    httpd->conns = conn;
    if (!httpd->quiet)
        printf("Client connected: %s\n", conn->peer);
}

static int run_loop(struct httpd *httpd)
{
    struct epoll_event events[MAX_EVENTS];

    while (!stop_requested()) {
        int ready = epoll_wait(httpd->epoll_fd, events, MAX_EVENTS, -1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            report_errno("epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready; i++) {
            if (events[i].data.ptr == &httpd->listener)
                listener_accept(&httpd->listener, ACCEPTS_PER_WAKEUP, add_conn,
                                httpd);
            else
                handle_event(httpd, events[i].data.ptr, events[i].events);
        }
    }
    return 0;
}

static int set_up(struct httpd *httpd)
{
    if ((httpd->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        report_errno("epoll_create1");
        return -1;
    }
    return listener_watch(&httpd->listener, httpd->epoll_fd);
}

static void tear_down(struct httpd *httpd)
{
    struct hconn *conn = httpd->conns;

    while (conn != NULL) { /* no "disconnected" lines at shutdown */
        struct hconn *next = conn->next;
        close(conn->fd);
        free(conn);
        conn = next;
    }
    httpd->conns = NULL;
    if (httpd->epoll_fd >= 0)
        close(httpd->epoll_fd);
    listener_close(&httpd->listener);
}

/* "httpd [-q] PORT": the servers' parser would also offer -d, which means
 * nothing here, so httpd reads its own arguments. */
static int parse_arguments(int argc, char **argv, bool *quiet, long *port)
{
    const char *usage = "usage: httpd [-q] PORT\n";
    int letter;

    *quiet = false;
    while ((letter = getopt(argc, argv, ":qh")) != -1) {
        if (letter == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (letter != 'q') {
            fputs(usage, stderr);
            return 2;
        }
        *quiet = true;
    }
    if (argc - optind != 1 || parse_port(argv[optind], port) != 0) {
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct httpd httpd = {.epoll_fd = -1, .listener.spare_fd = -1};
    long port;
    int status;

    set_progname(argv[0]);
    if ((status = parse_arguments(argc, argv, &httpd.quiet, &port)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    format_responses(&httpd);
    if ((httpd.listener.listen_fd = listen_or_report(port)) < 0)
        return 1;
    if (set_up(&httpd) != 0 || announce_port(httpd.listener.listen_fd) != 0) {
        tear_down(&httpd);
        return 1;
    }
    status = run_loop(&httpd);
    tear_down(&httpd);
    printf("shut down\n");
    return status;
}
