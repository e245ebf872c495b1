/* 10-pipes-fifo-signals/server.c - the upper service over named pipes.
 *
 * What it teaches: a FIFO is a pipe with a name in the file system, so
 * unrelated programs can find it. Every client writes its requests into ONE
 * well-known FIFO; the server reads them all from there, one frame at a
 * time (an iterative server, like 01), and answers each client on that
 * client's own reply FIFO. Four things make it work:
 *   - each request is one write() of at most PIPE_BUF bytes, which the
 *     kernel makes atomic: frames from many clients never interleave;
 *   - the server opens its own FIFO for writing too, so read() never
 *     returns end of file when the last client goes away;
 *   - the reply FIFO is opened with O_NONBLOCK and a bounded retry, so a
 *     client that died before reading cannot block the server;
 *   - it waits in pselect() with SIGINT/SIGTERM unblocked only there, so a
 *     stop signal is never lost between "check the flag" and "wait".
 *
 * Run:   ./10-pipes-fifo-signals/server /tmp/upper.fifo      and then
 *        ./10-pipes-fifo-signals/client /tmp/upper.fifo
 * Look:  ls -l /tmp/upper.fifo* while a client runs: the request FIFO and
 *        the client's reply FIFO, both prw------- (mode 0600).
 */
#include "frame.h"
#include "ipc_helpers.h"
#include "io.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only the owner may read or write the FIFOs: anybody who can write the
 * request FIFO can ask for replies under any client's id. */
#define FIFO_MODE 0600
/* A client's reply FIFO with no reader (ENXIO) is tried this many times,
 * this far apart: a vanished client costs at most 50 x 10 ms. */
#define REPLY_OPEN_TRIES 50
#define REPLY_RETRY_MS   10
#define MAX_DELAY_MS     3600000L

struct fifo_server {
    const char *path;
    long delay_ms;
    bool quiet;
    bool created;   /* we made the FIFO: remove it if start-up fails */
    int request_fd; /* we read every client's requests here */
    int keep_fd;    /* our own write end: no EOF between clients */
    long requests;  /* count, for the log lines */
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

/* Opens both ends of the request FIFO, creating it if needed. Returns 0,
 * or -1 after printing why. */
static int open_request_fifo(struct fifo_server *server)
{
    const char *path = server->path;
    struct stat read_info, keep_info;

    /* mkfifo, like open with O_CREAT|O_EXCL, never replaces or follows
     * what is already at the path; if something is there we look at it. */
    if (mkfifo(path, FIFO_MODE) == 0)
        server->created = true;
    else if (errno != EEXIST)
        goto failed;
    /* O_NONBLOCK: a plain open for reading would wait for a first writer.
     * O_NOFOLLOW: a symbolic link planted at the path is refused. */
    server->request_fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    if (server->request_fd < 0 || fstat(server->request_fd, &read_info) != 0)
        goto failed;
    if (!S_ISFIFO(read_info.st_mode)) {
        report_error(path, "exists and is not a FIFO");
        return -1;
    }
    /* mkfifo's mode went through the umask, and a FIFO left by an earlier
     * run may have any mode: set it on the file we really opened. */
    if (fchmod(server->request_fd, FIFO_MODE) != 0)
        goto failed;
    /* Our own writer. Without it, read() returns 0 (end of file) each time
     * the last client closes, and the server would spin or quit. The path
     * could have changed since the first open: check it is the same FIFO. */
    server->keep_fd = open(path, O_WRONLY | O_NOFOLLOW);
    if (server->keep_fd < 0 || fstat(server->keep_fd, &keep_info) != 0)
        goto failed;
    if (keep_info.st_dev != read_info.st_dev ||
        keep_info.st_ino != read_info.st_ino) {
        report_error(path, "was replaced while opening it");
        return -1;
    }
    /* Back to blocking reads; the server waits in pselect() anyway. */
    if (clear_nonblocking(server->request_fd) == 0)
        return 0;
failed:
    report_errno(path);
    return -1;
}

/* O_NONBLOCK makes open fail with ENXIO instead of waiting when nobody has
 * the reply FIFO open for reading: the client has not opened it yet, or it
 * is dead. Retry a bounded number of times, then give up on that client. */
static int open_reply_fifo(const char *path)
{
    for (int attempt = 1;; attempt++) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
        if (fd >= 0 || errno != ENXIO || attempt == REPLY_OPEN_TRIES)
            return fd;
        sleep_ms(REPLY_RETRY_MS);
    }
}

/* Sends one reply frame to client id. Every failure costs only that
 * client: a log line, and the server goes on. */
static void send_reply(const struct fifo_server *server, long id,
                       const unsigned char *frame, size_t size)
{
    char path[PATH_MAX], what[PATH_MAX + 16];
    struct stat info;
    int fd;

    if (reply_fifo_path(server->path, id, path, sizeof path) != 0) {
        report_error(server->path, "reply FIFO path too long");
        return;
    }
    if ((fd = open_reply_fifo(path)) < 0) {
        if (errno == ENXIO)
            report_error(path, "nobody reading: reply dropped");
        else
            report_errno(path);
        return;
    }
    /* Whatever we opened must be a FIFO of our own user, not a file or a
     * device somebody else put at that name. */
    if (fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode) ||
        info.st_uid != geteuid()) {
        report_error(path, "not a FIFO of ours: reply dropped");
    } else if (write_all(fd, frame, size) != 0) {
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
    size = frame_encode(header->id, payload, header->length, reply);
    send_reply(server, header->id, reply, size);
}

