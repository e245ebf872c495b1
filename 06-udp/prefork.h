/* prefork.h - 06-udp's -P N model: a preforked pool sharing the socket. */
#ifndef UDP_PREFORK_H
#define UDP_PREFORK_H

#include "loop.h"

/* -P: the largest pool the command line accepts. */
#define MAX_POOL 256

/* Forks count workers that each run the basic loop on server->fd, replaces
 * any that dies, and stops them all on a stop signal. Returns the exit
 * status (0, or 1 when the pool could not be started). */
int serve_with_a_pool(struct udp_server *server, long count);

#endif
