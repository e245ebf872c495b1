/* client.h - what every TCP client of the kit does the same way: connect
 * with a clear error message, and the interactive mode of CONTRACT.md §5
 * (one line of stdin out, the same number of bytes back, "Reply is '...'").
 * How a client is concurrent in stress mode is its folder's own business. */
#ifndef KIT_CLIENT_H
#define KIT_CLIENT_H

#include "options.h"

/* tcp_connect to args->host:args->port; on failure prints
 * "client: connect to HOST:PORT: reason" and returns -1. */
int connect_or_report(const struct client_args *args);

/* Interactive mode over one connection: returns the exit status (0 at end
 * of input, 1 when the server closed first or an error occurred). */
int run_interactive(const struct client_args *args);

/* Sends len bytes and reads exactly len bytes back into reply, writing and
 * reading at the same time so that a line larger than the socket buffers
 * cannot deadlock. fd must be non-blocking. Returns 1 when the whole reply
 * came, 0 when the peer closed first, -1 on error (errno). */
int exchange(int fd, const char *request, char *reply, size_t len);

/* The whole main of a blocking TCP client (folders 01-05): parses the
 * command line, then runs the interactive mode or the stress mode with the
 * given driver (stress_with_threads or stress_with_processes, stress.h).
 * Returns the exit status. */
int tcp_client_main(int argc, char **argv,
                    int (*stress_driver)(const struct client_args *));

#endif
