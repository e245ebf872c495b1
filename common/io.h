/* io.h - reads and writes that survive EINTR and short counts.
 *
 * read() and write() on a socket or pipe may move fewer bytes than asked
 * (a short count) and may be interrupted by a signal handler (EINTR). These
 * helpers handle both once, so that no program repeats the loops. */
#ifndef KIT_IO_H
#define KIT_IO_H

#include <stddef.h>
#include <sys/types.h>

/* One read() of at most len bytes: whatever has arrived (>0), 0 at end of
 * file, or -1 with errno; EINTR retried. (A server that must notice a stop
 * while it waits for a client reads with read_unless_stopped, stop.h.) */
ssize_t read_some(int fd, void *buf, size_t len);

/* Reads until len bytes have arrived or the peer closed: returns the count
 * (less than len only at end of file), or -1 with errno (EAGAIN when a
 * receive timeout, SO_RCVTIMEO, expired). */
ssize_t read_full(int fd, void *buf, size_t len);

/* Writes all len bytes, however many write() calls it takes. Returns 0, or
 * -1 with errno (EPIPE or ECONNRESET when the peer went away, EAGAIN on a
 * non-blocking descriptor that is full). */
int write_all(int fd, const void *buf, size_t len);

#endif
