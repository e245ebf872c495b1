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
 * This file holds the command line and the client; the server's loop is
 * in chatserver.c and chatroom.c, the protocol in chatroom.h.
 */
#include "client/client.h"
#include "chatroom.h"
#include "chatserver.h"
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

#define READ_BLOCK 4096

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
    long port;
    int status;

    set_progname(argv[0]);
    if ((status = parse_chat_args(argc, argv, &args)) >= 0)
        return status;
    if (strcmp(args.name, "server") == 0)
        return parse_port(args.port, &port) == 0 ? run_chat_server(port) : 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (ignore_sigpipe() != 0) {
        report_errno("sigaction");
        return 1;
    }
    return run_client(&args);
}
