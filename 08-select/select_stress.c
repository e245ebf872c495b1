/* select_stress.c - the 08-select client's stress mode (-n N): every
 * simulated client in one select() loop.
 *
 * What it teaches: concurrency without threads on the client side too.
 * Each simulated client is a small state machine (connecting, sending,
 * waiting for its reply, done) over a non-blocking socket; one select()
 * says which of them can move, and each moves one step. A non-blocking
 * connect() returns EINPROGRESS at once and the socket turns writable
 * when the handshake is over (SO_ERROR says how it went).
 *
 * Run:   ./08-select/client -n 100 localhost 2000
 * Look:  one thread (top -H), 100 connections; -n over SIM_CLIENTS_MAX is
 *        refused: an fd_set cannot hold more.
 */
#include "select_stress.h"

#include "io.h"
#include "net.h"
#include "client/stress.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

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
    sim->started = stress_record_send(&st->report, sim - st->sims);
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

int run_select_stress(const struct client_args *args)
{
    struct stress st = {.args = args, .active = args->clients};
    struct addrinfo hints, *addrs = NULL;
    int gai_error, status = 1;
    double start;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (stress_report_init(&st.report, args) != 0 ||
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
