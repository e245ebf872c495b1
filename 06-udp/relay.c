/* 06-udp/relay.c - a bad network in a program: loss, duplicates, delay and
 * reordering between a UDP client and its server.
 *
 * What it teaches: what UDP does not promise. On loopback nothing is lost,
 * so the clients' retransmissions and reply matching never run; the relay
 * sits between the two and breaks the link on purpose:
 *     client <--> relay PORT <--(one socket per client)--> HOST:HOSTPORT
 * Each datagram, in each direction, is dropped (LOSS %), else copied (DUP
 * %), each copy delayed by MS +- jitter (so datagrams overtake each other),
 * and one in REORDER % held back until the next of its direction left. The
 * mechanism is a lesson too: one thread, one poll() loop, every datagram
 * waiting in ONE list ordered by due time (delay_queue.c); poll() sleeps
 * until the head is due or a socket is readable. No timer thread or signal.
 *
 * Run:   ./06-udp/relay -l 30 2001 127.0.0.1 2000   (server on 2000)
 *        ./06-udp/client -t 1 127.0.0.1 2001
 * Look:  "drop 4 B client->server" lines, the client still printing every
 *        reply after retransmitting; Ctrl-C prints the totals. */
/* erand48 (XSI): a random stream whose state is ours, not libc's. */
#define _XOPEN_SOURCE 700
#include "datagram.h"
#include "delay_queue.h"
#include "flow_table.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The largest -D and -j: a datagram waits at most 2 x this (plus a hold),
 * far below FLOW_IDLE_S, so none outlives the socket it is sent on. */
#define MAX_DELAY_MS 10000

/* Lines about a flood (new clients beyond MAX_FLOWS, a full delay queue)
 * are printed at most once per this many seconds, with the count of the
 * ones left unsaid: one line per datagram let a flood of forged sources
 * write megabytes of log a second. */
#define FLOOD_LOG_INTERVAL_S 1.0

/* One kind of flood line: when it was last printed, how many since. */
struct flood_log {
    double last;
    unsigned long unsaid;
};

/* The delay queue's cap, in datagrams and in bytes of data: with -D, a
 * flood of datagrams (from anywhere: the relay listens on every address)
 * would otherwise all wait in memory (6,088 of them took 775 MB). Beyond
 * either, a datagram is dropped and counted so. */
#define MAX_QUEUED_DATAGRAMS 4096
#define MAX_QUEUED_BYTES ((size_t)32 * 1024 * 1024)

/* Datagrams the relay sends a client for each datagram it got from it.
 * Its source address is unverified (anyone can forge it): with -u, one
 * request could come back as 4 (2 copies to the server, each reply
 * doubled), aimed at a victim. The credit caps that at 2, what one
 * duplicated reply needs; the rest is dropped. */
#define CREDIT_PER_REQUEST 2

enum direction { TO_SERVER, TO_CLIENT }; /* the delay queue's two lanes */
static const char *const direction_name[] = {"client->server",
                                             "server->client"};

struct relay {
    long loss, dup, delay_ms, jitter_ms, reorder; /* the command line */
    long port;
    const char *host, *host_port;
    bool quiet;
    unsigned short rng[3]; /* erand48's state: -s SEED replays a run */
    int fd;                /* the clients' side, on PORT */
    struct sockaddr_storage server;
    socklen_t server_len;
    char server_peer[PEER_NAME_MAX]; /* HOST:HOSTPORT, as format_peer says */
    struct flow_table flows;
    struct delay_queue queue;
    struct flood_log table_full, queue_full;
    unsigned long relayed, dropped, duplicated, reordered, delayed;
    char buf[DATAGRAM_BUFFER_SIZE];
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: relay [-l LOSS] [-u DUP] [-D MS] [-j MS] [-r REORDER] "
            "[-s SEED] [-q] PORT HOST HOSTPORT\n  LOSS, DUP, REORDER: "
            "percent, each direction; -D, -j: 0-%d ms\n",
            MAX_DELAY_MS);
}

static bool chance(struct relay *relay, long percent)
{
    return percent > 0 && erand48(relay->rng) * 100 < (double)percent;
}

/* One more drop, dup or reorder: counted for the totals, and logged. */
static void count_event(struct relay *relay, unsigned long *counter,
                        const char *what, size_t len, enum direction dir)
{
    (*counter)++;
    if (!relay->quiet)
        printf("%s %zu B %s\n", what, len, direction_name[dir]);
}

/* Whether to print a line about this flood now (and then with how many
 * went unsaid: log->unsaid, reset by the caller after printing). Never
 * with -q. */
static bool flood_line_due(struct relay *relay, struct flood_log *log)
{
    double now = now_seconds();

    if (relay->quiet || now - log->last < FLOOD_LOG_INTERVAL_S) {
        log->unsaid++;
        return false;
    }
    log->last = now;
    return true;
}

/* Whether the delay queue has no room for len more bytes: that copy is
 * then dropped, counted, and said (as a flood: a line a second at most). */
