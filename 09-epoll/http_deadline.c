/* http_deadline.c - the deadlines of httpd's connections (see
 * http_deadline.h): which wait a connection is in, and what it costs. */
#include "http_deadline.h"
#include "http_conn.h"
#include "util.h"

#include <stdio.h>

/* What the connection waits for now, from its state. */
static enum conn_wait current_wait(const struct conn *conn)
{
    if (conn->lingering)
        return WAIT_LINGER;
    if (http_conn_output_waits(conn) || http_body_pending(&conn->body))
        return WAIT_TRANSFER;
    if (conn->in_len > 0 || !conn->answered)
        return WAIT_HEAD;
    return WAIT_IDLE;
}

void http_conn_set_deadline(struct conn *conn, double now,
                            const struct http_timeouts *timeouts)
{
    enum conn_wait wait = current_wait(conn);
    long seconds = timeouts->idle;

    /* Same wait as before: only moving data renews its deadline. */
    if (wait == conn->wait && wait != WAIT_TRANSFER)
        return;
    if (wait == WAIT_HEAD)
        seconds = timeouts->head;
    else if (wait == WAIT_LINGER)
        seconds = LINGER_TIMEOUT_S;
    conn->wait = wait;
    conn->deadline = now + (double)seconds;
}

void http_report_timeout(const struct conn *conn,
                         const struct http_timeouts *timeouts)
{
    const char *what = "no progress for";
    long seconds = timeouts->idle;

    if (conn->wait == WAIT_HEAD) {
        what = "no complete request head in";
        seconds = timeouts->head;
    } else if (conn->wait == WAIT_IDLE)
        what = "idle for";
    else if (conn->wait == WAIT_LINGER) {
        what = "no end of file after the last reply in";
        seconds = LINGER_TIMEOUT_S;
    }
    fprintf(stderr, "%s: dropped %s: %s %ld s\n", progname(), conn->peer, what,
            seconds);
}
