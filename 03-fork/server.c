/* 03-fork/server.c - the concurrent TCP server with a process per client.
 *
 * What it teaches: the parent only accepts; for every connection it
 * fork()s a child that serves that client alone and exits. Each side
 * closes the descriptor it does not use. A child that ends becomes a
 * zombie until its parent collects its exit status with waitpid(); here a
 * SIGCHLD handler does that at once. At most -m N children live at a time
 * (the chapter's ProcessThrottler): at the limit the parent waits for one
 * to exit before it accepts again. Concurrent AND parallel: the children
 * run at once on every core, and one crashing child hurts nobody else.
 *
 * Run:   ./03-fork/server -d 100 2000      and in another terminal
 *        ./03-fork/client -n 10 localhost 2000
 * Look:  about 8 x 100 ms for the 10 clients; `ps --ppid PID` shows one
 *        child per connected client, and never a zombie (state Z).
 */
#include "children.h"
#include "net.h"
#include "options.h"
#include "serve.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* -m: children alive at once. 40 is the chapter's ProcessThrottler; the
 * upper bound keeps a typo from forking the machine to its knees. */
#define DEFAULT_MAX_CHILDREN 40
#define MAX_CHILDREN_LIMIT   4096

/* What the SIGCHLD handler must touch, hence global: the kit allows a
 * global only for what a signal handler touches. `pids` has one slot per
 * child allowed (0: a free slot), so that shutdown can send each child a SIGTERM; `live` counts the children
 * not reaped yet. The handler removes children and the main loop adds
 * them, so they must never run at the same time: the main loop changes
 * both only with SIGCHLD blocked. Counting in the handler (not by reaping
 * in the main loop) keeps the count right while the parent sleeps in
 * accept(), and it is the count that the throttle waits on. */
static struct {
    pid_t *pids;
    size_t slots;
    volatile sig_atomic_t live;
} children;

/* The SIGCHLD handler: collect every child that has ended (several exits
 * may arrive as one signal, so loop until none is left; WNOHANG so that a
 * living child never blocks the handler). Only async-signal-safe work:
 * waitpid and plain memory writes. waitpid may change errno, which the
 * code the signal interrupted may be about to read: save and restore it. */
static void reap_children(int signo)
{
    int saved_errno = errno;
    pid_t pid;

    (void)signo;
    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0) {
        for (size_t i = 0; i < children.slots; i++) {
            if (children.pids[i] == pid) {
                children.pids[i] = 0;
                break;
            }
        }
        children.live--;
    }
    errno = saved_errno;
}

/* SA_NOCLDSTOP: no signal when a child is merely stopped (Ctrl-Z), only
 * when it ends. A child's exit interrupts the parent's wait for a client
 * (accept_unless_stopped fails with EINTR, and the loop goes round: the
 * stop, the throttle) or for a free slot (the throttle's wait). */
static int catch_child_exits(long max_children)
{
    struct sigaction action;

    children.slots = (size_t)max_children;
    children.pids = calloc(children.slots, sizeof *children.pids);
    if (children.pids == NULL) {
        report_errno("calloc");
        return -1;
    }
    memset(&action, 0, sizeof action);
    action.sa_handler = reap_children;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &action, NULL) != 0) {
        report_errno("sigaction SIGCHLD");
        return -1;
    }
    return 0;
}

/* Called with SIGCHLD blocked, after a successful fork. A free slot
 * exists: the throttle let us fork only with live < slots. */
static void remember_child(pid_t pid)
{
    for (size_t i = 0; i < children.slots; i++) {
        if (children.pids[i] == 0) {
            children.pids[i] = pid;
            break;
        }
    }
    children.live++;
}

/* The throttle: at the limit, sleep until a child exits or a stop signal
 * comes. SIGCHLD is blocked while we test the condition, and the wait
 * unblocks it and sleeps in one atomic step (sigsuspend's way, with ppoll
 * watching the stop descriptor too, common/stop.h): a SIGCHLD that
 * arrived between the test and a plain pause() would be missed, and we
 * would sleep with nothing left to wake us. */
static void wait_for_free_slot(long max_children, const sigset_t *watched)
{
    sigset_t old_mask;

    sigprocmask(SIG_BLOCK, watched, &old_mask);
    while (children.live >= max_children &&
           wait_for_stop_or_signal(&old_mask) != 0) {
        /* the handler ran: look at the count again */
    }
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
}

/* The child's whole life. It never returns: _exit, not exit, so that it
 * does not run what the parent registered with atexit(). */
