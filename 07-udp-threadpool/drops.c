/* drops.c - the datagrams the server does not answer (see drops.h): the
 * kernel's drops from Linux's /proc/net/udp tables, read line by line;
 * refusals and send errors, with the peer's name. */
#include "drops.h"

#include "net.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The columns of /proc/net/udp and udp6: sl local remote st queues timer
 * retrnsmt uid timeout inode ref pointer drops. */
#define PROC_INODE_COLUMN 9
#define PROC_DROPS_COLUMN 12

/* The drops column of one line of that table when the line is about the
 * socket with this inode; -1 otherwise. */
static long drops_on_line(char *line, long inode)
{
    char *rest = NULL;
    char *field = strtok_r(line, " \t\n", &rest);
    long value, drops = -1;
    bool ours = false;

    for (int column = 0; field != NULL; column++) {
        if (parse_long(field, 0, LONG_MAX, &value) == 0) {
            if (column == PROC_INODE_COLUMN)
                ours = value == inode;
            else if (column == PROC_DROPS_COLUMN && ours)
                drops = value;
        }
        field = strtok_r(NULL, " \t\n", &rest);
    }
    return drops;
}

/* Datagrams the kernel dropped on this socket because its receive buffer
 * was full, read from /proc/net/udp6 (or udp) on the line of our socket's
 * inode. Linux only; -1 where it cannot be read. */
long kernel_drops(int fd)
{
    const char *tables[] = {"/proc/net/udp6", "/proc/net/udp"};
    struct stat self;
    long drops = -1;

    if (fstat(fd, &self) != 0)
        return -1;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0] && drops < 0; t++) {
        FILE *table = fopen(tables[t], "r");
        char line[512];

        while (table != NULL && drops < 0 &&
               fgets(line, sizeof line, table) != NULL)
            drops = drops_on_line(line, (long)self.st_ino);
        if (table != NULL)
            fclose(table);
    }
    return drops;
}

void print_drops(int fd, unsigned long by_server, unsigned long unanswered)
{
    long by_kernel = kernel_drops(fd);

    if (by_kernel >= 0)
        printf("Dropped datagrams: %ld by the kernel (socket buffer full), ",
               by_kernel);
    else
        printf("Dropped datagrams: ? by the kernel (socket buffer full), ");
    printf("%lu by the server (too long or no memory), %lu unanswered at "
           "shutdown\n",
           by_server, unanswered);
}

void print_refusal(const struct sockaddr_storage *from, socklen_t from_len,
                   const char *why)
{
    char peer[PEER_NAME_MAX];

    format_peer((const struct sockaddr *)from, from_len, peer, sizeof peer);
    printf("Refused: %s (%s)\n", peer, why);
}

void report_sendto_error(const struct sockaddr_storage *to, socklen_t to_len)
{
    int saved = errno;
    char peer[PEER_NAME_MAX];

    format_peer((const struct sockaddr *)to, to_len, peer, sizeof peer);
    errno = saved;
    report_peer_errno("sendto", peer);
}
