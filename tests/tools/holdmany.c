/* tests/tools/holdmany.c - opens many TCP connections and holds them.
 *
 *   holdmany HOST PORT COUNT SEC
 *
 * Opens COUNT connections to HOST:PORT one after another, prints
 * "holding COUNT connections" (flushed) once they are all open, keeps them
 * SEC seconds without sending anything, then closes them and exits 0.
 * Used to push a server past select()'s FD_SETSIZE, or past a low
 * `ulimit -n`. The server may close some of them at once: they still
 * count as opened (the kernel completed the handshake). Exit status 1
 * when a connection cannot be opened at all, 2 on a bad command line. */
#include "net.h"
#include "util.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long count, seconds;
    int *fds;

    set_progname(argv[0]);
    if (argc != 5 || parse_long(argv[3], 1, 100000, &count) != 0 ||
        parse_long(argv[4], 0, 3600, &seconds) != 0) {
        fprintf(stderr, "usage: holdmany HOST PORT COUNT SEC\n");
        return 2;
    }
    if ((fds = malloc((size_t)count * sizeof *fds)) == NULL) {
        report_errno("malloc");
        return 1;
    }
    for (long i = 0; i < count; i++) {
        int gai_error;
        fds[i] = tcp_connect(argv[1], argv[2], &gai_error);
        if (fds[i] < 0) {
            if (gai_error != 0)
                report_error("connect", gai_strerror(gai_error));
            else
                report_errno("connect");
            fprintf(stderr, "holdmany: opened only %ld connections\n", i);
            free(fds); /* exit closes the descriptors */
            return 1;
        }
    }
    printf("holding %ld connections\n", count);
    fflush(stdout);
    sleep((unsigned)seconds);
    for (long i = 0; i < count; i++)
        close(fds[i]);
    free(fds);
    return 0;
}
