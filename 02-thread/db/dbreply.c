/* dbreply.c - the reply buffer of dbproto.h: one growing byte string per
 * connection, reused from request to request, and given back when a reply
 * made it large (see DB_REPLY_KEEP_MAX in dbreply.h). */
#include "dbreply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_FIRST_CAP 256

void db_reply_init(struct db_reply *reply)
{
    reply->text = NULL;
    reply->len = reply->cap = 0;
    reply->failed = false;
}

void db_reply_free(struct db_reply *reply)
{
    free(reply->text);
    db_reply_init(reply);
}

void db_reply_append(struct db_reply *reply, const char *bytes, size_t len)
{
    if (reply->failed)
        return;
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

void db_reply_release_if_large(struct db_reply *reply)
{
    if (reply->cap > DB_REPLY_KEEP_MAX)
        db_reply_free(reply);
}
