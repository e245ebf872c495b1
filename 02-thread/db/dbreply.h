/* dbreply.h - the reply lines to one request of dbserver, built in one
 * buffer and sent with one write; a reply longer than DB_REPLY_PIECE_MAX
 * (a LIST) is written in pieces of that size as it is built. */
#ifndef DBREPLY_H
#define DBREPLY_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>

/* The most a reply buffer holds: past it, what is buffered is written to
 * the client (a LIST of a full table, some 2.6 MB, goes out in pieces of
 * this size). Without it the buffer grew to the whole table, and freed
 * memory of that size stays with the process: 40 idle connections that
 * each once did a LIST held 46 MiB. Every GET-sized reply fits in one
 * piece, so the common case is still one write and no malloc. */
#define DB_REPLY_PIECE_MAX ((size_t)16 * 1024)

/* The reply lines to one request, each ending in "\n". failed means
 * malloc gave up and the text is incomplete: send DB_REPLY_NO_MEMORY
 * instead (or, once pieces went out, close the connection). */
struct db_reply {
    char *text;
    size_t len, cap;
    bool failed;
    int fd;          /* where full pieces go; -1: keep everything */
    size_t written;  /* bytes of this reply already written to fd */
    bool write_error; /* writing a piece failed: errno says why */
};

/* fd: the client's socket (pieces are written there), or -1. */
void db_reply_init(struct db_reply *reply, int fd);
void db_reply_free(struct db_reply *reply);
/* Before the next request: an empty reply, the buffer kept. */
void db_reply_reset(struct db_reply *reply);

void db_reply_append(struct db_reply *reply, const char *bytes, size_t len);
void db_reply_append_text(struct db_reply *reply, const char *text);
/* "id age name\n", the shape of GET's reply and of LIST's lines. */
void db_reply_append_person(struct db_reply *reply,
                            const struct person *person);

#endif
