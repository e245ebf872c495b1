/* 02-thread/db/dbserver.c - the graded assignment: a thread per client in
 * front of one shared in-memory database of people.
 *
 * What it teaches: every client thread runs the same loop (read a request
 * line, answer it, write the reply) against ONE table that all of them
 * share. The threads never talk to each other; what keeps them from
 * corrupting the table, or reading a record half-changed, is the locking in
 * db.c: per record by default (-L record), or one lock for everything
 * (-L global). Same answers, different throughput (see dbserver.md).
 *
 * Run:   ./02-thread/dbserver 2000      and in another terminal
 *        ./02-thread/dbclient localhost 2000      (or: nc localhost 2000)
 * Look:  type "add 42 30 Ana Perez", then "get 42" from a second client:
 *        both see the same database. "LIST" shows everyone, sorted by id.
 */
#include "clients.h"
#include "db.h"
#include "dbargs.h"
#include "dbproto.h"
#include "io.h"
#include "linereader.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A client thread needs a few KiB (a line, a read buffer); the default
 * stack is 8 MiB of address space per thread. 256 KiB leaves room for the
 * sanitizers, which use more stack than a plain build. */
#define THREAD_STACK_SIZE ((size_t)256 * 1024)

/* --- the server and its client threads ------------------------------------ */

/* What every thread shares (clients.h says why the list exists). */
struct server {
    int listen_fd;
    struct db *db;
    long delay_ms;
    bool quiet;
    pthread_attr_t thread_attr; /* detached, small stack */
    struct client_list clients;
};

/* A client thread: one request line, one reply, until the client leaves.
 * Many of these run at once; the only thing they share is server->db. */
static void *serve_client(void *arg)
{
    struct client *client = arg;
    struct server *server = client->server;
    struct line_reader reader;
    char line[LINE_BUFFER_SIZE(DB_LINE_MAX)];
    struct db_reply reply;
    enum line_status status;
    size_t len;

    db_reply_init(&reply, client->conn_fd);
    line_reader_init(&reader, client->conn_fd);
    while ((status = read_line(&reader, line, DB_LINE_MAX, &len)) == LINE_OK ||
           status == LINE_TOO_LONG) {
        const char *out = DB_REPLY_TOO_LONG;
        size_t out_len = strlen(DB_REPLY_TOO_LONG);

        db_reply_reset(&reply);
        if (status == LINE_OK) {
            /* A long reply (LIST) writes its first pieces from in here. */
            db_answer(server->db, server->delay_ms, line, len, &reply);
            out = reply.failed ? DB_REPLY_NO_MEMORY : reply.text;
            out_len = reply.failed ? strlen(DB_REPLY_NO_MEMORY) : reply.len;
        }
        if (reply.failed && reply.written > 0)
            break; /* half a LIST went out: an error line now would lie */
        if (reply.write_error || write_all(client->conn_fd, out, out_len) != 0) {
            report_peer_errno("write to", client->peer);
            break;
        }
    }
    if (status == LINE_ERROR)
        report_peer_errno("read from", client->peer);
    db_reply_free(&reply);
    client_list_remove(&server->clients, client, server->quiet);
    return NULL;
}

/* Starts the thread for a new connection; on failure (too many threads,
 * no memory) only this client is dropped, with a log line. */
static void start_client_thread(struct server *server, int conn_fd,
                                const char *peer)
{
    struct client *client = malloc(sizeof *client);
    pthread_t thread;
    int rc;

    if (client == NULL) {
        report_peer_errno("malloc for", peer);
        close(conn_fd);
        return;
    }
    client->server = server;
    client->conn_fd = conn_fd;
    snprintf(client->peer, sizeof client->peer, "%s", peer);
    client_list_add(&server->clients, client);
    rc = pthread_create(&thread, &server->thread_attr, serve_client, client);
    if (rc != 0) {
        fprintf(stderr, "%s: starting a thread: %s; dropping %s\n", progname(),
                strerror(rc), peer);
        /* closes the connection, frees client */
        client_list_remove(&server->clients, client, server->quiet);
    }
}

/* The main thread only accepts; each connection gets its own thread. */
static void accept_clients(struct server *server)
{
    while (!stop_requested()) {
        struct sockaddr_storage addr;
        socklen_t addr_len;
        char peer[PEER_NAME_MAX];
        /* Waits for a client or a stop (common/stop.h): EINTR is a stop. */
        int conn_fd =
            accept_unless_stopped(server->listen_fd, &addr, &addr_len);

        if (conn_fd < 0) {
            if (errno != EINTR)
                report_errno("accept");
            /* Out of descriptors (EMFILE...): accept() would fail again at
             * once, and a loop around it burnt a core and wrote 257,796
             * log lines in 2 s. A short pause, as every server of the kit
             * does; the client waits in the listen queue meanwhile. */
            pause_if_out_of_resources(errno);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, peer, sizeof peer);
        if (!server->quiet)
            printf("Client connected: %s\n", peer);
        start_client_thread(server, conn_fd, peer);
    }
}

/* Everything but the socket; reports and returns -1 on failure. */
static int init_server(struct server *server, const struct dbserver_args *args)
{
    int rc;

    server->delay_ms = args->delay_ms;
    server->quiet = args->quiet;
    if ((server->db = db_open(args->locking, args->delay_ms)) == NULL) {
        report_errno("database");
        return -1;
    }
    if ((rc = client_list_init(&server->clients)) != 0 ||
        (rc = pthread_attr_init(&server->thread_attr)) != 0 ||
        (rc = pthread_attr_setdetachstate(&server->thread_attr,
                                          PTHREAD_CREATE_DETACHED)) != 0 ||
        (rc = pthread_attr_setstacksize(&server->thread_attr,
                                        THREAD_STACK_SIZE)) != 0) {
        report_error("pthread init", strerror(rc));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct dbserver_args args;
    struct server server;
    int status;

    set_progname(argv[0]);
    if ((status = parse_dbserver_args(argc, argv, &args)) >= 0)
        return status;
    if (prepare_server_process() != 0 || init_server(&server, &args) != 0)
        return 1;
    if ((server.listen_fd = listen_or_report(args.port)) < 0 ||
        announce_port(server.listen_fd) != 0) {
        if (server.listen_fd >= 0)
            close(server.listen_fd);
        db_close(server.db);
        return 1;
    }
    accept_clients(&server);
    close(server.listen_fd);
    if (client_list_stop(&server.clients,
                         server.delay_ms + SHUTDOWN_GRACE_MS) == 0)
        db_close(server.db);
    printf("shut down\n");
    return 0;
}
