/* children.c - a worker's signals, stopping workers, describing an end. */
#include "children.h"

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
    /* A worker that keeps the inherited SIGTERM handler only sets its stop
     * flag on this signal: it finishes its current unit of work and leaves
     * through its normal path, closing its client properly. */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
        return -1;
    /* The race: the parent may have died between fork() and prctl(). Then
     * no signal will ever come, and this process has been adopted by init
     * (or a subreaper), so getppid() no longer names the parent. */
    if (getppid() != parent_pid)
        return raise(SIGTERM);
    return 0;
}

int prepare_worker_process(pid_t parent_pid)
{
    struct sigaction ignore;

    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (sigaction(SIGINT, &ignore, NULL) != 0)
        return -1;
    return exit_with_parent(parent_pid);
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
