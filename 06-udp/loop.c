/* 06-udp/loop.c - the basic UDP loop: receive, work, reply.
 *
 * What it teaches: UDP has no connections, so there is no accept() and no
 * loop per client. The server blocks in one place, recvmsg(), and each
 * datagram may come from a different client: every client makes progress
 * (concurrent) but one request is worked on at a time (not parallel), the
 * chapter's Table 14.1. And since a datagram's source address is only a
 * claim, the server first asks whether it may answer it at all
 * (reflection, datagram_source_refusal and echo_guard_check in
 * common/datagram.h).
 *
 * Run:   ./06-udp/server 2000        and  ./06-udp/client localhost 2000
 * Look:  with ./06-udp/client -n 3, the replies of the 3 clients
 *        interleave, [0] [1] [2] [0]..., yet the total is 3 x 8 delays.
 *
 * The -P workers run this same loop; the -f children run serve_request. */
#include "loop.h"

#include "datagram.h"
#include "stop.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/* A datagram the server received but will not answer: why, logged. */
static int refuse(const struct udp_server *server, const struct request *req,
                  const char *why)
{
    if (!server->args->quiet)
        printf("Refused: %s (%s)\n", req->peer, why);
    return -1;
}

int next_request(struct udp_server *server, struct request *req)
{
    const char *why;
    bool truncated;
    ssize_t n;

    req->from_len = sizeof req->from;
    n = receive_datagram(server->fd, server->buf, DATAGRAM_BUFFER_SIZE,
                         &req->from, &req->from_len, &truncated);
    if (n < 0) {
        if (errno != EINTR)
            report_errno("recvmsg");
        return -1;
    }
    req->len = (size_t)n;
    format_peer((struct sockaddr *)&req->from, req->from_len, req->peer,
                sizeof req->peer);
    if (truncated) { /* a cut datagram would get a cut reply: drop it */
        fprintf(stderr,
                "server: datagram from %s longer than %d bytes: "
                "dropped\n",
                req->peer, DATAGRAM_BUFFER_SIZE);
        return -1;
    }
    why = datagram_source_refusal(&req->from, req->from_len, server->fd);
    if (why == NULL)
        why = echo_guard_check(&server->echo, &req->from, req->from_len,
                               server->buf, req->len);
    if (why != NULL)
        return refuse(server, req, why);
    server->requests++;
    if (!server->args->quiet && server->show_pid)
        printf("New request: %lu %s (worker %ld)\n", server->requests,
               req->peer, (long)getpid());
    else if (!server->args->quiet)
        printf("New request: %lu %s\n", server->requests, req->peer);
    return 0;
}

/* No connection to write to: the reply goes to the address the request
 * came from, as one datagram of the same length (an empty request gets an
 * empty reply). A failed send loses that one reply, never the server. */
void serve_request(struct udp_server *server, const struct request *req)
{
    simulate_work(server->args->delay_ms);
    upper_transform(server->buf, req->len);
    if (send_datagram(server->fd, server->buf, req->len,
                      (const struct sockaddr *)&req->from, req->from_len) != 0)
        report_peer_errno("sendto", req->peer);
}

/* While one request is being worked on, the next ones wait in the socket's
 * receive buffer. */
void serve_datagrams(struct udp_server *server)
{
    struct request req;

    while (!stop_requested()) {
        if (next_request(server, &req) == 0)
            serve_request(server, &req);
    }
}
