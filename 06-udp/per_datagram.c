/* 06-udp/per_datagram.c - server -f: a process per datagram.
 *
 * What it teaches: the parent receives; for each datagram it forks a child,
 * which has a copy of the buffer with the datagram in it, works, sends the
 * reply on the inherited socket and exits. It is parallel, but every
 * request pays a fork, an exit and a reap (about 150 us of CPU, thirty
 * times the work of a small request): a TCP server pays that once per
 * connection, here every message pays it.
 *
 * Run:   ./06-udp/server -f -d 800 2000
 * Look:  with three requests in progress, `pgrep -P SERVERPID` lists three
 *        children; a moment after the replies, none (reaped, no zombie).
 */
#include "per_datagram.h"

#include "stop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Children alive at once. Each one holds a copy of the process and a
 * datagram for one delay; without a cap a burst of datagrams would fork
 * until the process table or memory runs out. At the cap the parent stops
 * receiving and the kernel's socket buffer holds (or drops) the rest. */
#define MAX_CHILDREN 64

/* What the SIGCHLD handler touches, hence a global. */
static volatile sig_atomic_t live_children = 0;

static void reap_children(int signo)
{
    int saved = errno; /* waitpid may change errno under the main program */

    (void)signo;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        live_children--;
    errno = saved;
}

int catch_child_exits(void)
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
 * between the test and the wait, so an exit cannot slip in between and
 * leave us asleep. A stop signal ends the wait when stop_ends_it: then the
 * wait is wait_for_stop_or_signal, sigsuspend that also watches the stop
 * descriptor (common/stop.h). */
static void wait_for_children_below(int limit, bool stop_ends_it)
{
    sigset_t child_signal, before;

    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child_signal, &before);
    while (live_children >= limit) {
        if (!stop_ends_it)
            sigsuspend(&before);
        else if (wait_for_stop_or_signal(&before) == 0)
            break;
    }
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
        /* The child got a copy of the buffer with the datagram in it. A
         * SIGTERM stays pending (stop.h): nothing here waits for one, so
         * the child finishes this one reply, then exits. */
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

void serve_with_a_process_each(struct udp_server *server)
{
    struct request req;

    while (!stop_requested()) {
        wait_for_children_below(MAX_CHILDREN, true);
        if (!stop_requested() && next_request(server, &req) == 0)
            fork_for_request(server, &req);
    }
    wait_for_children_below(1, false); /* every reply sent, nobody left */
}
