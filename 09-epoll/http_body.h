/* http_body.h - skipping a request body, by length or in chunks, for
 * 09-epoll/httpd.
 *
 * What it teaches: a body can be framed two ways, and a server must find
 * where it ends even when it has no use for it, or the body would be read
 * as the next request. With Content-Length the end is a count of bytes.
 * With "Transfer-Encoding: chunked" (RFC 9112 7.1; curl -T -, Python's
 * http.client with an iterable body) the client did not know the length
 * when it started, so the body comes in pieces, each announced in hex:
 *
 *     5\r\nhello\r\n 6;ext=1\r\n world\r\n 0\r\n \r\n
 *     size   data     size+ext   data      last  trailers end
 *
 * What to look for: a state machine that takes the bytes as they come,
 * split anywhere across reads, and keeps only a few counters: nothing of
 * the body is stored. Its limits are those of Content-Length (the sum of
 * the chunks at most HTTP_BODY_MAX) plus bounded framing lines, so chunking
 * cannot be used to send more, or to hold the server longer, than a plain
 * body could. Pure like http.h: no I/O, no allocation. */
#ifndef EPOLL_HTTP_BODY_H
#define EPOLL_HTTP_BODY_H

#include "http.h"

#include <stdbool.h>
#include <stddef.h>

/* A chunk-size line with its extensions, and the trailer lines together:
 * longer ones are refused (they would be read byte by byte for nothing). */
#define HTTP_CHUNK_LINE_MAX 1024
#define HTTP_TRAILERS_MAX   HTTP_HEAD_MAX

/* In order: http_body_skip dispatches on ranges (size line, end of data,
 * trailers). */
enum http_body_state {
    BODY_NONE,       /* no body, or it has ended */
    BODY_LENGTH,     /* Content-Length: left bytes to skip */
    CHUNK_SIZE,      /* hex digits of a chunk size */
    CHUNK_EXT,       /* ";name=value" after the size, to the end of line */
    CHUNK_SIZE_LF,   /* a CR ended the size line: its LF must follow */
    CHUNK_DATA,      /* left bytes of chunk data to skip */
    CHUNK_DATA_END,  /* the CRLF that ends the chunk's data */
    CHUNK_DATA_LF,   /* its LF */
    CHUNK_TRAILER,   /* trailer lines after the last (zero) chunk */
    CHUNK_TRAILER_LF /* a CR ended a trailer line: its LF must follow */
};

struct http_body {
    enum http_body_state state;
    size_t left;  /* data bytes still to skip */
    size_t size;  /* the chunk size being read */
    size_t total; /* chunk data announced so far, at most HTTP_BODY_MAX */
    size_t line;  /* bytes of the current size line, or of the trailers */
    bool digits;  /* the size line has a hex digit */
    bool blank;   /* the current trailer line is empty so far */
};

enum http_body_verdict {
    HTTP_BODY_MORE, /* every byte given was body: send more */
    HTTP_BODY_DONE, /* the body ended; the next request may follow */
    HTTP_BODY_BAD   /* malformed or too big: answer 400 and close */
};

/* Starts skipping the body of request (none: state BODY_NONE). */
void http_body_begin(struct http_body *body,
                     const struct http_request *request);

/* True while a body is being skipped. */
bool http_body_pending(const struct http_body *body);

/* Skips what of buf[0..len) belongs to the body: sets *used to that count
 * (all of len unless the body ends inside it). */
enum http_body_verdict http_body_skip(struct http_body *body, const char *buf,
                                      size_t len, size_t *used);

#endif
