/* children.c - a worker's signals, stopping workers, describing an end. */
#include "children.h"

#include "stop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h> /* Linux only: prctl(PR_SET_PDEATHSIG) */
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often stop_children looks whether the workers have exited. */
#define STOP_POLL_NS 10000000L

int exit_with_parent(pid_t parent_pid)
{
    /* SIGTERM is a stop signal (stop.h): the worker finishes its current
     * unit of work and leaves through its normal path, closing its client
     * properly. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        return -1;
    /* The race: the parent may have died between fork() and prctl(). Then
     * no signal will ever come, and this process has been adopted by init
     * (or a subreaper), so getppid() no longer names the parent. */
    if (getppid() != parent_pid)
        return raise(SIGTERM);
    return 0;
}

/* Runs only to make ppoll return: the loop looks with waitpid. */
static void on_child_exit(int signo)
{
    (void)signo;
}

pid_t wait_for_child_or_stop(int *status)
{
    struct sigaction action = {.sa_handler = on_child_exit};
    sigset_t child_signal, wait_mask;
    pid_t pid = 0;

    /* SIGCHLD is blocked while we look and unblocked only inside the wait
     * (as the stop signals, stop.h): a child that ends between the two
     * interrupts the wait all the same. */
    sigemptyset(&child_signal);
    sigaddset(&child_signal, SIGCHLD);
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGCHLD, &action, NULL) != 0 ||
        sigprocmask(SIG_BLOCK, &child_signal, &wait_mask) != 0)
        return -1;
    sigdelset(&wait_mask, SIGCHLD);
    while (!stop_requested() && (pid = waitpid(-1, status, WNOHANG)) == 0 &&
           wait_for_stop_or_signal(&wait_mask) != 0) {
        /* a handler ran: look again */
    }
    sigprocmask(SIG_UNBLOCK, &child_signal, NULL);
    return pid;
}

/* waitpid(pid, NULL, options), again after a signal handler interrupts it. */
static pid_t wait_for(pid_t pid, int options)
{
    pid_t done;

    do {
        done = waitpid(pid, NULL, options);
    } while (done < 0 && errno == EINTR);
    return done;
}

/* True once pid has exited and been reaped (or is not our child any
 * more); false while it runs. */
static int reaped(pid_t pid)
{
    return wait_for(pid, WNOHANG) != 0;
}

long stop_children(const pid_t *pids, long count, double grace_s)
{
    const struct timespec pause = {.tv_sec = 0, .tv_nsec = STOP_POLL_NS};
    const double deadline = now_seconds() + grace_s;
    long alive = 0, killed = 0;

    for (long i = 0; i < count; i++)
        if (pids[i] != 0 && kill(pids[i], SIGTERM) == 0)
            alive++;
    /* Teaching shortcut: look every 10 ms rather than sleep exactly until
     * the next exit (sigtimedwait on SIGCHLD would; see 10-pipes-fifo-signals).
     */
    while (alive > 0 && now_seconds() < deadline) {
        nanosleep(&pause, NULL);
        alive = 0;
        for (long i = 0; i < count; i++)
            if (pids[i] != 0 && !reaped(pids[i]))
                alive++;
    }
    for (long i = 0; i < count; i++) {
        if (pids[i] == 0 || reaped(pids[i]))
            continue;
        kill(pids[i], SIGKILL);
        killed++;
        wait_for(pids[i], 0);
    }
    return killed;
}

void describe_wait_status(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "stopped with wait status %#x", (unsigned)status);
}
