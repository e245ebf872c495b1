/* 02-thread/db/dbbench.c - load for dbserver: N clients, each on its own
 * record, sending GET, SET and BIRTHDAY in turn, one request at a time.
 *
 * Each simulated client is a thread with its own connection. It first
 * ADDs its record (bench-0, bench-1, ...), waits until every client is
 * ready, then sends R requests, waiting for each reply, and checks that
 * the reply starts with "OK". The last line is the summary:
 *
 *   50 clients, 10000 requests, 0 errors, 2.01 s, 4975 req/s
 *
 * Run:   ./02-thread/dbbench -n 50 -r 200 localhost 2000
 * Look:  run it against "dbserver -d 1 -L record" and "-L global":
 *        02-thread/db/dbbench.sh does both and prints a table.
 */
#include "client/client.h"
#include "io.h"
#include "linereader.h"
#include "options.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define DEFAULT_CLIENTS 50
#define REPLY_MAX       512

struct bench {
    const struct client_args *args;
    pthread_barrier_t ready; /* every client connected and ADDed, and main */
};

struct bench_client {
    struct bench *bench;
    long index;
    long errors; /* written by this thread only, read after join */
};

/* Sends one request line and reads one reply line; 0 when it is "OK...",
 * -1 otherwise. */
static int ask(int fd, struct line_reader *reader, const char *request)
{
    char reply[LINE_BUFFER_SIZE(REPLY_MAX)];
    size_t len;

    if (write_all(fd, request, strlen(request)) != 0 ||
        read_line(reader, reply, REPLY_MAX, &len) != LINE_OK)
        return -1;
    return strncmp(reply, "OK", 2) == 0 ? 0 : -1;
}

static void *run_client(void *arg)
{
    struct bench_client *client = arg;
    const struct client_args *args = client->bench->args;
    struct line_reader reader;
    char get[64], set[96], birthday[64], add[96];
    int fd = connect_or_report(args);

    snprintf(add, sizeof add, "ADD bench-%ld 30 Bench Client\n", client->index);
    snprintf(get, sizeof get, "GET bench-%ld\n", client->index);
    snprintf(set, sizeof set, "SET bench-%ld 30 Bench Client\n", client->index);
    snprintf(birthday, sizeof birthday, "BIRTHDAY bench-%ld\n", client->index);
    struct timeval timeout = {.tv_sec = args->timeout_s};

    /* -t: a reply that does not come within the timeout is an error. */
    if (fd >= 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0)
        report_errno("setsockopt");
    if (fd >= 0) {
        line_reader_init(&reader, fd);
        if (ask(fd, &reader, add) != 0) {
            close(fd);
            fd = -1;
        }
    }
    /* Wait even after a failure, or the others would wait forever. */
    pthread_barrier_wait(&client->bench->ready);
    if (fd < 0) {
        client->errors = args->rounds;
        return NULL;
    }
    for (long i = 0; i < args->rounds; i++) {
        const char *request = i % 3 == 0 ? get : i % 3 == 1 ? set : birthday;
        if (ask(fd, &reader, request) != 0) {
            client->errors = args->rounds - i;
            break;
        }
    }
    close(fd);
    return NULL;
}

/* Starts every client, lets them go at once (the barrier), waits for all.
 * Returns the seconds they took, their errors in *errors; -1 when a thread
 * could not start (the barrier counts on every client: give up). */
static double run_clients(struct bench *bench, struct bench_client *clients,
                          pthread_t *threads, long *errors)
{
    long count = bench->args->clients;
    double start;

    for (long i = 0; i < count; i++) {
        int rc;
        clients[i] = (struct bench_client){bench, i, 0};
        rc = pthread_create(&threads[i], NULL, run_client, &clients[i]);
        if (rc != 0) {
            report_error("pthread_create", strerror(rc));
            return -1;
        }
    }
    pthread_barrier_wait(&bench->ready);
    start = now_seconds();
    for (long i = 0; i < count; i++) {
        pthread_join(threads[i], NULL);
        *errors += clients[i].errors;
    }
    return now_seconds() - start;
}

int main(int argc, char **argv)
{
    struct client_args args;
    struct bench bench = {.args = &args};
    struct bench_client *clients;
    pthread_t *threads;
    long errors = 0;
    double elapsed;
    int status, rc;

    set_progname(argv[0]);
    if ((status = parse_client_args(argc, argv, &args, 30, NULL, 0)) >= 0)
        return status;
    if (args.clients == 0)
        args.clients = DEFAULT_CLIENTS;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    clients = calloc((size_t)args.clients, sizeof *clients);
    threads = calloc((size_t)args.clients, sizeof *threads);
    if (clients == NULL || threads == NULL) {
        report_errno("calloc");
        free(clients);
        free(threads);
        return 1;
    }
    rc = pthread_barrier_init(&bench.ready, NULL, (unsigned)args.clients + 1);
    if (rc != 0) {
        report_error("pthread_barrier_init", strerror(rc));
        free(clients);
        free(threads);
        return 1;
    }
    elapsed = run_clients(&bench, clients, threads, &errors);
    if (elapsed < 0) {
        /* Started threads wait at the barrier: exiting ends them. */
        free(clients);
        free(threads);
        return 1;
    }
    printf("%ld clients, %ld requests, %ld errors, %.2f s, %.0f req/s\n",
           args.clients, args.clients * args.rounds, errors, elapsed,
           (double)(args.clients * args.rounds - errors) / elapsed);
    pthread_barrier_destroy(&bench.ready);
    free(clients);
    free(threads);
    return errors == 0 ? 0 : 1;
}
