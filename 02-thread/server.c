/* 02-thread/server.c - the concurrent TCP server with threads: a thread
 * per connection (and main, which also starts -w N, prethreaded.c).
 *
 * What it teaches: the main thread only accepts, and every connection gets
 * a thread of its own that blocks in read() on that client alone: the
 * chapter's multithreaded server (UNP's tcpserv01 with threads, CS:APP's
 * echoservert). It is concurrent AND parallel: the threads run at once on
 * every core, and share the process's memory (each gets its own heap
 * argument, struct conn, so that none touches another's). With -w N the
 * threads are made once instead, at start-up: prethreaded.c.
 *
 * Run:   ./02-thread/server -d 100 2000      and in another terminal
 *        ./02-thread/client -n 10 localhost 2000
 * Look:  the 10 clients finish in about 8 x 100 ms, not 10 x 8 x 100 ms,
 *        and their replies interleave. Then try -w 3 on the server: about
 *        ceil(10/3) = 4 times longer, and the clients are served in waves.
 */
#include "conn.h"
#include "serve.h"
#include "options.h"
#include "prethreaded.h"
#include "server.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *connection_thread(void *arg)
{
    struct conn *conn = arg;

    if (!conn->quiet)
        printf("Client connected: %s\n", conn->peer);
    serve_client(conn->fd, conn->peer, conn->delay_ms);
    if (!conn->quiet)
        printf("Client disconnected: %s\n", conn->peer);
    close_conn(conn);
    return NULL; /* detached: the thread's resources go back by themselves */
}

/* The threads are detached (attr): never joined, nobody waits for them,
 * and the system frees each one as it ends. The main thread goes straight
 * back to accept(). */
static void serve_thread_per_connection(int listen_fd,
                                        const struct server_args *args,
                                        const pthread_attr_t *attr)
{
    while (!stop_requested()) {
        struct conn *conn = accept_conn(listen_fd, args->delay_ms, args->quiet);
        pthread_t thread;
        int rc;

        if (conn == NULL)
            continue;
        rc = pthread_create(&thread, attr, connection_thread, conn);
        if (rc != 0) {
            /* EAGAIN: too many threads or no memory for a stack. Refuse
             * this client (it sees the connection close) and go on. */
            char what[PEER_NAME_MAX + 40];
            snprintf(what, sizeof what, "no thread for %s", conn->peer);
            report_error(what, strerror(rc));
            close_conn(conn);
        }
    }
    /* Teaching shortcut: the detached threads are not stopped one by one.
     * Returning from main calls exit(), which ends the whole process and
     * every thread in it at once; the kernel then closes their sockets. A
     * client waiting for a reply sees the connection close (its read
     * returns 0) and may lose that reply. -w N shows a clean stop. */
}

/* Small stacks for every thread; detached ones for a thread per
 * connection (the pool's workers are joined at shutdown). */
static int init_thread_attr(pthread_attr_t *attr, bool detached)
{
    int rc = pthread_attr_init(attr);

    if (rc == 0)
        rc = pthread_attr_setstacksize(attr, THREAD_STACK_SIZE);
    if (rc == 0 && detached)
        rc = pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
    if (rc != 0)
        report_error("pthread_attr", strerror(rc));
    return rc;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long worker_count = 0;
    const struct opt_spec extra[] = {
        {'w', "N", "worker threads (0: a thread per connection)", 0,
         MAX_WORKERS, &worker_count, NULL},
    };
    pthread_attr_t attr;
    int status, listen_fd;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra, 1)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (init_thread_attr(&attr, worker_count == 0) != 0 ||
        announce_port(listen_fd) != 0) {
        close(listen_fd);
        return 1;
    }
    status = 0;
    if (worker_count == 0)
        serve_thread_per_connection(listen_fd, &args, &attr);
    else
        status =
            serve_prethreaded(listen_fd, &args, (size_t)worker_count, &attr);
    pthread_attr_destroy(&attr);
    close(listen_fd);
    if (status != 0)
        return status;
    /* The detached threads see the stop too, and may be printing their
     * "Client disconnected" lines right now: after "shut down", or while
     * exit() (main's return) flushes stdio, which it does without taking
     * each stream's lock. Holding stdout's lock from here on keeps them
     * waiting for it, and exit() ends them there. */
    flockfile(stdout);
    printf("shut down\n");
    return 0;
}