static bool queue_is_full(struct relay *relay, size_t len, enum direction dir)
{
    if (relay->queue.count < MAX_QUEUED_DATAGRAMS &&
        relay->queue.bytes + len <= MAX_QUEUED_BYTES)
        return false;
    relay->dropped++;
    if (flood_line_due(relay, &relay->queue_full)) {
        printf("drop %zu B %s (delay queue full: %zu datagrams, %zu B; and "
               "%lu more since the last such line)\n",
               len, direction_name[dir], relay->queue.count,
               relay->queue.bytes, relay->queue_full.unsaid);
        relay->queue_full.unsaid = 0;
    }
    return true;
}

/* The fate of one datagram of relay->buf: dropped, or queued once or
 * twice, each copy at its own delay, the first maybe held back. */
static void impair(struct relay *relay, struct flow *flow, size_t len,
                   enum direction dir)
{
    int copies = 1;

    if (chance(relay, relay->loss)) {
        count_event(relay, &relay->dropped, "drop", len, dir);
        return;
    }
    if (chance(relay, relay->dup)) {
        count_event(relay, &relay->duplicated, "dup", len, dir);
        copies = 2;
    }
    for (int i = 0; i < copies; i++) {
        double ms = (double)relay->delay_ms;
        bool hold = i == 0 && chance(relay, relay->reorder);
        if (relay->jitter_ms > 0)
            ms += (erand48(relay->rng) * 2 - 1) * (double)relay->jitter_ms;
        if (dir == TO_CLIENT && flow->credit == 0) {
            relay->dropped++; /* more than the client's datagrams earn */
            if (!relay->quiet)
                printf("drop %zu B %s (beyond %d per datagram from the "
                       "client)\n",
                       len, direction_name[dir], CREDIT_PER_REQUEST);
            continue;
        }
        if (queue_is_full(relay, len, dir))
            continue; /* after the draws: -s SEED replays the same run */
        if (dir == TO_CLIENT)
            flow->credit--;
        if (ms > 0)
            relay->delayed++;
        if (hold)
            count_event(relay, &relay->reordered, "reorder", len, dir);
        if (delay_queue_add(&relay->queue, dir, flow, relay->buf, len,
                            now_seconds() + (ms > 0 ? ms : 0) / 1000,
                            hold) != 0)
            report_errno("queue"); /* out of memory: that copy is lost */
    }
}

/* One datagram from a client (the listening socket was readable). */
static void from_client(struct relay *relay)
{
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    char peer[PEER_NAME_MAX];
    const char *why;
    bool truncated;
    ssize_t n = receive_datagram(relay->fd, relay->buf, sizeof relay->buf,
                                 &from, &from_len, &truncated);

    if (n < 0 || truncated) /* EAGAIN, EINTR; no datagram fits 65,536 */
        return;
    format_peer((struct sockaddr *)&from, from_len, peer, sizeof peer);
    why = datagram_source_refusal(&from, from_len, relay->fd);
    /* A datagram "from" the server would be relayed to it, and its reply
     * relayed "back" to it: to the server again, for ever. One "from" one
     * of our upstream sockets is as forged: it never sends to us. */
    if (why == NULL && strcmp(peer, relay->server_peer) == 0)
        why = "source is the upstream server";
    if (why == NULL && flow_table_owns(&relay->flows, peer))
        why = "source is one of the relay's own sockets";
    if (why != NULL && !relay->quiet) /* no reflector, the relay either */
        printf("Refused: %s (%s)\n", peer, why);
    if (why != NULL)
        return;
    struct flow *flow =
        flow_of(&relay->flows, &from, from_len, peer,
                (struct sockaddr *)&relay->server, relay->server_len);
    if (flow == NULL && errno == ENOSPC) {
        relay->dropped++;
        if (flood_line_due(relay, &relay->table_full)) {
            fprintf(stderr,
                    "%s: %d clients already: %s dropped (and %lu more since "
                    "the last such line)\n",
                    progname(), MAX_FLOWS, peer, relay->table_full.unsaid);
            relay->table_full.unsaid = 0;
        }
    }
    if (flow == NULL)
        return;
    flow->credit += CREDIT_PER_REQUEST;
    impair(relay, flow, (size_t)n, TO_SERVER);
}

/* One datagram from the server, on a client's upstream socket. */
static void from_server(struct relay *relay, struct flow *flow)
{
    bool truncated;
    ssize_t n = receive_datagram(flow->fd, relay->buf, sizeof relay->buf, NULL,
                                 NULL, &truncated);

    if (n < 0 && errno != EAGAIN && errno != EINTR)
        report_peer_errno("from the server, for", flow->peer);
    if (n < 0 || truncated)
        return;
    flow->last_seen = now_seconds();
    impair(relay, flow, (size_t)n, TO_CLIENT);
}

/* Sends every queued datagram that is due. A failed send loses that one
 * datagram, as the network would. */
