/* 10-pipes-fifo-signals/server.c - the upper service over named pipes.
 *
 * What it teaches: a FIFO is a pipe with a name in the file system, so
 * unrelated programs can find it. Every client writes its requests into ONE
 * well-known FIFO; the server reads them all from there, one frame at a
 * time (an iterative server, like 01), and answers each client on that
 * client's own reply FIFO. Four things make it work:
 *   - each request is one write() of at most PIPE_BUF bytes, which the
 *     kernel makes atomic: frames from many clients never interleave, and
 *     a header whose payload did not come with it is garbage;
 *   - the server opens its own FIFO for writing too, so read() never
 *     returns end of file when the last client goes away;
 *   - the reply FIFO is opened with O_NONBLOCK and a bounded retry, so a
 *     client that died before reading cannot block the server;
 *   - it waits in pselect() on its FIFO and on the stop descriptor
 *     (common/stop.h), so a stop signal is never lost between "check"
 *     and "wait".
 * How it claims its FIFO safely is in request_fifo.c; the reply FIFOs'
 * names in reply_fifo.c.
 *
 * Run:   ./10-pipes-fifo-signals/server upper.fifo   (from the kit's root,
 *        a directory of your own: not /tmp, where anybody can create files)
 *        and, in another terminal, ./10-pipes-fifo-signals/client upper.fifo
 * Look:  ls -l upper.fifo* while a client runs: the request FIFO and the
 *        client's upper.fifo.reply.PID.TOKEN, both prw------- (mode 0600).
 */
#include "frame.h"
#include "ipc_helpers.h"
#include "io.h"
#include "reply_fifo.h"
#include "request_fifo.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define MAX_DELAY_MS 3600000L

struct fifo_server {
    const char *path;
    long delay_ms;
    bool quiet;
    struct request_fifo fifo;
    long requests; /* count, for the log lines */
};

/* Returns -1 to go on, or the exit status (0 after -h, 2 on a mistake). */
static int parse_args(int argc, char **argv, struct fifo_server *server)
{
    const struct opt_spec options[] = {
        {'d', "MS", "simulated work per request, in ms (default 1000)", 0,
         MAX_DELAY_MS, &server->delay_ms, NULL},
        {'q', NULL, "quiet: no per-request log lines", 0, 0, NULL,
         &server->quiet},
    };
    return parse_fifo_args(argc, argv, options,
                           sizeof options / sizeof options[0], &server->path);
}

/* Sends one reply frame to the client of header. Every failure costs only
 * that client: a log line, and the server goes on. */
static void send_reply(const struct fifo_server *server,
                       const struct frame_header *header,
                       const unsigned char *frame, size_t size)
{
    char path[PATH_MAX];
    int fd;

    if (reply_fifo_path(server->path, header->id, header->token, path,
                        sizeof path) != 0) {
        report_error(server->path, "reply FIFO path too long");
        return;
    }
    if ((fd = open_reply_fifo(path)) < 0)
        return;
    if (write_all(fd, frame, size) != 0) {
        char what[PATH_MAX + 16];
        /* EPIPE: the reader left (SIGPIPE is ignored). EAGAIN: the client
         * left earlier replies unread and its FIFO is full. */
        snprintf(what, sizeof what, "write to %s", path);
        report_errno(what);
    }
    close(fd);
}

/* One request: the simulated work, the transform, the reply. */
static void serve_request(struct fifo_server *server,
                          const struct frame_header *header,
                          unsigned char *payload)
{
    unsigned char reply[FRAME_MAX];
    size_t size;

    server->requests++;
    if (!server->quiet)
        printf("New request: %ld from %ld\n", server->requests, header->id);
    simulate_work(server->delay_ms);
    upper_transform((char *)payload, header->length);
    size =
        frame_encode(header->id, header->token, payload, header->length, reply);
    send_reply(server, header, reply, size);
}

/* Serves every whole frame in buf[0..used) and drops garbage; returns how
 * many bytes are left (the start of a frame still arriving). at_write_end:
 * the read that filled buf emptied the pipe (see frame_scan). */
