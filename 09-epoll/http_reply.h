/* http_reply.h - the replies of 09-epoll/httpd, formatted once at start.
 *
 * What it teaches: the cheapest work is the work done once. Every request
 * gets one of six fixed replies (200 by keep-alive and HEAD, 400, the
 * interim "100 Continue"), so they are formatted once and each request
 * costs one memcpy into the connection's output buffer: no snprintf, no
 * allocation per request. (A real server also sends a Date header: it
 * formats it once a second and patches it in; see the README's
 * exercises.) */
#ifndef EPOLL_HTTP_REPLY_H
#define EPOLL_HTTP_REPLY_H

#include <stddef.h>

struct http_reply {
    char text[256];
    size_t len;
};

/* Formatted once at start: 200 by [keep-alive][HEAD], 400, 100 Continue. */
struct http_replies {
    struct http_reply ok[2][2], bad, go_on;
};

void http_format_replies(struct http_replies *replies);

#endif
