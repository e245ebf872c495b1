/* 10-pipes-fifo-signals/client.c - the upper client over named pipes.
 *
 * What it teaches: the other half of a FIFO conversation. The client makes
 * its own reply FIFO (FIFO.reply.PID.TOKEN, mode 0600, TOKEN random: see
 * reply_fifo.h) before asking anything, writes each line as one frame into
 * the server's FIFO (one atomic write, so it never mixes with other
 * clients' frames), and waits for the reply frame on its own FIFO. It
 * removes its FIFO when it ends, also on Ctrl-C.
 *
 * Run:   ./10-pipes-fifo-signals/client upper.fifo   (a server's FIFO)
 * Look:  a line longer than FRAME_PAYLOAD_MAX (4072 bytes here) is refused
 *        with a message, since it would not fit in one atomic write; and
 *        after Ctrl-C, ls shows that its reply FIFO is gone.
 */
#include "frame.h"
#include "ipc_helpers.h"
#include "io.h"
#include "reply_fifo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 30L
#define MAX_TIMEOUT_S     3600L

struct fifo_client {
    const char *request_path;
    long id;                 /* our PID: with reply.token, names our FIFO */
    long timeout_s;          /* -t: how long to wait for one reply */
    int request_fd;          /* the server's FIFO, write end */
    struct reply_fifo reply; /* our FIFO (reply_fifo.h) */
};

/* The signal that asked us to stop, or 0. The handler only stores it:
 * removing the FIFO happens in main, on the same path as a normal exit.
 * (unlink() is async-signal-safe, so the handler could do it, but then the
 * program would go on running with its FIFO gone.) */
static volatile sig_atomic_t stop_signal = 0;

static void on_stop_signal(int signo)
{
    stop_signal = signo;
}

/* No SA_RESTART: getline() and poll() fail with EINTR, so main notices.
 * Returns 0, or -1 after printing why. */
static int catch_stop_signals_here(void)
{
    if (install_handler(SIGINT, on_stop_signal, 0) != 0 ||
        install_handler(SIGTERM, on_stop_signal, 0) != 0 ||
        install_handler(SIGHUP, on_stop_signal, 0) != 0)
        return -1;
    /* A vanished server is EPIPE, not death. */
    if (ignore_sigpipe() == 0)
        return 0;
    report_errno("sigaction");
    return -1;
}

/* Returns -1 to go on, or the exit status (0 after -h, 2 on a mistake). */
static int parse_args(int argc, char **argv, struct fifo_client *client)
{
    const struct opt_spec options[] = {
        {'t', "SEC", "seconds to wait for a reply (default 30)", 1,
         MAX_TIMEOUT_S, &client->timeout_s, NULL},
    };
    return parse_fifo_args(argc, argv, options,
                           sizeof options / sizeof options[0],
                           &client->request_path);
}

/* Makes and opens our reply FIFO, then opens the server's FIFO. Returns 0,
 * or -1 after printing why. */
