/* http.h - the request-head parser of 09-epoll/httpd, on its own.
 *
 * A pure function: bytes in, a verdict out. It keeps no state between
 * calls, allocates nothing and never reads past len, so the server can
 * call it again each time more bytes arrive, and a fuzzer can call it with
 * anything at all. */
#ifndef EPOLL_HTTP_H
#define EPOLL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The longest request head accepted, blank line included. */
#define HTTP_HEAD_MAX 8192
/* The largest Content-Length accepted (the body is read and dropped). */
#define HTTP_BODY_MAX (1024L * 1024 * 1024)

enum http_verdict {
    HTTP_INCOMPLETE, /* a valid beginning: wait for more bytes */
    HTTP_COMPLETE,   /* a whole head: see struct http_request */
    HTTP_BAD         /* malformed, or no end within HTTP_HEAD_MAX bytes */
};

struct http_request {
    size_t head_len; /* bytes of the head, up to and including the blank line */
    size_t body_len; /* Content-Length: bytes after the head to skip */
    bool keep_alive; /* HTTP/1.1 unless "Connection: close"; HTTP/1.0
                        only with "Connection: keep-alive" */
    bool head_method; /* HEAD: the reply has headers but no body */
};

/* Looks at the len bytes of buf, the start of a request. Fills *request
 * only when it returns HTTP_COMPLETE. Accepts HTTP/1.0 and HTTP/1.1 request
 * lines ("METHOD TARGET HTTP/1.x"), lines ending in CRLF or a bare LF,
 * header lines "Name: value". Refuses (HTTP_BAD) anything else, folded
 * header lines, control bytes, a bad or repeated Content-Length, and any
 * Transfer-Encoding (this server does not read chunked bodies). */
enum http_verdict http_parse_head(const char *buf, size_t len,
                                  struct http_request *request);

#endif
