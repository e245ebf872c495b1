/* 08-select/chat.c - the course's select() chat: one program, two roles.
 *
 * What it teaches: a select() loop is not only for request/reply. The chat
 * server holds many connections and moves every line one member types to
 * all the others, in one thread; a member that does not read cannot stall
 * the rest, because its output waits in its own buffer (capped). The chat
 * client is the str_cli problem again: it must watch the keyboard and the
 * socket at once, since others talk whenever they like.
 *
 * Run:   ./08-select/chat --name server --port 2001        and then, in
 *        two other terminals,  ./08-select/chat --name ana --port 2001
 *        and                   ./08-select/chat --name bob --port 2001
 * Look:  a line typed by ana shows up at bob as "ana: ..."; Ctrl-D or a
 *        killed client shows "* ana left" to the others.
 *
 * The protocol, lines ending in '\n' both ways:
 *   client -> server   first line: the member's name (1 to CHAT_NAME_MAX
 *                      bytes, no control characters); then one line per
 *                      message (a '\r' before the '\n' is ignored, empty
 *                      lines are ignored, lines over CHAT_LINE_MAX bytes are
 *                      dropped with a notice to their sender)
 *   server -> client   "NAME: text" for what others say, "* NAME joined",
 *                      "* NAME left", and "* ..." notices for this member
 */
#include "client.h"
#include "conn.h"
#include "outbuf.h"
#include "io.h"
#include "net.h"
#include "options.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#define CHAT_NAME_MAX 32   /* bytes in a name */
#define CHAT_LINE_MAX 1024 /* bytes in a message, newline excluded */
/* A member this far behind in reading is dropped: others keep talking,
 * and its backlog must not grow the server's memory without bound. */
#define CHAT_PENDING_CAP ((size_t)1024 * 1024)
#define READ_BLOCK       4096

/* --- the command line ---------------------------------------------------
 * Long options by hand (getopt_long is a GNU extension): a small table of
 * "--option VALUE" or "--option=VALUE". */

struct chat_args {
    const char *name, *port, *host;
};

struct long_option {
    const char *flag;
    const char **value;
};

static void print_chat_usage(FILE *out)
{
    fprintf(out,
            "usage: %s --name NAME --port PORT [--host HOST]\n"
            "  --name server   run the chat server on PORT (0: any)\n"
            "  --name NAME     join the chat at HOST (default "
            "localhost) as NAME\n",
            progname());
}

static int chat_usage_error(const char *what, const char *reason)
{
    report_error(what, reason);
    print_chat_usage(stderr);
    return 2;
}

/* Returns -1 to go on, or the exit status (0 after --help, 2 on errors). */
static int parse_chat_args(int argc, char **argv, struct chat_args *args)
{
    struct long_option options[] = {{"--name", &args->name},
                                    {"--port", &args->port},
                                    {"--host", &args->host}};
    size_t count = sizeof options / sizeof options[0];
    long port;

    *args = (struct chat_args){NULL, NULL, "localhost"};
    for (int i = 1; i < argc; i++) {
        const char **target = NULL, *value = NULL;

        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            print_chat_usage(stdout);
            return 0;
        }
        for (size_t k = 0; k < count && target == NULL; k++) {
            size_t len = strlen(options[k].flag);
            if (strncmp(argv[i], options[k].flag, len) != 0)
                continue;
            if (argv[i][len] == '=')
                value = argv[i] + len + 1;
            else if (argv[i][len] == '\0' && i + 1 < argc)
                value = argv[++i];
            else if (argv[i][len] == '\0')
                return chat_usage_error(argv[i], "needs a value");
            else
                continue; /* "--names": not this option */
            target = options[k].value;
        }
        if (target == NULL)
            return chat_usage_error(argv[i], "unknown argument");
        *target = value;
    }
    if (args->name == NULL || args->port == NULL)
        return chat_usage_error("arguments", "--name and --port are needed");
    /* The server may ask for port 0 (any); a client must name a real one. */
    if (parse_long(args->port, strcmp(args->name, "server") == 0 ? 0 : 1, 65535,
                   &port) != 0)
        return chat_usage_error(args->port, "not a port number");
    if (args->name[0] == '\0' || strlen(args->name) > CHAT_NAME_MAX ||
        strchr(args->name, '\n') != NULL)
        return chat_usage_error(args->name, "a name is 1 to 32 bytes");
    return -1;
}

