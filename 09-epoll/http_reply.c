/* http_reply.c - httpd's replies, formatted once (see http_reply.h). */
#include "http_reply.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define BODY "Hello from the C kit's epoll httpd\n"

static void format_ok(struct http_reply *r, bool keep_alive, bool head_method)
{
    /* Teaching shortcut: no Date header (a real server formats one per
     * second and reuses it). */
    int n = snprintf(r->text, sizeof r->text,
                     "HTTP/1.1 200 OK\r\n"
                     "Server: kit-httpd\r\n"
                     "Content-Type: text/plain\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: %s\r\n\r\n%s",
                     sizeof BODY - 1, keep_alive ? "keep-alive" : "close",
                     head_method ? "" : BODY);
    r->len = (size_t)n;
}

static void copy_reply(struct http_reply *r, const char *text)
{
    r->len = strlen(text);
    memcpy(r->text, text, r->len);
}

void http_format_replies(struct http_replies *replies)
{
    for (int keep = 0; keep < 2; keep++)
        for (int head = 0; head < 2; head++)
            format_ok(&replies->ok[keep][head], keep, head);
    copy_reply(&replies->bad, "HTTP/1.1 400 Bad Request\r\n"
                              "Server: kit-httpd\r\n"
                              "Content-Type: text/plain\r\n"
                              "Content-Length: 12\r\n"
                              "Connection: close\r\n\r\n"
                              "Bad Request\n");
    copy_reply(&replies->go_on, "HTTP/1.1 100 Continue\r\n\r\n");
}
