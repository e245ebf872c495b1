/* conn.c - accepting a client into a struct conn: the part of 02-thread
 * that does not depend on the model (see conn.h). */
#include "conn.h"

#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn *accept_conn(int listen_fd, long delay_ms, bool quiet)
{
    struct sockaddr_storage addr;
    socklen_t addr_len;
    struct conn *conn;
    int conn_fd = accept_unless_stopped(listen_fd, &addr, &addr_len);

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
