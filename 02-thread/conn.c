/* conn.c - accepting a client, serving it, starting its thread: the part
 * of 02-thread that does not depend on the model (see conn.h). */
#include "conn.h"

#include "io.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn *accept_conn(int listen_fd, long delay_ms, bool quiet)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    struct conn *conn;
    int conn_fd = accept(listen_fd, (struct sockaddr *)&addr, &addr_len);

    if (conn_fd < 0) {
        if (errno != EINTR)
            report_errno("accept");
        /* EMFILE and friends: accept would fail again at once; a short
         * pause instead of a loop that burns a core and floods the log. */
        pause_if_out_of_resources(errno);
        return NULL;
    }
    conn = malloc(sizeof *conn);
    if (conn == NULL) {
        report_errno("malloc");
        close(conn_fd);
        return NULL;
    }
    conn->fd = conn_fd;
    format_peer((struct sockaddr *)&addr, addr_len, conn->peer,
                sizeof conn->peer);
    conn->delay_ms = delay_ms;
    conn->quiet = quiet;
    return conn;
}

void close_conn(struct conn *conn)
{
    close(conn->fd);
    free(conn);
}

/* 01-iterative's serve loop, with a plain read() and not common's
 * read_some. The stop flag is an atomic any thread may read (util.c), but
 * a thread here has no use for it: it blocks the stop signals, so its
 * read() is never interrupted by one, and it is told to stop by its owner
 * instead: prethreaded.c's stop_pool shuts its connection down, and a
 * thread per connection ends with the process. An EINTR is therefore
 * never a stop, only retried. */
void serve_conn(const struct conn *conn)
{
    char buf[CHUNK_SIZE];
    ssize_t n;

    for (;;) {
        n = read(conn->fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* 0: the client closed, or stop_pool shut it down */
        simulate_work(conn->delay_ms);
        upper_transform(buf, (size_t)n);
        if (write_all(conn->fd, buf, (size_t)n) != 0) {
            report_peer_errno("write to", conn->peer);
            return;
        }
    }
    if (n < 0)
        report_peer_errno("read from", conn->peer);
}

/* A new thread inherits the mask of the one that creates it, so blocking
 * the signals here (and not in the thread, which would leave a moment with
 * them open) makes sure that the kernel delivers a stop signal to the main
 * thread alone, whose accept() it must interrupt. SIGALRM too: after a
 * stop the handler arms alarm(1) to interrupt that same accept() (util.h). */
int start_thread(pthread_t *thread, const pthread_attr_t *attr,
                 void *(*body)(void *), void *arg)
{
    sigset_t stop_signals, old_mask;
    int rc;

    stop_signal_set(&stop_signals);
    rc = pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    if (rc != 0)
        return rc;
    rc = pthread_create(thread, attr, body, arg);
    /* Restoring a mask just read cannot fail. */
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    return rc;
}
