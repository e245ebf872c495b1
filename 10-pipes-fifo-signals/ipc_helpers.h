/* ipc_helpers.h - small mechanics shared by this folder's programs: short
 * sleeps, waiting for a child with a deadline, describing how a child
 * ended, and turning O_NONBLOCK off. None of it is the lesson; the lessons
 * are in server.c, client.c, pipes.c and signals.c. */
#ifndef KIT_IPC_HELPERS_H
#define KIT_IPC_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* Sleeps ms milliseconds; a signal handler may cut it short. */
void sleep_ms(long ms);

/* Waits up to timeout_ms for child pid to end, polling waitpid(WNOHANG).
 * Returns 1 when it ended (*status filled), 0 when it is still running,
 * -1 with errno on error. */
int wait_child_ms(pid_t pid, long timeout_ms, int *status);

/* "exited with status 0" or "killed by signal 15 (Terminated)". */
void describe_status(int status, char *out, size_t size);

/* Clears O_NONBLOCK on fd. Returns 0, or -1 with errno. */
int clear_nonblocking(int fd);

#endif
