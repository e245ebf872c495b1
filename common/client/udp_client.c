/* udp_client.c - interactive and stress modes over datagrams. */
#include "udp_client.h"

#include "datagram.h"
#include "net.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The longest part of a lost line quoted in the loss message. */
#define QUOTE_MAX 40
/* Stress mode replies are the 8 short words; anything longer is wrong. */
#define STRESS_REPLY_CAP 64

int udp_connect_or_report(const struct client_args *args)
{
    struct sockaddr_storage server;
    socklen_t server_len;
    char what[300];
    int gai_error;
    int fd =
        udp_socket_to(args->host, args->port, &server, &server_len, &gai_error);

    /* connect() on a UDP socket sends nothing: it fixes the only address
     * the socket talks to, so the kernel drops datagrams from anyone else
     * and reports an ICMP "port unreachable" as ECONNREFUSED. */
    if (fd >= 0 && connect(fd, (struct sockaddr *)&server, server_len) == 0)
        return fd;
    snprintf(what, sizeof what, "connect to %s:%s", args->host, args->port);
    if (fd < 0 && gai_error != 0)
        report_error(what, gai_strerror(gai_error));
    else
        report_errno(what);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* One send; an error left pending by an earlier ICMP message (ECONNREFUSED)
 * is noted and the send done again, since that error is about the past. */
static int send_request(int fd, const char *request, size_t len,
                        struct udp_answer *answer)
{
    if (send_datagram(fd, request, len, NULL, 0) == 0)
        return 0;
    if (errno != ECONNREFUSED)
        return -1;
    answer->refused = true;
    return send_datagram(fd, request, len, NULL, 0);
}

/* Waits until the deadline for the expected reply. Returns 1 when it came,
 * 0 at the deadline, -1 on an error. */
static int await_reply(int fd, const char *expected, size_t len, char *reply,
                       size_t cap, double deadline, struct udp_answer *answer)
{
    for (;;) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        double left_ms = (deadline - now_seconds()) * 1000.0;
        bool truncated;
        ssize_t n;
        int found;

        if (left_ms <= 0)
            return 0;
        /* Rounded up: poll must not return a hair before the deadline. */
        found = poll(&ready, 1, (int)left_ms + 1);
        if (found < 0 && errno != EINTR)
            return -1;
        if (found <= 0)
            continue; /* EINTR or the deadline: the loop checks the clock */
        n = receive_datagram(fd, reply, cap, NULL, NULL, &truncated);
        if (n < 0 && errno == ECONNREFUSED) {
            answer->refused = true; /* nobody listens there, for now */
            continue;
        }
        if (n < 0)
            return -1;
        /* Plain bytes carry no sequence number: a late reply to an earlier
         * request looks like any other. Only the exact transform of this
         * request counts; everything else is stale and ignored. */
        if (!truncated && (size_t)n == len && memcmp(reply, expected, len) == 0)
            return 1;
    }
}

int udp_ask(int fd, const char *request, const char *expected, size_t len,
            char *reply, size_t cap, long timeout_s, struct udp_answer *answer)
{
    double start = now_seconds();

    answer->tries = 0;
    answer->refused = false;
    answer->wait_s = 0.0;
    while (answer->tries <= UDP_RETRANSMISSIONS) {
        int outcome;

        if (send_request(fd, request, len, answer) != 0)
            return -1;
        answer->tries++;
        outcome = await_reply(fd, expected, len, reply, cap,
                              now_seconds() + (double)timeout_s, answer);
        if (outcome != 0) {
            answer->wait_s = now_seconds() - start;
            return outcome;
        }
    }
    return 0;
}

/* "client: no reply to 'hola' after 4 tries", plus the reason when the
 * kernel knows one. Only the start of a long line is quoted. */
static void report_lost(const char *line, size_t len,
                        const struct udp_answer *answer)
{
    int shown = len > QUOTE_MAX ? QUOTE_MAX : (int)len;

    fprintf(stderr, "%s: no reply to '%.*s%s' after %d tries%s\n", progname(),
            shown, line, len > QUOTE_MAX ? "..." : "", answer->tries,
            answer->refused ? ": Connection refused" : "");
}

/* One line: check its size, ask, print. Returns 0, 1 for a lost or
 * refused line (the client goes on), -1 for a fatal error. */
