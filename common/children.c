/* children.c - dying with the parent, describing how a child ended. */
#include "children.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h> /* Linux only: prctl(PR_SET_PDEATHSIG) */
#include <sys/wait.h>
#include <unistd.h>

int exit_with_parent(pid_t parent_pid)
{
    /* The worker inherited the stop handler, so this SIGTERM only sets the
     * stop flag: the worker finishes its current unit of work and leaves
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
