/* server.h - the start-up steps every server of the kit takes the same way
 * (CONTRACT.md §4), so that each server.c can get to its lesson at once. */
#ifndef KIT_SERVER_H
#define KIT_SERVER_H

#include "stop.h" /* every server notices SIGINT/SIGTERM this way */

/* Line-buffers stdout (log lines show up at once even when redirected to a
 * file or a pipe), ignores SIGPIPE and catches SIGINT/SIGTERM (stop.h).
 * Reports and returns -1 on failure. */
int prepare_server_process(void);

/* tcp_listen(port, SOMAXCONN) or udp_bind(port); on failure prints
 * "server: listen on port N: reason" and returns -1 (exit status 1). */
int listen_or_report(long port);
int udp_bind_or_report(long port);

/* Prints "listening on port N" with the real port (after port 0) and
 * flushes it: tests and scripts wait for this exact line. */
int announce_port(int fd);

/* Called after accept() failed with `error`. Out of descriptors (EMFILE,
 * ENFILE) or kernel memory (ENOBUFS, ENOMEM), accept() fails again at once
 * for as long as the client waits in the listen queue: a loop that simply
 * retries spins at 100% CPU. This pauses ACCEPT_RETRY_PAUSE_MS then, so
 * that other clients can finish and free a descriptor; for any other error
 * it returns at once. (08-select and 09-epoll show finer tricks: taking
 * the listener out of the loop, or a spare descriptor.) */
#define ACCEPT_RETRY_PAUSE_MS 100
void pause_if_out_of_resources(int error);

#endif
