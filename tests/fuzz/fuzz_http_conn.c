/* tests/fuzz/fuzz_http_conn.c - libFuzzer target for 09-epoll/http_conn.c,
 * the request loop of one httpd connection: it reads what the client
 * sent, finds each pipelined head and body, queues the replies (keep-alive,
 * HEAD, 400, "100 Continue") in the connection's fixed output buffer and
 * writes them.
 *
 * The connection is a real one, over a socketpair, driven as httpd's event
 * loop drives it: the client's bytes go in pieces, http_conn_read while
 * nothing waits to be written, http_conn_write (after the client read what
 * was written) while something does. The input is
 *     byte 0: bit 7 sends everything at once, else (bits 0-6) + 1 bytes a
 *             piece; bit 6 with bit 7 also shrinks the socket's send buffer
 *             (partial writes, back-pressure);
 *     byte 1: how many times the rest is sent (1-64): a short seed of a
 *             few requests becomes a pipeline long enough to fill the
 *             output buffer;
 *     bytes 2, 3: how many keep-alive GETs, then HEADs (0-31 each) go
 *             first: their replies fill the output buffer to a level the
 *             fuzzer picks with two bytes, where what comes next decides
 *             whether the room checks hold (a random pipeline reaches a
 *             given level only by chance);
 *     the rest: the client's bytes.
 *
 * Besides memory safety (ASan, UBSan) it checks what a client relies on:
 *  - out_len never passes OUT_MAX (a few bytes too far could land in the
 *    struct's padding, unseen by ASan);
 *  - what the client receives is a sequence of whole replies httpd
 *    formatted at start, and nothing follows a reply that closes (a 400 or
 *    "Connection: close"). */
#include "http_conn.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The most the client sends in one run: the repeats of a 4 KiB input fed a
 * byte at a time would take seconds. */
#define SEND_MAX 16384
/* The most pieces it is sent in: a byte at a time, the run stays short. */
#define PIECES_MAX 1024
/* What the client side keeps of httpd's replies. */
#define RECEIVED_MAX (1 << 20)

static struct http_replies replies;

/* Strips one known reply from the front of *text; returns it, or NULL. The
 * longest match first: a HEAD reply is the start of its GET reply. */
static const struct http_reply *take_reply(const char **text, size_t *len)
{
    const struct http_reply *known[] = {
        &replies.ok[1][0], &replies.ok[0][0], &replies.ok[1][1],
        &replies.ok[0][1], &replies.bad,      &replies.go_on};

    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i]->len <= *len &&
            memcmp(*text, known[i]->text, known[i]->len) == 0) {
            *text += known[i]->len;
            *len -= known[i]->len;
            return known[i];
        }
    return NULL;
}

/* The client's view: whole replies, nothing after a closing one. */
static void check_received(const char *text, size_t len)
{
    bool closed = false;

    while (len > 0) {
        const struct http_reply *reply = take_reply(&text, &len);
        if (reply == NULL || closed)
            abort();
        closed = reply == &replies.bad || reply == &replies.ok[0][0] ||
                 reply == &replies.ok[0][1];
    }
}

/* Reads what httpd wrote so far into received[]. */
static void drain(int fd, char *received, size_t *received_len)
{
    ssize_t n;

    do {
        char scratch[4096];
        n = read(fd, scratch, sizeof scratch);
        if (n > 0 && *received_len + (size_t)n <= RECEIVED_MAX) {
            memcpy(received + *received_len, scratch, (size_t)n);
            *received_len += (size_t)n;
        }
    } while (n > 0);
}

/* One step of the event loop; returns -1 once httpd closes. */
static int step(struct conn *conn, int client_fd, char *received,
                size_t *received_len)
{
    int outcome;

    if (http_conn_output_waits(conn)) {
        drain(client_fd, received, received_len);
        outcome = http_conn_write(conn, &replies);
    } else {
        outcome = http_conn_read(conn, &replies);
    }
    if (conn->out_len > OUT_MAX || conn->out_sent > conn->out_len)
        abort();
    return outcome;
}

/* The client's bytes, as the input's header says; returns their length. */
static size_t build_stream(const uint8_t *data, size_t size, uint8_t *stream)
{
    static const char get[] = "GET /g HTTP/1.1\r\nHost: x\r\n\r\n",
                      head[] = "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t len = 0, repeats = data[1] % 64 + 1;

    for (int i = 0; i < data[2] % 32; i++, len += sizeof get - 1)
        memcpy(stream + len, get, sizeof get - 1);
    for (int i = 0; i < data[3] % 32; i++, len += sizeof head - 1)
        memcpy(stream + len, head, sizeof head - 1);
    for (size_t i = 0; i < repeats && len + size - 4 <= SEND_MAX; i++) {
        memcpy(stream + len, data + 4, size - 4);
        len += size - 4;
    }
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char received[RECEIVED_MAX];
    static uint8_t stream[SEND_MAX];
    struct sockaddr_in peer = {.sin_family = AF_INET};
    struct conn *list = NULL, *conn;
    size_t received_len = 0, piece, total, sent = 0;
    int fds[2], outcome = 0;

    if (size < 4 || size - 4 > SEND_MAX / 2)
        return 0;
    if (replies.go_on.len == 0)
        http_format_replies(&replies);
    piece = data[0] & 0x80 ? SEND_MAX : (size_t)(data[0] & 0x7f) + 1;
    total = build_stream(data, size, stream);
    if (total > piece * PIECES_MAX)
        total = piece * PIECES_MAX;
    if (total == 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return 0;
    if (fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0)
        abort();
    if ((data[0] & 0xc0) == 0xc0) {
        int small = 1; /* the kernel rounds it up to its minimum */
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    }
    conn = http_conn_new(fds[0], (struct sockaddr *)&peer, sizeof peer, &list);
    if (conn == NULL)
        abort();
    /* Send a piece, let httpd act on it until it waits for more. */
    while (sent < total && outcome == 0) {
        size_t len = total - sent < piece ? total - sent : piece;
        ssize_t n = write(fds[1], stream + sent, len);
        if (n <= 0) { /* the socket is full: httpd must act first */
            drain(fds[1], received, &received_len);
            n = 0;
        }
        sent += (size_t)n;
        /* The socket stays readable while bytes wait: a few steps, as
         * many as level-triggered epoll would report. */
        for (int i = 0; i < 4 && outcome == 0; i++)
            outcome = step(conn, fds[1], received, &received_len);
    }
    for (int i = 0; i < 8 && outcome == 0; i++)
        outcome = step(conn, fds[1], received, &received_len);
    drain(fds[1], received, &received_len);
    if (received_len < RECEIVED_MAX)
        check_received(received, received_len);
    http_conn_free(conn, &list); /* closes fds[0] */
    close(fds[1]);
    return 0;
}
