/* per_datagram.h - 06-udp's -f model: a process per datagram. */
#ifndef UDP_PER_DATAGRAM_H
#define UDP_PER_DATAGRAM_H

#include "loop.h"

/* Installs the SIGCHLD handler that reaps the children (before the
 * socket is opened). Returns 0, or -1 with errno. */
int catch_child_exits(void);

/* Receives and forks a child per request until a stop signal, then waits
 * for every child to send its reply and exit. */
void serve_with_a_process_each(struct udp_server *server);

#endif
