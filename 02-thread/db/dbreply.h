/* dbreply.h - the reply lines to one request of dbserver, built in one
 * growing buffer and sent with one write. */
#ifndef DBREPLY_H
#define DBREPLY_H

#include "db.h"

#include <stdbool.h>
#include <stddef.h>

/* A reply buffer larger than this is freed once its reply is sent: a LIST
 * of a full table is some 2.6 MiB, and an idle connection that once asked
 * for one must not keep that memory for as long as it stays connected
 * (40 such connections held 106 MiB). Every GET-sized reply fits, so the
 * common case still reuses one buffer and never calls malloc. */
#define DB_REPLY_KEEP_MAX ((size_t)64 * 1024)

/* The reply lines to one request, each ending in "\n". It grows as needed
 * (LIST may be DB_MAX_RECORDS lines); failed means malloc gave up and the
 * text is incomplete: send DB_REPLY_NO_MEMORY instead. */
struct db_reply {
    char *text;
    size_t len, cap;
    bool failed;
};

void db_reply_init(struct db_reply *reply);
void db_reply_free(struct db_reply *reply);
/* After the reply was sent: frees the buffer if it grew past
 * DB_REPLY_KEEP_MAX (the next request starts a new one). */
void db_reply_release_if_large(struct db_reply *reply);

void db_reply_append(struct db_reply *reply, const char *bytes, size_t len);
void db_reply_append_text(struct db_reply *reply, const char *text);
/* "id age name\n", the shape of GET's reply and of LIST's lines. */
void db_reply_append_person(struct db_reply *reply,
                            const struct person *person);

#endif
