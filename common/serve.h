/* serve.h - one stream client served the upper way (SPEC section 3), for
 * the blocking servers whose concurrency is a thread or a process per
 * client (02-thread, 03-fork): read a chunk, work, reply, until the client
 * closes. It is 01-iterative's serve_client, kept in one place so that
 * those folders show only what they change: who calls it, and where. */
#ifndef KIT_SERVE_H
#define KIT_SERVE_H

#include <stdbool.h>

/* One read's worth of bytes is one unit of work. The buffer lives on the
 * caller's stack: a thread that calls serve_upper_client needs a stack of
 * at least this much plus a few KiB. */
#define SERVE_CHUNK_SIZE 65536

/* Serves the client on conn_fd until it closes or a read or write fails
 * (reported as "prog: read from PEER: reason"). Does not close conn_fd:
 * its owner does.
 *
 * watch_stop_flag: true in a process that takes SIGINT/SIGTERM itself (a
 * forked child): the reads go through read_some (io.h), so a stop signal
 * ends the loop after the reply being worked on. false in a thread that
 * blocks those signals: the stop flag is written by the signal handler in
 * another thread, so reading it here would be a data race (a plain
 * volatile sig_atomic_t is safe between a handler and its own thread, not
 * between threads). Such a thread is told to stop by its owner instead,
 * with shutdown() of its socket: the next read returns end of file. */
void serve_upper_client(int conn_fd, const char *peer, long delay_ms,
                        bool watch_stop_flag);

#endif
