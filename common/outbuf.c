/* outbuf.c - pending output with back-pressure and a stall timeout (see
 * outbuf.h for the attacks each part stops). */
#include "outbuf.h"

#include "io.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An emptied buffer keeps at most this much memory: thousands of clients
 * that once fell behind must not each keep their high-water mark, and a
 * small buffer reused request after request costs no malloc. */
#define OUTBUF_KEEP_BYTES 4096

size_t outbuf_pending(const struct outbuf *buf)
{
    return buf->end - buf->start;
}

char *outbuf_head(const struct outbuf *buf)
{
    /* An empty buffer may own no memory (NULL + 0 is undefined in C). */
    return buf->data == NULL ? NULL : buf->data + buf->start;
}

/* Makes room for len more bytes after end. */
static int reserve(struct outbuf *buf, size_t len)
{
    size_t pending = outbuf_pending(buf);
    size_t size = buf->size > 0 ? buf->size : OUTBUF_KEEP_BYTES;
    char *grown;

    if (buf->end + len <= buf->size)
        return 0;
    /* Slide what is pending to the front, then grow if still short. */
    if (pending > 0)
        memmove(buf->data, buf->data + buf->start, pending);
    buf->start = 0;
    buf->end = pending;
    if (pending + len <= buf->size)
        return 0;
    while (size < pending + len)
        size *= 2;
    if ((grown = realloc(buf->data, size)) == NULL)
        return -1;
    buf->data = grown;
    buf->size = size;
    return 0;
}

/* Whether len more bytes fit under limit (pending > limit is possible when
 * the buffer was filled under a larger limit: limit - pending would wrap
 * around, so test it first). */
static bool fits(size_t pending, size_t len, size_t limit)
{
    return pending <= limit && len <= limit - pending;
}

int outbuf_append(struct outbuf *buf, const void *bytes, size_t len,
                  size_t limit)
{
    size_t pending = outbuf_pending(buf);

    if (!fits(pending, len, limit) ||
        (buf->total != NULL &&
         !fits(buf->total->pending, len, buf->total->cap))) {
        errno = ENOBUFS;
        return -1;
    }
    if (len == 0)
        return 0; /* a never-used buffer has data == NULL: no memcpy then */
    if (reserve(buf, len) != 0)
        return -1;
    memcpy(buf->data + buf->end, bytes, len);
    buf->end += len;
    if (pending == 0)
        buf->last_progress = now_seconds(); /* the stall clock starts */
    if (buf->total != NULL)
        buf->total->pending += len;
    return 0;
}

void outbuf_consume(struct outbuf *buf, size_t len)
{
    buf->start += len;
    if (buf->total != NULL)
        buf->total->pending -= len;
    if (buf->start < buf->end)
        return;
    buf->start = buf->end = 0;
    if (buf->size > OUTBUF_KEEP_BYTES) {
        free(buf->data);
        buf->data = NULL;
        buf->size = 0;
    }
}

ssize_t outbuf_flush(struct outbuf *buf, int fd)
{
    size_t written = 0;

    /* Not write_all: on a non-blocking socket it cannot tell how much went
     * out before EAGAIN. Here every byte written is accounted for. */
    while (outbuf_pending(buf) > 0) {
        ssize_t n = write(fd, outbuf_head(buf), outbuf_pending(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* the socket is full: the loop says when to go on */
        if (n < 0)
            return -1;
        outbuf_consume(buf, (size_t)n);
        written += (size_t)n;
    }
    if (written > 0)
        buf->last_progress = now_seconds();
    return (ssize_t)written;
}

bool outbuf_too_full(const struct outbuf *buf, size_t pause_bytes)
{
    return outbuf_pending(buf) >= pause_bytes;
}

bool outbuf_stalled(const struct outbuf *buf, double now, double stall_s)
{
    return outbuf_pending(buf) > 0 && now - buf->last_progress >= stall_s;
}

ssize_t outbuf_fill(struct outbuf *buf, int fd, size_t max)
{
    ssize_t n;

    if (reserve(buf, max) != 0)
        return -1;
    n = read_some(fd, buf->data + buf->end, max);
    if (n > 0)
        buf->end += (size_t)n;
    return n;
}

void outbuf_free(struct outbuf *buf)
{
    if (buf->total != NULL)
        buf->total->pending -= outbuf_pending(buf);
    free(buf->data);
    buf->data = NULL;
    buf->start = buf->end = buf->size = 0;
}
