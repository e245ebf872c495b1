/* fdpass.c - sending and receiving a descriptor over a UNIX-domain socket.
 *
 * What it teaches: the two halves of SCM_RIGHTS. The message's ordinary
 * data (here the peer's name) travels like any data; the descriptor
 * travels beside it as ancillary ("control") data, and the kernel gives
 * the receiver a new descriptor for the same open connection, as dup()
 * would across processes.
 *
 * Run:   used by ./04-prefork-pool/server (see README.md, "Passing a
 *        descriptor, step by step").
 * Look:  the control buffer and its alignment; the checks the receiver
 *        makes before it trusts the descriptor.
 */
#include "fdpass.h"

#include "util.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* The control buffer for one descriptor: CMSG_SPACE bytes, aligned like a
 * cmsghdr (the union does the aligning; a bare char array might not be). */
union fd_control {
    struct cmsghdr header;
    char bytes[CMSG_SPACE(sizeof(int))];
};

/* The message is the peer's name: a message must carry at least one byte
 * of ordinary data anyway, and the worker needs the name for its log
 * lines. */
int send_connection(int channel_fd, int conn_fd, const char *peer)
{
    /* iovec serves both directions, so its pointer is not const: sendmsg
     * only reads through it. */
    struct iovec data = {.iov_base = (void *)peer, .iov_len = strlen(peer) + 1};
    union fd_control control;
    struct msghdr msg;
    struct cmsghdr *cmsg;

    memset(&control, 0, sizeof control);
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &data;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &conn_fd, sizeof conn_fd);
    return sendmsg(channel_fd, &msg, 0) < 0 ? -1 : 0;
}

int receive_connection(int channel_fd, char *peer, size_t peer_size)
{
    struct iovec data = {.iov_base = peer, .iov_len = peer_size - 1};
    union fd_control control;
    struct msghdr msg;
    struct cmsghdr *cmsg;
    ssize_t n;
    int conn_fd;

    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &data;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    n = recvmsg(channel_fd, &msg, 0);
    if (n <= 0) {
        /* EINTR: the worker's only handler is the stop handler, so it
         * means stop. 0: nobody holds the parent's end any more. */
        if (n < 0 && errno != EINTR)
            report_errno("receive connection");
        return -1;
    }
    peer[n] = '\0';
    /* A truncated control part, or a message that is not exactly one
     * descriptor, is not what the parent sends: trust nothing in it. */
    cmsg = CMSG_FIRSTHDR(&msg);
    if ((msg.msg_flags & MSG_CTRUNC) || cmsg == NULL ||
        cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
        cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        report_error("receive connection", "message without a descriptor");
        return -1;
    }
    memcpy(&conn_fd, CMSG_DATA(cmsg), sizeof conn_fd);
    return conn_fd;
}
