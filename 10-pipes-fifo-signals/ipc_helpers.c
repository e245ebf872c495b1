/* ipc_helpers.c - sleeps, waits with a deadline, status text, O_NONBLOCK. */
#include "ipc_helpers.h"

#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

void sleep_ms(long ms)
{
    struct timespec pause = {.tv_sec = ms / 1000,
                             .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

int wait_child_ms(pid_t pid, long timeout_ms, int *status)
{
    double deadline = now_seconds() + (double)timeout_ms / 1000.0;

    for (;;) {
        pid_t done = waitpid(pid, status, WNOHANG);
        if (done != 0)
            return done == pid ? 1 : -1;
        if (now_seconds() >= deadline)
            return 0;
        sleep_ms(10);
    }
}

void describe_status(int status, char *out, size_t size)
{
    if (WIFEXITED(status))
        snprintf(out, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, size, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, size, "changed state (0x%x)", (unsigned)status);
}

int clear_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}