/* Serves every whole frame in buf[0..used) and drops garbage; returns how
 * many bytes are left (the start of a frame still arriving). */
static size_t serve_frames(struct fifo_server *server, unsigned char *buf,
                           size_t used)
{
    /* EXERCISE(10-pipes-fifo-signals): find each whole frame in buf with
     * frame_scan, drop the garbage before it, serve it, and keep the start of a
     * frame still arriving at the front of buf */
    enum frame_scan_result found;

    do {
        struct frame_header header;
        size_t skip, consumed;

        found = frame_scan(buf, used, &header, &skip);
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
    /* STUB: (void)serve_request; (void)buf; (void)used; */
    /* STUB: (void)server; */
    /* STUB: report_error("serve_frames", "not written yet: stopping"); */
    /* STUB: raise(SIGTERM); */
    /* STUB: return 0; */
    /* END EXERCISE */
}

/* EXERCISE(10-pipes-fifo-signals): SIGUSR1 asks for a status line */
/* Set by the SIGUSR1 handler, read and cleared by the loop. */
static volatile sig_atomic_t status_wanted = 0;

static void ask_for_status(int signo)
{
    (void)signo;
    status_wanted = 1;
}

/* Installs the SIGUSR1 handler and adds SIGUSR1 to `blocked`, the signals
 * the loop keeps blocked outside pselect: like a stop signal, it is then
 * delivered only while we wait, never in the middle of a request. */
static int catch_status_signal(sigset_t *blocked)
{
    struct sigaction action;

    memset(&action, 0, sizeof action);
    action.sa_handler = ask_for_status;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGUSR1, &action, NULL) != 0) {
        report_errno("sigaction SIGUSR1");
        return -1;
    }
    return sigaddset(blocked, SIGUSR1);
}
/* END EXERCISE */

/* Waits until the request FIFO is readable or a stop signal comes.
 * Returns 1 when there is something to read, 0 on a stop signal, -1 on
 * error. SIGINT/SIGTERM are blocked everywhere else in the loop: pselect
 * unblocks them (wait_mask) and starts waiting in one atomic step, so a
 * signal that came during the work is delivered right here, and none can
 * slip in between "check the flag" and "wait" (the race of pause(), see
 * ./signals 4). */
static int wait_for_requests(const struct fifo_server *server,
                             const sigset_t *wait_mask)
{
    const int fd = server->request_fd;

    for (;;) {
        fd_set readable;

        FD_ZERO(&readable);
        FD_SET(fd, &readable); /* fd is small: opened first, below 1024 */
        if (pselect(fd + 1, &readable, NULL, NULL, NULL, wait_mask) > 0)
            return 1;
        if (errno != EINTR) {
            report_errno("pselect");
            return -1;
        }
        if (stop_requested())
            return 0;
        /* EXERCISE(10-pipes-fifo-signals): SIGUSR1: print the status line */
        if (status_wanted) {
            status_wanted = 0;
            printf("status: %ld requests served\n", server->requests);
        }
        /* END EXERCISE */
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
    /* EXERCISE(10-pipes-fifo-signals): SIGUSR1 asks for a status line */
    if (catch_status_signal(&stop_set) != 0)
        return 1;
    /* END EXERCISE */
    if (sigprocmask(SIG_BLOCK, &stop_set, &wait_mask) != 0) {
        report_errno("sigprocmask");
        return 1;
    }
    while ((ready = wait_for_requests(server, &wait_mask)) > 0) {
        /* Readable, and we are its only reader: read() will not block. */
        ssize_t n =
            read_some(server->request_fd, buf + used, sizeof buf - used);
        if (n <= 0) {
            /* 0 cannot happen while we hold keep_fd; say so if it does. */
            if (n == 0)
                report_error(server->path, "unexpected end of file");
            else
                report_errno(server->path);
            return 1;
        }
        used = serve_frames(server, buf, used + (size_t)n);
    }
    return ready == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct fifo_server server = {
        .delay_ms = DEFAULT_DELAY_MS, .request_fd = -1, .keep_fd = -1};
    int status;

    set_progname(argv[0]);
    if ((status = parse_args(argc, argv, &server)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if (open_request_fifo(&server) != 0) {
        status = 1;
    } else {
        printf("listening on FIFO %s\n", server.path);
        fflush(stdout);
        status = serve_requests(&server);
    }
    if (server.request_fd >= 0)
        close(server.request_fd);
    if (server.keep_fd >= 0)
        close(server.keep_fd);
    /* Remove the FIFO when we made it or served on it; never a file that
     * was there and turned out not to be a FIFO. */
    if ((server.created || status == 0) && unlink(server.path) != 0)
        report_errno(server.path);
    if (status == 0)
        printf("shut down\n");
    return status;
}
