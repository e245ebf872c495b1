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
 * Stress mode runs every simulated client in the same select() loop: one
 * thread, a small state machine per connection, non-blocking connect.
 *
 * Run:   ./08-select/client localhost 2000 < some-file.txt
 *        ./08-select/client -n 10 localhost 2000
 * Look:  with a file of 100 lines all 100 replies come back, in order;
 *        -n is refused above SIM_CLIENTS_MAX (select's FD_SETSIZE).
 */
#include "client.h"
#include "conn.h"
#include "outbuf.h"
#include "io.h"
#include "net.h"
#include "options.h"
#include "stress.h"
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
/* Stress mode: every connection must fit in an fd_set, next to stdin,
 * stdout, stderr and what a debugger or the C library may hold open. */
#define SIM_CLIENTS_MAX (FD_SETSIZE - 24)

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

    while ((newline = memchr(outbuf_head(&s->input), '\n',
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

/* --- stress mode ------------------------------------------------------- */

enum sim_state { SIM_CONNECTING, SIM_SENDING, SIM_WAITING, SIM_DONE };

/* One simulated client: where it is in its conversation. */
struct sim {
    int fd;
    enum sim_state state;
    const struct addrinfo *addr; /* the address being tried */
    long round;                  /* the message it is on */
    size_t sent, got;
    char reply[16];
    double started; /* when this round (or the connect) began */
};

struct stress {
    const struct client_args *args;
    struct stress_report report;
    struct sim *sims;
    long active; /* simulated clients not done yet */
};

static void finish_sim(struct stress *st, struct sim *sim)
{
    if (sim->fd >= 0)
        close(sim->fd);
    sim->fd = -1;
    sim->state = SIM_DONE;
    st->active--;
}

static void fail_sim(struct stress *st, struct sim *sim, const char *what)
{
    stress_record_failure(&st->report, sim - st->sims, what);
    finish_sim(st, sim);
}

static void fail_sim_errno(struct stress *st, struct sim *sim,
                           const char *action)
{
    char what[128];
    snprintf(what, sizeof what, "%s: %s", action, strerror(errno));
    fail_sim(st, sim, what);
}

/* Tries to write the rest of this round's word; on to SIM_WAITING when
 * it is all out. A few bytes normally go at once. */
static void send_word(struct stress *st, struct sim *sim)
{
    const char *word = stress_word(sim->round);
    size_t len = stress_word_len(sim->round);
    ssize_t n = write(sim->fd, word + sim->sent, len - sim->sent);

    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        fail_sim_errno(st, sim, "send");
        return;
    }
    if (n > 0)
        sim->sent += (size_t)n;
    sim->state = sim->sent == len ? SIM_WAITING : SIM_SENDING;
}

static void begin_round(struct stress *st, struct sim *sim)
{
    sim->sent = sim->got = 0;
    sim->started = now_seconds();
    send_word(st, sim);
}

/* Starts a non-blocking connect to sim->addr or, when that fails at once,
 * to the next addresses. Leaves the client connecting, sending, or failed. */
static void start_connect(struct stress *st, struct sim *sim)
{
    for (; sim->addr != NULL; sim->addr = sim->addr->ai_next) {
        const struct addrinfo *ai = sim->addr;

        sim->fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (sim->fd < 0)
            continue;
        if (sim->fd >= FD_SETSIZE) {
            errno = EMFILE;
            break; /* select() cannot watch it: give up on this client */
        }
        if (set_nonblocking(sim->fd) != 0)
            break;
        sim->started = now_seconds();
        /* Non-blocking: the handshake goes on while we start the others.
         * select() reports the socket writable once it is over. */
        if (connect(sim->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            begin_round(st, sim);
            return;
        }
        if (errno == EINPROGRESS || errno == EINTR) {
            sim->state = SIM_CONNECTING;
            return;
        }
        close(sim->fd);
        sim->fd = -1;
    }
    fail_sim_errno(st, sim, "connect");
}

/* The socket of a connecting client became writable: the handshake is
 * over, and SO_ERROR says how it went (UNP 16.3). */
static void finish_connect(struct stress *st, struct sim *sim)
{
    int error = 0;
    socklen_t len = sizeof error;

    if (getsockopt(sim->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0)
        error = errno;
    if (error == 0) {
        begin_round(st, sim);
        return;
    }
    close(sim->fd);
    sim->fd = -1;
    sim->addr = sim->addr->ai_next; /* refused here: try the next address */
    if (sim->addr != NULL) {
        start_connect(st, sim);
        return;
    }
    errno = error;
    fail_sim_errno(st, sim, "connect");
}

static void receive_reply(struct stress *st, struct sim *sim)
{
    size_t len = stress_word_len(sim->round);
    ssize_t n = read_some(sim->fd, sim->reply + sim->got, len - sim->got);
    long client = sim - st->sims;

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n < 0) {
        fail_sim_errno(st, sim, "receive");
        return;
    }
    if (n == 0) {
        fail_sim(st, sim, "server closed the connection");
        return;
    }
    if ((sim->got += (size_t)n) < len)
        return;
    if (!stress_reply_ok(sim->round, sim->reply, len)) {
        char what[80];
        snprintf(what, sizeof what, "wrong reply '%.*s' to '%s'", (int)len,
                 sim->reply, stress_word(sim->round));
        fail_sim(st, sim, what);
        return;
    }
    stress_record_reply(&st->report, client,
                        (now_seconds() - sim->started) * 1000.0,
                        st->args->quiet);
    if (++sim->round == st->args->rounds)
        finish_sim(st, sim);
    else
        begin_round(st, sim);
}

/* Fills the sets for this pass and returns the earliest deadline. */
static double watch_sims(struct stress *st, fd_set *readable, fd_set *writable,
                         int *max_fd)
{
    double earliest = -1;

    FD_ZERO(readable);
    FD_ZERO(writable);
    *max_fd = -1;
    for (long i = 0; i < st->args->clients; i++) {
        struct sim *sim = &st->sims[i];
        double deadline = sim->started + (double)st->args->timeout_s;

        if (sim->state == SIM_DONE)
            continue;
        FD_SET(sim->fd, sim->state == SIM_WAITING ? readable : writable);
        if (sim->fd > *max_fd)
            *max_fd = sim->fd;
        if (earliest < 0 || deadline < earliest)
            earliest = deadline;
    }
    return earliest;
}

static void handle_ready_sims(struct stress *st, fd_set *readable,
                              fd_set *writable)
{
    double now = now_seconds();

    for (long i = 0; i < st->args->clients; i++) {
        struct sim *sim = &st->sims[i];

        if (sim->state == SIM_DONE)
            continue;
        if (sim->state == SIM_CONNECTING && FD_ISSET(sim->fd, writable))
            finish_connect(st, sim);
        else if (sim->state == SIM_SENDING && FD_ISSET(sim->fd, writable))
            send_word(st, sim);
        else if (sim->state == SIM_WAITING && FD_ISSET(sim->fd, readable))
            receive_reply(st, sim);
        else if (now - sim->started >= (double)st->args->timeout_s) {
            char what[64];
            snprintf(what, sizeof what, "no reply within %ld s",
                     st->args->timeout_s);
            fail_sim(st, sim, what);
        }
    }
}

/* All the simulated clients in one select() loop. */
static int drive_sims(struct stress *st)
{
    while (st->active > 0) {
        fd_set readable, writable;
        int max_fd;
        double wait_s =
            watch_sims(st, &readable, &writable, &max_fd) - now_seconds();
        /* Until the earliest deadline, rounded up to the next ms. */
        long wait_ms = wait_s > 0 ? (long)(wait_s * 1000.0) + 1 : 0;
        struct timeval timeout = {.tv_sec = wait_ms / 1000,
                                  .tv_usec = wait_ms % 1000 * 1000};

        if (select(max_fd + 1, &readable, &writable, NULL, &timeout) < 0) {
            if (errno == EINTR)
                continue;
            report_errno("select");
            return -1;
        }
        handle_ready_sims(st, &readable, &writable);
    }
    return 0;
}

static int run_stress(const struct client_args *args)
{
    struct stress st = {.args = args, .active = args->clients};
    struct addrinfo hints, *addrs = NULL;
    int gai_error, status = 1;
    double start;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (stress_report_init(&st.report, args->clients, args->rounds) != 0 ||
        (st.sims = calloc((size_t)args->clients, sizeof *st.sims)) == NULL) {
        report_errno("out of memory");
        stress_report_free(&st.report);
        return 1;
    }
    start = now_seconds();
    gai_error = getaddrinfo(args->host, args->port, &hints, &addrs);
    for (long i = 0; i < args->clients; i++) {
        st.sims[i].fd = -1;
        st.sims[i].addr = gai_error == 0 ? addrs : NULL;
        if (gai_error != 0)
            fail_sim(&st, &st.sims[i], gai_strerror(gai_error));
        else
            start_connect(&st, &st.sims[i]);
    }
    if (drive_sims(&st) == 0)
        status = stress_summary(&st.report, now_seconds() - start);
    for (long i = 0; i < args->clients; i++)
        if (st.sims[i].fd >= 0)
            close(st.sims[i].fd);
    if (addrs != NULL)
        freeaddrinfo(addrs);
    free(st.sims);
    stress_report_free(&st.report);
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
    return args.clients > 0 ? run_stress(&args) : run_interactive_select(&args);
}
