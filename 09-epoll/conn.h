/* conn.h - what the epoll loop (evloop.c) does to one connection: the
 * mechanics around the loop, kept apart so that evloop.c reads as the
 * loop. The structs are in evloop.h. */
#ifndef EPOLL_CONN_H
#define EPOLL_CONN_H

#include "evloop.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Whether the loop reads from it now: not after its end of file, not
 * while its job is with a worker, not while too much output waits for it
 * (back-pressure). */
bool may_read(const struct conn *conn);

/* A new client (listener_accept calls this for each, context = server):
 * a struct conn, added to the epoll set and to the open list. */
void add_conn(void *context, int fd, const struct sockaddr *addr,
              socklen_t addr_len);

/* Sends a reply now if the socket takes it, keeps the rest (up to
 * OUTPUT_CAP). Returns 0 or -1 with errno. */
int send_reply(struct conn *conn, const char *data, size_t len);

/* After any change: retire a finished connection (its end of file came
 * and every reply has gone), or tell epoll what it waits for now. */
void settle_conn(struct server *server, struct conn *conn);

/* Closes the descriptor now and frees the struct at the end of the round
 * (conn.c says why not at once); drop_conn also logs why. */
void retire_conn(struct server *server, struct conn *conn);
void drop_conn(struct server *server, struct conn *conn, const char *action);

/* End of a round: frees the retired connections no worker refers to. */
void free_retired(struct server *server);

#endif
