/* stress.c - the stress workload, its report and its summary line. */
#include "stress.h"

#include "client.h"
#include "io.h"
#include "net.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const words[STRESS_WORD_COUNT] = {
    "twenty", "tiny", "tigers", "take", "two", "taxis", "to", "town"};
static const char *const upper_words[STRESS_WORD_COUNT] = {
    "TWENTY", "TINY", "TIGERS", "TAKE", "TWO", "TAXIS", "TO", "TOWN"};

const char *stress_word(long round)
{
    return words[round % STRESS_WORD_COUNT];
}

size_t stress_word_len(long round)
{
    return strlen(words[round % STRESS_WORD_COUNT]);
}

bool stress_reply_ok(long round, const char *reply, size_t len)
{
    const char *expected = upper_words[round % STRESS_WORD_COUNT];
    return len == strlen(expected) && memcmp(reply, expected, len) == 0;
}

int stress_report_init(struct stress_report *report,
                       const struct client_args *args)
{
    size_t n = (size_t)args->clients;
    int traced = trace_init(&report->trace, args->trace_path, args->clients,
                            args->rounds);

    report->clients = args->clients;
    report->rounds = args->rounds;
    report->replies = calloc(n, sizeof *report->replies);
    report->failed = calloc(n, sizeof *report->failed);
    report->latencies_ms = calloc(n * (size_t)args->rounds, sizeof(double));
    if (report->replies == NULL || report->failed == NULL ||
        report->latencies_ms == NULL || traced != 0) {
        stress_report_free(report);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void stress_report_free(struct stress_report *report)
{
    free(report->replies);
    free(report->failed);
    free(report->latencies_ms);
    trace_free(&report->trace);
    report->replies = NULL;
    report->failed = NULL;
    report->latencies_ms = NULL;
}

double stress_record_send(struct stress_report *report, long client)
{
    double now = now_seconds();

    trace_sent(&report->trace, client, report->replies[client], now);
    return now;
}

void stress_record_reply(struct stress_report *report, long client,
                         double latency_ms, bool quiet)
{
    long k = report->replies[client]++;

    report->latencies_ms[client * report->rounds + k] = latency_ms;
    /* The send time is the reply's minus the latency the client measured:
     * the same two instants, whichever way a client keeps its clock. */
    if (report->trace.path != NULL) {
        double now = now_seconds();
        trace_replied(&report->trace, client, k, now - latency_ms / 1000.0,
                      now);
    }
    if (!quiet)
        printf("- [%ld] Reply: %s\n", client,
               upper_words[k % STRESS_WORD_COUNT]);
}

void stress_record_failure(struct stress_report *report, long client,
                           const char *what)
{
    report->failed[client] = true;
    fprintf(stderr, "%s: [%ld] %s\n", progname(), client, what);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *sorted, size_t count, double p)
{
    size_t rank;

    if (count == 0)
        return 0.0;
    rank = (size_t)(p / 100.0 * (double)count + 0.999999);
    if (rank < 1)
        rank = 1;
    return sorted[(rank > count ? count : rank) - 1];
}

int stress_summary(const struct stress_report *report, double elapsed_s)
{
    long total = 0, errors = 0;
    double *all;
    size_t count = 0;

    for (long i = 0; i < report->clients; i++) {
        total += report->replies[i];
        errors += report->failed[i] ? 1 : 0;
    }
    all = malloc(((size_t)total > 0 ? (size_t)total : 1) * sizeof *all);
    if (all == NULL) {
        report_errno("malloc");
        return 1;
    }
    for (long i = 0; i < report->clients; i++)
        for (long k = 0; k < report->replies[i]; k++)
            all[count++] = report->latencies_ms[i * report->rounds + k];
    qsort(all, count, sizeof *all, compare_doubles);
    printf("%ld clients, %ld replies, %ld errors, %.2f s, %.0f req/s, "
           "p50 %.3f ms, p99 %.3f ms\n",
           report->clients, total, errors, elapsed_s,
           elapsed_s > 0 ? (double)total / elapsed_s : 0.0,
           percentile(all, count, 50), percentile(all, count, 99));
    free(all);
    fflush(stdout);
    /* After the run and its summary: the trace costs the run nothing. */
    if (trace_write(&report->trace) != 0) {
        report_errno(report->trace.path);
        return 1;
    }
    return errors == 0 && total == report->clients * report->rounds ? 0 : 1;
}

/* One round: send the word, wait for as many bytes, check them. */
static int stress_round(int fd, long client, long round,
                        struct stress_report *report,
                        const struct client_args *args)
{
    char reply[16], what[80];
    size_t len = stress_word_len(round);
    double start = stress_record_send(report, client);
    ssize_t got;

    if (write_all(fd, stress_word(round), len) != 0) {
        snprintf(what, sizeof what, "send: %s", strerror(errno));
        stress_record_failure(report, client, what);
        return -1;
    }
    got = read_full(fd, reply, len);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        snprintf(what, sizeof what, "no reply within %ld s", args->timeout_s);
    else if (got < 0)
        snprintf(what, sizeof what, "receive: %s", strerror(errno));
    else if ((size_t)got < len)
        snprintf(what, sizeof what, "server closed the connection");
    else if (!stress_reply_ok(round, reply, len))
        snprintf(what, sizeof what, "wrong reply '%.*s' to '%s'", (int)got,
                 reply, stress_word(round));
    else {
        stress_record_reply(report, client, (now_seconds() - start) * 1000.0,
                            args->quiet);
        return 0;
    }
    stress_record_failure(report, client, what);
    return -1;
}

int stress_session(const struct client_args *args, long client,
                   struct stress_report *report)
{
    struct timeval timeout = {.tv_sec = args->timeout_s, .tv_usec = 0};
    int fd = connect_or_report(args);
    int status = 0;

    if (fd < 0) {
        stress_record_failure(report, client, "could not connect");
        return -1;
    }
    /* SO_RCVTIMEO makes a blocking read fail with EAGAIN after the
     * timeout, so a server that never answers cannot hang the client. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) !=
        0) {
        stress_record_failure(report, client, "setsockopt SO_RCVTIMEO failed");
        close(fd);
        return -1;
    }
    for (long round = 0; round < args->rounds && status == 0; round++)
        status = stress_round(fd, client, round, report, args);
    close(fd);
    return status;
}

int stress_send_result(int fd, const struct stress_report *report, long client)
{
    long replies = report->replies[client];
    unsigned char failed = report->failed[client] ? 1 : 0;

    if (write_all(fd, &replies, sizeof replies) != 0 ||
        write_all(fd, &failed, sizeof failed) != 0 ||
        write_all(fd, &report->latencies_ms[client * report->rounds],
                  (size_t)replies * sizeof(double)) != 0)
        return -1;
    return trace_send(fd, &report->trace, client);
}

int stress_receive_result(int fd, struct stress_report *report, long client)
{
    long replies;
    unsigned char failed;
    size_t bytes;

    if (read_full(fd, &replies, sizeof replies) != (ssize_t)sizeof replies ||
        read_full(fd, &failed, sizeof failed) != (ssize_t)sizeof failed ||
        replies < 0 || replies > report->rounds) {
        report->failed[client] = true;
        return -1;
    }
    bytes = (size_t)replies * sizeof(double);
    if (read_full(fd, &report->latencies_ms[client * report->rounds], bytes) !=
        (ssize_t)bytes) {
        report->failed[client] = true;
        return -1;
    }
    if (trace_receive(fd, &report->trace, client) != 0) {
        report->failed[client] = true;
        return -1;
    }
    report->replies[client] = replies;
    report->failed[client] = failed != 0;
    return 0;
}

/* --- driving N simulated clients at once -----------------------------------
 */

/* Simulated clients need little stack (no recursion, small buffers); the
 * default 8 MiB would reserve 80 GiB of address space for 10,000 threads. */
#define SESSION_STACK_SIZE ((size_t)256 * 1024)

struct session {
    const struct client_args *args;
    long client;
    struct stress_report *report;
    stress_session_fn run;
};

static void *session_thread(void *arg)
{
    struct session *session = arg;
    session->run(session->args, session->client, session->report);
    return NULL;
}

int stress_with_threads(const struct client_args *args)
{
    return stress_with_threads_using(args, stress_session);
}

int stress_with_threads_using(const struct client_args *args,
                              stress_session_fn session)
{
    struct stress_report report;
    struct session *sessions = calloc((size_t)args->clients, sizeof *sessions);
    pthread_t *threads = calloc((size_t)args->clients, sizeof *threads);
    bool *started = calloc((size_t)args->clients, sizeof *started);
    pthread_attr_t attr;
    double start;
    int status = 1;

    if (sessions == NULL || threads == NULL || started == NULL ||
        stress_report_init(&report, args) != 0) {
        report_errno("out of memory");
        goto out;
    }
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, SESSION_STACK_SIZE);
    start = now_seconds();
    for (long i = 0; i < args->clients; i++) {
        int rc;
        sessions[i] = (struct session){args, i, &report, session};
        rc = pthread_create(&threads[i], &attr, session_thread, &sessions[i]);
        if (rc != 0) /* pthread calls return the error instead of errno */
            stress_record_failure(&report, i, strerror(rc));
        started[i] = rc == 0;
    }
    for (long i = 0; i < args->clients; i++)
        if (started[i])
            pthread_join(threads[i], NULL);
    pthread_attr_destroy(&attr);
    status = stress_summary(&report, now_seconds() - start);
    stress_report_free(&report);
out:
    free(sessions);
    free(threads);
    free(started);
    return status;
}

/* The child's whole life: one session, its result down the pipe, exit.
 * _exit, not exit: the child must not run the parent's atexit handlers or
 * flush stdio buffers it inherited (flushed before fork anyway). */
static void session_process(const struct client_args *args, long client,
                            struct stress_report *report, int result_fd)
{
    int status = stress_session(args, client, report) == 0 ? 0 : 1;

    if (stress_send_result(result_fd, report, client) != 0)
        status = 1;
    fflush(stdout);
    _exit(status);
}

/* Forks simulated client `client` with a pipe for its result; returns the
 * pipe's read end, or -1 after recording the failure. */
static int start_session_process(const struct client_args *args, long client,
                                 struct stress_report *report)
{
    int pipe_fds[2];
    pid_t pid;

    if (pipe(pipe_fds) != 0) {
        stress_record_failure(report, client, strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        close(pipe_fds[0]);
        session_process(args, client, report, pipe_fds[1]);
    }
    close(pipe_fds[1]); /* only the child writes: EOF when it exits */
    if (pid < 0) {
        stress_record_failure(report, client, strerror(errno));
        close(pipe_fds[0]);
        return -1;
    }
    return pipe_fds[0];
}

int stress_with_processes(const struct client_args *args)
{
    struct stress_report report;
    int *result_fds = malloc((size_t)args->clients * sizeof *result_fds);
    double start;
    int status = 1;

    if (result_fds == NULL || stress_report_init(&report, args) != 0) {
        report_errno("out of memory");
        free(result_fds);
        return 1;
    }
    fflush(stdout); /* or each child would print the parent's buffer again */
    start = now_seconds();
    for (long i = 0; i < args->clients; i++)
        result_fds[i] = start_session_process(args, i, &report);
    /* A child blocks on its pipe only after its session is over, so reading
     * the results in order does not slow any simulated client down. */
    for (long i = 0; i < args->clients; i++) {
        if (result_fds[i] < 0)
            continue;
        if (stress_receive_result(result_fds[i], &report, i) != 0)
            stress_record_failure(&report, i, "no result from its process");
        close(result_fds[i]);
    }
    /* Reap every child, so that no zombie outlives the client. */
    for (;;) {
        if (wait(NULL) < 0 && errno != EINTR)
            break;
    }
    status = stress_summary(&report, now_seconds() - start);
    stress_report_free(&report);
    free(result_fds);
    return status;
}