/* --- the server --------------------------------------------------------- */

struct member {
    int fd;
    char peer[PEER_NAME_MAX];
    char name[CHAT_NAME_MAX + 1]; /* "" until its first line arrives */
    char line[CHAT_LINE_MAX + 1]; /* the line being received */
    size_t line_len;
    bool skipping_line; /* the current line is over the cap: drop it */
    bool leaving;       /* close once its pending output is written */
    bool doomed;        /* drop at the end of this pass */
    struct outbuf out;
};

struct chat_server {
    struct listener listener;
    struct member *members[FD_SETSIZE]; /* indexed by descriptor */
    int max_fd;
    char block[READ_BLOCK];
};

/* Queues text for one member and tries to send it at once. A member too
 * far behind, or gone, is doomed: dropped at the end of the pass, so that
 * nobody is freed while a broadcast is still walking the table. */
static void send_to(struct member *member, const char *text, size_t len)
{
    if (member->doomed)
        return;
    if (outbuf_append(&member->out, text, len, CHAT_PENDING_CAP) != 0) {
        fprintf(stderr, "%s: dropped %s (%s): over %zu bytes unread\n",
                progname(), member->name, member->peer, CHAT_PENDING_CAP);
        member->doomed = true;
    } else if (outbuf_flush(&member->out, member->fd) < 0) {
        report_peer_errno("write to", member->peer);
        member->doomed = true;
    }
}

/* Sends a line to every named member except `except` (may be NULL). */
static void broadcast(struct chat_server *chat, const struct member *except,
                      const char *text)
{
    for (int fd = 0; fd <= chat->max_fd; fd++) {
        struct member *member = chat->members[fd];
        if (member != NULL && member != except && member->name[0] != '\0')
            send_to(member, text, strlen(text));
    }
}

static void announce(struct chat_server *chat, const struct member *who,
                     const char *what)
{
    char text[CHAT_NAME_MAX + 32];

    snprintf(text, sizeof text, "* %s %s\n", who->name, what);
    fputs(text, stdout); /* the server's log shows the same line */
    broadcast(chat, who, text);
}

