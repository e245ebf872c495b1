/* reply_fifo.h - the way back: each client's private reply FIFO.
 *
 * All clients write into one request FIFO, so the server cannot answer on
 * it: each client makes its own FIFO, FIFO.reply.PID.TOKEN, beside the
 * request FIFO. TOKEN is random and travels in every request frame, so the
 * server can build the name and nobody else can guess it in advance: a
 * file planted at a name cannot block a client that has not chosen it
 * yet. The server takes no path from the frame, only two numbers: a frame
 * cannot make it open anything but a reply FIFO beside its own. */
#ifndef KIT_REPLY_FIFO_H
#define KIT_REPLY_FIFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes "FIFO.reply.ID.TOKEN" (TOKEN in 8 hex digits) into out (size
 * bytes). Returns 0, or -1 when it does not fit. */
int reply_fifo_path(const char *request_fifo, long id, uint32_t token,
                    char *out, size_t size);

/* The client's side: its reply FIFO, from making it to removing it. */
struct reply_fifo {
    char path[PATH_MAX];
    uint32_t token; /* random: sent in every request frame */
    int read_fd;    /* the replies come in here */
    int keep_fd;    /* a write end we never use (see make_reply_fifo) */
    bool made;      /* path is ours: remove it at the end */
};

/* Draws a random token, makes the FIFO (mode 0600) at
 * reply_fifo_path(request_fifo, id, token), drawing again if the name is
 * taken, and opens it. Returns 0, or -1 after printing why (call
 * remove_reply_fifo all the same). */
int make_reply_fifo(const char *request_fifo, long id,
                    struct reply_fifo *reply);

/* Closes what make_reply_fifo opened and removes what it made. */
void remove_reply_fifo(struct reply_fifo *reply);

/* The server's side: opens the reply FIFO at path for writing, without
 * waiting for a reader that may never come, and checks it is a FIFO of
 * our own user. Returns the descriptor, or -1 after printing why (the
 * reply is then dropped). */
int open_reply_fifo(const char *path);

#endif
