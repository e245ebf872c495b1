/* children.h - mechanics every preforking server needs for its workers:
 * setting up a worker's signals, stopping and reaping the workers, saying
 * how a worker ended. Which processes a server forks and what they do is
 * the lesson of its folder. */
#ifndef KIT_CHILDREN_H
#define KIT_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

/* Called by a worker right after fork(): asks the kernel to send it
 * SIGTERM when parent_pid dies (Linux's prctl PR_SET_PDEATHSIG), so that a
 * parent killed with SIGKILL leaves no orphan worker holding the port. If
 * the parent died before that request, the worker sends itself the SIGTERM
 * it would have got. Returns 0, or -1 with errno set. */
int exit_with_parent(pid_t parent_pid);

/* exit_with_parent, and SIGINT ignored: Ctrl-C in a terminal reaches the
 * whole process group, and the worker waits for its parent's SIGTERM
 * instead, which it takes as "finish the reply at hand, then exit" (a
 * second stop signal would end it at once, see catch_stop_signals).
 * Returns 0, or -1 with errno set. */
int prepare_worker_process(pid_t parent_pid);

/* Stops a server's workers: SIGTERM to every pid in pids (0 entries are
 * skipped), grace_s seconds for them to exit, SIGKILL to those still
 * alive then (a worker blocked writing to a client that never reads
 * cannot finish), and every one reaped. Returns how many were killed. */
long stop_children(const pid_t *pids, long count, double grace_s);

/* "exited with status 1" or "killed by signal 9 (Killed)", for log lines
 * about a wait() status. */
void describe_wait_status(int status, char *out, size_t size);

#endif
