/* conn.c - accepting within FD_SETSIZE, and pending output per client. */
#include "conn.h"

#include "io.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int listener_open(struct listener *listener, long port)
{
    listener->out_of_fds = false;
    listener->retry_at = 0;
    if ((listener->fd = listen_or_report(port)) < 0)
        return -1;
    if (listener->fd >= FD_SETSIZE || set_nonblocking(listener->fd) != 0) {
        if (listener->fd >= FD_SETSIZE)
            errno = EMFILE;
        report_errno("listening socket");
        close(listener->fd);
        return -1;
    }
    if (announce_port(listener->fd) != 0) {
        close(listener->fd);
        return -1;
    }
    return 0;
}

bool listener_watched(const struct listener *listener)
{
    return !listener->out_of_fds || now_seconds() >= listener->retry_at;
}

void listener_fd_freed(struct listener *listener)
{
    listener->retry_at = 0; /* worth trying again at once */
}

/* Out of descriptors. The connection stays in the listen queue and the
 * listener stays readable, so calling accept() again at once would fail
 * again, forever: a loop at 100% CPU. Instead stop watching the listener
 * until a client leaves or OUT_OF_FDS_PAUSE_S has passed, and say so once.
 * The waiting clients are not refused; they wait in the queue, as they
 * would with a busy server. (The other classic answer keeps a spare
 * descriptor open, closes it to accept and close the newcomer, and opens
 * it again: the client learns at once that it was refused. See the
 * README's exercises.) */
static void pause_listener(struct listener *listener)
{
    if (!listener->out_of_fds)
        report_errno("accept (not accepting for a moment)");
    listener->out_of_fds = true;
    listener->retry_at = now_seconds() + OUT_OF_FDS_PAUSE_S;
}

int accept_client(struct listener *listener, char *peer)
{
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t addr_len = sizeof addr;
        int fd = accept(listener->fd, (struct sockaddr *)&addr, &addr_len);

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE)
                pause_listener(listener);
            else if (errno == ECONNABORTED || errno == EPROTO)
                continue; /* that client gave up in the queue: next one */
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                report_errno("accept");
            return -1; /* EAGAIN: the queue is empty */
        }
        listener->out_of_fds = false;
        format_peer((struct sockaddr *)&addr, addr_len, peer, PEER_NAME_MAX);
        /* fd_set is a bit array of FD_SETSIZE bits: FD_SET on a larger
         * descriptor writes past its end (undefined behaviour, a classic
         * memory corruption). Such a client cannot be served here. */
        if (fd >= FD_SETSIZE) {
            fprintf(stderr,
                    "%s: refused %s: descriptor %d is beyond FD_SETSIZE "
                    "(%d)\n",
                    progname(), peer, fd, FD_SETSIZE);
            close(fd);
            continue;
        }
        /* A socket from accept() does not inherit O_NONBLOCK on Linux. */
        if (set_nonblocking(fd) != 0) {
            report_peer_errno("fcntl", peer);
            close(fd);
            continue;
        }
        return fd;
    }
}

size_t buffer_pending(const struct buffer *buf)
{
    return buf->end - buf->start;
}

char *buffer_head(const struct buffer *buf)
{
    return buf->data + buf->start;
}

/* Makes room for len more bytes after end. */
static int buffer_reserve(struct buffer *buf, size_t len)
{
    size_t pending = buffer_pending(buf);
    size_t size = buf->size > 0 ? buf->size : 4096;
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

int buffer_append(struct buffer *buf, const void *bytes, size_t len,
                  size_t limit)
{
    size_t pending = buffer_pending(buf);

    /* pending > limit first: limit - pending would wrap around (size_t)
     * when the buffer was filled under a larger limit. */
    if (pending > limit || len > limit - pending) {
        errno = ENOBUFS;
        return -1;
    }
    if (len == 0)
        return 0; /* a never-used buffer has data == NULL: no memcpy then */
    if (buffer_reserve(buf, len) != 0)
        return -1;
    memcpy(buf->data + buf->end, bytes, len);
    buf->end += len;
    return 0;
}

void buffer_consume(struct buffer *buf, size_t len)
{
    buf->start += len;
    if (buf->start == buf->end)
        buf->start = buf->end = 0;
}

ssize_t buffer_flush(int fd, struct buffer *buf)
{
    size_t written = 0;

    /* Not write_all: on a non-blocking socket it cannot tell how much went
     * out before EAGAIN. Here every byte written is accounted for. */
    while (buffer_pending(buf) > 0) {
        ssize_t n = write(fd, buffer_head(buf), buffer_pending(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break; /* the socket is full: select() says when to go on */
        if (n < 0)
            return -1;
        buffer_consume(buf, (size_t)n);
        written += (size_t)n;
    }
    return (ssize_t)written;
}

ssize_t buffer_read(int fd, struct buffer *buf, size_t max)
{
    ssize_t n;

    if (buffer_reserve(buf, max) != 0)
        return -1;
    n = read_some(fd, buf->data + buf->end, max);
    if (n > 0)
        buf->end += (size_t)n;
    return n;
}

void buffer_free(struct buffer *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->start = buf->end = buf->size = 0;
}