static void run_child(int listen_fd, int conn_fd, const char *peer,
                      const struct server_args *args, const sigset_t *old_mask)
{
    /* The child stops on the parent's SIGTERM (or a Ctrl-C, which reaches
     * the whole process group): it inherited the stop descriptor, which
     * tells each process of its own signals, so serve_client's read sees
     * the stop, and the reply being worked on is still sent. */
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    /* Only the parent accepts. Keeping the listening socket open here
     * would also keep the port busy after the parent is gone. */
    close(listen_fd);
    if (!args->quiet)
        printf("Client connected: %s (pid %ld)\n", peer, (long)getpid());
    serve_client(conn_fd, peer, args->delay_ms);
    close(conn_fd);
    if (!args->quiet)
        printf("Client disconnected: %s (pid %ld)\n", peer, (long)getpid());
    fflush(stdout);
    _exit(0);
}

/* Forks a child for the connection. SIGCHLD is blocked around fork(): the
 * handler must not run between the fork and remember_child (it would reap
 * a child we have not counted yet). */
static void start_child(int listen_fd, int conn_fd, const char *peer,
                        const struct server_args *args, const sigset_t *watched)
{
    sigset_t old_mask;
    pid_t pid;

    sigprocmask(SIG_BLOCK, watched, &old_mask);
    fflush(stdout); /* or the child would print the parent's buffer again */
    pid = fork();
    if (pid == 0)
        run_child(listen_fd, conn_fd, peer, args, &old_mask);
    if (pid < 0)
        report_peer_errno("fork for", peer); /* that client is dropped */
    else
        remember_child(pid);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    /* The parent's copy of the connection: the child has its own. Without
     * this close the client would never see the end of the connection
     * (the socket stays open while any process holds it) and the parent
     * would run out of descriptors after about 20,000 clients. */
    close(conn_fd);
}

/* Shutdown: SIGTERM to every child (each finishes the reply it is working
 * on, within one delay, and exits), then wait for them. A child blocked
 * writing to a client that never reads would wait forever: after the
 * delay plus SHUTDOWN_GRACE_MS the ones left get SIGKILL (stop_children,
 * common/children.c). SIGCHLD stays blocked from here on, so the handler
 * cannot reap (or change the table) meanwhile: stop_children reaps. A
 * child that has ended but is not reaped is a zombie, which keeps its PID:
 * no kill can hit an unrelated process. */
static void stop_all_children(long delay_ms)
{
    sigset_t child_signal;
    long killed;

    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, NULL);
    killed = stop_children(children.pids, (long)children.slots,
                           (double)(delay_ms + SHUTDOWN_GRACE_MS) / 1000.0);
    if (killed > 0)
        fprintf(stderr, "%s: %ld %s did not stop in time: killed\n", progname(),
                killed, killed == 1 ? "child" : "children");
    free(children.pids);
}

/* The acceptor loop: wait for room, accept, fork, repeat. */
static void accept_clients(int listen_fd, const struct server_args *args,
                           long max_children)
{
    sigset_t watched;

    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    while (!stop_requested()) {
        struct sockaddr_storage addr;
        socklen_t addr_len;
        char peer[PEER_NAME_MAX];
        int conn_fd;

        wait_for_free_slot(max_children, &watched);
        if (stop_requested())
            break;
        conn_fd = accept_unless_stopped(listen_fd, &addr, &addr_len);
        if (conn_fd < 0) {
            if (errno != EINTR) /* EINTR: a child ended, or a stop */
                report_errno("accept");
            pause_if_out_of_resources(errno);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, peer, sizeof peer);
        start_child(listen_fd, conn_fd, peer, args, &watched);
    }
}

int main(int argc, char **argv)
{
    struct server_args args;
    long max_children = DEFAULT_MAX_CHILDREN;
    const struct opt_spec extra[] = {
        {'m', "N", "at most N children at once (default 40)", 1,
         MAX_CHILDREN_LIMIT, &max_children, NULL},
    };
    int status, listen_fd;

    set_progname(argv[0]);
    if ((status = parse_server_args(argc, argv, &args, extra, 1)) >= 0)
        return status;
    if (prepare_server_process() != 0 || catch_child_exits(max_children) != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (announce_port(listen_fd) != 0) {
        close(listen_fd);
        return 1;
    }
    accept_clients(listen_fd, &args, max_children);
    /* Close first: from now on new clients are refused, not queued. */
    close(listen_fd);
    stop_all_children(args.delay_ms);
    printf("shut down\n");
    return 0;
}
