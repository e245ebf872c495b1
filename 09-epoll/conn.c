/* conn.c - a connection's life in the epoll loop (see conn.h): accepted
 * and added to the epoll set, watched for exactly what it needs, its
 * replies written or kept, retired when done. */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Whether we are willing to read from it: not after its end of file, not
 * while its job is with a worker, not while too much output waits for it
 * (back-pressure). */
bool may_read(const struct conn *conn)
{
    return !conn->peer_closed && !conn->job_in_flight &&
           !outbuf_too_full(&conn->out, OUTPUT_HIGH_WATER);
}

/* EPOLLIN while we may read, EPOLLOUT only while output waits: a socket
 * is almost always writable, so watching EPOLLOUT all the time would wake
 * the loop for nothing, over and over. Level-triggered (the default):
 * epoll_wait reports a socket as long as it is readable, so one read per
 * wake-up is enough. Edge-triggered (EPOLLET): it is reported once per
 * change, so we must read until EAGAIN or never hear of the rest; in
 * exchange, fewer wake-ups. */
static uint32_t wanted_events(const struct server *server,
                              const struct conn *conn)
{
    uint32_t events = 0;

    if (may_read(conn))
        events |= EPOLLIN;
    if (outbuf_pending(&conn->out) > 0)
        events |= EPOLLOUT;
    if (server->edge)
        events |= EPOLLET;
    return events;
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
void retire_conn(struct server *server, struct conn *conn)
{
    close(conn->fd);
    conn->fd = -1;
    if (!server->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    unlink_conn(&server->open, conn);
    link_conn(&server->retired, conn);
}

/* End of a round: free the retired connections no worker refers to. */
void free_retired(struct server *server)
{
    struct conn *conn = server->retired;

    while (conn != NULL) {
        struct conn *next = conn->next;
        if (!conn->job_in_flight) {
            unlink_conn(&server->retired, conn);
            outbuf_free(&conn->out);
            free(conn);
        }
        conn = next;
    }
}

void drop_conn(struct server *server, struct conn *conn, const char *action)
{
    report_peer_errno(action, conn->peer);
    retire_conn(server, conn);
}

int send_reply(struct conn *conn, const char *data, size_t len)
{
    if (outbuf_pending(&conn->out) == 0) {
        ssize_t n = write(conn->fd, data, len);
        if (n < 0 && errno != EAGAIN)
            return -1;
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        }
    }
    return len > 0 ? outbuf_append(&conn->out, data, len, OUTPUT_CAP) : 0;
}

void settle_conn(struct server *server, struct conn *conn)
{
    struct epoll_event change = {.events = wanted_events(server, conn),
                                 .data.ptr = conn};

    if (conn->peer_closed && !conn->job_in_flight &&
        outbuf_pending(&conn->out) == 0)
        retire_conn(server, conn);
    else if (change.events != conn->events) { /* one system call, if any */
        conn->events = change.events;
        if (epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, conn->fd, &change) != 0)
            drop_conn(server, conn, "epoll_ctl for");
    }
}

/* A new client (listener_accept calls this for each). */
void add_conn(void *context, int fd, const struct sockaddr *addr,
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
