/* requests.h - what the completion loop asks the kernel to do (requests.c):
 * each call fills one submission slot and submits nothing; the loop's next
 * io_uring_enter carries every request queued since the last one. */
#ifndef URING_REQUESTS_H
#define URING_REQUESTS_H

#include "loop.h"

/* user_data: the connection's address and the request's kind in one
 * 64-bit number that the kernel hands back, untouched, in the completion.
 * That is how a completion finds its connection and what it finished. */
unsigned long long request_id(struct conn *conn, enum request_kind kind);
struct conn *request_conn(unsigned long long user_data);
enum request_kind request_kind(unsigned long long user_data);

/* Accept one client (into server->peer_addr), now or after a pause. */
void submit_accept(struct server *server);
void submit_accept_after_pause(struct server *server, long pause_ms);

/* Receive into conn->buf; send conn->buf from reply_sent to reply_len. */
void submit_read(struct server *server, struct conn *conn);
void submit_write(struct server *server, struct conn *conn);

/* Asks the kernel to tell us, by a completion, when a stop signal is
 * pending (a poll of the stop descriptor, common/stop.h). */
void submit_stop_watch(struct server *server);

/* Asks the kernel to cancel the request whose user_data is target. */
void submit_cancel(struct server *server, unsigned long long target);

/* A new client: a struct conn in the server's list, logged, its first
 * read submitted. Closes fd when no memory is left. */
void add_conn(struct server *server, int fd);

/* Drops a connection: cancels its request in flight, if any; closes and
 * frees it once nothing of it is with the kernel (finish_conn). */
void retire_conn(struct server *server, struct conn *conn);
void finish_conn(struct server *server, struct conn *conn);

#endif
