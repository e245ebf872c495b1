/* sessions.c - thousands of simulated clients from one thread: the
 * 09-epoll client's stress mode.
 *
 * What it teaches: no thread or process per simulated client, but one
 * epoll loop that drives them all, each one a small state machine
 * (connecting -> waiting for a reply -> ... -> finished), exactly as the
 * server drives its connections. A struct of a few dozen bytes each
 * instead of a thread stack: that is how one process holds 10,000.
 *
 * Run:   ./09-epoll/client -q -n 10000 localhost 2000   (server: -d 0 -q)
 * Look:  all connections are open at once (ss -tn | wc -l), yet `top -H`
 *        shows a single thread.
 *
 * Linux-only calls (no _GNU_SOURCE needed): epoll_create1, epoll_ctl,
 * epoll_wait; SOCK_NONBLOCK in socket().
 */
#include "sessions.h"

#include "io.h"
#include "net.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void fail_session(struct driver *driver, struct session *session,
                  const char *what)
{
    if (session->state == CONNECTING)
        driver->connecting--;
    if (session->fd >= 0)
        close(session->fd); /* also leaves the epoll set */
    session->fd = -1;
    session->state = FINISHED;
    driver->finished++;
    stress_record_failure(&driver->report, session->id, what);
}

static void fail_errno(struct driver *driver, struct session *session,
                       const char *action)
{
    char what[96];
    snprintf(what, sizeof what, "%s: %s", action, strerror(errno));
    fail_session(driver, session, what);
}

static int watch(struct driver *driver, struct session *session, int op,
                 uint32_t events)
{
    struct epoll_event watch = {.events = events, .data.ptr = session};
    return epoll_ctl(driver->epoll_fd, op, session->fd, &watch);
}

/* Starts a non-blocking connect: it returns at once (EINPROGRESS) and the
 * socket becomes writable when the handshake is over, well or badly. */
static void start_connect(struct driver *driver, struct session *session)
{
    const struct addrinfo *ai = driver->addr;

    session->state = CONNECTING;
    driver->connecting++;
    session->sent_at = now_seconds();
    session->deadline = session->sent_at + (double)driver->args->timeout_s;
    session->fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
    if (session->fd < 0) {
        fail_errno(driver, session, "socket");
        return;
    }
    if (connect(session->fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
        errno != EINPROGRESS) {
        fail_errno(driver, session, "connect");
        return;
    }
    if (watch(driver, session, EPOLL_CTL_ADD, EPOLLOUT) != 0)
        fail_errno(driver, session, "epoll_ctl");
}

static void start_more(struct driver *driver)
{
    while (driver->connecting < CONNECTS_IN_FLIGHT &&
           driver->next_to_start < driver->args->clients)
        start_connect(driver, &driver->sessions[driver->next_to_start++]);
}

/* Sends message number session->round. Six bytes always fit: the socket's
 * send buffer is empty, since the server answered everything before. */
static void send_message(struct driver *driver, struct session *session)
{
    size_t len = stress_word_len(session->round);
    ssize_t n = write(session->fd, stress_word(session->round), len);

    if (n != (ssize_t)len) {
        fail_errno(driver, session, n < 0 ? "send" : "send (short)");
        return;
    }
    session->got = 0;
    session->sent_at = stress_record_send(&driver->report, session->id);
    session->deadline = session->sent_at + (double)driver->args->timeout_s;
}

/* The socket is writable: the handshake ended. SO_ERROR says how. */
static void finish_connect(struct driver *driver, struct session *session)
{
    int error = 0;
    socklen_t len = sizeof error;

    if (getsockopt(session->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 ||
        error != 0) {
        if (error != 0)
            errno = error;
        fail_errno(driver, session, "connect");
        return;
    }
    driver->connecting--;
    session->state = AWAITING_REPLY;
    if (watch(driver, session, EPOLL_CTL_MOD, EPOLLIN) != 0) {
        fail_errno(driver, session, "epoll_ctl");
        return;
    }
    send_message(driver, session);
}

static void end_session(struct driver *driver, struct session *session)
{
    close(session->fd);
    session->fd = -1;
    session->state = FINISHED;
    driver->finished++;
}

/* Part of a reply arrived. A whole one is checked, recorded, and followed
 * by the next message (or the end of this simulated client). */
static void receive_reply(struct driver *driver, struct session *session)
{
    size_t len = stress_word_len(session->round);
    ssize_t n =
        read(session->fd, session->reply + session->got, len - session->got);

    if (n < 0 && errno == EAGAIN)
        return;
    if (n < 0) {
        fail_errno(driver, session, "receive");
        return;
    }
    if (n == 0) {
        fail_session(driver, session, "server closed the connection");
        return;
    }
    if ((session->got += (size_t)n) < len)
        return;
    if (!stress_reply_ok(session->round, session->reply, len)) {
        char what[80];
        snprintf(what, sizeof what, "wrong reply '%.*s' to '%s'", (int)len,
                 session->reply, stress_word(session->round));
        fail_session(driver, session, what);
        return;
    }
    stress_record_reply(&driver->report, session->id,
                        (now_seconds() - session->sent_at) * 1000.0,
                        driver->args->quiet);
    if (++session->round == driver->args->rounds)
        end_session(driver, session);
    else
        send_message(driver, session);
}

/* The -t timeout, measured here rather than by the kernel: every
 * TIMEOUT_SCAN_MS the loop looks for sessions past their deadline. */
static void expire_sessions(struct driver *driver, double now)
{
    char what[64];

    for (long i = 0; i < driver->next_to_start; i++) {
        struct session *session = &driver->sessions[i];
        if ((session->state != CONNECTING &&
             session->state != AWAITING_REPLY) ||
            now < session->deadline)
            continue;
        snprintf(what, sizeof what, "no %s within %ld s",
                 session->state == CONNECTING ? "connection" : "reply",
                 driver->args->timeout_s);
        fail_session(driver, session, what);
    }
}

int run_sessions(struct driver *driver)
{
    struct epoll_event events[MAX_EVENTS];
    double next_scan = now_seconds() + TIMEOUT_SCAN_MS / 1000.0;

    start_more(driver);
    while (driver->finished < driver->args->clients) {
        int ready =
            epoll_wait(driver->epoll_fd, events, MAX_EVENTS, TIMEOUT_SCAN_MS);
        double now;

        if (ready < 0 && errno != EINTR) {
            report_errno("epoll_wait");
            return -1;
        }
        for (int i = 0; i < ready; i++) {
            struct session *session = events[i].data.ptr;
            if (session->state == CONNECTING)
                finish_connect(driver, session);
            else if (session->state == AWAITING_REPLY)
                receive_reply(driver, session);
            /* FINISHED: closed earlier in this same round; skip. */
        }
        if ((now = now_seconds()) >= next_scan) {
            expire_sessions(driver, now);
            next_scan = now + TIMEOUT_SCAN_MS / 1000.0;
        }
        start_more(driver);
    }
    return 0;
}