static void send_due(struct relay *relay)
{
    struct pending *due;

    while ((due = delay_queue_pop_due(&relay->queue, now_seconds())) != NULL) {
        struct flow *flow = due->owner;
        int rc = due->lane == TO_SERVER
                     ? send_datagram(flow->fd, due->data, due->len, NULL, 0)
                     : send_datagram(relay->fd, due->data, due->len,
                                     (struct sockaddr *)&flow->client,
                                     flow->client_len);
        if (rc == 0)
            relay->relayed++;
        else
            report_peer_errno("send for", flow->peer);
        free(due);
    }
}

/* The loop: sleep in poll() until a datagram arrives or the queue's head
 * is due (at most a second, to expire idle flows), then do both. */
static void relay_datagrams(struct relay *relay)
{
    struct pollfd ready[2 + MAX_FLOWS];

    while (!stop_requested()) {
        ready[0] = (struct pollfd){.fd = relay->fd, .events = POLLIN};
        flow_table_poll_set(&relay->flows, ready + 1);
        /* The stop descriptor (stop.h): Ctrl-C wakes this poll at once. */
        ready[1 + MAX_FLOWS] = (struct pollfd){.fd = stop_fd(), .events = POLLIN};
        if (poll(ready, 2 + MAX_FLOWS,
                 delay_queue_wait_ms(&relay->queue, now_seconds(), 1000)) < 0) {
            if (errno != EINTR)
                report_errno("poll");
            continue;
        }
        if (ready[0].revents != 0)
            from_client(relay);
        for (int i = 0; i < MAX_FLOWS; i++)
            if (ready[1 + i].revents != 0 && relay->flows.flows[i].fd >= 0)
                from_server(relay, &relay->flows.flows[i]);
        send_due(relay);
        flow_table_expire(&relay->flows, false);
    }
}

/* The command line: -1 to go on, or the exit status (0 after -h). */
static int parse_relay_args(int argc, char **argv, struct relay *relay)
{
    long seed = (long)time(NULL) ^ (long)getpid();
    long *values[] = {&relay->loss,      &relay->dup,     &relay->delay_ms,
                      &relay->jitter_ms, &relay->reorder, &seed};
    const long maxima[] = {100,          100, MAX_DELAY_MS,
                           MAX_DELAY_MS, 100, 0x7fffffffL};
    const char *letters = "luDjrs"; /* the options with a value, in order */
    long number;                    /* HOSTPORT, checked */
    int opt;

    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0)
            argv[i] = "-h"; /* --help is -h (getopt has no long options) */
    while ((opt = getopt(argc, argv, "l:u:D:j:r:s:qh")) != -1) {
        const char *letter = strchr(letters, opt);
        if (opt == 'h') {
            usage(stdout);
            return 0;
        }
        if (opt == 'q')
            relay->quiet = true;
        else if (letter == NULL ||
                 parse_long(optarg, 0, maxima[letter - letters],
                            values[letter - letters]) != 0) {
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 3 || parse_port(argv[optind], &relay->port) != 0 ||
        parse_long(argv[optind + 2], 1, 65535, &number) != 0) {
        usage(stderr);
        return 2;
    }
    relay->host = argv[optind + 1];
    relay->host_port = argv[optind + 2];
    /* srand48's seeding, on our own state: the same seed, the same run. */
    relay->rng[0] = 0x330E;
    relay->rng[1] = (unsigned short)(seed & 0xffff);
    relay->rng[2] = (unsigned short)((seed >> 16) & 0xffff);
    return -1;
}

/* Resolves HOST:HOSTPORT once, opens and announces PORT: 0, or -1. */
static int open_relay(struct relay *relay)
{
    int gai_error;
    int probe = udp_socket_to(relay->host, relay->host_port, &relay->server,
                              &relay->server_len, &gai_error);

    if (probe < 0) {
        report_error(relay->host, gai_error != 0 ? gai_strerror(gai_error)
                                                 : strerror(errno));
        return -1;
    }
    close(probe); /* each client gets its own socket (flow_of) */
    format_peer((struct sockaddr *)&relay->server, relay->server_len,
                relay->server_peer, sizeof relay->server_peer);
    if (prepare_server_process() != 0 ||
        (relay->fd = udp_bind_or_report(relay->port)) < 0)
        return -1;
    if (set_nonblocking(relay->fd) != 0 || announce_port(relay->fd) != 0) {
        report_errno("listening socket");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct relay *relay = calloc(1, sizeof *relay);
    int status;

    set_progname(argv[0]);
    if (relay == NULL) {
        report_errno("calloc");
        return 1;
    }
    relay->fd = -1;
    flow_table_init(&relay->flows);
    status = parse_relay_args(argc, argv, relay);
    if (status < 0 && open_relay(relay) != 0)
        status = 1;
    if (status < 0) {
        relay_datagrams(relay);
        printf("relayed %lu, dropped %lu, duplicated %lu, reordered %lu, "
               "delayed %lu\n",
               relay->relayed, relay->dropped, relay->duplicated,
               relay->reordered, relay->delayed);
        printf("shut down\n");
        status = 0;
    }
    delay_queue_clear(&relay->queue); /* still in flight: lost */
    flow_table_expire(&relay->flows, true);
    if (relay->fd >= 0)
        close(relay->fd);
    free(relay);
    return status;
}
