/* 06-udp/server.c - the UDP upper server: receive, work, reply.
 *
 * What it teaches: UDP has no connections, so there is no accept() and no
 * per-client loop. The server blocks in one place, recvmsg(), and each
 * datagram may come from a different client. Every client makes progress
 * (the server is concurrent) but one request is worked on at a time (it is
 * not parallel): the chapter's Table 14.1. Two flags show the chapter's
 * other designs, to compare:
 *   -f    a process per datagram (fork for every request: costly)
 *   -P N  a preforked pool: N processes all blocked in recvmsg() on the one
 *         shared socket; the kernel gives each datagram to one of them
 *
 * Run:   ./06-udp/server 2000           and in another terminal
 *        ./06-udp/client localhost 2000
 * Look:  with ./06-udp/client -n 3, the replies of the 3 clients
 *        interleave, [0] [1] [2] [0]..., yet the total time is 3 x 8 delays.
 */
#include "children.h"
#include "datagram.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* -f: children alive at once. Each one holds a copy of the process and a
 * datagram for one delay; without a cap a burst of datagrams would fork
 * until the process table or memory runs out. At the cap the parent stops
 * receiving and the kernel's socket buffer holds (or drops) the rest. */
#define MAX_CHILDREN 64
/* -P: the largest pool the command line accepts. */
#define MAX_POOL 256

struct udp_server {
    int fd;
    const struct server_args *args;
    bool show_pid;          /* pool workers add "(worker PID)" to logs */
    char *buf;              /* DATAGRAM_BUFFER_SIZE bytes */
    unsigned long requests; /* the N of "New request: N" */
};

/* One request: the datagram in server->buf and who sent it. */
struct request {
    size_t len;
    struct sockaddr_storage from;
    socklen_t from_len;
    char peer[PEER_NAME_MAX];
};

/* What the SIGCHLD handler of -f mode touches, hence a global. */
static volatile sig_atomic_t live_children = 0;

/* Waits for the next datagram. Returns 0 with *req filled, or -1 when there
 * is nothing to serve: a stop signal (EINTR), an error or a datagram too
 * long for the buffer (both logged; that datagram is lost, not the server). */
static int next_request(struct udp_server *server, struct request *req)
{
    bool truncated;
    ssize_t n;

    req->from_len = sizeof req->from;
    n = receive_datagram(server->fd, server->buf, DATAGRAM_BUFFER_SIZE,
                         &req->from, &req->from_len, &truncated);
    if (n < 0) {
        if (errno != EINTR)
            report_errno("recvmsg");
        return -1;
    }
    req->len = (size_t)n;
    format_peer((struct sockaddr *)&req->from, req->from_len, req->peer,
                sizeof req->peer);
    if (truncated) {
        /* A cut datagram would get a cut reply: drop it and say so. */
        fprintf(stderr,
                "server: datagram from %s longer than %d bytes: "
                "dropped\n",
                req->peer, DATAGRAM_BUFFER_SIZE);
        return -1;
    }
    server->requests++;
    if (!server->args->quiet && server->show_pid)
        printf("New request: %lu %s (worker %ld)\n", server->requests,
               req->peer, (long)getpid());
    else if (!server->args->quiet)
        printf("New request: %lu %s\n", server->requests, req->peer);
    return 0;
}

/* The work and the reply: one datagram back, as long as the request (an
 * empty request gets an empty reply). A failed send loses one reply only. */
static void serve_request(struct udp_server *server, const struct request *req)
{
    /* EXERCISE(06-udp): do the work and send the transformed datagram back to
     * the address it came from */
    simulate_work(server->args->delay_ms);
    upper_transform(server->buf, req->len);
    if (send_datagram(server->fd, server->buf, req->len,
                      (const struct sockaddr *)&req->from, req->from_len) != 0)
        report_peer_errno("sendto", req->peer);
    /* STUB: (void)server; (void)req; */
    /* END EXERCISE */
}

/* The basic loop, and the whole life of a -P worker. While one request is
 * being worked on, the next ones wait in the socket's receive buffer. */
static void serve_datagrams(struct udp_server *server)
{
    struct request req;

    while (!stop_requested()) {
        if (next_request(server, &req) == 0)
            serve_request(server, &req);
    }
}

/* --- -f: a process per datagram ------------------------------------------ */

static void reap_children(int signo)
{
    int saved = errno; /* waitpid may change errno under the main program */

    (void)signo;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        live_children--;
    errno = saved;
}

static int catch_child_exits(void)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = reap_children;
    sigemptyset(&action.sa_mask);
    /* SA_RESTART: a child's exit must not interrupt recvmsg (a stop signal
     * still does: its handler has no SA_RESTART). */
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    return sigaction(SIGCHLD, &action, NULL);
}

/* Sleeps until fewer than limit children are alive. SIGCHLD is blocked
 * between the test and sigsuspend, so an exit cannot slip in between and
 * leave us asleep. A stop signal ends the wait when stop_ends_it. */
static void wait_for_children_below(int limit, bool stop_ends_it)
{
    sigset_t child_signal, before;

    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, &before);
    while (live_children >= limit && !(stop_ends_it && stop_requested()))
        sigsuspend(&before);
    sigprocmask(SIG_SETMASK, &before, NULL);
}

/* Forks a child that owns this one request. SIGCHLD is blocked around the
 * fork so that the handler cannot count the child's exit before the parent
 * counted its birth. */