static int open_fifos(struct fifo_client *client)
{
    struct stat info;

    /* Our FIFO first, open for reading before we send anything. */
    if (make_reply_fifo(client->request_path, client->id, &client->reply) != 0)
        return -1;
    /* ENXIO here means the FIFO exists but no server has it open.
     * O_NOFOLLOW, and the owner check below, as the server does: in a
     * shared directory (/tmp) another user can put a FIFO, or a link to
     * one, at the path, read our lines, and answer them. */
    client->request_fd =
        open(client->request_path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
    if (client->request_fd < 0) {
        if (errno == ENXIO)
            report_error(client->request_path, "no server is reading it");
        else if (errno == ELOOP)
            report_error(client->request_path, "a symbolic link: refused");
        else
            report_errno(client->request_path);
        return -1;
    }
    /* Checked on what we opened (fstat), before anything is written. */
    if (fstat(client->request_fd, &info) != 0 || !S_ISFIFO(info.st_mode)) {
        report_error(client->request_path, "not a FIFO");
        return -1;
    }
    if (info.st_uid != geteuid()) {
        report_error(client->request_path, "owned by another user: refused");
        return -1;
    }
    /* Blocking writes from now on: a full FIFO makes write() wait for the
     * server to read, instead of failing with EAGAIN. */
    if (clear_nonblocking(client->request_fd) != 0) {
        report_errno("fcntl");
        return -1;
    }
    return 0;
}

/* Waits for the reply to arrive. Returns 1 when it is there, 0 when we
 * were asked to stop, -1 after printing why not. */
static int wait_for_reply(const struct fifo_client *client)
{
    /* The write end of a pipe reports POLLERR once nobody reads the other
     * end: that is how we notice a server that went away. */
    struct pollfd fds[2] = {{.fd = client->reply.read_fd, .events = POLLIN},
                            {.fd = client->request_fd, .events = 0}};
    int ready;

    /* EINTR without a stop signal (a stop and continue, say): wait again. */
    while ((ready = poll(fds, 2, (int)(client->timeout_s * 1000))) < 0 &&
           errno == EINTR && stop_signal == 0)
        ;
    if (ready < 0 && stop_signal != 0)
        return 0;
    if (ready < 0) {
        report_errno("poll");
        return -1;
    }
    if (fds[0].revents & POLLIN)
        return 1;
    if (ready == 0) {
        fprintf(stderr, "%s: no reply within %ld s\n", progname(),
                client->timeout_s);
        return -1;
    }
    report_error("server", "closed its FIFO");
    return -1;
}

/* Reads one reply frame and checks it answers our request. The server
 * wrote it with one atomic write, so once poll says "readable" the whole
 * frame is there and one read takes it (our descriptor is non-blocking: a
 * short frame is an error, never a hang). */
static int read_reply(const struct fifo_client *client, size_t expected,
                      unsigned char *frame)
{
    ssize_t n = read_some(client->reply.read_fd, frame, FRAME_MAX);
    struct frame_header header;
    size_t skip;

    if (n < 0 ||
        frame_scan(frame, (size_t)n, true, &header, &skip) != FRAME_COMPLETE ||
        skip != 0 || header.length != expected ||
        (size_t)n != FRAME_HEADER_SIZE + expected || header.id != client->id ||
        header.token != client->reply.token) {
        report_error(client->reply.path, "malformed or short reply");
        return -1;
    }
    return 0;
}

/* One line out, one reply back. Returns 1 when done, 0 when asked to stop,
 * -1 after printing an error. */
static int exchange_line(const struct fifo_client *client, const char *line,
                         size_t len)
{
    unsigned char frame[FRAME_MAX];
    size_t size =
        frame_encode(client->id, client->reply.token, line, len, frame);
    int ready;

    /* One write() of at most PIPE_BUF bytes: atomic, whole or not at all. */
    if (write_all(client->request_fd, frame, size) != 0) {
        report_errno(client->request_path);
        return -1;
    }
    if ((ready = wait_for_reply(client)) <= 0)
        return ready;
    if (read_reply(client, len, frame) != 0)
        return -1;
    /* fwrite, not printf's %s: the reply may contain NUL bytes. */
    fputs("Reply is '", stdout);
    fwrite(frame + FRAME_HEADER_SIZE, 1, len, stdout);
    fputs("'\n", stdout);
    return 1;
}

/* Reads stdin line by line until its end, an error or a stop signal.
 * Returns the exit status. */
static int run_lines(const struct fifo_client *client)
{
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t line_len;
    long line_number = 0;
    int status = 0;

    /* Teaching shortcut: a Ctrl-C that lands after this check but before
     * getline() blocks in read() is only noticed at the next line or the
     * next Ctrl-C: the race of ./signals 4. The server closes it exactly
     * with pselect(); here stdio's buffer makes that awkward. */
    while (stop_signal == 0 &&
           (line_len = getline(&line, &line_cap, stdin)) > 0) {
        size_t len = (size_t)line_len;

        line_number++;
        if (line[len - 1] == '\n')
            len--; /* the newline is not part of the message */
        if (len == 0)
            continue; /* nothing to send: an empty message has no reply */
        if (len > FRAME_PAYLOAD_MAX) {
            /* Refused, not split: two writes are not atomic together, and
             * another client's frame could land between the halves. */
            fprintf(stderr,
                    "%s: line %ld is %zu bytes, more than %d: a request "
                    "must fit in one atomic FIFO write (PIPE_BUF %d); "
                    "line skipped\n",
                    progname(), line_number, len, FRAME_PAYLOAD_MAX, PIPE_BUF);
            status = 1; /* go on with the next line, but remember */
            continue;
        }
        if (exchange_line(client, line, len) != 1) {
            status = 1;
            break;
        }
    }
    if (stop_signal == 0 && ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
    free(line);
    return status;
}

int main(int argc, char **argv)
{
    struct fifo_client client = {.timeout_s = DEFAULT_TIMEOUT_S,
                                 .request_fd = -1,
                                 .reply = {.read_fd = -1, .keep_fd = -1}};
    int status;

    set_progname(argv[0]);
    if ((status = parse_args(argc, argv, &client)) >= 0)
        return status;
    /* Line buffering: each reply shows up at once even through a pipe
     * (the buffering lesson of ./pipes 3). */
    setvbuf(stdout, NULL, _IOLBF, 0);
    client.id = (long)getpid();
    if (catch_stop_signals_here() != 0)
        return 1;
    status = open_fifos(&client) == 0 ? run_lines(&client) : 1;
    if (client.request_fd >= 0)
        close(client.request_fd);
    remove_reply_fifo(&client.reply);
    if (stop_signal != 0) {
        /* Cleaned up; now die of the signal after all, so that the shell
         * sees "killed by SIGINT" and not an ordinary exit. */
        fflush(stdout);
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    return status;
}
