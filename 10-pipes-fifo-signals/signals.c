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
 * This file holds the menu and demos 1, 3 and 4 (handlers, EINTR and the
 * race of pause()); demos 2 and 5, signals between a parent and its
 * children, are in child_signals.c.
 *
 * Run:   ./10-pipes-fifo-signals/signals 1    (or: handler, sigchld, alarm,
 *        sigsuspend, sigusr1; numbers 1 to 5)
 * Look:  demo 1 sends three signals and gets one; demo 4 shows pause()
 *        missing a signal that came a moment too early.
 */
#include "child_signals.h"
#include "ipc_helpers.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ALARM_S      1    /* the timeout of demo 3 and the rescue of demo 4 */
#define LATE_DATA_MS 2000 /* demo 3: when the child finally writes */

/* What the handler touches: a global, since a handler gets no argument. */
static volatile sig_atomic_t caught = 0; /* handler runs */

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

/* --- 1: a handler, and signals that do not queue -------------------------- */

static int demo_handler(const char *self)
{
    sigset_t old;

    (void)self;
    if (install_handler(SIGUSR1, count_and_say, 0) != 0)
        return 1;
    printf("main: sending myself SIGUSR1 twice\n");
    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    printf("main: the handler ran %d times\n", (int)caught);
    if (block_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
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

/* --- 3: a timeout with alarm, EINTR and SA_RESTART ------------------------ */

/* Without SA_RESTART the interrupted read() fails with EINTR: a timeout.
 * A direct read(), not the kit's read_some(): retrying EINTR is what we
 * show. fds: a pipe we hold both ends of, so nobody writes. */
static int read_without_restart(const int fds[2])
{
    char buf[64];
    double start;

    if (install_handler(SIGALRM, count_and_say, 0) != 0)
        return 1;
    printf("read() on an empty pipe with alarm(%d), no SA_RESTART\n", ALARM_S);
    start = now_seconds();
    alarm(ALARM_S);
    if (read(fds[0], buf, sizeof buf) >= 0 || errno != EINTR)
        return 1;
    printf("without SA_RESTART: read() failed after %.1f s: %s (EINTR): "
           "a timeout\n",
           now_seconds() - start, strerror(errno));
    return 0;
}

/* With SA_RESTART the kernel restarts read() after the handler: the alarm
 * rings, but the read goes on until a child writes, later. */
static int read_with_restart(const int fds[2])
{
    char buf[64];
    double start;
    ssize_t n;
    pid_t pid;

    if (install_handler(SIGALRM, count_and_say, SA_RESTART) != 0)
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
    if (n > 0)
        printf("with SA_RESTART: the alarm rang, read() went on and returned "
               "'%.*s' after %.1f s\n",
               (int)n, buf, now_seconds() - start);
    return reap_child(pid, NULL) == 0 && n > 0 ? 0 : 1;
}

static int demo_alarm(const char *self)
{
    int fds[2], status;

    (void)self;
    if (pipe(fds) != 0) {
        report_errno("pipe");
        return 1;
    }
    status = read_without_restart(fds);
    if (status == 0)
        status = read_with_restart(fds);
    close(fds[0]);
    close(fds[1]);
    return status;
}

/* --- 4: the race of pause(), fixed by sigsuspend -------------------------- */

static int demo_sigsuspend(const char *self)
{
    sigset_t old;
    double start;
    pid_t pid;

    (void)self;
    if (install_handler(SIGUSR1, count_and_say, 0) != 0 ||
        install_handler(SIGALRM, count_and_say, 0) != 0)
        return 1;
    /* The racy way: look at the flag, then pause(). If the signal comes
     * between the two, its handler runs, and pause() then waits for a
     * signal that has already come. We make that unlucky moment certain:
     * the child signals and exits between our check and pause(). */
    caught = 0;
    printf("pause(): flag is %d, so we will pause...\n", (int)caught);
    if ((pid = fork_signaller(0, SIGUSR1)) < 0 || reap_child(pid, NULL) != 0)
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
    if (block_signal(SIG_BLOCK, SIGUSR1, &old) != 0)
        return 1;
    caught = 0;
    printf("sigsuspend(): SIGUSR1 blocked, flag is %d\n", (int)caught);
    if ((pid = fork_signaller(0, SIGUSR1)) < 0 || reap_child(pid, NULL) != 0)
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

/* --- the menu: demos 2 and 5 are in child_signals.c -------------------- */

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
