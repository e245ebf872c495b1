/* 10-pipes-fifo-signals/pipes.c - anonymous pipes, in four short demos.
 *
 * What it teaches: pipe() gives two descriptors, a read end and a write
 * end, shared only with the processes forked afterwards. Data flows one way,
 * as a stream of bytes. Two pipes make a conversation; dup2 plugs them into
 * another program's stdin and stdout. The two classic ways to get stuck:
 * output that sits in a stdio buffer, and an end of file that never comes
 * because some process still holds a write end.
 *
 * This file holds the menu and demos 1 and 4 (one pipe between a parent
 * and its child); demos 2 and 3, a conversation with another program
 * through two pipes, are in filter.c.
 *
 * Run:   ./10-pipes-fifo-signals/pipes 1     (or: spam, conversation,
 *        deadlock, eof; numbers 1 to 4)
 * Look:  in demo 3 the parent waits one second for an answer that is
 *        sitting in the child's stdio buffer; in demo 4 the child waits for
 *        an end of file that only comes when the parent closes its copy.
 */
#include "filter.h"
#include "io.h"
#include "ipc_helpers.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPAM_COUNT     5
#define SPAM_PAUSE_MS  100
#define EOF_TIMEOUT_MS 1000 /* how long demo 4 waits for the child */

/* Makes a pipe and forks; the child runs fn(fds) and exits, the parent
 * gets the child's PID (or -1) and both ends in fds. stdout is flushed
 * first, or the child would inherit (and print again) whatever the parent
 * had buffered. */
static pid_t fork_child_on_pipe(void (*fn)(const int fds[2]), int fds[2])
{
    pid_t pid;

    if (pipe(fds) != 0) {
        report_errno("pipe");
        return -1;
    }
    fflush(stdout);
    if ((pid = fork()) < 0)
        report_errno("fork");
    if (pid == 0) {
        fn(fds);
        fflush(stdout);
        _exit(0); /* _exit: no atexit handlers, no second flush */
    }
    return pid;
}

/* --- 1: parent and child over one pipe ----------------------------------- */

/* The child of demo 1: it only writes, so it closes the read end. */
static void write_spam(const int fds[2])
{
    close(fds[0]);
    for (int i = 0; i < SPAM_COUNT; i++) {
        char msg[32];
        int len = snprintf(msg, sizeof msg, "Spam %03d\n", i);

        sleep_ms(SPAM_PAUSE_MS);
        if (write_all(fds[1], msg, (size_t)len) != 0) {
            report_errno("child: write");
            return;
        }
    }
    /* Exiting closes the write end: the parent's next read sees the end. */
}

static int demo_spam(const char *self)
{
    double start = now_seconds();
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    int fds[2];
    pid_t pid;
    FILE *in;

    (void)self;
    if ((pid = fork_child_on_pipe(write_spam, fds)) < 0)
        return 1;
    /* The parent only reads. Its copy of the write end must go, or it
     * would never see the end of the stream (demo 4). */
    close(fds[1]);
    /* A pipe carries bytes, not messages: reading lines with stdio makes
     * the newline the separator between messages. */
    if ((in = fdopen(fds[0], "r")) == NULL) {
        report_errno("fdopen");
        close(fds[0]);
        return 1;
    }
    while ((len = getline(&line, &line_cap, in)) > 0)
        printf("parent got '%.*s' after %.2f s\n", (int)len - 1, line,
               now_seconds() - start);
    printf("parent: end of file: the child closed its end by exiting\n");
    free(line);
    fclose(in);
    return reap_and_report(pid, "child");
}

/* --- 4: end of file only when every write end is closed ------------------ */

/* The child of demo 4: it closes its own copy of the write end first,
 * or it would wait forever for itself; then it reads until end of file. */
static void count_until_eof(const int fds[2])
{
    char buf[256];
    size_t total = 0;
    ssize_t n;

    close(fds[1]);
    while ((n = read_some(fds[0], buf, sizeof buf)) > 0)
        total += (size_t)n;
    printf("child: end of file after %zu bytes\n", total);
}

static int demo_eof(const char *self)
{
    static const char text[] = "three\nshort\nlines\n";
    int fds[2], status;
    pid_t pid;

    (void)self;
    if ((pid = fork_child_on_pipe(count_until_eof, fds)) < 0)
        return 1;
    /* The parent writes, then "forgets" to close its write end. */
    close(fds[0]);
    if (write_all(fds[1], text, sizeof text - 1) != 0) {
        report_errno("write");
        return 1;
    }
    printf("parent: wrote %zu bytes and kept its write end open\n",
           sizeof text - 1);
    if (wait_child_ms(pid, EOF_TIMEOUT_MS, &status) != 0) {
        report_error("demo", "the child ended without end of file?");
        return 1;
    }
    printf("no end of file: the child still reads after %d s (a write end "
           "is still open: the parent's)\n",
           EOF_TIMEOUT_MS / 1000);
    printf("parent: closing its write end\n");
    close(fds[1]);
    return reap_and_report(pid, "child");
}

/* --- the menu: demos 2 and 3 are in filter.c ---------------------------- */

static const struct demo demos[] = {
    {"spam", "parent and child over one pipe", demo_spam},
    {"conversation", "two pipes, dup2 and exec: talking to a filter",
     demo_conversation},
    {"deadlock", "a fully buffered child: the deadlock, then the fix",
     demo_deadlock},
    {"eof", "end of file only when every write end is closed", demo_eof},
};

int main(int argc, char **argv)
{
    return run_demo_menu(argc, argv, demos, sizeof demos / sizeof demos[0]);
}
