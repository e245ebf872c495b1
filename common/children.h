/* children.h - mechanics every preforking server needs for its workers:
 * dying with the parent, and saying how a worker ended. Which processes a
 * server forks and what they do is the lesson of its folder. */
#ifndef KIT_CHILDREN_H
#define KIT_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

/* Called by a worker right after fork(): asks the kernel to send it SIGTERM
 * when parent_pid dies (Linux's prctl PR_SET_PDEATHSIG), so that a parent
 * killed with SIGKILL leaves no orphan worker holding the port. If the
 * parent died before the request was made, the worker sends itself the
 * SIGTERM it would have got. Returns 0, or -1 with errno set. */
int exit_with_parent(pid_t parent_pid);

/* "exited with status 1" or "killed by signal 9 (Killed)", for log lines
 * about a wait() status. */
void describe_wait_status(int status, char *out, size_t size);

#endif
