/* 09-epoll/httpd.c - the chapter's "epoll web server that returns one line
 * of text to any browser", done properly and fast.
 *
 * What it teaches: the same epoll loop as server.c speaking a real
 * protocol. HTTP/1.1 keeps a connection open for more requests
 * (keep-alive) and lets a client send several requests without waiting
 * (pipelining), so the loop must find where each request and its body end
 * (http.c, http_body.c), answer them in order (http_conn.c), and close
 * only when asked, or when a client overstays (http_deadline.c). Speed
 * comes from doing little: no allocation per request, replies formatted
 * once at start (http_reply.c), one read and one write per request when
 * requests come one at a time.
 *
 * Run:   ./09-epoll/httpd 8080      then  curl -i http://localhost:8080/
 * Look:  wrk -t1 -c100 -d10s http://127.0.0.1:8080/ (bench/ compares it
 *        with nginx); `./09-epoll/httpd -H 2 8080` and `nc localhost 8080`
 *        typing nothing: dropped after 2 s, with a line on stderr.
 *
 * Linux-only calls (no _GNU_SOURCE needed here): epoll_create1,
 * epoll_ctl, epoll_wait; accept4 is in listener.c.
 */
#include "http_conn.h"
#include "listener.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS         256
#define ACCEPTS_PER_WAKEUP 64
/* How often the connections are checked against their deadlines. */
#define TIMEOUT_SCAN_MS 250

struct httpd {
    int epoll_fd;
    struct listener listener;
    bool quiet;
    struct conn *conns; /* every connection, newest first */
    struct http_timeouts timeouts;
    double next_scan; /* now_seconds() of the next deadline check */
    struct http_replies replies;
};

/* Connections are closed from handle_event, on their own event, or by
 * drop_expired after the events are handled: no later entry of the same
 * epoll_wait array can point to a freed one. */
static void close_conn(struct httpd *httpd, struct conn *conn)
{
    if (!httpd->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    http_conn_free(conn, &httpd->conns);
}

static void handle_event(struct httpd *httpd, struct conn *conn,
                         uint32_t events, double now)
{
    int outcome = (events & EPOLLOUT) != 0
                      ? http_conn_write(conn, &httpd->replies)
                      : http_conn_read(conn, &httpd->replies);

    if (outcome != 0 || http_conn_watch(conn, httpd->epoll_fd) != 0) {
        close_conn(httpd, conn);
        return;
    }
    http_conn_set_deadline(conn, now, &httpd->timeouts);
}

/* A new client (listener_accept calls this for each). */
static void add_conn(void *context, int fd, const struct sockaddr *addr,
                     socklen_t addr_len)
{
    struct httpd *httpd = context;
    struct conn *conn = http_conn_new(fd, addr, addr_len, &httpd->conns);
    struct epoll_event watch = {.events = EPOLLIN, .data.ptr = conn};
    int on = 1;

    /* Nagle's algorithm would hold back a small reply while an earlier one
     * is unacknowledged; the chapter's example sets TCP_NODELAY too. */
    if (conn == NULL ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0 ||
        epoll_ctl(httpd->epoll_fd, EPOLL_CTL_ADD, fd, &watch) != 0) {
        report_errno("accept (connection closed)");
        if (conn != NULL)
            http_conn_free(conn, &httpd->conns);
        else
            close(fd);
        return;
    }
    http_conn_set_deadline(conn, now_seconds(), &httpd->timeouts);
    if (!httpd->quiet)
        printf("Client connected: %s\n", conn->peer);
}

/* Closes every connection past its deadline. Teaching shortcut: a walk
 * over all of them, at most every TIMEOUT_SCAN_MS (10,000 connections
 * cost well under a millisecond); nginx keeps its timers in a red-black
 * tree ordered by deadline and looks only at the earliest. */
static void drop_expired(struct httpd *httpd, double now)
{
    struct conn *conn = httpd->conns;

    if (now < httpd->next_scan)
        return;
    httpd->next_scan = now + TIMEOUT_SCAN_MS / 1000.0;
    while (conn != NULL) {
        struct conn *next = conn->next;
        if (now >= conn->deadline) {
            if (!httpd->quiet)
                http_report_timeout(conn, &httpd->timeouts);
            close_conn(httpd, conn);
        }
        conn = next;
    }
}

static int run_loop(struct httpd *httpd)
{
    struct epoll_event events[MAX_EVENTS];

    while (!stop_requested()) {
        /* No connection, no deadline: sleep until something happens. */
        int wait_ms = httpd->conns != NULL ? TIMEOUT_SCAN_MS : -1;
        int ready = epoll_wait(httpd->epoll_fd, events, MAX_EVENTS, wait_ms);
        double now = now_seconds();
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0) {
            report_errno("epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready; i++) {
            if (events[i].data.ptr == NULL)
                return 0; /* the stop descriptor (common/stop.h) */
            if (events[i].data.ptr == &httpd->listener)
                listener_accept(&httpd->listener, ACCEPTS_PER_WAKEUP, add_conn,
                                httpd);
            else
                handle_event(httpd, events[i].data.ptr, events[i].events, now);
        }
        drop_expired(httpd, now);
    }
    return 0;
}

static int set_up(struct httpd *httpd)
{
    struct epoll_event stop = {.events = EPOLLIN, .data.ptr = NULL};

    if ((httpd->epoll_fd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        report_errno("epoll_create1");
        return -1;
    }
    /* A stop signal wakes the loop like a readable socket (common/stop.h). */
    if (epoll_ctl(httpd->epoll_fd, EPOLL_CTL_ADD, stop_fd(), &stop) != 0) {
        report_errno("watch stop descriptor");
        return -1;
    }
    return listener_watch(&httpd->listener, httpd->epoll_fd);
}

static void tear_down(struct httpd *httpd)
{
    while (httpd->conns != NULL) /* no "disconnected" lines at shutdown */
        http_conn_free(httpd->conns, &httpd->conns);
    if (httpd->epoll_fd >= 0)
        close(httpd->epoll_fd);
    listener_close(&httpd->listener);
}

#define USAGE "usage: httpd [-q] [-H SEC] [-k SEC] PORT\n"

static int usage_error(void)
{
    fputs(USAGE, stderr);
    return 2;
}

/* "httpd [-q] [-H SEC] [-k SEC] PORT": the servers' parser would also
 * offer -d, which means nothing here, so httpd reads its own arguments.
 * Returns an exit status, or -1 to go on. */
static int parse_arguments(int argc, char **argv, struct httpd *httpd,
                           long *port)
{
    int letter;

    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    while ((letter = getopt(argc, argv, ":qhH:k:")) != -1) {
        switch (letter) {
        case 'h':
            fputs(USAGE, stdout);
            return 0;
        case 'q':
            httpd->quiet = true;
            break;
        case 'H':
            if (parse_long(optarg, 1, 3600, &httpd->timeouts.head) != 0)
                return usage_error();
            break;
        case 'k':
            if (parse_long(optarg, 1, 3600, &httpd->timeouts.idle) != 0)
                return usage_error();
            break;
        default:
            return usage_error();
        }
    }
    if (argc - optind != 1 || parse_port(argv[optind], port) != 0)
        return usage_error();
    return -1;
}

int main(int argc, char **argv)
{
    struct httpd httpd = {.epoll_fd = -1,
                          .listener.spare_fd = -1,
                          .timeouts = {HEAD_TIMEOUT_S, IDLE_TIMEOUT_S}};
    long port;
    int status;

    set_progname(argv[0]);
    if ((status = parse_arguments(argc, argv, &httpd, &port)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    http_format_replies(&httpd.replies);
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
