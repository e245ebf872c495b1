/* dbreply.c - the reply buffer of dbproto.h: one byte string per
 * connection, reused from request to request, never over
 * DB_REPLY_PIECE_MAX (dbreply.h): a longer reply is written in pieces. */
#include "dbreply.h"

#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_FIRST_CAP 256

void db_reply_init(struct db_reply *reply, int fd)
{
    reply->text = NULL;
    reply->len = reply->cap = 0;
    reply->fd = fd;
    db_reply_reset(reply);
}

void db_reply_reset(struct db_reply *reply)
{
    reply->len = reply->written = 0;
    reply->failed = reply->write_error = false;
}

void db_reply_free(struct db_reply *reply)
{
    free(reply->text);
    db_reply_init(reply, reply->fd);
}

/* Writes what is buffered to the client: room for the next piece. */
static void send_piece(struct db_reply *reply)
{
    if (write_all(reply->fd, reply->text, reply->len) != 0) {
        reply->write_error = true;
        return;
    }
    reply->written += reply->len;
    reply->len = 0;
}

void db_reply_append(struct db_reply *reply, const char *bytes, size_t len)
{
    if (reply->failed || reply->write_error)
        return;
    if (reply->fd >= 0 && reply->len > 0 &&
        reply->len + len > DB_REPLY_PIECE_MAX) {
        send_piece(reply);
        if (reply->write_error)
            return;
    }
    if (reply->cap - reply->len < len) {
        size_t cap = reply->cap == 0 ? REPLY_FIRST_CAP : reply->cap;
        char *grown;

        while (cap - reply->len < len)
            cap *= 2;
        if ((grown = realloc(reply->text, cap)) == NULL) {
            reply->failed = true;
            return;
        }
        reply->text = grown;
        reply->cap = cap;
    }
    memcpy(reply->text + reply->len, bytes, len);
    reply->len += len;
}

void db_reply_append_text(struct db_reply *reply, const char *text)
{
    db_reply_append(reply, text, strlen(text));
}

/* "id age name\n", the shape of GET's reply and of LIST's lines. */
void db_reply_append_person(struct db_reply *reply, const struct person *person)
{
    char line[DB_ID_MAX + DB_NAME_MAX + 32];
    int n = snprintf(line, sizeof line, "%s %ld %s\n", person->id, person->age,
                     person->name);

    db_reply_append(reply, line,
                    (size_t)n); /* n < sizeof line: the fields fit */
}
