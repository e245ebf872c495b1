/* chatroom.h - the chat's room: its members, what they say, and what a
 * member that stops reading may cost. chatserver.c feeds it from its
 * select() loop; the room never blocks and never closes a descriptor.
 *
 * The protocol, lines ending in '\n' both ways:
 *   client -> server   first line: the member's name (1 to CHAT_NAME_MAX
 *                      bytes, no control characters, C0 or C1, no
 *                      invisible format characters (unseen.h), not in
 *                      use); then one
 *                      line per message (a '\r' before the '\n' is ignored,
 *                      empty lines are ignored, lines over CHAT_LINE_MAX
 *                      bytes are dropped with a notice to their sender)
 *   server -> client   "NAME: text" for what others say, "* NAME joined",
 *                      "* NAME left", and "* ..." notices for this member.
 *                      Control bytes in a message are shown in caret
 *                      notation (ESC as ^[, CR as ^M, NUL as ^@, DEL as ^?;
 *                      a tab stays a tab; a C1 control such as U+009B as
 *                      M-^[), as `cat -v` shows them. */
#ifndef SELECT_CHATROOM_H
#define SELECT_CHATROOM_H

#include "listener.h"
#include "net.h"
#include "outbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/select.h>

#define CHAT_NAME_MAX 32   /* bytes in a name */
#define CHAT_LINE_MAX 1024 /* bytes in a message, newline excluded */
/* A member this far behind in reading is dropped: the others keep talking,
 * and one reader that stopped must not grow the server without bound. */
#define CHAT_PENDING_CAP ((size_t)1024 * 1024)
/* All members' unread output together: many silent members (each under
 * its own cap) must not add up to the server's memory; over it, the
 * member furthest behind is dropped. */
#define CHAT_TOTAL_CAP ((size_t)8 * 1024 * 1024)
/* A member whose unread output has not moved for this long is not
 * reading: drop it, and free its descriptor and its backlog. */
#define CHAT_STALL_TIMEOUT_S 5.0
/* A connection that has not sent its name this long after connecting is
 * closed: idle connections must not hold every descriptor select() has. */
#define CHAT_NAME_TIMEOUT_S 10.0
#define CHAT_READ_BLOCK     4096

struct member {
    int fd;
    char peer[PEER_NAME_MAX];
    char name[CHAT_NAME_MAX + 1]; /* "" until its first line arrives */
    char line[CHAT_LINE_MAX];     /* the line being received */
    size_t line_len;
    bool skipping_line;  /* the current line is over the cap: drop it */
    bool leaving;        /* close once its pending output is written */
    bool doomed;         /* drop at the end of this pass */
    double connected_at; /* now_seconds() at accept */
    struct outbuf out;   /* what it has not read yet (counts in backlog) */
};

struct chat_server {
    struct listener listener;
    struct member *members[FD_SETSIZE]; /* indexed by descriptor */
    int max_fd;
    struct outbuf_total backlog; /* every member's out, CHAT_TOTAL_CAP */
    char block[CHAT_READ_BLOCK];
};

/* Logs why, frees the member's backlog at once and marks it to be dropped
 * at the end of the loop's pass (not now: a broadcast may be walking the
 * table). */
void member_doom(struct member *member, const char *why);

/* Says "* NAME what" to every other member and to the server's log. */
void room_announce(struct chat_server *chat, const struct member *who,
                   const char *what);

/* What arrived from member: split into lines, each handled (the name
 * first, then messages relayed to the others). */
void room_take_bytes(struct chat_server *chat, struct member *member,
                     const char *bytes, size_t len);

#endif
