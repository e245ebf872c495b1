/* 10-pipes-fifo-signals/signals.c - signals, in five short demos.
 *
 * What it teaches: a signal is a notification with no data, delivered by
 * interrupting whatever the process was doing and running a handler. The
 * handler may only use async-signal-safe calls (write, waitpid, kill... not
 * printf or malloc), must save errno, and is best kept to setting a flag
 * the main program looks at. Standard signals do not queue. A signal makes
 * a blocking call fail with EINTR unless the handler was installed with
 * SA_RESTART. Waiting for a signal with "check a flag, then pause()" has a
 * race; blocking the signal and calling sigsuspend() has none.
 *
 * Run:   ./10-pipes-fifo-signals/signals 1    (or: handler, sigchld, alarm,
 *        sigsuspend, sigusr1; numbers 1 to 5)
 * Look:  demo 1 sends three signals and gets one; demo 4 shows pause()
 *        missing a signal that came a moment too early.
 */
#include "ipc_helpers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_COUNT     5
#define ALARM_S         1 /* the timeout of demo 3 and the rescue of demo 4 */
#define LATE_DATA_MS    2000 /* demo 3: when the child finally writes */
#define CHILD_WORK_MS   300  /* demo 5: the child's "work" */
#define ZOMBIE_PAUSE_MS 100

/* What the handlers touch: the only globals the kit allows. */
static volatile sig_atomic_t caught = 0;     /* handler runs */
static volatile sig_atomic_t reaped = 0;     /* children reaped */
static volatile sig_atomic_t sender_pid = 0; /* from siginfo (demo 5) */

/* write(2) is async-signal-safe; printf is not (it takes stdio's lock and
 * may malloc: a signal arriving inside printf would deadlock or corrupt). */
static void say(const char *text)
{
    ssize_t n = write(STDOUT_FILENO, text, strlen(text));
    (void)n; /* nothing sensible to do about a failed write here */
}

static void count_and_say(int signo)
{
    int saved_errno = errno; /* write may change errno under main's feet */

    caught++;
    say(signo == SIGALRM ? "  handler: SIGALRM\n" : "  handler: SIGUSR1\n");
    errno = saved_errno;
}

/* The SIGCHLD handler: one signal may stand for several children (they do
 * not queue), so reap in a loop until nobody is left to reap. */
static void reap_children(int signo)
{
    int saved_errno = errno;

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

/* sigaction with an empty mask; flags is 0 or SA_RESTART... */
static int install(int signo, void (*handler)(int), int flags)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = flags;
    if (sigaction(signo, &action, NULL) != 0) {
        report_errno("sigaction");
        return -1;
    }
    return 0;
}

/* Blocks (how = SIG_BLOCK) or unblocks (SIG_UNBLOCK) one signal. */
static int mask_signal(int how, int signo, sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, signo);
    if (sigprocmask(how, &set, old) != 0) {
        report_errno("sigprocmask");
        return -1;
    }
    return 0;
}

/* Forks a child that sleeps ms, sends signo to the parent and exits.
 * Returns its PID or -1. */
static pid_t fork_signaller(long ms, int signo)
{
    pid_t pid;

    fflush(stdout);
    if ((pid = fork()) < 0)
        report_errno("fork");
    if (pid == 0) {
        sleep_ms(ms);
        kill(getppid(), signo);
        _exit(0);
    }
    return pid;
}

/* waitpid, again after EINTR. Returns 0 or -1. */
static int reap(pid_t pid)
{
    while (waitpid(pid, NULL, 0) < 0) {
        if (errno != EINTR) {
            report_errno("waitpid");
            return -1;
        }
    }
    return 0;
}

/* --- 1: a handler, and signals that do not queue -------------------------- */

