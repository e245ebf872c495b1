/* 08-select/server.c - one thread serves every client with select().
 *
 * What it teaches: the iterative server blocked in accept() and in read()
 * on one client. Here the server blocks in ONE place, select(), which
 * waits until any of its sockets is ready: the listener has a client
 * waiting, a client has sent bytes, or a client's socket has room for the
 * output we could not write before. Every socket is non-blocking, so the
 * server never waits on one client while others are ready. Readiness, not
 * threads, gives concurrency: all clients progress. But there is still one
 * thread, so the simulated work (-d) runs inside the loop and stops it:
 * clients take turns, never run in parallel.
 *
 * Run:   ./08-select/server -d 1000 2000    and in two other terminals
 *        ./08-select/client localhost 2000
 * Look:  both clients are served at once (no waiting for the first to
 *        leave, unlike 01-iterative), but a line typed in each at the same
 *        moment takes 1 s for one and 2 s for the other.
 */
#include "listener.h"
#include "outbuf.h"
#include "io.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <unistd.h>

/* Back-pressure: while a client has this much output waiting, stop reading
 * from it (as OpenBSD nc does). Its requests wait in the kernel, and
 * pending output stays under READ_PAUSE_BYTES + CHUNK_SIZE. */
#define READ_PAUSE_BYTES ((size_t)256 * 1024)
/* The hard cap on one client's pending output: beyond it, drop it. With
 * back-pressure it cannot be reached; it is the promise that no client
 * makes the server's memory grow without bound whatever changes above. */
#define PENDING_CAP ((size_t)1024 * 1024)
/* A client whose pending output has not moved for this long, and whose
 * socket is still full, is not reading: drop it and free its descriptor. */
#define STALL_TIMEOUT_S 5.0
/* select() wakes up at least this often while a client has output waiting
 * (to check STALL_TIMEOUT_S) or the listener is paused (listener.h). */
#define TICK_S 1

struct client {
    int fd;
    char peer[PEER_NAME_MAX];
    struct outbuf out; /* replies the socket could not take yet */
    bool input_closed; /* the client sent EOF (closed or half-closed) */
};

struct server {
    const struct server_args *args;
    struct listener listener;
    /* Indexed by descriptor: clients[fd] is the client on fd, or NULL. A
     * descriptor is < FD_SETSIZE (accept_client sees to it), so this
     * array is exactly as large as the sets select() can take. */
    struct client *clients[FD_SETSIZE];
    int max_fd; /* the highest descriptor in use: select()'s first argument */
    char chunk[CHUNK_SIZE];
};

static void add_client(struct server *server, int fd, const char *peer)
{
    struct client *client = calloc(1, sizeof *client);

    if (client == NULL) {
        report_peer_errno("no memory for", peer);
        close(fd);
        return;
    }
    client->fd = fd;
    snprintf(client->peer, sizeof client->peer, "%s", peer);
    server->clients[fd] = client;
    if (fd > server->max_fd)
        server->max_fd = fd;
    if (!server->args->quiet)
        printf("Client connected: %s\n", peer);
}

static void drop_client(struct server *server, struct client *client)
{
    int fd = client->fd;

    close(fd);
    if (!server->args->quiet)
        printf("Client disconnected: %s\n", client->peer);
    outbuf_free(&client->out);
    free(client);
    server->clients[fd] = NULL;
    while (server->max_fd > server->listener.fd &&
           server->clients[server->max_fd] == NULL)
        server->max_fd--;
    listener_fd_freed(&server->listener);
}

/* Writes what the client's socket takes now. Returns false when the client
 * is gone (dropped here). */
static bool send_pending(struct server *server, struct client *client)
{
    ssize_t written = outbuf_flush(&client->out, client->fd);

    if (written < 0) {
        report_peer_errno("write to", client->peer);
        drop_client(server, client);
        return false;
    }
    /* Half-close: the client said it has nothing more to send; it leaves
     * only once it has every reply. */
    if (client->input_closed && outbuf_pending(&client->out) == 0) {
        drop_client(server, client);
        return false;
    }
    return true;
}

/* One read, one unit of work, one reply (or as much of it as fits now).
 * Returns false when the client is gone. */
