/* outbuf.h - pending output for one non-blocking socket, with
 * back-pressure and a stall timeout: the event loops' (08-select's server,
 * client and chat, 09-epoll's server) one answer to "the client is not
 * reading".
 *
 * A non-blocking write() takes what fits in the kernel's socket buffer and
 * says EAGAIN for the rest. A server that must never wait keeps the rest
 * here and writes it when the loop says the socket is writable again. That
 * opens three attacks, and this file gives the loop one answer to each:
 *
 *   - a client that sends requests but never reads its replies makes the
 *     buffer grow forever. Back-pressure: while outbuf_pending() is at or
 *     above a threshold the loop stops reading from that client
 *     (outbuf_too_full), so its requests wait in the kernel and the server
 *     spends no memory on them (OpenBSD nc does the same);
 *   - that client still holds a descriptor and a full buffer for ever. The
 *     stall timeout: outbuf_stalled() says when the pending bytes have not
 *     moved for a while; the loop then drops the client;
 *   - many such clients at once (the chat sends every member's line to
 *     all the others, whether they read or not). A cap on one buffer
 *     (outbuf_append's limit) and, optionally, on the sum of several
 *     buffers (struct outbuf_total).
 *
 * Nothing here exits or prints: every function returns and the loop
 * decides. The clients of 08 use the same byte queue for their input
 * (outbuf_fill: bytes that are not a whole line or reply yet). */
#ifndef KIT_OUTBUF_H
#define KIT_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Bytes pending in a set of buffers that share a budget (e.g. every chat
 * member's), and the most they may hold together. */
struct outbuf_total {
    size_t pending, cap;
};

/* The bytes from start to end are pending. Zero-initialised is empty. */
struct outbuf {
    char *data;
    size_t start, end, size;
    double last_progress;       /* now_seconds() when pending last moved */
    struct outbuf_total *total; /* NULL, or the shared budget it counts in */
};

/* Bytes pending, and where they begin (NULL when the buffer owns no
 * memory: an empty buffer may give it back). */
size_t outbuf_pending(const struct outbuf *buf);
char *outbuf_head(const struct outbuf *buf);

/* Appends len bytes. Fails with ENOBUFS (and appends nothing) when this
 * buffer's pending bytes would exceed limit, or the shared total its cap;
 * or with ENOMEM. Returns 0 or -1. */
int outbuf_append(struct outbuf *buf, const void *bytes, size_t len,
                  size_t limit);

/* Forgets the first len pending bytes (len <= outbuf_pending). */
void outbuf_consume(struct outbuf *buf, size_t len);

/* Writes as many pending bytes as the non-blocking fd takes now (EINTR
 * retried, EAGAIN ends it). Returns the bytes written (0: the socket is
 * full), or -1 with errno when the peer is gone (EPIPE, ECONNRESET...). */
ssize_t outbuf_flush(struct outbuf *buf, int fd);

/* Back-pressure: true when the loop should stop reading from the client
 * whose output this is (pending >= pause_bytes). */
bool outbuf_too_full(const struct outbuf *buf, size_t pause_bytes);

/* The stall timeout: true when bytes are pending and none has gone out
 * for stall_s seconds (as of now, a now_seconds() value). */
bool outbuf_stalled(const struct outbuf *buf, double now, double stall_s);

/* One read() of at most max bytes appended to the buffer: the count (> 0),
 * 0 at end of file, or -1 with errno (EAGAIN: nothing there after all).
 * For input queues only (the total is not counted). */
ssize_t outbuf_fill(struct outbuf *buf, int fd, size_t max);

/* Frees the memory; the buffer is empty (and still usable) afterwards. */
void outbuf_free(struct outbuf *buf);

#endif
