/* ipc_helpers.h - small mechanics shared by this folder's programs: the
 * command line of server and client, the menu of the demo programs, short
 * sleeps, waiting for children, installing handlers and blocking signals,
 * and turning O_NONBLOCK off. None of it is the lesson; the lessons are in
 * server.c, client.c, pipes.c, filter.c, signals.c and child_signals.c. */
#ifndef KIT_IPC_HELPERS_H
#define KIT_IPC_HELPERS_H

#include "options.h"

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* "[options] FIFO", with the options in a table (common/options.h's
 * opt_spec; common's parser wants a PORT). Returns -1 to go on with *fifo
 * set, or the exit status: 0 after -h or --help (usage on stdout), 2 after
 * a usage error (usage on stderr). */
int parse_fifo_args(int argc, char **argv, const struct opt_spec *specs,
                    size_t count, const char **fifo);

/* One demo of pipes or signals: chosen by its number (1-based) or name. */
struct demo {
    const char *name;
    const char *what;
    int (*run)(const char *self); /* self: argv[0]; returns exit status */
};

/* The whole main of a demo program: -h or --help prints the menu on stdout
 * (0), a known demo runs (its status), anything else prints the menu on
 * stderr (2). stdout is made line-buffered first. */
int run_demo_menu(int argc, char **argv, const struct demo *demos,
                  size_t count);

/* Sleeps ms milliseconds; a signal handler may cut it short. */
void sleep_ms(long ms);

/* Waits up to timeout_ms for child pid to end, polling waitpid(WNOHANG).
 * Returns 1 when it ended (*status filled), 0 when it is still running,
 * -1 with errno on error. */
int wait_child_ms(pid_t pid, long timeout_ms, int *status);

/* waitpid(pid), again after EINTR; status may be NULL. Returns 0, or -1
 * after printing why. */
int reap_child(pid_t pid, int *status);

/* reap_child, then prints "parent: WHO exited with status N" (or how it
 * died). Returns 0 when it exited with status 0, 1 otherwise. */
int reap_and_report(pid_t pid, const char *who);

/* sigaction with an empty mask and flags (0, SA_RESTART...). Returns 0, or
 * -1 after printing why. */
int install_handler(int signo, void (*handler)(int), int flags);

/* Blocks (how = SIG_BLOCK) or unblocks (SIG_UNBLOCK) one signal; the mask
 * before goes to *old (may be NULL). Returns 0, or -1 after printing why. */
int block_signal(int how, int signo, sigset_t *old);

/* Forks a child that sleeps ms, sends signo to its parent and exits.
 * Returns its PID, or -1 after printing why. */
pid_t fork_signaller(long ms, int signo);

/* Clears O_NONBLOCK on fd. Returns 0, or -1 with errno. */
int clear_nonblocking(int fd);

#endif
