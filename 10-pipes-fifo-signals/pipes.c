/* 10-pipes-fifo-signals/pipes.c - anonymous pipes, in four short demos.
 *
 * What it teaches: pipe() gives two descriptors, a read end and a write
 * end, shared only with the processes forked afterwards. Data flows one way,
 * as a stream of bytes. Two pipes make a conversation; dup2 plugs them into
 * another program's stdin and stdout. The two classic ways to get stuck:
 * output that sits in a stdio buffer, and an end of file that never comes
 * because some process still holds a write end.
 *
 * Run:   ./10-pipes-fifo-signals/pipes 1     (or: spam, conversation,
 *        deadlock, eof; numbers 1 to 4)
 * Look:  in demo 3 the parent waits one second for an answer that is
 *        sitting in the child's stdio buffer; in demo 4 the child waits for
 *        an end of file that only comes when the parent closes its copy.
 */
#include "children.h"
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

#define SPAM_COUNT        5
#define SPAM_PAUSE_MS     100
#define ANSWER_TIMEOUT_MS 1000 /* how long demo 3 waits for an answer */
#define EOF_TIMEOUT_MS    1000 /* how long demo 4 waits for the child */
#define ANSWER_MAX        256
#define FILTER_NAME       "upperfilter"

/* A running upperfilter and our ends of its two pipes. */
struct filter {
    pid_t pid;
    int to_child;   /* write end: the child's stdin */
    int from_child; /* read end: the child's stdout */
};

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

static int reap_and_report(pid_t pid, const char *who)
{
    char how[80];
    int status;

    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            report_errno("waitpid");
            return 1;
        }
    }
    describe_wait_status(status, how, sizeof how);
    printf("parent: %s %s\n", who, how);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
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

/* --- helpers for demos 2 and 3: the filter on two pipes ------------------- */

/* The path of upperfilter, beside this program. */
static void filter_path(const char *self, char *out, size_t size)
{
    const char *slash = strrchr(self, '/');
    int dir_len = slash != NULL ? (int)(slash - self) : 1;

    snprintf(out, size, "%.*s/%s", dir_len, slash != NULL ? self : ".",
             FILTER_NAME);
}

/* Starts upperfilter (with flag, or NULL) with its stdin and stdout on two
 * new pipes. Returns 0, or -1 after printing why. */
static int start_filter(const char *self, const char *flag,
                        struct filter *child)
{
    char path[4096];
    int down[2], up[2]; /* down: parent -> child; up: child -> parent */

    filter_path(self, path, sizeof path);
    if (pipe(down) != 0 || pipe(up) != 0) {
        report_errno("pipe");
        return -1;
    }
    fflush(stdout);
    if ((child->pid = fork()) < 0) {
        report_errno("fork");
        return -1;
    }
    if (child->pid == 0) {
        /* In the child: stdin becomes the read end of `down`, stdout the
         * write end of `up`; then the four original descriptors are extra
         * copies. Keeping down[1] would be the bug of demo 4: the filter
         * itself would hold a write end of its own stdin. */
        if (dup2(down[0], STDIN_FILENO) < 0 || dup2(up[1], STDOUT_FILENO) < 0)
            _exit(127);
        close(down[0]);
        close(down[1]);
        close(up[0]);
        close(up[1]);
        execl(path, FILTER_NAME, flag, (char *)NULL);
        report_errno(path); /* exec returns only when it failed */
        _exit(127);
    }
    /* In the parent: the child's ends are not ours. */
    close(down[0]);
    close(up[1]);
    child->to_child = down[1];
    child->from_child = up[0];
    return 0;
}

/* Reads one line (up to and including '\n') from fd, waiting at most
 * timeout_ms in total. Returns its length without the newline, 0 at the
 * deadline or at end of file with nothing read, -1 on error. */