static int demo_handler(const char *self)
{
    sigset_t old;

    (void)self;
    if (install(SIGUSR1, count_and_say, 0) != 0)
        return 1;
    printf("main: sending myself SIGUSR1 twice\n");
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("main: the handler ran %d times\n", (int)caught);
    if (mask_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
        return 1;
    printf("main: SIGUSR1 blocked; sending it three times\n");
    for (int i = 0; i < 3; i++)
        kill(getpid(), SIGUSR1);
    printf("main: still %d handler runs: the signal is pending\n", (int)caught);
    caught = 0;
    if (sigprocmask(SIG_SETMASK, &old, NULL) != 0) {
        report_errno("sigprocmask");
        return 1;
    }
    printf("main: unblocked: the handler ran %d time for 3 signals sent: "
           "standard signals do not queue\n",
           (int)caught);
    return caught == 1 ? 0 : 1;
}

/* --- 2: zombies, SIGCHLD reaping, and SIG_IGN ----------------------------- */

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

/* Forks count children that all exit at once. Returns the last one's PID,
 * or -1. */
static pid_t fork_exiting_children(int count)
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
    }
    return pid;
}

static int show_zombie(void)
{
    pid_t pid = fork_exiting_children(1);

    if (pid < 0)
        return -1;
    sleep_ms(ZOMBIE_PAUSE_MS);
    printf("a child exited; until waited for, it is a zombie: state %c\n",
           process_state(pid));
    if (reap(pid) != 0)
        return -1;
    printf("after waitpid: state %c (no such process any more)\n",
           process_state(pid));
    return 0;
}

static int demo_sigchld(const char *self)
{
    sigset_t old;
    pid_t last;

    (void)self;
    if (show_zombie() != 0)
        return 1;
    /* Block SIGCHLD while forking, and wait with sigsuspend (demo 4): a
     * child that exits before we wait cannot be missed. SA_NOCLDSTOP: no
     * signal when a child is merely stopped. */
    if (install(SIGCHLD, reap_children, SA_RESTART | SA_NOCLDSTOP) != 0 ||
        mask_signal(SIG_BLOCK, SIGCHLD, &old) != 0)
        return 1;
    if (fork_exiting_children(CHILD_COUNT) < 0)
        return 1;
    while (reaped < CHILD_COUNT)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("SIGCHLD handler: reaped %d of %d children in %d run(s): one "
           "SIGCHLD may stand for several children\n",
           (int)reaped, CHILD_COUNT, (int)caught);
    /* SIG_IGN for SIGCHLD: the kernel reaps children itself. */
    if (install(SIGCHLD, SIG_IGN, 0) != 0)
        return 1;
    if ((last = fork_exiting_children(CHILD_COUNT)) < 0)
        return 1;
    /* wait() blocks until every child is gone, then fails with ECHILD. */
    if (wait(NULL) < 0 && errno == ECHILD)
        printf("SIGCHLD ignored: wait() failed with ECHILD (%s): no "
               "zombies (last child: state %c), and no exit status\n",
               strerror(ECHILD), process_state(last));
    else
        return 1;
    return install(SIGCHLD, SIG_DFL, 0) == 0 ? 0 : 1;
}

/* --- 3: a timeout with alarm, EINTR and SA_RESTART ------------------------ */

