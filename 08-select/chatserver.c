/* chatserver.c - the chat server's select() loop (the room it feeds is
 * chatroom.c).
 *
 * What it teaches: the same loop as server.c, with what a chat adds. The
 * output of one member comes from the others, so a member's socket may be
 * full although it sent nothing: the loop watches it for writing while
 * its backlog waits, and wakes up once a second to drop a member whose
 * backlog has not moved for CHAT_STALL_TIMEOUT_S (it is not reading), or
 * a connection that sent no name within CHAT_NAME_TIMEOUT_S.
 *
 * Run:   ./08-select/chat --name server --port 2001
 * Look:  a member killed with SIGKILL leaves at once ("* ana left"); one
 *        stopped with SIGSTOP is dropped once its backlog stops moving.
 */
#include "chatserver.h"

#include "chatroom.h"
#include "io.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_member(struct chat_server *chat, int fd, const char *peer)
{
    struct member *member = calloc(1, sizeof *member);

    if (member == NULL) {
        report_peer_errno("no memory for", peer);
        close(fd);
        return;
    }
    member->fd = fd;
    member->out.total = &chat->backlog;
    member->connected_at = now_seconds();
    snprintf(member->peer, sizeof member->peer, "%s", peer);
    chat->members[fd] = member;
    if (fd > chat->max_fd)
        chat->max_fd = fd;
    printf("Client connected: %s\n", peer);
}

static void drop_member(struct chat_server *chat, struct member *member)
{
    int fd = member->fd;

    chat->members[fd] = NULL; /* first: the leave notice skips it */
    if (member->name[0] != '\0')
        room_announce(chat, member, "left");
    close(fd);
    printf("Client disconnected: %s\n", member->peer);
    outbuf_free(&member->out);
    free(member);
    while (chat->max_fd > chat->listener.fd &&
           chat->members[chat->max_fd] == NULL)
        chat->max_fd--;
    listener_fd_freed(&chat->listener);
}

/* A leave notice can doom another member (too far behind), so repeat. */
static void drop_doomed_members(struct chat_server *chat)
{
    bool again = true;

    while (again) {
        again = false;
        for (int fd = 0; fd <= chat->max_fd; fd++) {
            struct member *member = chat->members[fd];
            if (member != NULL &&
                (member->doomed ||
                 (member->leaving && outbuf_pending(&member->out) == 0))) {
                drop_member(chat, member);
                again = true;
            }
        }
    }
}

static void read_from(struct chat_server *chat, struct member *member)
{
    ssize_t n = read_some(member->fd, chat->block, sizeof chat->block);

    if (n > 0)
        room_take_bytes(chat, member, chat->block, (size_t)n);
    else if (n == 0)
        member->leaving = true; /* gone (closed, or killed: same EOF) */
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        report_peer_errno("read from", member->peer);
        member_doom(member, "read failed");
    }
}

/* Builds this pass's sets. Returns true when select() must wake up on its
 * own: the listener is paused (out of descriptors), output is waiting or
 * a name is awaited (their timeouts are checked even if nothing happens). */
static bool watch_members(struct chat_server *chat, fd_set *readable,
                          fd_set *writable)
{
    bool need_tick = !listener_watched(&chat->listener);

    FD_ZERO(readable);
    FD_ZERO(writable);
    if (!need_tick)
        FD_SET(chat->listener.fd, readable);
    for (int fd = 0; fd <= chat->max_fd; fd++) {
        struct member *member = chat->members[fd];
        if (member == NULL)
            continue;
        if (!member->leaving)
            FD_SET(fd, readable);
        if (member->name[0] == '\0')
            need_tick = true; /* its name timeout runs */
        if (outbuf_pending(&member->out) > 0) {
            FD_SET(fd, writable);
            need_tick = true;
        }
    }
    return need_tick;
}

/* One member after select(): write what its socket takes, read what it
 * sent, or drop it when its output has not moved for too long. The name
 * deadline comes first, on every pass: checked only when nothing was
 * readable, a client sending one byte every half second would never
 * meet it. */
static void serve_member(struct chat_server *chat, struct member *member,
                         bool can_read, bool can_write)
{
    if (member->name[0] == '\0' &&
        now_seconds() - member->connected_at >= CHAT_NAME_TIMEOUT_S) {
        member_doom(member, "no name within 10 s");
    } else if (can_write && outbuf_flush(&member->out, member->fd) < 0) {
        report_peer_errno("write to", member->peer);
        member_doom(member, "write failed");
    } else if (!can_write && outbuf_stalled(&member->out, now_seconds(),
                                            CHAT_STALL_TIMEOUT_S)) {
        char why[64];
        snprintf(why, sizeof why, "%zu bytes unread for %.0f s",
                 outbuf_pending(&member->out), CHAT_STALL_TIMEOUT_S);
        member_doom(member, why);
    } else if (can_read) {
        read_from(chat, member);
    }
}

static int serve_chat(struct chat_server *chat)
{
    while (!stop_requested()) {
        fd_set readable, writable;
        struct timeval tick = {.tv_sec = 1, .tv_usec = 0};
        bool need_tick = watch_members(chat, &readable, &writable);
        int fd;

        /* The stop descriptor (common/stop.h), opened before the listener,
         * so below max_fd: a stop signal wakes select() at once. */
        FD_SET(stop_fd(), &readable);
        if (select(chat->max_fd + 1, &readable, &writable, NULL,
                   need_tick ? &tick : NULL) < 0) {
            if (errno == EINTR)
                continue;
            report_errno("select");
            return 1;
        }
        if (FD_ISSET(stop_fd(), &readable))
            break;
        if (FD_ISSET(chat->listener.fd, &readable)) {
            char peer[PEER_NAME_MAX];
            while ((fd = accept_client(&chat->listener, peer)) >= 0)
                add_member(chat, fd, peer);
        }
        for (fd = 0; fd <= chat->max_fd; fd++)
            if (chat->members[fd] != NULL && !chat->members[fd]->doomed)
                serve_member(chat, chat->members[fd], FD_ISSET(fd, &readable),
                             FD_ISSET(fd, &writable));
        drop_doomed_members(chat);
    }
    return 0;
}

int run_chat_server(long port)
{
    struct chat_server *chat;
    int status;

    if (prepare_server_process() != 0)
        return 1;
    /* On the heap: the member table is FD_SETSIZE pointers. */
    if ((chat = calloc(1, sizeof *chat)) == NULL) {
        report_errno("calloc");
        return 1;
    }
    chat->backlog.cap = CHAT_TOTAL_CAP;
    if (listener_open(&chat->listener, port) != 0) {
        free(chat);
        return 1;
    }
    chat->max_fd = chat->listener.fd;
    status = serve_chat(chat);
    for (int fd = 0; fd <= chat->max_fd; fd++)
        if (chat->members[fd] != NULL) {
            chat->members[fd]->name[0] = '\0'; /* no leave notices now */
            drop_member(chat, chat->members[fd]);
        }
    close(chat->listener.fd);
    free(chat);
    printf("shut down\n");
    return status;
}
