/* bench/uringloop.c - the cheapest completion-based upper server: one
 * io_uring, one accept, then per connection a recv, a send, a recv...; no
 * logging, no delay, no stall checks, no orderly shutdown.
 *
 * A yardstick for `make bench`, not a lesson: 11-io-uring -d 0 -q at
 * concurrency 100 is compared with it (and both with bench/echoloop, the
 * bare epoll loop), driven by the same client, to see what the kit's
 * structure costs over the bare requests. The ring itself is
 * 11-io-uring/ring.c, the same for both.
 *
 * Run:   ./bench/uringloop 0        (prints "listening on port N")
 *        ./09-epoll/client -q -n 100 -r 1000 127.0.0.1 N
 */
#include "../11-io-uring/ring.h"

#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* The yardstick reads at most this much per request (as bench/echoloop). */
#define ECHO_READ_SIZE 4096

enum { ACCEPT = 1, RECV = 2, SEND = 3 };

struct echo_conn {
    int fd;
    char buf[ECHO_READ_SIZE];
};

/* One request; the slot is there (a round queues at most one request per
 * completion it took, and the CQ is drained SQ_SLOTS at a time). */
static void queue(struct ring *ring, int op, int fd, void *buf, unsigned len,
                  struct echo_conn *conn, int kind)
{
    struct io_uring_sqe *sqe;

    while ((sqe = ring_get_sqe(ring)) == NULL)
        ring_enter(ring, 0, NULL, -1);
    sqe->opcode = (unsigned char)op;
    sqe->fd = fd;
    sqe->addr = (unsigned long)buf;
    sqe->len = len;
    sqe->user_data = (unsigned long long)(uintptr_t)conn | (unsigned)kind;
}

/* One completion. Teaching shortcut: a failed or short send closes the
 * connection instead of sending the rest; the benchmark's short messages
 * always fit. The connection's memory is freed when its recv or send
 * says it is over. */
static void complete(struct ring *ring, int listen_fd,
                     unsigned long long user_data, int res)
{
    uintptr_t address = (uintptr_t)(user_data & ~7ull);
    struct echo_conn *conn =
        (struct echo_conn *)address; // NOLINT(performance-no-int-to-ptr)
    int kind = (int)(user_data & 7);

    if (kind == ACCEPT) {
        struct echo_conn *fresh = res >= 0 ? malloc(sizeof *fresh) : NULL;
        if (fresh != NULL) {
            fresh->fd = res;
            queue(ring, IORING_OP_RECV, res, fresh->buf, ECHO_READ_SIZE, fresh,
                  RECV);
        } else if (res >= 0) {
            close(res);
        }
        queue(ring, IORING_OP_ACCEPT, listen_fd, NULL, 0, NULL, ACCEPT);
    } else if (kind == RECV && res > 0) {
        upper_transform(conn->buf, (size_t)res);
        queue(ring, IORING_OP_SEND, conn->fd, conn->buf, (unsigned)res, conn,
              SEND);
    } else if (kind == SEND && res > 0) {
        queue(ring, IORING_OP_RECV, conn->fd, conn->buf, ECHO_READ_SIZE, conn,
              RECV);
    } else {
        close(conn->fd); /* end of file, error or short send */
        free(conn);
    }
}

int main(int argc, char **argv)
{
    struct ring ring;
    int listen_fd;
    long port;

    set_progname(argv[0]);
    if (argc != 2 || parse_port(argv[1], &port) != 0) {
        fprintf(stderr, "usage: %s PORT\n", progname());
        return 2;
    }
    if (prepare_server_process() != 0 ||
        (listen_fd = listen_or_report(port)) < 0)
        return 1;
    if (ring_open(&ring, 256, 4096) != 0) {
        report_errno("io_uring");
        return 1;
    }
    if (announce_port(listen_fd) != 0)
        return 1;
    queue(&ring, IORING_OP_ACCEPT, listen_fd, NULL, 0, NULL, ACCEPT);
    while (!stop_requested()) {
        struct io_uring_cqe *cqe;
        /* Submit the batch and wait; a stop signal ends the wait (EINTR),
         * within a second at worst (util.c's SIGALRM backstop). */
        if (ring_enter(&ring, 1, NULL, -1) != 0 && errno != EINTR &&
            errno != EBUSY) {
            report_errno("io_uring_enter");
            return 1;
        }
        while ((cqe = ring_peek(&ring)) != NULL) {
            unsigned long long user_data = cqe->user_data;
            int res = cqe->res;
            ring_seen(&ring);
            complete(&ring, listen_fd, user_data, res);
        }
    }
    /* Teaching shortcut: closing the ring cancels what is in flight; the
     * connections' memory goes with the process. */
    ring_close(&ring);
    close(listen_fd);
    return 0;
}
