/* fdpass.h - passing an open descriptor to another process (SCM_RIGHTS).
 *
 * A descriptor is a number that means something only inside one process.
 * To give a worker the connection itself, the parent asks the kernel to
 * install a copy of it in the worker: sendmsg() over a UNIX-domain socket
 * with an SCM_RIGHTS control message, recvmsg() at the other end (UNP's
 * write_fd.c and read_fd.c, section 15.7). */
#ifndef FDPASS_H
#define FDPASS_H

#include <stddef.h>

/* Sends conn_fd, with the peer's name as the message's data, to the
 * process at the other end of channel_fd. Returns 0, or -1 with errno.
 * The caller still owns conn_fd (and closes its copy). */
int send_connection(int channel_fd, int conn_fd, const char *peer);

/* Waits for the next connection on channel_fd. Returns its new descriptor
 * and fills peer (peer_size bytes, NUL-terminated), or -1: end of file
 * (the sender is gone or closed the channel), a stop signal (EINTR), or an
 * error (reported on stderr). */
int receive_connection(int channel_fd, char *peer, size_t peer_size);

#endif
