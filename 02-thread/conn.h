/* conn.h - what 02-thread's two models share: one accepted client in a
 * struct conn and the upper service on it.
 *
 * server.c (a thread per connection) and prethreaded.c (a fixed pool of
 * workers) differ only in WHO runs serve_client (common/serve.h) and WHEN that thread is
 * made; everything here is the same for both. */
#ifndef THREAD_CONN_H
#define THREAD_CONN_H

#include "net.h"

#include <pthread.h>
#include <stdbool.h>

/* A thread's stack is reserved address space, and the kernel gives it real
 * memory only page by page as the thread touches it. The default (8 MiB,
 * `ulimit -s`) would reserve 8 GiB for 1,000 clients; a client's thread
 * needs the 64 KiB read buffer of serve_client and little else, so
 * 256 KiB is roomy, even under the sanitizers. */
#define THREAD_STACK_SIZE ((size_t)256 * 1024)

/* What one client's thread gets: a heap copy of everything it needs, so
 * that it never touches main's stack (main may return before it ends). */
struct conn {
    int fd;
    char peer[PEER_NAME_MAX];
    long delay_ms;
    bool quiet;
};

/* Accepts one connection into a new struct conn, or returns NULL: EINTR
 * (a stop signal; the caller's loop looks at the flag) or a failure that
 * costs only that client (reported; out of descriptors: after a pause). */
struct conn *accept_conn(int listen_fd, long delay_ms, bool quiet);
/* Closes the client's socket and frees conn, at once. */
void close_conn(struct conn *conn);

#endif
