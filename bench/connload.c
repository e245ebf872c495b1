/* bench/connload.c - load with a new connection for every request, the
 * measurement of UNP chapter 30 (Stevens times each server design with
 * clients that connect, ask once and close).
 *
 * With one connection per request the server pays for accept, for its
 * concurrency technique (a fork, a thread, a hand-off to a worker) and for
 * the close, every time: the table shows what fork costs next to a prefork
 * pool or a thread. N worker threads each make R requests in a row: connect,
 * send one word, read its upper-case reply, close.
 *
 * Run:   ./bench/connload -n 10 -r 500 127.0.0.1 PORT
 * Look:  the summary line has the shape of the kit's stress clients; a
 *        "reply" here is a whole connection, so req/s is connections/s.
 */
#include "io.h"
#include "options.h"
#include "client/stress.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Workers need little stack: no recursion, small buffers. */
#define WORKER_STACK_SIZE ((size_t)256 * 1024)

/* The server's address, resolved once: a getaddrinfo per request would
 * measure the resolver, not the server. */
struct target {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int family;
};

struct worker {
    const struct client_args *args;
    const struct target *target;
    struct stress_report *report;
    long index;
};

/* One request on its own connection. Returns NULL, or what went wrong. */
static const char *one_request(const struct worker *worker, long round)
{
    struct timeval timeout = {.tv_sec = worker->args->timeout_s};
    const char *word = stress_word(round);
    size_t len = stress_word_len(round);
    const char *failure = NULL;
    char reply[16];
    int fd = socket(worker->target->family, SOCK_STREAM, 0);

    if (fd < 0)
        return "socket failed";
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0)
        failure = "setsockopt failed";
    else if (connect(fd, (const struct sockaddr *)&worker->target->addr,
                     worker->target->addr_len) != 0)
        failure = "connect failed";
    else if (write_all(fd, word, len) != 0)
        failure = "send failed";
    else if (read_full(fd, reply, len) != (ssize_t)len)
        failure = "no reply";
    else if (!stress_reply_ok(round, reply, len))
        failure = "wrong reply";
    /* The client closes first, so TIME_WAIT stays on its side; Linux reuses
     * those ports on loopback (net.ipv4.tcp_tw_reuse). */
    close(fd);
    return failure;
}

static void *run_worker(void *arg)
{
    struct worker *worker = arg;

    for (long round = 0; round < worker->args->rounds; round++) {
        double start = now_seconds();
        const char *failure = one_request(worker, round);
        if (failure != NULL) {
            char what[96];
            snprintf(what, sizeof what, "%s: %s", failure, strerror(errno));
            stress_record_failure(worker->report, worker->index, what);
            break;
        }
        stress_record_reply(worker->report, worker->index,
                            (now_seconds() - start) * 1000.0, true);
    }
    return NULL;
}

static int resolve(const struct client_args *args, struct target *target)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM};
    struct addrinfo *found;
    int rc = getaddrinfo(args->host, args->port, &hints, &found);

    if (rc != 0) {
        report_error(args->host, gai_strerror(rc));
        return -1;
    }
    memcpy(&target->addr, found->ai_addr, found->ai_addrlen);
    target->addr_len = found->ai_addrlen;
    target->family = found->ai_family;
    freeaddrinfo(found);
    return 0;
}

/* Starts the workers, waits for them all, prints the summary line. */
static int run_workers(const struct client_args *args,
                       const struct target *target)
{
    size_t count = (size_t)args->clients;
    struct worker *workers = calloc(count, sizeof *workers);
    pthread_t *threads = calloc(count, sizeof *threads);
    bool *started = calloc(count, sizeof *started);
    struct stress_report report;
    pthread_attr_t attr;
    double start;
    int status = 1, rc;

    if (workers == NULL || threads == NULL || started == NULL ||
        stress_report_init(&report, args) != 0) {
        report_errno("out of memory");
        goto out;
    }
    if ((rc = pthread_attr_init(&attr)) != 0 ||
        (rc = pthread_attr_setstacksize(&attr, WORKER_STACK_SIZE)) != 0) {
        report_error("pthread_attr", strerror(rc));
        stress_report_free(&report);
        goto out;
    }
    start = now_seconds();
    for (size_t i = 0; i < count; i++) {
        workers[i] = (struct worker){args, target, &report, (long)i};
        rc = pthread_create(&threads[i], &attr, run_worker, &workers[i]);
        if (rc != 0) /* pthread calls return the error instead of errno */
            stress_record_failure(&report, (long)i, strerror(rc));
        started[i] = rc == 0;
    }
    for (size_t i = 0; i < count; i++)
        if (started[i] && (rc = pthread_join(threads[i], NULL)) != 0)
            report_error("pthread_join", strerror(rc));
    pthread_attr_destroy(&attr);
    status = stress_summary(&report, now_seconds() - start);
    stress_report_free(&report);
out:
    free(workers);
    free(threads);
    free(started);
    return status;
}

int main(int argc, char **argv)
{
    struct client_args args;
    struct target target;
    int status;

    set_progname(argv[0]);
    if ((status = parse_client_args(argc, argv, &args, 30, NULL, 0)) >= 0)
        return status;
    if (args.clients == 0)
        args.clients = 1;
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    if (resolve(&args, &target) != 0)
        return 1;
    return run_workers(&args, &target);
}
