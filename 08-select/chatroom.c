/* chatroom.c - the chat's room (chatroom.h): names, lines, relaying.
 *
 * What it teaches: a select() loop is not only for request/reply. One
 * member's line becomes output for every other member, whether they read
 * or not; so each member's output waits in its own struct outbuf, and the
 * defences of common/outbuf.h bound what a member that stops reading
 * costs: a cap per member, a total cap for all, and (in chatserver.c) a
 * stall timeout. What a member sends is shown on the others' terminals,
 * so it is made harmless first: control bytes become visible, and a name
 * is unique, so nobody can pass for somebody else.
 *
 * Run:   ./08-select/chat --name server --port 2001
 * Look:  the server's log ("* ana joined", "chat: dropped ...") beside
 *        what the members see.
 */
#include "chatroom.h"

#include "unseen.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CHAT_PENDING_CAP_TEXT "1048576" /* CHAT_PENDING_CAP, for the log */
/* A message with every byte shown as two (^X), plus the name and ": ". */
#define CHAT_TEXT_MAX (CHAT_NAME_MAX + 2 * CHAT_LINE_MAX + 4)

void member_doom(struct member *member, const char *why)
{
    fprintf(stderr, "%s: dropped %s (%s): %s\n", progname(), member->name,
            member->peer, why);
    member->doomed = true;
    outbuf_free(&member->out);
}

/* The member with the most unread output. */
static struct member *furthest_behind(struct chat_server *chat)
{
    struct member *worst = NULL;

    for (int fd = 0; fd <= chat->max_fd; fd++) {
        struct member *member = chat->members[fd];
        if (member != NULL && !member->doomed &&
            (worst == NULL ||
             outbuf_pending(&member->out) > outbuf_pending(&worst->out)))
            worst = member;
    }
    return worst;
}

/* Queues text for one member and tries to send it at once. */
static void send_to(struct chat_server *chat, struct member *member,
                    const char *text, size_t len)
{
    while (!member->doomed &&
           outbuf_append(&member->out, text, len, CHAT_PENDING_CAP) != 0) {
        if (errno != ENOBUFS)
            member_doom(member, "out of memory");
        else if (outbuf_pending(&member->out) + len > CHAT_PENDING_CAP)
            member_doom(member, "over " CHAT_PENDING_CAP_TEXT " bytes unread");
        else /* the total is full: free the largest backlog, try again */
            member_doom(furthest_behind(chat),
                        "furthest behind, chat backlog full");
    }
    if (!member->doomed && outbuf_flush(&member->out, member->fd) < 0) {
        report_peer_errno("write to", member->peer);
        member_doom(member, "write failed");
    }
}

/* Sends a line to every named member except `except` (may be NULL). */
static void broadcast(struct chat_server *chat, const struct member *except,
                      const char *text, size_t len)
{
    for (int fd = 0; fd <= chat->max_fd; fd++) {
        struct member *member = chat->members[fd];
        if (member != NULL && member != except && member->name[0] != '\0')
            send_to(chat, member, text, len);
    }
}

void room_announce(struct chat_server *chat, const struct member *who,
                   const char *what)
{
    char text[CHAT_NAME_MAX + 32];
    int len = snprintf(text, sizeof text, "* %s %s\n", who->name, what);

    fputs(text, stdout); /* the server's log shows the same line */
    broadcast(chat, who, text, (size_t)len);
}

/* Copies a message into out with every control byte in caret notation
 * (ESC -> ^[, CR -> ^M, NUL -> ^@, DEL -> ^?), as cat -v does: relayed
 * raw, "ESC[2K CR" would erase the sender's name on the others' terminal
 * and print a false one, and a NUL would cut the line short in C
 * strings. A tab only moves right: it stays. Returns the length. */
static size_t make_visible(const char *in, size_t len, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        /* A C1 control (UTF-8 C2 80-9F; U+009B starts an escape like ESC
         * [) gets cat -v's notation for its one-byte form: M-^[ and so
         * on, 4 bytes for 2, within CHAT_TEXT_MAX's two per byte. */
        if (utf8_c1_length((const unsigned char *)in + i, len - i) != 0) {
            c = (unsigned char)in[++i] & 0x7f;
            out[n++] = 'M';
            out[n++] = '-';
            out[n++] = '^';
            out[n++] = (char)(c ^ 0x40);
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            out[n++] = '^';
            out[n++] = (char)(c ^ 0x40);
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

/* A name is 1 to CHAT_NAME_MAX bytes without control bytes (C0, DEL, C1)
 * or invisible format characters (unseen.h), and unique: byte for byte
 * only, so "ana" with a zero-width space after it would look like "ana"
 * to everyone, had it not been refused. */
static const char *name_problem(struct chat_server *chat, const char *name,
                                size_t len)
{
    static const char rule[] =
        "* a name is 1 to 32 bytes, no control characters\n";

    if (len == 0 || len > CHAT_NAME_MAX || has_unseen_code_point(name, len))
        return rule;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return rule;
    for (int fd = 0; fd <= chat->max_fd; fd++)
        if (chat->members[fd] != NULL &&
            strncmp(chat->members[fd]->name, name, CHAT_NAME_MAX + 1) == 0)
            return "* that name is in use, choose another\n";
    return NULL;
}

/* A whole line from member (without its newline). */
static void handle_line(struct chat_server *chat, struct member *member)
{
    char text[CHAT_TEXT_MAX];
    size_t len = member->line_len, used;

    if (len > 0 && member->line[len - 1] == '\r')
        len--; /* telnet and nc -C end lines with "\r\n" */
    if (member->name[0] == '\0') {
        memcpy(text, member->line, len);
        text[len] = '\0'; /* a NUL inside is a control byte: refused */
        const char *problem = name_problem(chat, text, len);
        if (problem != NULL) {
            send_to(chat, member, problem, strlen(problem));
            member->leaving = true;
            return;
        }
        memcpy(member->name, text, len + 1);
        room_announce(chat, member, "joined");
    } else if (len > 0) {
        used = (size_t)snprintf(text, sizeof text, "%s: ", member->name);
        used += make_visible(member->line, len, text + used);
        text[used++] = '\n';
        broadcast(chat, member, text, used);
    }
}

/* Splits what arrived into lines, dropping any line over the cap. */
void room_take_bytes(struct chat_server *chat, struct member *member,
                     const char *bytes, size_t len)
{
    for (size_t i = 0; i < len && !member->leaving && !member->doomed; i++) {
        if (bytes[i] == '\n') {
            if (!member->skipping_line)
                handle_line(chat, member);
            member->skipping_line = false;
            member->line_len = 0;
        } else if (member->skipping_line) {
            continue;
        } else if (member->line_len == CHAT_LINE_MAX) {
            static const char notice[] = "* line too long, dropped\n";
            fprintf(stderr, "%s: dropped a line over %d bytes from %s\n",
                    progname(), CHAT_LINE_MAX, member->peer);
            send_to(chat, member, notice, sizeof notice - 1);
            member->skipping_line = true;
        } else {
            member->line[member->line_len++] = bytes[i];
        }
    }
}
