/* dbproto.h - the line protocol of 02-thread/dbserver (CONTRACT.md §10):
 * one request line in, its reply lines out. No sockets here: the server
 * reads the lines and writes the replies; this turns one into the other.
 *
 *   UPPER|LOWER|REVERSE text            OK result
 *   ADD id age name...                  OK | ERR exists
 *   GET id                              OK id age name... | ERR not found
 *   SET id age name...                  OK | ERR not found
 *   DEL id                              OK | ERR not found
 *   BIRTHDAY id                         OK newage | ERR not found
 *   LIST                                OK n, then n lines "id age name..."
 *   anything else                       ERR reason
 *
 * The full grammar and every error reply: 02-thread/db/dbserver.md. */
#ifndef DBPROTO_H
#define DBPROTO_H

#include "db.h"
#include "dbreply.h"

#include <stdbool.h>
#include <stddef.h>

/* The longest request line, without its "\n" or "\r\n". */
#define DB_LINE_MAX 1024

#define DB_REPLY_TOO_LONG "ERR line too long\n"
/* Sent instead of a reply that could not be built for lack of memory. */
#define DB_REPLY_NO_MEMORY "ERR out of memory\n"

/* Answers the request line[0..len) (no terminator; it may contain NUL
 * bytes) against db: the reply's previous text is replaced by the new one.
 * delay_ms is the simulated work of UPPER, LOWER and REVERSE; database
 * requests do theirs inside the database, with their locks held. */
void db_answer(struct db *db, long delay_ms, const char *line, size_t len,
               struct db_reply *reply);

#endif
