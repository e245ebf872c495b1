/* 02-thread/db/dbserver.c - where the lab starts: a one-shot upper server.
 *
 * What it does: it takes clients one after another, and each one gets
 * exactly ONE answer. The server reads one request line, "UPPER text",
 * replies "OK TEXT" and closes the connection. Everything the lab asks for
 * is missing on purpose (02-thread/db/README.md lists the five steps):
 * a second request on the same connection, other operations, a second
 * client served while the first one is, and the database.
 *
 * Run:   ./02-thread/dbserver 2000      and in another terminal
 *        ./02-thread/dbclient localhost 2000      then type: upper hola
 * Look:  the reply "OK HOLA", then the client ends: the server closed the
 *        connection after its one answer.
 */
#include "io.h"
#include "linereader.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* The longest request line, without its "\n": a longer one is read to its
 * end and dropped, so that a client cannot make the server store without
 * bound. */
#define REQUEST_LINE_MAX 1024
/* The longest -d, an hour: a typo cannot park the server for days. */
#define MAX_DELAY_MS 3600000L

/* What a successful reply starts with: the text follows, then '\n'. */
static const char ok_prefix[3] = {'O', 'K', ' '};

struct lab_args {
    long port;
    long delay_ms;     /* -d: simulated work per request (default 0) */
    bool quiet;        /* -q: no per-client log lines */
    bool record_locks; /* -L record (default) or global: for step 5 */
};

static void print_usage(FILE *out)
{
    fprintf(out, "usage: %s [-d MS] [-q] [-L MODE] PORT\n", progname());
}

static int usage_error(const char *what, const char *reason)
{
    report_error(what, reason);
    print_usage(stderr);
    return 2;
}

/* The lab's command line from the start, so that its graders run the same
 * program at every step. Returns -1 to go on, or the exit status (0 after
 * -h, 2 after a mistake). */
static int parse_lab_args(int argc, char **argv, struct lab_args *args)
{
    int letter;

    *args = (struct lab_args){.record_locks = true};
    if (asks_for_help(argc, argv)) {
        print_usage(stdout);
        return 0;
    }
    while ((letter = getopt(argc, argv, ":hd:qL:")) != -1) {
        if (letter == 'h') {
            print_usage(stdout);
            return 0;
        } else if (letter == 'q') {
            args->quiet = true;
        } else if (letter == 'd') {
            if (parse_long(optarg, 0, MAX_DELAY_MS, &args->delay_ms) != 0)
                return usage_error("-d", "not a number from 0 to 3600000");
        } else if (letter == 'L') {
            args->record_locks = strcmp(optarg, "record") == 0;
            if (!args->record_locks && strcmp(optarg, "global") != 0)
                return usage_error("-L", "must be record or global");
        } else {
            return usage_error("options", "unknown option or missing value");
        }
    }
    if (argc - optind != 1)
        return usage_error("arguments", "give exactly one PORT");
    if (parse_port(argv[optind], &args->port) != 0)
        return usage_error(argv[optind], "not a port number (0-65535)");
    return -1;
}

/* Builds the reply to one request line in reply (REQUEST_LINE_MAX + 5
 * bytes); returns its length. The first word names the operation (in any
 * case), the rest of the line is its text. */
static size_t answer(const char *line, size_t len, long delay_ms, char *reply)
{
    const char *end = line + len, *word = line, *text;

    while (word < end && *word == ' ')
        word++;
    text = word;
    while (text < end && *text != ' ')
        text++;
    if ((size_t)(text - word) != 5 || strncasecmp(word, "UPPER", 5) != 0)
        return (size_t)snprintf(reply, 32, "ERR unknown operation\n");
    while (text < end && *text == ' ')
        text++;
    if (text == end)
        return (size_t)snprintf(reply, 32, "ERR usage: UPPER text\n");
    simulate_work(delay_ms);
    memcpy(reply, ok_prefix, sizeof ok_prefix);
    memcpy(reply + 3, text, (size_t)(end - text));
    upper_transform(reply + 3, (size_t)(end - text));
    reply[3 + (end - text)] = '\n';
    return (size_t)(end - text) + 4;
}

/* One request, one reply. Teaching shortcut: a client that connects and
 * sends nothing keeps the whole server waiting here, and so does its
 * Ctrl-C, until that client writes or leaves. */
static void serve_one_request(int conn_fd, const char *peer, long delay_ms)
{
    struct line_reader reader;
    char line[LINE_BUFFER_SIZE(REQUEST_LINE_MAX)];
    char reply[REQUEST_LINE_MAX + 5];
    size_t len, reply_len = 0;

    line_reader_init(&reader, conn_fd);
    switch (read_line(&reader, line, REQUEST_LINE_MAX, &len)) {
    case LINE_OK:
        reply_len = answer(line, len, delay_ms, reply);
        break;
    case LINE_TOO_LONG:
        reply_len = (size_t)snprintf(reply, 32, "ERR line too long\n");
        break;
    case LINE_EOF: /* the client left without asking */
        return;
    case LINE_ERROR:
        report_peer_errno("read from", peer);
        return;
    }
    /* One write for the whole reply (two small ones would meet Nagle's
     * algorithm and a delayed ACK). */
    if (write_all(conn_fd, reply, reply_len) != 0)
        report_peer_errno("write to", peer);
}

/* Clients one after another, each served to its one reply, until SIGINT
 * or SIGTERM. */
static void accept_clients(int listen_fd, const struct lab_args *args)
{
    while (!stop_requested()) {
        struct sockaddr_storage addr;
        socklen_t addr_len;
        char peer[PEER_NAME_MAX];
        int conn_fd = accept_unless_stopped(listen_fd, &addr, &addr_len);

        if (conn_fd < 0) {
            if (errno != EINTR) /* EINTR: a stop, seen by the loop */
                report_errno("accept");
            pause_if_out_of_resources(errno);
            continue;
        }
        format_peer((struct sockaddr *)&addr, addr_len, peer, sizeof peer);
        if (!args->quiet)
            printf("Client connected: %s\n", peer);
        serve_one_request(conn_fd, peer, args->delay_ms);
        close(conn_fd);
        if (!args->quiet)
            printf("Client disconnected: %s\n", peer);
    }
}

int main(int argc, char **argv)
{
    struct lab_args args;
    int status, listen_fd;

    set_progname(argv[0]);
    if ((status = parse_lab_args(argc, argv, &args)) >= 0)
        return status;
    if (prepare_server_process() != 0)
        return 1;
    if ((listen_fd = listen_or_report(args.port)) < 0)
        return 1;
    if (announce_port(listen_fd) != 0) {
        close(listen_fd);
        return 1;
    }
    accept_clients(listen_fd, &args);
    close(listen_fd);
    printf("shut down\n");
    return 0;
}