static ssize_t read_answer(int fd, char *buf, size_t size, long timeout_ms)
{
    double deadline = now_seconds() + (double)timeout_ms / 1000.0;
    size_t got = 0;

    while (got < size - 1) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int left_ms = (int)((deadline - now_seconds()) * 1000.0);
        ssize_t n;

        if (left_ms <= 0 || poll(&ready, 1, left_ms) == 0)
            break; /* the deadline */
        /* Teaching shortcut: one byte at a time, so that we never read
         * past the newline (stdio would, and then poll could not see it). */
        if ((n = read_some(fd, buf + got, 1)) <= 0)
            return n;
        if (buf[got++] == '\n')
            return (ssize_t)got - 1;
    }
    return 0;
}

/* Sends one line to the filter and prints what comes back within
 * timeout_ms. Returns 1 when an answer came, 0 when none did, -1 on error. */
static int ask(const struct filter *child, const char *text, long timeout_ms)
{
    char line[ANSWER_MAX];
    double start = now_seconds();
    int len = snprintf(line, sizeof line, "%s\n", text);
    ssize_t got;

    printf("parent sent '%s'\n", text);
    if (write_all(child->to_child, line, (size_t)len) != 0) {
        report_errno("write to child");
        return -1;
    }
    if ((got = read_answer(child->from_child, line, sizeof line, timeout_ms)) <
        0) {
        report_errno("read from child");
        return -1;
    }
    if (got == 0)
        return 0;
    printf("parent got  '%.*s' after %.2f s\n", (int)got, line,
           now_seconds() - start);
    return 1;
}

/* Closes our end of the child's stdin (its getline sees end of file, so
 * it exits) and reaps it. */
static int finish_filter(struct filter *child)
{
    close(child->to_child);
    close(child->from_child);
    return reap_and_report(child->pid, FILTER_NAME);
}

/* --- 2: a conversation through two pipes, dup2 and exec ------------------- */

static int demo_conversation(const char *self)
{
    struct filter child;
    char text[64];

    if (start_filter(self, NULL, &child) != 0)
        return 1;
    printf("parent: started %s, its stdin and stdout are our pipes\n",
           FILTER_NAME);
    for (int i = 1; i <= 2; i++) {
        snprintf(text, sizeof text, "hello %d from your parent", i);
        if (ask(&child, text, ANSWER_TIMEOUT_MS) != 1) {
            kill(child.pid, SIGTERM);
            finish_filter(&child);
            return 1;
        }
    }
    printf("parent: closing the child's stdin, so it reads end of file\n");
    return finish_filter(&child);
}

/* --- 3: the buffering deadlock, then the fix ------------------------------ */

static int demo_deadlock(const char *self)
{
    struct filter child;
    char line[ANSWER_MAX];
    ssize_t got;

    if (start_filter(self, "-b", &child) != 0)
        return 1;
    printf("parent: started '%s -b': its stdout is fully buffered\n",
           FILTER_NAME);
    if (ask(&child, "are you there?", ANSWER_TIMEOUT_MS) != 0) {
        finish_filter(&child);
        return 1;
    }
    printf("deadlock: no answer after %d s (the child's stdout is a pipe, "
           "so stdio buffers it)\n",
           ANSWER_TIMEOUT_MS / 1000);
    printf("          the child waits for our next line, we wait for its "
           "answer\n");
    /* Way out 1: end the conversation. At end of file the child exits and
     * exit() flushes its buffer: the answer comes, but too late to talk. */
    close(child.to_child);
    got = read_answer(child.from_child, line, sizeof line, ANSWER_TIMEOUT_MS);
    if (got > 0)
        printf("closing its stdin: the child exited and its buffer came out: "
               "'%.*s'\n",
               (int)got, line);
    close(child.from_child);
    if (reap_and_report(child.pid, FILTER_NAME) != 0 || got <= 0)
        return 1;
    /* Way out 2, the fix: the filter line-buffers its stdout (setvbuf
     * _IOLBF; an fflush after each line works too). */
    if (start_filter(self, NULL, &child) != 0)
        return 1;
    printf("parent: started '%s': it sets line buffering\n", FILTER_NAME);
    if (ask(&child, "are you there?", ANSWER_TIMEOUT_MS) != 1) {
        kill(child.pid, SIGTERM);
        finish_filter(&child);
        return 1;
    }
    printf("fixed: the answer came at once, the conversation can go on\n");
    return finish_filter(&child);
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

/* --- the menu ---------------------------------------------------------------
 */

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
