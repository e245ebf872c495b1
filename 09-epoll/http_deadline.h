/* http_deadline.h - the deadlines of 09-epoll/httpd's connections.
 *
 * What it teaches: a server on the open Internet cannot wait for a client
 * forever. Every connection costs a descriptor, and a process has a fixed
 * number of them: a few hundred clients that connect and say nothing (or
 * one byte a second: "slowloris"), or never read their replies, would
 * take every slot, and new clients would be refused. So each connection
 * always waits for something, and each wait has a deadline; past it, the
 * connection is dropped with a log line.
 *
 * What to look for: which waits renew their deadline. Data moving (a body
 * arriving, replies being taken) renews it: a big upload on a slow link is
 * fine. A head arriving does not: its bytes trickling in must not buy a
 * client more time, or one byte every nine seconds would hold the slot
 * forever. */
#ifndef EPOLL_HTTP_DEADLINE_H
#define EPOLL_HTTP_DEADLINE_H

/* The defaults of -H and -k, seconds. nginx gives 60 s to a head and 75 s
 * to an idle keep-alive connection; a head that takes over 10 s on today's
 * networks is an attack or a lost client. */
#define HEAD_TIMEOUT_S 10
#define IDLE_TIMEOUT_S 60
/* After the last reply, seconds we wait for the client's end of file
 * (nginx's lingering_timeout). */
#define LINGER_TIMEOUT_S 5

struct http_timeouts {
    long head; /* -H: from a head's first byte (or the connect) to its end */
    long idle; /* -k: keep-alive silence; a body or replies not moving */
};

/* What a connection waits for, and so which deadline applies. */
enum conn_wait {
    WAIT_NONE,     /* not set yet: the next check sets it */
    WAIT_HEAD,     /* a request head to arrive in full (-H) */
    WAIT_IDLE,     /* the next request on a kept-alive connection (-k) */
    WAIT_TRANSFER, /* a body being read or replies being taken (-k) */
    WAIT_LINGER    /* the client's end of file after the last reply */
};

struct conn;

/* After each event: works out what conn now waits for and, when that
 * changed (or data moved), sets its deadline from now. */
void http_conn_set_deadline(struct conn *conn, double now,
                            const struct http_timeouts *timeouts);

/* Prints "httpd: dropped PEER: WHY" on stderr for a connection past its
 * deadline. */
void http_report_timeout(const struct conn *conn,
                         const struct http_timeouts *timeouts);

#endif
