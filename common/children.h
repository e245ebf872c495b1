/* children.h - mechanics the servers with worker processes need (03-fork,
 * 04-prefork-pool, 05-prefork-accept, 06-udp -P, 10's pipe demos): tying a
 * worker to its parent's life, waiting for a child or a stop, stopping and
 * reaping the workers, saying how a worker ended. Which processes a server
 * forks and what they do is the lesson of its folder. */
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

/* Sleeps until a child ends (returns its pid, its status in *status) or a
 * stop signal is pending (returns 0); -1 with errno when waitpid fails
 * (ECHILD: no child left). A child that ended with the stop (Ctrl-C
 * reaches the whole process group) may come back first: not one to
 * replace. For a parent whose only job is to replace the
 * workers that die (05, 06 -P). */
pid_t wait_for_child_or_stop(int *status);

/* Stops a server's workers: SIGTERM to every pid in pids (0 entries are
 * skipped), grace_s seconds for them to exit, SIGKILL to those still
 * alive then (a worker blocked writing to a client that never reads
 * cannot finish), and every one reaped. Returns how many were killed. */
long stop_children(const pid_t *pids, long count, double grace_s);

/* "exited with status 1" or "killed by signal 9 (Killed)", for log lines
 * about a wait() status. */
void describe_wait_status(int status, char *out, size_t size);

#endif