static bool serve_one_read(struct server *server, struct client *client)
{
    ssize_t n = read_some(client->fd, server->chunk, sizeof server->chunk);

    if (n < 0) {
        /* EAGAIN: select() was optimistic; EINTR: a stop signal. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return true;
        report_peer_errno("read from", client->peer);
        drop_client(server, client);
        return false;
    }
    if (n == 0) {
        client->input_closed = true;
        return send_pending(server, client);
    }
    /* The chapter's point: this sleep stops the whole loop. Every other
     * client waits, ready or not, until this one's unit of work is done.
     * Clients progress concurrently (in turns), never in parallel. */
    simulate_work(server->args->delay_ms);
    upper_transform(server->chunk, (size_t)n);
    if (outbuf_append(&client->out, server->chunk, (size_t)n, PENDING_CAP) !=
        0) {
        report_peer_errno("dropped (pending output over the cap)",
                          client->peer);
        drop_client(server, client);
        return false;
    }
    return send_pending(server, client);
}

/* Called when select() did not report the client's socket writable. */
static void drop_if_stalled(struct server *server, struct client *client)
{
    if (outbuf_stalled(&client->out, now_seconds(), STALL_TIMEOUT_S)) {
        fprintf(stderr,
                "%s: dropped %s: %zu bytes of replies unread for %.0f s\n",
                progname(), client->peer, outbuf_pending(&client->out),
                STALL_TIMEOUT_S);
        drop_client(server, client);
    }
}

static void accept_new_clients(struct server *server)
{
    char peer[PEER_NAME_MAX];
    int fd;

    while ((fd = accept_client(&server->listener, peer)) >= 0)
        add_client(server, fd, peer);
}

/* Builds this pass's interest: read from clients that may send (and are
 * not held back by back-pressure), write to clients with output pending.
 * Returns true when the loop needs a periodic wake-up. */
static bool watch_sockets(struct server *server, fd_set *readable,
                          fd_set *writable)
{
    bool need_tick = false;

    FD_ZERO(readable);
    FD_ZERO(writable);
    if (listener_watched(&server->listener))
        FD_SET(server->listener.fd, readable);
    else
        need_tick = true;
    for (int fd = 0; fd <= server->max_fd; fd++) {
        struct client *client = server->clients[fd];
        size_t pending;

        if (client == NULL)
            continue;
        pending = outbuf_pending(&client->out);
        if (!client->input_closed &&
            !outbuf_too_full(&client->out, READ_PAUSE_BYTES))
            FD_SET(fd, readable);
        /* Only while output is pending: an empty socket buffer is almost
         * always writable, and asking anyway would wake select() at once,
         * every time, for nothing (a busy loop). */
        if (pending > 0) {
            FD_SET(fd, writable);
            need_tick = true;
        }
    }
    return need_tick;
}

/* The event loop. Returns the exit status. */
static int serve_forever(struct server *server)
{
    for (;;) {
        fd_set readable, writable;
        struct timeval tick = {.tv_sec = TICK_S, .tv_usec = 0};
        bool need_tick = watch_sockets(server, &readable, &writable);
        int ready;

        /* The stop descriptor (common/stop.h): a SIGINT or SIGTERM makes
         * it readable, whenever it came, so select() wakes at once. It
         * was opened before the listener, so it is below max_fd. */
        FD_SET(stop_fd(), &readable);
        ready = select(server->max_fd + 1, &readable, &writable, NULL,
                       need_tick ? &tick : NULL);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            report_errno("select");
            return 1;
        }
        if (FD_ISSET(stop_fd(), &readable))
            return 0;
        if (FD_ISSET(server->listener.fd, &readable))
            accept_new_clients(server);
        for (int fd = 0; fd <= server->max_fd; fd++) {
            struct client *client = server->clients[fd];
            bool can_write = FD_ISSET(fd, &writable);

            if (client == NULL)
                continue;
            if (can_write && !send_pending(server, client))
                continue;
            /* One read per ready client per pass: a client that sends a
             * lot cannot keep the loop to itself. */
            if (FD_ISSET(fd, &readable) && !serve_one_read(server, client))
                continue;
            if (!can_write)
                drop_if_stalled(server, client);
        }
    }
}

static void close_all_clients(struct server *server)
{
    for (int fd = 0; fd <= server->max_fd; fd++)
        if (server->clients[fd] != NULL)
            drop_client(server, server->clients[fd]);
}

int main(int argc, char **argv)
{
    struct server_args args;
    struct server *server;
    int status;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, NULL, 0)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    /* On the heap: the client table and the read buffer are 72 KiB. */
    if ((server = calloc(1, sizeof *server)) == NULL) {
        report_errno("calloc");
        return 1;
    }
    server->args = &args;
    if (listener_open(&server->listener, args.port) != 0) {
        free(server);
        return 1;
    }
    server->max_fd = server->listener.fd;
    status = serve_forever(server);
    close_all_clients(server);
    close(server->listener.fd);
    free(server);
    printf("shut down\n");
    return status;
}
