/* stop.h - how every server notices SIGINT and SIGTERM (Ctrl-C, kill).
 *
 * catch_stop_signals blocks the two signals before the program makes any
 * thread or child (both inherit the mask), so they are never delivered:
 * they stay pending. A signalfd (Linux) turns "a stop signal is pending"
 * into a descriptor that is readable, stop_fd(). Every wait that must
 * notice a stop watches that descriptor beside its own, so a signal that
 * came at any moment - during the wait, before it, or between a check and
 * the wait - leaves it readable, and every thread or loop that watches it
 * wakes. No handler, no flag, no race (common/README.md, "Stopping"). */
#ifndef KIT_STOP_H
#define KIT_STOP_H

#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Blocks SIGINT and SIGTERM and opens stop_fd(). Returns 0, or -1 with
 * errno. Call it before starting any thread. */
int catch_stop_signals(void);
/* Readable once a stop signal is pending (-1 before catch_stop_signals:
 * poll and select skip it then, and nothing ever stops). */
int stop_fd(void);
bool stop_requested(void);
/* The set {SIGINT, SIGTERM}. */
void stop_signal_set(sigset_t *set);

/* Waits until fd has input (or end of file, or an error) or a stop signal
 * is pending. Returns 1 (fd ready), 0 (stop) or -1 with errno (EINTR: the
 * handler of another signal ran, SIGCHLD say). */
int wait_for_input(int fd);
/* A stop-aware read(): whatever has arrived (>0), 0 at end of file, or -1
 * with errno, EINTR once a stop signal is pending (even if data waits:
 * the server stops after the reply at hand). Other signals: waits on. */
ssize_t read_unless_stopped(int fd, void *buf, size_t len);
/* A stop-aware accept(): a new connection, or -1 with errno, EINTR once a
 * stop signal is pending or when another signal's handler ran, so that
 * the caller's loop looks at what changed (03's count of children) and
 * at stop_requested(). A listener several processes share must be
 * non-blocking: the client they all saw coming may be taken by another,
 * and this one goes back to waiting. */
int accept_unless_stopped(int listen_fd, struct sockaddr_storage *addr,
                          socklen_t *addr_len);
/* Sleeps until a stop signal is pending (returns 0) or the handler of a
 * signal that mask leaves unblocked has run (returns -1, errno EINTR):
 * sigsuspend for a program that must also notice a stop (03's and 06's
 * wait for a child to end). */
int wait_for_stop_or_signal(const sigset_t *mask);

#endif
