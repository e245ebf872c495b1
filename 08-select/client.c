/* 08-select/client.c - a client that waits on stdin and the socket at once.
 *
 * What it teaches: Stevens' str_cli problem (UNP 6.4-6.7). A client that
 * reads a line, sends it and then blocks reading the reply is fine when a
 * person types, but with a pasted batch (or a file on stdin) it cannot
 * notice that the server closed, and it wastes the time the requests
 * could be travelling. Here select() watches stdin and the socket together:
 * lines are sent as they come, replies printed as they arrive. Since TCP
 * has no message boundaries, replies are matched by length: each line sent
 * puts its length in a queue, and a reply is complete when that many bytes
 * came back. At end of input, shutdown(SHUT_WR) tells the server "no more
 * requests" while the replies still in flight keep arriving.
 *
 * Stress mode (-n N, select_stress.c) runs every simulated client in one
 * select() loop: one thread, a small state machine per connection.
 *
 * Run:   ./08-select/client localhost 2000 < some-file.txt
 *        ./08-select/client -n 10 localhost 2000
 * Look:  with a file of 100 lines all 100 replies come back, in order;
 *        -n is refused above SIM_CLIENTS_MAX (select's FD_SETSIZE).
 */
#include "client/client.h"
#include "outbuf.h"
#include "io.h"
#include "net.h"
#include "options.h"
#include "select_stress.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* stdin is read in blocks into our own buffer, never through stdio: a
 * FILE's buffer could hold lines that select() cannot see (UNP 6.5). */
#define STDIN_BLOCK 65536
/* Bytes of a reply read at once. */
#define SOCKET_BLOCK 65536
/* Stop reading stdin while this much is waiting to be sent: a huge paste
 * waits in the pipe instead of in our memory. */
#define SEND_PAUSE_BYTES ((size_t)256 * 1024)

/* --- interactive mode -------------------------------------------------- */

struct session {
    int fd;
    bool stdin_open;
    bool write_shut;           /* shutdown(SHUT_WR) done */
    struct outbuf input;       /* stdin bytes that are not a whole line yet */
    struct outbuf to_send;     /* lines (without newline) not yet written */
    struct outbuf reply_bytes; /* socket bytes not yet a whole reply */
    struct outbuf lengths;     /* size_t lengths of the replies awaited */
};

static size_t replies_awaited(const struct session *s)
{
    return outbuf_pending(&s->lengths) / sizeof(size_t);
}

/* Queues one line for sending and remembers the length of its reply. */
static int queue_line(struct session *s, const char *line, size_t len)
{
    if (len == 0)
        return 0; /* an empty message would have no reply: skip it */
    if (outbuf_append(&s->to_send, line, len, SIZE_MAX) != 0 ||
        outbuf_append(&s->lengths, &len, sizeof len, SIZE_MAX) != 0) {
        report_errno("out of memory");
        return -1;
    }
    return 0;
}

/* Takes every whole line out of the input; at end of input the rest is
 * the last line even without its newline. */
static int queue_whole_lines(struct session *s)
{
    char *newline;

    /* An empty outbuf may have no memory at all (data NULL): memchr must
     * not see it. */
    while (outbuf_pending(&s->input) > 0 &&
           (newline = memchr(outbuf_head(&s->input), '\n',
                             outbuf_pending(&s->input))) != NULL) {
        size_t len = (size_t)(newline - outbuf_head(&s->input));
        if (queue_line(s, outbuf_head(&s->input), len) != 0)
            return -1;
        outbuf_consume(&s->input, len + 1);
    }
    if (!s->stdin_open) {
        size_t len = outbuf_pending(&s->input);
        if (queue_line(s, outbuf_head(&s->input), len) != 0)
            return -1;
        outbuf_consume(&s->input, len);
    }
    return 0;
}

static int read_stdin(struct session *s)
{
    ssize_t n = outbuf_fill(&s->input, 0, STDIN_BLOCK);

    if (n < 0) {
        report_errno("stdin");
        return -1;
    }
    if (n == 0)
        s->stdin_open = false;
    return queue_whole_lines(s);
}

