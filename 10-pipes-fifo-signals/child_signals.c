/* 10-pipes-fifo-signals/child_signals.c - signals between a parent and its
 * children: demos 2 and 5 of ./signals.
 *
 * What it teaches: a child that exits stays a zombie until its parent
 * waits for it; the kernel tells the parent with SIGCHLD, and standard
 * signals do not queue, so a handler must reap in a loop: one SIGCHLD may
 * stand for several children. Demo 2 makes that certain instead of
 * likely: five children exit while SIGCHLD is blocked, so five SIGCHLDs
 * become one pending signal, and unblocking it runs the handler once for
 * all five. SIG_IGN asks the kernel to reap instead. In demo 5 a child
 * signals its parent, and SA_SIGINFO tells the parent who sent it.
 *
 * Run:   ./10-pipes-fifo-signals/signals 2     (or 5)
 * Look:  "reaped 5 of 5 children in 1 run(s)", every time you run it.
 */
#include "child_signals.h"

#include "ipc_helpers.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_COUNT     5
#define CHILD_WORK_MS   300 /* demo 5: the child's "work" */
#define ZOMBIE_PAUSE_MS 100

/* What the handlers touch: globals, since a handler gets no argument. */
static volatile sig_atomic_t caught = 0;     /* handler runs */
static volatile sig_atomic_t reaped = 0;     /* children reaped */
static volatile sig_atomic_t sender_pid = 0; /* from siginfo (demo 5) */

/* The SIGCHLD handler: one signal may stand for several children (they do
 * not queue), so reap in a loop until nobody is left to reap. */
static void reap_children(int signo)
{
    int saved_errno = errno; /* waitpid may change errno under main's feet */

    (void)signo;
    caught++;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        reaped++;
    errno = saved_errno;
}

static void note_sender(int signo, siginfo_t *info, void *context)
{
    (void)signo;
    (void)context;
    sender_pid = (sig_atomic_t)info->si_pid;
    caught++;
}

/* Linux: the third field of /proc/PID/stat is the state, Z for zombie. */
static char process_state(pid_t pid)
{
    char path[64], state = '-';
    FILE *stat_file;

    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if ((stat_file = fopen(path, "r")) == NULL)
        return '-'; /* no such process (or no /proc) */
    if (fscanf(stat_file, "%*d (%*[^)]) %c", &state) != 1)
        state = '?';
    fclose(stat_file);
    return state;
}

/* Forks count children that exit at once, their PIDs into pids (may be
 * NULL). Returns the last one's PID, or -1. */
static pid_t fork_exiting_children(int count, pid_t *pids)
{
    pid_t pid = -1;

    fflush(stdout);
    for (int i = 0; i < count; i++) {
        if ((pid = fork()) < 0) {
            report_errno("fork");
            return -1;
        }
        if (pid == 0)
            _exit(0);
        if (pids != NULL)
            pids[i] = pid;
    }
    return pid;
}

static int show_zombie(void)
{
    pid_t pid = fork_exiting_children(1, NULL);

    if (pid < 0)
        return -1;
    sleep_ms(ZOMBIE_PAUSE_MS);
    printf("a child exited; until waited for, it is a zombie: state %c\n",
           process_state(pid));
    if (reap_child(pid, NULL) != 0)
        return -1;
    printf("after waitpid: state %c (no such process any more)\n",
           process_state(pid));
    return 0;
}

/* Five children exit while SIGCHLD is blocked; then one unblock. */
static int show_coalescing(void)
{
    pid_t pids[CHILD_COUNT];
    siginfo_t info;
    sigset_t old;

    /* SA_NOCLDSTOP: no signal when a child is merely stopped. */
    if (install_handler(SIGCHLD, reap_children, SA_RESTART | SA_NOCLDSTOP) !=
            0 ||
        block_signal(SIG_BLOCK, SIGCHLD, &old) != 0 ||
        fork_exiting_children(CHILD_COUNT, pids) < 0)
        return -1;
    /* waitid with WNOWAIT waits until a child has exited but leaves it a
     * zombie, to be reaped by the handler: after this loop all five have
     * exited, and their five SIGCHLDs are one pending signal. */
    for (int i = 0; i < CHILD_COUNT; i++)
        while (waitid(P_PID, (id_t)pids[i], &info, WEXITED | WNOWAIT) != 0)
            if (errno != EINTR) {
                report_errno("waitid");
                return -1;
            }
    printf("SIGCHLD blocked: %d children exited, %d zombies, SIGCHLD "
           "pending\n",
           CHILD_COUNT, CHILD_COUNT);
    /* The pending signal is delivered before sigprocmask returns. */
    if (sigprocmask(SIG_SETMASK, &old, NULL) != 0) {
        report_errno("sigprocmask");
        return -1;
    }
    printf("SIGCHLD handler: reaped %d of %d children in %d run(s): one "
           "SIGCHLD may stand for several children\n",
           (int)reaped, CHILD_COUNT, (int)caught);
    return reaped == CHILD_COUNT && caught == 1 ? 0 : -1;
}

int demo_sigchld(const char *self)
{
    pid_t last;

    (void)self;
    if (show_zombie() != 0 || show_coalescing() != 0)
        return 1;
    /* SIG_IGN for SIGCHLD: the kernel reaps children itself. */
    if (install_handler(SIGCHLD, SIG_IGN, 0) != 0)
        return 1;
    if ((last = fork_exiting_children(CHILD_COUNT, NULL)) < 0)
        return 1;
    /* wait() blocks until every child is gone, then fails with ECHILD. */
    if (wait(NULL) >= 0 || errno != ECHILD)
        return 1;
    printf("SIGCHLD ignored: wait() failed with ECHILD (%s): no zombies "
           "(last child: state %c), and no exit status\n",
           strerror(ECHILD), process_state(last));
    return install_handler(SIGCHLD, SIG_DFL, 0) == 0 ? 0 : 1;
}

int demo_sigusr1(const char *self)
{
    struct sigaction action;
    sigset_t old;
    double start = now_seconds();
    pid_t pid;

    (void)self;
    /* SA_SIGINFO: the handler also learns who sent the signal. */
    memset(&action, 0, sizeof action);
    action.sa_sigaction = note_sender;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_SIGINFO;
    if (sigaction(SIGUSR1, &action, NULL) != 0) {
        report_errno("sigaction");
        return 1;
    }
    /* Blocked first, then sigsuspend (the race of ./signals 4). */
    if (block_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
        return 1;
    if ((pid = fork_signaller(CHILD_WORK_MS, SIGUSR1)) < 0)
        return 1;
    printf("parent: the child works %d ms, then sends SIGUSR1\n",
           CHILD_WORK_MS);
    while (caught == 0)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("parent: SIGUSR1 after %.1f s, %s\n", now_seconds() - start,
           sender_pid == pid ? "si_pid is my child's PID"
                             : "from someone else!");
    return reap_child(pid, NULL) == 0 && sender_pid == pid ? 0 : 1;
}
