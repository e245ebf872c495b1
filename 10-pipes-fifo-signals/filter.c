/* 10-pipes-fifo-signals/filter.c - talking to another program through two
 * pipes: demos 2 and 3 of ./pipes.
 *
 * What it teaches: one pipe down to a child's stdin and one back from its
 * stdout, put in place with dup2 before exec, turn any filter (here
 * upperfilter, which knows nothing about pipes) into a partner in a
 * conversation. The trap: stdio fully buffers a stdout that is a pipe, so
 * the child's answer can sit in its buffer while both sides wait for each
 * other (demo 3, with the deadline that ends it and the fix).
 *
 * Run:   ./10-pipes-fifo-signals/pipes 2     (or 3)
 * Look:  demo 3's "deadlock:" line, one second after the question.
 */
#include "filter.h"

#include "io.h"
#include "ipc_helpers.h"
#include "util.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ANSWER_TIMEOUT_MS 1000 /* how long demo 3 waits for an answer */
#define ANSWER_MAX        256
#define FILTER_NAME       "upperfilter"

/* A running upperfilter and our ends of its two pipes. */
struct filter {
    pid_t pid;
    int to_child;   /* write end: the child's stdin */
    int from_child; /* read end: the child's stdout */
};

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

int demo_conversation(const char *self)
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

int demo_deadlock(const char *self)
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