static int demo_alarm(const char *self)
{
    char buf[64];
    int fds[2];
    double start;
    ssize_t n;
    pid_t pid;

    (void)self;
    /* We hold both ends, so nobody writes and read() blocks. */
    if (pipe(fds) != 0) {
        report_errno("pipe");
        return 1;
    }
    /* Without SA_RESTART the interrupted read() fails with EINTR. A direct
     * read(), not the kit's read_some(): retrying EINTR is what we show. */
    if (install(SIGALRM, count_and_say, 0) != 0)
        return 1;
    printf("read() on an empty pipe with alarm(%d), no SA_RESTART\n", ALARM_S);
    start = now_seconds();
    alarm(ALARM_S);
    n = read(fds[0], buf, sizeof buf);
    if (n >= 0 || errno != EINTR)
        return 1;
    printf("without SA_RESTART: read() failed after %.1f s: %s (EINTR): "
           "a timeout\n",
           now_seconds() - start, strerror(errno));
    /* With SA_RESTART the kernel restarts read() after the handler: the
     * alarm rings, but the read goes on until the child writes. */
    if (install(SIGALRM, count_and_say, SA_RESTART) != 0)
        return 1;
    fflush(stdout);
    if ((pid = fork()) < 0) {
        report_errno("fork");
        return 1;
    }
    if (pid == 0) {
        sleep_ms(LATE_DATA_MS);
        n = write(fds[1], "late data", 9);
        _exit(n == 9 ? 0 : 1);
    }
    printf("read() again with alarm(%d), SA_RESTART this time\n", ALARM_S);
    start = now_seconds();
    alarm(ALARM_S);
    n = read(fds[0], buf, sizeof buf);
    if (n <= 0)
        return 1;
    printf("with SA_RESTART: the alarm rang, read() went on and returned "
           "'%.*s' after %.1f s\n",
           (int)n, buf, now_seconds() - start);
    close(fds[0]);
    close(fds[1]);
    return reap(pid) == 0 ? 0 : 1;
}

/* --- 4: the race of pause(), fixed by sigsuspend -------------------------- */

static int demo_sigsuspend(const char *self)
{
    sigset_t old;
    double start;
    pid_t pid;

    (void)self;
    if (install(SIGUSR1, count_and_say, 0) != 0 ||
        install(SIGALRM, count_and_say, 0) != 0)
        return 1;
    /* The racy way: look at the flag, then pause(). If the signal comes
     * between the two, its handler runs, and pause() then waits for a
     * signal that has already come. We make that unlucky moment certain:
     * the child signals and exits between our check and pause(). */
    caught = 0;
    printf("pause(): flag is %d, so we will pause...\n", (int)caught);
    if ((pid = fork_signaller(0, SIGUSR1)) < 0 || reap(pid) != 0)
        return 1;
    alarm(ALARM_S); /* the rescue: without it pause() would never return */
    start = now_seconds();
    pause();
    printf("race: pause() slept %.1f s until a rescue alarm; the SIGUSR1 it "
           "waited for came before it started\n",
           now_seconds() - start);
    /* The right way: block the signal, then check the flag, then
     * sigsuspend(), which unblocks and sleeps in one atomic step. A signal
     * that came early waits, pending, and wakes sigsuspend at once. */
    if (mask_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
        return 1;
    caught = 0;
    printf("sigsuspend(): SIGUSR1 blocked, flag is %d\n", (int)caught);
    if ((pid = fork_signaller(0, SIGUSR1)) < 0 || reap(pid) != 0)
        return 1;
    start = now_seconds();
    while (caught == 0)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("fixed: sigsuspend() returned after %.1f s: the early signal "
           "waited, pending, while blocked\n",
           now_seconds() - start);
    return 0;
}

/* --- 5: a child notifies its parent with SIGUSR1 -------------------------- */

static int demo_sigusr1(const char *self)
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
    if (mask_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
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
    return reap(pid) == 0 && sender_pid == pid ? 0 : 1;
}

/* --- the menu ---------------------------------------------------------------
 */

static const struct demo demos[] = {
    {"handler", "sigaction, a safe handler, signals do not queue",
     demo_handler},
    {"sigchld", "zombies; reaping with SIGCHLD vs SIG_IGN", demo_sigchld},
    {"alarm", "a timeout on read() with alarm; EINTR vs SA_RESTART",
     demo_alarm},
    {"sigsuspend", "the race of pause(), fixed by sigsuspend", demo_sigsuspend},
    {"sigusr1", "a child notifies its parent with SIGUSR1", demo_sigusr1},
};
int main(int argc, char **argv)
{
    return run_demo_menu(argc, argv, demos, sizeof demos / sizeof demos[0]);
}
