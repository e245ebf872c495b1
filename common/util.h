/* util.h - error reporting, strict number parsing, clocks and SIGPIPE,
 * which every program of the kit shares. Nothing here exits: helpers
 * return -1 with errno set and the caller decides what to do. */
#ifndef KIT_UTIL_H
#define KIT_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

/* The kit's shared limits, each defined once and used by every folder. */
/* One read's worth of bytes: the unit of work of the TCP servers. */
#define CHUNK_SIZE 65536
/* How long a stopping server waits for its workers (threads or processes)
 * to finish before it gives up on them (SIGKILL for processes). */
#define SHUTDOWN_GRACE_MS 1000L
/* The largest -w N any server accepts: a typo like -w 100000 is refused
 * instead of exhausting the machine. */
#define MAX_WORKERS 1024

/* Remembers the program's name (the last part of argv[0]) for messages. */
void set_progname(const char *argv0);
const char *progname(void);

/* Prints "prog: what: strerror(errno)" to stderr; errno is preserved. */
void report_errno(const char *what);
/* Prints "prog: action peer: strerror(errno)", e.g. "server: read from
 * 127.0.0.1:43172: Connection reset by peer"; errno is preserved. */
void report_peer_errno(const char *action, const char *peer);
/* Prints "prog: what: reason" to stderr. */
void report_error(const char *what, const char *reason);

/* Parses a whole decimal string into *out. Accepted only when the text is
 * an optional '-' and digits, nothing before or after, and min <= value <=
 * max: "12ab", " 7", "+5", "", "-0" and "70000" (for a port) are all
 * refused.
 * Returns 0, or -1 with errno EINVAL (not a number) or ERANGE. */
int parse_long(const char *text, long min, long max, long *out);
/* A TCP/UDP port: 0..65535 (0 asks the kernel to choose). */
int parse_port(const char *text, long *port);

/* Seconds on a clock that never jumps (CLOCK_MONOTONIC). */
double now_seconds(void);
/* The CLOCK_MONOTONIC time ms milliseconds from now: the deadline of a
 * pthread_cond_timedwait on a condition variable set to that clock (it
 * takes a deadline, not a duration, so a loop of waits keeps one). */
struct timespec monotonic_deadline(long ms);

/* SIGPIPE's default action kills the process when it writes to a peer that
 * has gone; every server and client ignores it and handles EPIPE instead. */
int ignore_sigpipe(void);

#endif