static size_t serve_frames(struct fifo_server *server, unsigned char *buf,
                           size_t used, bool at_write_end)
{
    enum frame_scan_result found;

    do {
        struct frame_header header;
        size_t skip, consumed;

        found = frame_scan(buf, used, at_write_end, &header, &skip);
        if (skip > 0) {
            char what[64];
            /* A FIFO has no message boundaries: after bytes that are not
             * a frame (someone ran printf > FIFO), the next frame starts
             * at the next magic "UPF1" with a sane header. */
            snprintf(what, sizeof what, "dropped %zu bytes", skip);
            report_error(what, "not a valid request frame");
        }
        consumed = skip;
        if (found == FRAME_COMPLETE) {
            serve_request(server, &header, buf + skip + FRAME_HEADER_SIZE);
            consumed += FRAME_HEADER_SIZE + header.length;
        }
        memmove(buf, buf + consumed, used - consumed);
        used -= consumed;
    } while (found == FRAME_COMPLETE);
    return used;
}

/* Waits until the request FIFO is readable or a stop signal comes.
 * Returns 1 when there is something to read, 0 on a stop signal, -1 on
 * error. SIGINT/SIGTERM stay blocked (common/stop.h): a stop makes the
 * stop descriptor readable, whenever it came. A signal this program
 * handles itself is blocked everywhere else in the loop: pselect unblocks
 * it (wait_mask) and starts waiting in one atomic step, so a signal that
 * came during the work is delivered right here, and none can slip in
 * between "check the flag" and "wait" (the race of pause(), see
 * ./signals 4). */
static int wait_for_requests(const struct fifo_server *server,
                             const sigset_t *wait_mask)
{
    const int fd = server->fifo.read_fd;

    for (;;) {
        fd_set readable;

        FD_ZERO(&readable);
        FD_SET(fd, &readable); /* fd is small: opened first, below 1024 */
        FD_SET(stop_fd(), &readable); /* opened before fd, so below it */
        if (pselect(fd + 1, &readable, NULL, NULL, NULL, wait_mask) > 0)
            return FD_ISSET(stop_fd(), &readable) ? 0 : 1;
        if (errno != EINTR) {
            report_errno("pselect");
            return -1;
        }
        if (stop_requested())
            return 0;
    }
}

/* The server's loop: wait until some client writes, read what came, serve
 * the whole frames in it, repeat until SIGINT or SIGTERM. One read may
 * bring several clients' frames: they are served in order. */
static int serve_requests(struct fifo_server *server)
{
    /* One frame always fits: frame_scan leaves at most one partial frame,
     * and a frame is at most FRAME_MAX bytes. */
    unsigned char buf[FRAME_MAX];
    size_t used = 0;
    sigset_t stop_set, wait_mask;
    int ready;

    stop_signal_set(&stop_set);
    if (sigprocmask(SIG_BLOCK, &stop_set, &wait_mask) != 0) {
        report_errno("sigprocmask");
        return 1;
    }
    while ((ready = wait_for_requests(server, &wait_mask)) > 0) {
        /* Readable, and we are its only reader: read() will not block. */
        size_t room = sizeof buf - used;
        ssize_t n = read_some(server->fifo.read_fd, buf + used, room);

        if (n <= 0) {
            /* 0 cannot happen while we hold keep_fd; say so if it does. */
            if (n == 0)
                report_error(server->path, "unexpected end of file");
            else
                report_errno(server->path);
            return 1;
        }
        /* A read that did not fill its room took everything the pipe
         * held: it ends where some write() ended. */
        used = serve_frames(server, buf, used + (size_t)n, (size_t)n < room);
    }
    return ready == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct fifo_server server = {.delay_ms = DEFAULT_DELAY_MS};
    int status;

    set_progname(argv[0]);
    if ((status = parse_args(argc, argv, &server)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if (open_request_fifo(server.path, &server.fifo) != 0) {
        status = 1;
    } else {
        printf("listening on FIFO %s\n", server.path);
        fflush(stdout);
        status = serve_requests(&server);
    }
    /* Remove the FIFO when we made it or served on it; never a file that
     * was there and turned out not to be a FIFO, never the FIFO of another
     * server or of another user. Before closing: closing either descriptor
     * drops our lock, and a server starting in between would lose its
     * FIFO to our unlink. */
    if ((server.fifo.created || status == 0) && unlink(server.path) != 0)
        report_errno(server.path);
    if (server.fifo.read_fd >= 0)
        close(server.fifo.read_fd);
    if (server.fifo.keep_fd >= 0)
        close(server.fifo.keep_fd);
    if (status == 0)
        printf("shut down\n");
    return status;
}
