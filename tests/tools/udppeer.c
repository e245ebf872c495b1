/* tests/tools/udppeer.c - a raw UDP peer for the tests of 06 and 07.
 *
 *   udppeer send HOST PORT             send all of stdin as ONE datagram
 *                                      (empty stdin: an empty datagram) and
 *                                      copy the one reply to stdout
 *   udppeer blast HOST PORT COUNT SIZE send COUNT datagrams of SIZE bytes
 *                                      as fast as possible, read nothing
 *
 * Exit status 0 when it did what it was asked (send: a reply came within
 * REPLY_WAIT_MS), 1 otherwise. */
#include "datagram.h"
#include "net.h"
#include "util.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPLY_WAIT_MS 10000

static int open_socket(const char *host, const char *port,
                       struct sockaddr_storage *dest, socklen_t *dest_len)
{
    int gai_error;
    int fd = udp_socket_to(host, port, dest, dest_len, &gai_error);

    if (fd < 0 && gai_error != 0)
        report_error(host, gai_strerror(gai_error));
    else if (fd < 0)
        report_errno("socket");
    return fd;
}

static int send_stdin(int fd, const struct sockaddr_storage *dest,
                      socklen_t dest_len)
{
    char *buf = malloc(DATAGRAM_BUFFER_SIZE);
    struct pollfd ready = {.fd = fd, .events = POLLIN};
    size_t len = 0;
    ssize_t n;
    bool truncated;
    int status = 1;

    if (buf == NULL)
        return 1;
    while ((n = read(STDIN_FILENO, buf + len, DATAGRAM_BUFFER_SIZE - len)) > 0)
        len += (size_t)n;
    if (n < 0)
        report_errno("stdin");
    else if (send_datagram(fd, buf, len, (const struct sockaddr *)dest,
                           dest_len) != 0)
        report_errno("sendto");
    else if (poll(&ready, 1, REPLY_WAIT_MS) != 1)
        report_error("reply", "none within the wait");
    else if ((n = receive_datagram(fd, buf, DATAGRAM_BUFFER_SIZE, NULL, NULL,
                                   &truncated)) < 0)
        report_errno("recvmsg");
    else if (fwrite(buf, 1, (size_t)n, stdout) == (size_t)n && !truncated)
        status = 0;
    free(buf);
    return status;
}

static int blast(int fd, const struct sockaddr_storage *dest,
                 socklen_t dest_len, long count, long size)
{
    char *buf = malloc((size_t)size + 1);

    if (buf == NULL)
        return 1;
    memset(buf, 'x', (size_t)size);
    for (long i = 0; i < count; i++) {
        if (send_datagram(fd, buf, (size_t)size, (const struct sockaddr *)dest,
                          dest_len) != 0) {
            report_errno("sendto");
            free(buf);
            return 1;
        }
    }
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_storage dest;
    socklen_t dest_len;
    long count, size;
    int fd, status;

    set_progname(argv[0]);
    if (argc == 4 && strcmp(argv[1], "send") == 0) {
        if ((fd = open_socket(argv[2], argv[3], &dest, &dest_len)) < 0)
            return 1;
        status = send_stdin(fd, &dest, dest_len);
    } else if (argc == 6 && strcmp(argv[1], "blast") == 0 &&
               parse_long(argv[4], 1, 10000000, &count) == 0 &&
               parse_long(argv[5], 0, UDP_MAX_PAYLOAD, &size) == 0) {
        if ((fd = open_socket(argv[2], argv[3], &dest, &dest_len)) < 0)
            return 1;
        status = blast(fd, &dest, dest_len, count, size);
    } else {
        fprintf(stderr, "usage: udppeer send HOST PORT | "
                        "udppeer blast HOST PORT COUNT SIZE\n");
        return 2;
    }
    close(fd);
    return status;
}