/* Prints every reply that is complete, in the order the lines were sent. */
static void print_complete_replies(struct session *s)
{
    size_t len;

    while (replies_awaited(s) > 0) {
        memcpy(&len, outbuf_head(&s->lengths), sizeof len);
        if (outbuf_pending(&s->reply_bytes) < len)
            return;
        /* fwrite, not printf's %s: the reply may contain NUL bytes. */
        fputs("Reply is '", stdout);
        fwrite(outbuf_head(&s->reply_bytes), 1, len, stdout);
        fputs("'\n", stdout);
        outbuf_consume(&s->reply_bytes, len);
        outbuf_consume(&s->lengths, sizeof len);
    }
}

static int read_replies(struct session *s)
{
    ssize_t n = outbuf_fill(&s->reply_bytes, s->fd, SOCKET_BLOCK);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n < 0) {
        report_errno("receive");
        return -1;
    }
    if (n == 0) {
        /* We never closed first: every reply we wait for is lost. */
        report_error("server", "closed the connection");
        return -1;
    }
    print_complete_replies(s);
    return 0;
}

static int send_queued(struct session *s)
{
    if (outbuf_flush(&s->to_send, s->fd) < 0) {
        report_errno("send");
        return -1;
    }
    /* Everything is sent and no more will come: say so, but keep reading.
     * close() here would throw away the replies still on their way. */
    if (!s->stdin_open && outbuf_pending(&s->to_send) == 0 && !s->write_shut) {
        if (shutdown(s->fd, SHUT_WR) != 0) {
            report_errno("shutdown");
            return -1;
        }
        s->write_shut = true;
    }
    return 0;
}

/* The loop of one interactive session. Returns the exit status. */
static int converse(struct session *s)
{
    while (s->stdin_open || outbuf_pending(&s->to_send) > 0 ||
           replies_awaited(s) > 0) {
        fd_set readable, writable;

        FD_ZERO(&readable);
        FD_ZERO(&writable);
        if (s->stdin_open && outbuf_pending(&s->to_send) < SEND_PAUSE_BYTES)
            FD_SET(0, &readable);
        /* Always watch the socket for reading: that is how we learn at
         * once that the server closed, even while we wait on stdin. */
        FD_SET(s->fd, &readable);
        if (outbuf_pending(&s->to_send) > 0)
            FD_SET(s->fd, &writable);
        if (select(s->fd + 1, &readable, &writable, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            report_errno("select");
            return 1;
        }
        if (FD_ISSET(0, &readable) && read_stdin(s) != 0)
            return 1;
        /* After end of input, also when not asked to: the last lines may
         * go at once, and shutdown() must follow them. */
        if ((FD_ISSET(s->fd, &writable) || !s->stdin_open) &&
            send_queued(s) != 0)
            return 1;
        if (FD_ISSET(s->fd, &readable) && read_replies(s) != 0)
            return 1;
    }
    return 0;
}

static int run_interactive_select(const struct client_args *args)
{
    struct session s = {.fd = -1, .stdin_open = true};
    int status;

    if ((s.fd = connect_or_report(args)) < 0)
        return 1;
    if (s.fd >= FD_SETSIZE) { /* select() could not watch it */
        report_error("socket", "descriptor beyond FD_SETSIZE");
        close(s.fd);
        return 1;
    }
    if (set_nonblocking(s.fd) != 0) {
        report_errno("fcntl");
        close(s.fd);
        return 1;
    }
    status = converse(&s);
    close(s.fd);
    outbuf_free(&s.input);
    outbuf_free(&s.to_send);
    outbuf_free(&s.reply_bytes);
    outbuf_free(&s.lengths);
    return status;
}

int main(int argc, char **argv)
{
    struct client_args args;
    int status;

    set_progname(argv[0]);
    if ((status = parse_client_args(argc, argv, &args, 30, NULL, 0)) >= 0)
        return status;
    if (args.clients > SIM_CLIENTS_MAX) {
        fprintf(stderr,
                "%s: -n %ld: at most %d simulated clients, because select() "
                "only watches descriptors below FD_SETSIZE (%d); "
                "09-epoll/client has no such limit\n",
                progname(), args.clients, SIM_CLIENTS_MAX, FD_SETSIZE);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    return args.clients > 0 ? run_select_stress(&args)
                            : run_interactive_select(&args);
}
