/* tests/tools/prefork_stuck_peer.c - a client that leaves a server's worker
 * blocked in write() for good, for the shutdown tests of 04 and 05.
 *
 *   prefork_stuck_peer IPV4-ADDRESS PORT
 *
 * Its receive buffer is made tiny before it connects (the window is agreed
 * in the handshake), then it writes for ever and never reads. The server's
 * replies soon fill the little the client takes and everything on the way,
 * the worker blocks writing a reply, stops reading, and this client blocks
 * writing in turn. It ends when the server closes or resets the connection
 * (status 0), or with the `timeout` that runs it. */
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The smallest receive buffer Linux grants is a few KiB: set 1 and let
 * the kernel round it up. */
#define TINY_RCVBUF 1

int main(int argc, char **argv)
{
    struct sockaddr_in server;
    char block[65536];
    int tiny = TINY_RCVBUF;
    ssize_t written;
    long port;
    int fd;

    set_progname(argv[0]);
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    if (argc != 3 || inet_pton(AF_INET, argv[1], &server.sin_addr) != 1 ||
        parse_port(argv[2], &port) != 0) {
        fprintf(stderr, "usage: prefork_stuck_peer IPV4-ADDRESS PORT\n");
        return 2;
    }
    server.sin_port = htons((unsigned short)port);
    if (ignore_sigpipe() != 0 || (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny) != 0 ||
        connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
        report_errno("connect");
        return 1;
    }
    memset(block, 'a', sizeof block);
    do {
        written = write(fd, block, sizeof block);
    } while (written > 0);
    close(fd);
    return 0;
}
