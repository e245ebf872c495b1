/* serve.h - the upper service over one blocking connection.
 *
 * 01-iterative's serve_client, for the servers that give each client a
 * thread or a process of its own for as long as the client stays (02, 03,
 * 04, 05): read whatever has arrived, do the simulated work, write the
 * transformed bytes back, until the client closes. Who runs it, and how
 * the connection got there, is the lesson of each folder. */
#ifndef KIT_SERVE_H
#define KIT_SERVE_H

/* Serves conn_fd until the peer closes (returns 0), an I/O error (reported
 * as "server: read from PEER: reason", returns -1) or a stop signal
 * (returns -1 with errno EINTR, nothing reported). A half-closed peer gets
 * every pending reply first. The caller closes conn_fd. */
int serve_client(int conn_fd, const char *peer, long delay_ms);

#endif
