/* request_fifo.h - how the server claims its well-known request FIFO.
 *
 * A path in the file system can hold anything, made by anybody, and other
 * servers may be using it. Before it reads a single request, the server
 * makes sure that the path is a FIFO (never a file it would clobber, never
 * a symbolic link), that it belongs to the server's own user (the server
 * sets the mode to 0600: on another user's FIFO that would hand that user
 * every request), and that no other server is reading it (two readers
 * would split the requests between them, and the one stopped first would
 * remove the FIFO under the other). */
#ifndef KIT_REQUEST_FIFO_H
#define KIT_REQUEST_FIFO_H

#include <stdbool.h>

struct request_fifo {
    int read_fd;  /* every client's requests come in here */
    int keep_fd;  /* our own write end: no end of file between clients; it
                   * also holds the lock that says "a server reads this"
                   * (closing either descriptor drops it) */
    bool created; /* we made the FIFO: remove it even if start-up fails */
};

/* Creates the FIFO at path (mode 0600) if absent, and opens and claims it
 * as above. Returns 0, or -1 after printing why (then only a FIFO we
 * created may be removed: fifo->created). */
int open_request_fifo(const char *path, struct request_fifo *fifo);

#endif