static int ask_line(int fd, const char *line, size_t len, char *expected,
                    char *reply, long timeout_s)
{
    struct udp_answer answer;
    int outcome;

    if (len > UDP_MAX_PAYLOAD) {
        fprintf(stderr,
                "%s: a line of %zu bytes does not fit in one datagram "
                "(at most %d); skipped\n",
                progname(), len, UDP_MAX_PAYLOAD);
        return 1;
    }
    memcpy(expected, line, len);
    upper_transform(expected, len);
    outcome = udp_ask(fd, line, expected, len, reply, DATAGRAM_BUFFER_SIZE,
                      timeout_s, &answer);
    if (outcome < 0) {
        report_errno("send/receive");
        return -1;
    }
    if (outcome == 0) {
        report_lost(line, len, &answer);
        return 1;
    }
    /* fwrite, not printf's %s: the reply may contain NUL bytes. */
    fputs("Reply is '", stdout);
    fwrite(reply, 1, len, stdout);
    fputs("'\n", stdout);
    return 0;
}

int udp_run_interactive(const struct client_args *args)
{
    char *line = NULL;
    char *expected = malloc(DATAGRAM_BUFFER_SIZE);
    char *reply = malloc(DATAGRAM_BUFFER_SIZE);
    size_t line_cap = 0;
    ssize_t line_len;
    int status = 0, outcome = 0;
    int fd = udp_connect_or_report(args);

    if (fd < 0 || expected == NULL || reply == NULL) {
        if (fd >= 0)
            report_errno("malloc");
        status = 1;
        goto out;
    }
    while (outcome >= 0 && (line_len = getline(&line, &line_cap, stdin)) > 0) {
        size_t len = (size_t)line_len;

        if (line[len - 1] == '\n')
            len--; /* the newline is not part of the message */
        if (len == 0)
            continue; /* skipped, as in the TCP client */
        outcome = ask_line(fd, line, len, expected, reply, args->timeout_s);
        if (outcome != 0)
            status = 1;
    }
    if (outcome >= 0 && ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
out:
    if (fd >= 0)
        close(fd);
    free(line);
    free(expected);
    free(reply);
    return status;
}

/* A new socket for the next cycle of the 8 words. Within a cycle every
 * word differs, so a late copy of an earlier reply (a duplicate, or the
 * answer to a retransmission) can never pass for the current one; the
 * next cycle repeats the words, and a copy of "TWENTY" held up 8 requests
 * long on a bad link would be taken for the new "twenty"'s reply. On a
 * new socket (a new source port) it cannot arrive at all: the kernel
 * delivers it to the old port, closed. The new one is opened first, so
 * that it cannot be given the old one's port. 0, or -1 (reported). */
static int change_socket(const struct client_args *args, int *fd)
{
    int next = udp_connect_or_report(args);

    if (next < 0)
        return -1;
    close(*fd);
    *fd = next;
    return 0;
}

int udp_stress_session(const struct client_args *args, long client,
                       struct stress_report *report)
{
    char reply[STRESS_REPLY_CAP], expected[STRESS_REPLY_CAP], what[96];
    int fd = udp_connect_or_report(args);

    if (fd < 0) {
        stress_record_failure(report, client, "could not open a socket");
        return -1;
    }
    for (long round = 0; round < args->rounds; round++) {
        struct udp_answer answer;
        size_t len = stress_word_len(round);
        int outcome;

        if (round > 0 && round % STRESS_WORD_COUNT == 0 &&
            change_socket(args, &fd) != 0) {
            stress_record_failure(report, client, "could not open a socket");
            close(fd);
            return -1;
        }
        memcpy(expected, stress_word(round), len);
        upper_transform(expected, len);
        stress_record_send(report, client);
        outcome = udp_ask(fd, stress_word(round), expected, len, reply,
                          sizeof reply, args->timeout_s, &answer);
        if (outcome == 1) {
            stress_record_reply(report, client, answer.wait_s * 1000.0,
                                args->quiet);
            continue;
        }
        if (outcome == 0)
            snprintf(what, sizeof what, "no reply to '%s' after %d tries%s",
                     stress_word(round), answer.tries,
                     answer.refused ? ": Connection refused" : "");
        else
            snprintf(what, sizeof what, "send/receive: %s", strerror(errno));
        stress_record_failure(report, client, what);
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int udp_stress_with_threads(const struct client_args *args)
{
    return stress_with_threads_using(args, udp_stress_session);
}

int udp_client_main(int argc, char **argv)
{
    struct client_args args;
    int status;

    set_progname(argv[0]);
    /* Default timeout 0 means "not given": it depends on the mode. */
    status = parse_client_args(argc, argv, &args, 0, NULL, 0);
    if (status >= 0)
        return status;
    if (args.timeout_s == 0)
        args.timeout_s =
            args.clients > 0 ? UDP_STRESS_TIMEOUT_S : UDP_INTERACTIVE_TIMEOUT_S;
    setvbuf(stdout, NULL, _IOLBF, 0);
    return args.clients > 0 ? udp_stress_with_threads(&args)
                            : udp_run_interactive(&args);
}