static bool valid_name(const char *name, size_t len)
{
    if (len == 0 || len > CHAT_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return false;
    return true;
}

/* A whole line from member (without its newline). */
static void handle_line(struct chat_server *chat, struct member *member)
{
    char text[CHAT_NAME_MAX + CHAT_LINE_MAX + 4];
    size_t len = member->line_len;

    if (len > 0 && member->line[len - 1] == '\r')
        len--; /* telnet and nc -C end lines with "\r\n" */
    member->line[len] = '\0';
    if (member->name[0] == '\0') {
        if (!valid_name(member->line, len)) {
            snprintf(text, sizeof text,
                     "* a name is 1 to %d bytes, no "
                     "control characters\n",
                     CHAT_NAME_MAX);
            send_to(member, text, strlen(text));
            member->leaving = true;
            return;
        }
        memcpy(member->name, member->line, len + 1);
        announce(chat, member, "joined");
        return;
    }
    if (len == 0)
        return;
    snprintf(text, sizeof text, "%s: %s\n", member->name, member->line);
    broadcast(chat, member, text);
}

/* Splits what arrived into lines, dropping any line over the cap. */
static void take_bytes(struct chat_server *chat, struct member *member,
                       const char *bytes, size_t len)
{
    for (size_t i = 0; i < len && !member->leaving; i++) {
        if (bytes[i] == '\n') {
            if (!member->skipping_line)
                handle_line(chat, member);
            member->skipping_line = false;
            member->line_len = 0;
        } else if (member->skipping_line) {
            continue;
        } else if (member->line_len == CHAT_LINE_MAX) {
            static const char notice[] = "* line too long, dropped\n";
            fprintf(stderr, "%s: dropped a line over %d bytes from %s\n",
                    progname(), CHAT_LINE_MAX, member->peer);
            send_to(member, notice, sizeof notice - 1);
            member->skipping_line = true;
        } else {
            member->line[member->line_len++] = bytes[i];
        }
    }
}

static void add_member(struct chat_server *chat, int fd, const char *peer)
{
    struct member *member = calloc(1, sizeof *member);

    if (member == NULL) {
        report_peer_errno("no memory for", peer);
        close(fd);
        return;
    }
    member->fd = fd;
    snprintf(member->peer, sizeof member->peer, "%s", peer);
    chat->members[fd] = member;
    if (fd > chat->max_fd)
        chat->max_fd = fd;
    printf("Client connected: %s\n", peer);
}

static void drop_member(struct chat_server *chat, struct member *member)
{
    int fd = member->fd;

    chat->members[fd] = NULL; /* first: the leave notice skips it */
    if (member->name[0] != '\0')
        announce(chat, member, "left");
    close(fd);
    printf("Client disconnected: %s\n", member->peer);
    outbuf_free(&member->out);
    free(member);
    while (chat->max_fd > chat->listener.fd &&
           chat->members[chat->max_fd] == NULL)
        chat->max_fd--;
    listener_fd_freed(&chat->listener);
}

/* A leave notice can doom another member (too far behind), so repeat. */
static void drop_doomed_members(struct chat_server *chat)
{
    bool again = true;

    while (again) {
        again = false;
        for (int fd = 0; fd <= chat->max_fd; fd++) {
            struct member *member = chat->members[fd];
            if (member != NULL &&
                (member->doomed ||
                 (member->leaving && outbuf_pending(&member->out) == 0))) {
                drop_member(chat, member);
                again = true;
            }
        }
    }
}

static void read_from(struct chat_server *chat, struct member *member)
{
    ssize_t n = read_some(member->fd, chat->block, sizeof chat->block);

    if (n > 0)
        take_bytes(chat, member, chat->block, (size_t)n);
    else if (n == 0)
        member->leaving = true; /* gone (closed, or killed: same EOF) */
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        report_peer_errno("read from", member->peer);
        member->doomed = true;
    }
}

/* Returns false while the listener is paused (out of descriptors). */
static bool watch_members(struct chat_server *chat, fd_set *readable,
                          fd_set *writable)
{
    bool listening = listener_watched(&chat->listener);

    FD_ZERO(readable);
    FD_ZERO(writable);
    if (listening)
        FD_SET(chat->listener.fd, readable);
    for (int fd = 0; fd <= chat->max_fd; fd++) {
        struct member *member = chat->members[fd];
        if (member == NULL)
            continue;
        if (!member->leaving)
            FD_SET(fd, readable);
        if (outbuf_pending(&member->out) > 0)
            FD_SET(fd, writable);
    }
    return listening;
}

static int serve_chat(struct chat_server *chat)
{
    while (!stop_requested()) {
        fd_set readable, writable;
        int fd;
        /* Wake up once a second while the listener is paused (EMFILE). */
        struct timeval tick = {.tv_sec = 1, .tv_usec = 0};

        bool listening = watch_members(chat, &readable, &writable);

        if (select(chat->max_fd + 1, &readable, &writable, NULL,
                   listening ? NULL : &tick) < 0) {
            if (errno == EINTR)
                continue; /* a stop signal: the loop condition sees it */
            report_errno("select");
            return 1;
        }
        if (FD_ISSET(chat->listener.fd, &readable)) {
            char peer[PEER_NAME_MAX];
            while ((fd = accept_client(&chat->listener, peer)) >= 0)
                add_member(chat, fd, peer);
        }
        for (fd = 0; fd <= chat->max_fd; fd++) {
            struct member *member = chat->members[fd];
            if (member == NULL || member->doomed)
                continue;
            if (FD_ISSET(fd, &writable) && outbuf_flush(&member->out, fd) < 0) {
                report_peer_errno("write to", member->peer);
                member->doomed = true;
            } else if (FD_ISSET(fd, &readable)) {
                read_from(chat, member);
            }
        }
        drop_doomed_members(chat);
    }
    return 0;
}

