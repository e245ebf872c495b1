/* flow_table.h - the relay's map from a client's address to its own
 * upstream socket (what a NAT box keeps), forgotten after FLOW_IDLE_S of
 * silence. A mechanism under relay.c, kept apart so that relay.c reads as
 * the lesson: what a bad link does to datagrams. */
#ifndef UDP_FLOW_TABLE_H
#define UDP_FLOW_TABLE_H

#include "net.h"

#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Clients at once: each holds an upstream socket, so that the server's
 * replies on it can only be for that client. A new client beyond it is
 * refused (its datagrams dropped with a log line), not a slot stolen. */
#define MAX_FLOWS 256
/* A client silent this long is forgotten and its socket closed: UDP has no
 * goodbye, so idleness is the only end a relay can see. */
#define FLOW_IDLE_S 60

struct flow {
    int fd; /* connect()ed to the server; -1: a free slot */
    struct sockaddr_storage client;
    socklen_t client_len;
    char peer[PEER_NAME_MAX]; /* the client, "HOST:PORT" */
    char local[PEER_NAME_MAX]; /* the upstream socket's own address */
    double last_seen;         /* now_seconds() of its last datagram */
    unsigned long credit;     /* datagrams the relay may still send it */
};

struct flow_table {
    struct flow flows[MAX_FLOWS];
};

/* Every slot free. */
void flow_table_init(struct flow_table *table);

/* The flow of client `peer` (at from/from_len): found, or a new one with a
 * socket connect()ed to server (the kernel then passes that socket only
 * the server's datagrams). Its last_seen is now. NULL with errno ENOSPC
 * when the table is full (the caller reports it: a flood of new sources
 * must not become a flood of lines), or after a report when the socket
 * fails. */
struct flow *flow_of(struct flow_table *table,
                     const struct sockaddr_storage *from, socklen_t from_len,
                     const char *peer, const struct sockaddr *server,
                     socklen_t server_len);

/* Whether peer ("HOST:PORT") is the address of one of the table's own
 * upstream sockets: a datagram claiming to come from there is forged. */
bool flow_table_owns(const struct flow_table *table, const char *peer);

/* Fills ready[0..MAX_FLOWS-1] for poll(): POLLIN on each flow's socket (a
 * free slot's -1 is skipped by poll). */
void flow_table_poll_set(const struct flow_table *table, struct pollfd *ready);

/* Closes the socket of every flow silent for FLOW_IDLE_S (all of them when
 * all is true). */
void flow_table_expire(struct flow_table *table, bool all);

#endif
