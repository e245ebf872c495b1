/* listener.c - accepting within FD_SETSIZE (see listener.h). */
#include "listener.h"

#include "io.h"
#include "net.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int listener_open(struct listener *listener, long port)
{
    listener->out_of_fds = false;
    listener->retry_at = 0;
    if ((listener->fd = listen_or_report(port)) < 0)
        return -1;
    if (listener->fd >= FD_SETSIZE || set_nonblocking(listener->fd) != 0) {
        if (listener->fd >= FD_SETSIZE)
            errno = EMFILE;
        report_errno("listening socket");
        close(listener->fd);
        return -1;
    }
    if (announce_port(listener->fd) != 0) {
        close(listener->fd);
        return -1;
    }
    return 0;
}

bool listener_watched(const struct listener *listener)
{
    return !listener->out_of_fds || now_seconds() >= listener->retry_at;
}

void listener_fd_freed(struct listener *listener)
{
    listener->retry_at = 0; /* worth trying again at once */
}

/* Out of descriptors. The connection stays in the listen queue and the
 * listener stays readable, so calling accept() again at once would fail
 * again, forever: a loop at 100% CPU. Instead stop watching the listener
 * until a client leaves or OUT_OF_FDS_PAUSE_S has passed, and say so once.
 * The waiting clients are not refused; they wait in the queue, as they
 * would with a busy server. (The other classic answer keeps a spare
 * descriptor open, closes it to accept and close the newcomer, and opens
 * it again: the client learns at once that it was refused. See the
 * README's exercises.) */
static void pause_listener(struct listener *listener)
{
    if (!listener->out_of_fds)
        report_errno("accept (not accepting for a moment)");
    listener->out_of_fds = true;
    listener->retry_at = now_seconds() + OUT_OF_FDS_PAUSE_S;
}

int accept_client(struct listener *listener, char *peer)
{
    for (;;) {
        struct sockaddr_storage addr;
        socklen_t addr_len = sizeof addr;
        int fd = accept(listener->fd, (struct sockaddr *)&addr, &addr_len);

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE)
                pause_listener(listener);
            else if (errno == ECONNABORTED || errno == EPROTO)
                continue; /* that client gave up in the queue: next one */
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                report_errno("accept");
            return -1; /* EAGAIN: the queue is empty */
        }
        listener->out_of_fds = false;
        format_peer((struct sockaddr *)&addr, addr_len, peer, PEER_NAME_MAX);
        /* fd_set is a bit array of FD_SETSIZE bits: FD_SET on a larger
         * descriptor writes past its end (undefined behaviour, a classic
         * memory corruption). Such a client cannot be served here. */
        if (fd >= FD_SETSIZE) {
            fprintf(stderr,
                    "%s: refused %s: descriptor %d is beyond FD_SETSIZE "
                    "(%d)\n",
                    progname(), peer, fd, FD_SETSIZE);
            close(fd);
            continue;
        }
        /* A socket from accept() does not inherit O_NONBLOCK on Linux. */
        if (set_nonblocking(fd) != 0) {
            report_peer_errno("fcntl", peer);
            close(fd);
            continue;
        }
        return fd;
    }
}
