/* prethreaded.h - 02-thread's second model, server -w N: a fixed pool of
 * worker threads fed by a bounded queue of accepted connections. */
#ifndef THREAD_PRETHREADED_H
#define THREAD_PRETHREADED_H

#include "options.h"

#include <pthread.h>
#include <stddef.h>

/* Starts worker_count workers (threads made with attr), then accepts on
 * listen_fd and queues each connection for them until a stop signal;
 * stops the pool cleanly. Returns the exit status (1: the workers could
 * not start). */
int serve_prethreaded(int listen_fd, const struct server_args *args,
                      size_t worker_count, const pthread_attr_t *attr);

#endif