static int run_server(const struct chat_args *args)
{
    struct chat_server *chat;
    long port;
    int status;

    if (prepare_server_process() != 0)
        return 1;
    parse_port(args->port, &port); /* checked by parse_chat_args */
    if ((chat = calloc(1, sizeof *chat)) == NULL) {
        report_errno("calloc");
        return 1;
    }
    if (listener_open(&chat->listener, port) != 0) {
        free(chat);
        return 1;
    }
    chat->max_fd = chat->listener.fd;
    status = serve_chat(chat);
    for (int fd = 0; fd <= chat->max_fd; fd++)
        if (chat->members[fd] != NULL) {
            chat->members[fd]->name[0] = '\0'; /* no leave notices now */
            drop_member(chat, chat->members[fd]);
        }
    close(chat->listener.fd);
    free(chat);
    printf("shut down\n");
    return status;
}

/* --- the client ---------------------------------------------------------- */

/* Copies one block from stdin to the server. Returns 1 at end of input,
 * 0 to go on, -1 on error. */
static int forward_stdin(int fd, char *last_sent)
{
    char block[READ_BLOCK];
    ssize_t n = read_some(0, block, sizeof block);

    if (n < 0) {
        report_errno("stdin");
        return -1;
    }
    if (n == 0) {
        /* A last line without its newline is still a line. */
        if (*last_sent != '\n' && write_all(fd, "\n", 1) != 0)
            return -1;
        return 1;
    }
    /* Teaching shortcut: a blocking write. The chat server never stops
     * reading (it drops over-long lines instead), so this returns as soon
     * as the kernel has room; a general client would queue the bytes and
     * wait for select() to report the socket writable, as client.c does. */
    if (write_all(fd, block, (size_t)n) != 0) {
        report_errno("send");
        return -1;
    }
    *last_sent = block[n - 1];
    return 0;
}

/* Copies one block from the server to stdout. Returns 1 when the server
 * closed, 0 to go on, -1 on error. */
static int print_from_server(int fd)
{
    char block[READ_BLOCK];
    ssize_t n = read_some(fd, block, sizeof block);

    if (n < 0) {
        report_errno("receive");
        return -1;
    }
    if (n == 0)
        return 1;
    if (write_all(1, block, (size_t)n) != 0) {
        report_errno("stdout");
        return -1;
    }
    return 0;
}

static int run_client(const struct chat_args *args)
{
    struct client_args target = {.host = args->host, .port = args->port};
    char last_sent = '\n';
    int fd, status = -1;

    if ((fd = connect_or_report(&target)) < 0)
        return 1;
    if (fd >= FD_SETSIZE) { /* select() could not watch it */
        report_error("socket", "descriptor beyond FD_SETSIZE");
        close(fd);
        return 1;
    }
    if (write_all(fd, args->name, strlen(args->name)) != 0 ||
        write_all(fd, "\n", 1) != 0) {
        report_errno("send");
        close(fd);
        return 1;
    }
    while (status < 0) {
        fd_set readable;
        int outcome;

        FD_ZERO(&readable);
        FD_SET(0, &readable);
        FD_SET(fd, &readable);
        if (select(fd + 1, &readable, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            report_errno("select");
            status = 1;
            break;
        }
        /* The socket first: what others said is printed before we go. */
        if (FD_ISSET(fd, &readable) && (outcome = print_from_server(fd)) != 0) {
            if (outcome > 0)
                report_error("server", "closed the connection");
            status = 1;
        } else if (FD_ISSET(0, &readable) &&
                   (outcome = forward_stdin(fd, &last_sent)) != 0) {
            status = outcome > 0 ? 0 : 1;
        }
    }
    close(fd);
    return status;
}

int main(int argc, char **argv)
{
    struct chat_args args;
    int status;

    set_progname(argv[0]);
    if ((status = parse_chat_args(argc, argv, &args)) >= 0)
        return status;
    if (strcmp(args.name, "server") == 0)
        return run_server(&args);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    return run_client(&args);
}