static void fork_for_request(struct udp_server *server,
                             const struct request *req)
{
    sigset_t child_signal, before;
    pid_t pid;

    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, &before);
    fflush(stdout); /* or the child would print the parent's buffer again */
    pid = fork();
    if (pid == 0) {
        /* The child got a copy of the buffer with the datagram in it. On
         * SIGTERM it still finishes this one reply (the flag only stops
         * loops, and it has none), then exits. */
        sigprocmask(SIG_SETMASK, &before, NULL);
        serve_request(server, req);
        _exit(0);
    }
    if (pid < 0)
        report_peer_errno("fork for", req->peer); /* that request is lost */
    else
        live_children++;
    sigprocmask(SIG_SETMASK, &before, NULL);
}

static void serve_with_a_process_each(struct udp_server *server)
{
    struct request req;

    while (!stop_requested()) {
        wait_for_children_below(MAX_CHILDREN, true);
        if (!stop_requested() && next_request(server, &req) == 0)
            fork_for_request(server, &req);
    }
    wait_for_children_below(1, false); /* every reply sent, nobody left */
}

/* --- -P N: a preforked pool sharing the socket --------------------------- */

/* Starts one worker: a child that runs the basic loop on the shared
 * socket. Returns its pid (in the parent) or -1. */
static pid_t start_worker(struct udp_server *server)
{
    pid_t parent = getpid();
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid != 0)
        return pid;
    /* The kernel sends us SIGTERM when the parent dies (Linux), so no
     * orphaned worker goes on holding the port. */
    if (exit_with_parent(parent) != 0) {
        report_errno("prctl");
        _exit(1);
    }
    server->show_pid = true;
    /* On SIGTERM (from the parent, or from the kernel when the parent
     * died), recvmsg fails with EINTR and the loop ends; a request being
     * worked on is finished and answered first. */
    serve_datagrams(server);
    _exit(0);
}

/* Replaces the worker that ended (wait status `how`) in workers[]. */
static void replace_worker(struct udp_server *server, pid_t *workers,
                           long count, pid_t gone, int how)
{
    char ending[64];

    describe_wait_status(how, ending, sizeof ending);
    for (long i = 0; i < count; i++) {
        if (workers[i] != gone)
            continue;
        fprintf(stderr, "server: worker %ld %s; starting another\n", (long)gone,
                ending);
        /* Teaching shortcut: a worker that dies at once every time would
         * be restarted in a tight loop; a real server would back off. */
        workers[i] = start_worker(server);
        if (workers[i] < 0)
            report_errno("fork");
    }
}

/* The parent does no network work: it starts the pool, then sleeps in
 * waitpid() and replaces any worker that dies, until a stop signal. */
static int serve_with_a_pool(struct udp_server *server, long count)
{
    pid_t *workers = calloc((size_t)count, sizeof *workers);
    int status = 0;

    if (workers == NULL) {
        report_errno("calloc");
        return 1;
    }
    for (long i = 0; i < count && status == 0; i++) {
        workers[i] = start_worker(server);
        if (workers[i] < 0) {
            report_errno("fork");
            status = 1;
        }
    }
    while (status == 0 && !stop_requested()) {
        int how;
        pid_t gone = waitpid(-1, &how, 0);
        if (gone > 0)
            replace_worker(server, workers, count, gone, how);
        else if (errno != EINTR) {
            report_errno("waitpid");
            status = 1;
        }
    }
    for (long i = 0; i < count; i++)
        if (workers[i] > 0)
            kill(workers[i], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ; /* reap them all: no zombie, no orphan */
    free(workers);
    return status;
}

int main(int argc, char **argv)
{
    struct server_args args;
    long pool_size = 0;
    bool fork_each = false;
    const struct opt_spec modes[] = {
        {'f', NULL, "a process per datagram", 0, 0, NULL, &fork_each},
        {'P', "N", "a preforked pool of N processes sharing the socket", 1,
         MAX_POOL, &pool_size, NULL},
    };
    struct udp_server server = {.fd = -1, .args = &args};
    int status;

    set_progname(argv[0]);
    status = parse_server_args(argc, argv, &args, modes,
                               sizeof modes / sizeof modes[0]);
    if (status >= 0)
        return status;
    if (fork_each && pool_size > 0) {
        report_error("-f and -P", "choose one mode");
        return 2;
    }
    /* EXERCISE(06-udp): when serve_request is written, delete this guard */
    /* STUB: report_error("serve_request", "not written yet: no server"); */
    /* STUB: return 1; */
    /* END EXERCISE */
    server.buf = malloc(DATAGRAM_BUFFER_SIZE);
    if (server.buf == NULL) {
        report_errno("malloc");
        return 1;
    }
    if (prepare_server_process() != 0 ||
        (fork_each && catch_child_exits() != 0) ||
        (server.fd = udp_bind_or_report(args.port)) < 0 ||
        announce_port(server.fd) != 0) {
        if (server.fd >= 0)
            close(server.fd);
        free(server.buf);
        return 1;
    }
    if (fork_each)
        serve_with_a_process_each(&server);
    else if (pool_size > 0)
        status = serve_with_a_pool(&server, pool_size);
    else
        serve_datagrams(&server);
    close(server.fd);
    free(server.buf);
    printf("shut down\n");
    return status > 0 ? status : 0;
}
