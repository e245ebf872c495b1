/* ipc_helpers.c - command lines, demo menus, sleeps, waits, signal
 * set-up, O_NONBLOCK. */
#include "ipc_helpers.h"

#include "children.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FIFO_OPTIONS 8

static void print_fifo_usage(FILE *out, const struct opt_spec *specs,
                             size_t count, bool full)
{
    fprintf(out, "usage: %s", progname());
    for (size_t i = 0; i < count; i++) {
        if (specs[i].arg != NULL)
            fprintf(out, " [-%c %s]", specs[i].letter, specs[i].arg);
        else
            fprintf(out, " [-%c]", specs[i].letter);
    }
    fprintf(out, " FIFO\n");
    for (size_t i = 0; full && i < count; i++)
        fprintf(out, "  -%c %-4s %s\n", specs[i].letter,
                specs[i].arg != NULL ? specs[i].arg : "", specs[i].help);
    if (full)
        fprintf(out, "  -h      print this help (also --help)\n");
}

static int fifo_usage_error(const struct opt_spec *specs, size_t count,
                            const char *what, const char *reason)
{
    report_error(what, reason);
    print_fifo_usage(stderr, specs, count, false);
    return 2;
}

/* getopt's string for specs: ":h" then each letter, with ':' after the
 * ones that take an argument. out has room for 2 * MAX_FIFO_OPTIONS + 3. */
static void make_optstring(const struct opt_spec *specs, size_t count,
                           char *out)
{
    size_t len = 0;

    out[len++] = ':';
    out[len++] = 'h';
    for (size_t i = 0; i < count && i < MAX_FIFO_OPTIONS; i++) {
        out[len++] = specs[i].letter;
        if (specs[i].arg != NULL)
            out[len++] = ':';
    }
    out[len] = '\0';
}

int parse_fifo_args(int argc, char **argv, const struct opt_spec *specs,
                    size_t count, const char **fifo)
{
    char optstring[2 * MAX_FIFO_OPTIONS + 3], reason[96];
    int letter;

    make_optstring(specs, count, optstring);
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        print_fifo_usage(stdout, specs, count, true);
        return 0;
    }
    while ((letter = getopt(argc, argv, optstring)) != -1) {
        const struct opt_spec *spec = NULL;
        char what[3] = {'-', (char)optopt, '\0'};

        for (size_t i = 0; i < count; i++)
            if (specs[i].letter == letter)
                spec = &specs[i];
        if (letter == 'h') {
            print_fifo_usage(stdout, specs, count, true);
            return 0;
        }
        if (letter == ':' || spec == NULL)
            return fifo_usage_error(specs, count, what,
                                    letter == ':' ? "needs an argument"
                                                  : "unknown option");
        if (spec->arg == NULL) {
            *spec->flag = true;
            continue;
        }
        what[1] = spec->letter;
        if (parse_long(optarg, spec->min, spec->max, spec->value) != 0) {
            snprintf(reason, sizeof reason,
                     "'%s' is not a number from %ld to %ld", optarg, spec->min,
                     spec->max);
            return fifo_usage_error(specs, count, what, reason);
        }
    }
    if (argc - optind != 1 || argv[optind][0] == '\0')
        return fifo_usage_error(specs, count, "arguments",
                                argc - optind > 1 ? "too many"
                                                  : "FIFO missing");
    *fifo = argv[optind];
    return -1;
}

static void print_menu(FILE *out, const struct demo *demos, size_t count)
{
    fprintf(out, "usage: %s DEMO\nDEMO is a number or a name:\n", progname());
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %zu %-13s %s\n", i + 1, demos[i].name, demos[i].what);
}

int run_demo_menu(int argc, char **argv, const struct demo *demos, size_t count)
{
    set_progname(argv[0]);
    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        print_menu(stdout, demos, count);
        return 0;
    }
    /* Line-buffered: our lines, the children's and the signal handlers'
     * write(2) lines come out in the order they happened, even when the
     * output goes to a pipe or a file. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; argc == 2 && i < count; i++) {
        char number[24];
        snprintf(number, sizeof number, "%zu", i + 1);
        if (strcmp(argv[1], number) == 0 || strcmp(argv[1], demos[i].name) == 0)
            return demos[i].run(argv[0]);
    }
    print_menu(stderr, demos, count);
    return 2;
}

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

int reap_child(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            report_errno("waitpid");
            return -1;
        }
    }
    return 0;
}

int reap_and_report(pid_t pid, const char *who)
{
    char how[80];
    int status;

    if (reap_child(pid, &status) != 0)
        return 1;
    describe_wait_status(status, how, sizeof how);
    printf("parent: %s %s\n", who, how);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int install_handler(int signo, void (*handler)(int), int flags)
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

int block_signal(int how, int signo, sigset_t *old)
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

pid_t fork_signaller(long ms, int signo)
{
    pid_t pid;

    fflush(stdout); /* or the child would print our buffer again */
    if ((pid = fork()) < 0)
        report_errno("fork");
    if (pid == 0) {
        sleep_ms(ms);
        kill(getppid(), signo);
        _exit(0);
    }
    return pid;
}

int clear_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}
