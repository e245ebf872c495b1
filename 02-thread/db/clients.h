/* clients.h - dbserver's list of live client threads. It exists only so
 * that SIGTERM can wake the threads blocked in read() on their clients
 * (client_list_stop): detached threads cannot be joined, so the list and
 * a count, with a condition variable, stand in for pthread_join. */
#ifndef CLIENTS_H
#define CLIENTS_H

#include "net.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct server;

/* One connection: the heap argument of its thread, which frees it. */
struct client {
    struct server *server;
    int conn_fd;
    char peer[PEER_NAME_MAX];
    struct client *prev, *next; /* the list's links, under its lock */
};

struct client_list {
    pthread_mutex_t lock;    /* guards head and live */
    pthread_cond_t all_gone; /* broadcast when live drops to 0 */
    struct client *head;
    size_t live; /* threads started and not yet finished */
};

/* Returns 0 or a pthread error number. */
int client_list_init(struct client_list *list);
void client_list_add(struct client_list *list, struct client *client);
/* The last thing a client thread does: leaves the list BEFORE its
 * descriptor is closed (once closed, the number may be reused by another
 * accept, and client_list_stop must never shut down a stranger's
 * connection), then closes it, logs "Client disconnected: PEER" unless
 * quiet, frees client, and only then counts itself gone. */
void client_list_remove(struct client_list *list, struct client *client,
                        bool quiet);
/* SIGTERM: shuts down every listed connection, so that each thread's
 * read() or write() returns at once, then waits up to wait_ms for every
 * thread to finish. Returns 0 when all have, -1 when some still run (they
 * die with the process: what they use must then not be freed). */
int client_list_stop(struct client_list *list, long wait_ms);

#endif
