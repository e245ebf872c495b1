/* loop.h - the basic UDP loop of 06-udp (loop.c), and the two pieces the
 * other models reuse: receiving the next request and answering it. */
#ifndef UDP_LOOP_H
#define UDP_LOOP_H

#include "datagram.h"
#include "net.h"
#include "options.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct udp_server {
    int fd;
    const struct server_args *args;
    bool show_pid;          /* pool workers add "(worker PID)" to logs */
    char *buf;              /* DATAGRAM_BUFFER_SIZE bytes */
    unsigned long requests; /* the N of "New request: N" */
    struct echo_guard echo; /* the sources echoing our replies */
};

/* One request: the datagram in server->buf and who sent it. */
struct request {
    size_t len;
    struct sockaddr_storage from;
    socklen_t from_len;
    char peer[PEER_NAME_MAX];
};

/* Waits for the next datagram the server may answer and logs it. Returns 0
 * with *req filled, or -1 when there is nothing to serve: a stop signal
 * (EINTR), an error, a datagram too long for the buffer or one from a
 * source it must not answer (each logged; that datagram is lost, not the
 * server). */
int next_request(struct udp_server *server, struct request *req);

/* The work and the reply: one datagram back to where the request came
 * from, as long as the request. */
void serve_request(struct udp_server *server, const struct request *req);

/* The basic loop, until a stop signal: next_request, serve_request. */
void serve_datagrams(struct udp_server *server);

#endif
