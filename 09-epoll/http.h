/* http.h - the request-head parser of 09-epoll/httpd, on its own.
 *
 * What it teaches: a parser a network server can trust. It is a pure
 * function: bytes in, a verdict out. It keeps no state between calls,
 * allocates nothing and never reads past len, so the server can call it
 * again each time more bytes arrive, and a fuzzer
 * (tests/fuzz/fuzz_http_head.c) can call it with anything at all.
 *
 * What to look for: it refuses rather than guesses. Two programs that read
 * the same bytes as different requests (a proxy and this server, say) are
 * how request smuggling works, so every byte either fits the grammar of
 * RFC 9112 or the whole head is HTTP_BAD: control bytes, NUL included; a
 * body length given twice or in two ways; HTTP/1.1 without exactly one
 * Host. The body itself is skipped by http_body.h. */
#ifndef EPOLL_HTTP_H
#define EPOLL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The longest request head accepted, blank line included: a bigger one
 * would only hold memory (nginx's default is the same 8 KiB). */
#define HTTP_HEAD_MAX 8192
/* The largest body accepted, Content-Length or the sum of the chunks (the
 * body is read and dropped, so this bounds time, not memory). */
#define HTTP_BODY_MAX (1024L * 1024 * 1024)

enum http_verdict {
    HTTP_INCOMPLETE, /* a valid beginning: wait for more bytes */
    HTTP_COMPLETE,   /* a whole head: see struct http_request */
    HTTP_BAD         /* malformed, or no end within HTTP_HEAD_MAX bytes */
};

struct http_request {
    size_t head_len; /* bytes of the head, up to and including the blank line */
    size_t body_len; /* Content-Length: bytes after the head to skip */
    bool chunked;    /* Transfer-Encoding: chunked: the body is chunks */
    bool keep_alive; /* HTTP/1.1 unless "Connection: close"; HTTP/1.0
                        only with "Connection: keep-alive" */
    bool head_method;     /* HEAD: the reply has headers but no body */
    bool expect_continue; /* HTTP/1.1 "Expect: 100-continue": the client
                             waits for "100 Continue" before its body */
};

/* Looks at the len bytes of buf, the start of a request. Fills *request
 * only when it returns HTTP_COMPLETE. Accepts HTTP/1.0 and HTTP/1.1 request
 * lines ("METHOD TARGET HTTP/1.x"), lines ending in CRLF or a bare LF,
 * header lines "Name: value" (a value may hold HTAB). Refuses (HTTP_BAD)
 * anything else: folded header lines, any other control byte (NUL, CR
 * inside a line, DEL), a bad or repeated Content-Length, a
 * Transfer-Encoding other than "chunked" or in HTTP/1.0, both
 * Transfer-Encoding and Content-Length (RFC 9112 6.1: the smuggling
 * rule), and HTTP/1.1 without exactly one Host (RFC 9112 3.2). */
enum http_verdict http_parse_head(const char *buf, size_t len,
                                  struct http_request *request);

#endif
