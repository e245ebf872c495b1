/* http_reply.h - the replies of 09-epoll/httpd, fixed at compile time.
 *
 * What it teaches: the cheapest work is the work done once. Every request
 * gets one of six fixed replies (200 by keep-alive and HEAD, 400, the
 * interim "100 Continue"), so they are string literals, copied into a
 * table at start, and each request costs one memcpy into the connection's
 * output buffer: no snprintf, no allocation per request. (A real server
 * also sends a Date header: it formats it once a second and patches it
 * in; see the README's exercises.)
 *
 * What to look for: because the replies are literals, their lengths are
 * compile-time constants, and so is the longest (HTTP_REPLY_MAX). The
 * connection reserves room in its output buffer from that constant, not
 * from one reply picked by hand: a check sized for the shorter "close"
 * reply let a keep-alive one write past the buffer. */
#ifndef EPOLL_HTTP_REPLY_H
#define EPOLL_HTTP_REPLY_H

#include <stddef.h>

#define REPLY_BODY "Hello from the C kit's epoll httpd\n"
/* Its length, written as digits for Content-Length; http_reply.c asserts
 * at compile time that it matches REPLY_BODY. */
#define REPLY_BODY_LEN 35
#define REPLY_DIGITS(n) #n
#define REPLY_DECIMAL(n) REPLY_DIGITS(n)

/* A 200 reply; CONNECTION is "keep-alive" or "close", BODY is REPLY_BODY
 * or "" (a HEAD request gets the head only). */
#define REPLY_OK(connection, body)                                           \
    "HTTP/1.1 200 OK\r\n"                                                   \
    "Server: kit-httpd\r\n"                                                 \
    "Content-Type: text/plain\r\n"                                          \
    "Content-Length: " REPLY_DECIMAL(REPLY_BODY_LEN) "\r\n"                   \
    "Connection: " connection "\r\n\r\n" body
#define REPLY_BAD                                                            \
    "HTTP/1.1 400 Bad Request\r\n"                                          \
    "Server: kit-httpd\r\n"                                                 \
    "Content-Type: text/plain\r\n"                                          \
    "Content-Length: 12\r\n"                                                \
    "Connection: close\r\n\r\n"                                             \
    "Bad Request\n"
#define REPLY_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

#define REPLY_MAX2(a, b) ((a) > (b) ? (a) : (b))
/* The longest reply of the table (without "100 Continue"), in bytes. */
#define HTTP_REPLY_MAX                                                      \
    REPLY_MAX2(REPLY_MAX2(sizeof REPLY_OK("keep-alive", REPLY_BODY),            \
                        sizeof REPLY_OK("close", REPLY_BODY)),                \
              REPLY_MAX2(REPLY_MAX2(sizeof REPLY_OK("keep-alive", ""),         \
                                  sizeof REPLY_OK("close", "")),             \
                        sizeof REPLY_BAD)) - 1
/* The most one request head can add to a connection's output before the
 * next head is looked at: "100 Continue", then its reply (or a 400 if its
 * body turns out bad). */
#define HTTP_HEAD_REPLIES_MAX (sizeof REPLY_CONTINUE - 1 + HTTP_REPLY_MAX)

struct http_reply {
    char text[HTTP_REPLY_MAX];
    size_t len;
};

/* Filled once at start: 200 by [keep-alive][HEAD], 400, 100 Continue. */
struct http_replies {
    struct http_reply ok[2][2], bad, go_on;
};

void http_format_replies(struct http_replies *replies);

#endif
