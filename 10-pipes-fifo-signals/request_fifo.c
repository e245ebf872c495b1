/* request_fifo.c - creating, checking and claiming the request FIFO (see
 * request_fifo.h for what each check prevents). */
#include "request_fifo.h"

#include "ipc_helpers.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only the owner may read or write the FIFO: anybody who can write it can
 * ask for replies under any client's id. */
#define REQUEST_FIFO_MODE 0600

/* Opens the read end and checks what it is. Returns 0, or -1 with the
 * reason in *why (NULL: errno says it). */
static int open_read_end(const char *path, struct request_fifo *fifo,
                         struct stat *info, const char **why)
{
    *why = NULL;
    /* O_NONBLOCK: a plain open for reading would wait for a first writer.
     * O_NOFOLLOW: a symbolic link planted at the path is refused. */
    fifo->read_fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    if (fifo->read_fd < 0 || fstat(fifo->read_fd, info) != 0)
        return -1;
    if (!S_ISFIFO(info->st_mode))
        *why = "exists and is not a FIFO";
    else if (info->st_uid != geteuid())
        *why = "owned by another user: refused";
    return *why == NULL ? 0 : -1;
}

/* A write lock on the FIFO says "a server reads this". The kernel grants
 * it to one process only, at once (no gap between looking and taking, as
 * a check "is anybody reading?" followed by an open would have), and
 * drops it when that process ends, however it ends: no stale lock file
 * after a kill -9. Returns 0, 1 when another server holds it, -1 on error. */
static int lock_as_the_server(int write_fd)
{
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

    if (fcntl(write_fd, F_SETLK, &lock) == 0)
        return 0;
    return errno == EACCES || errno == EAGAIN ? 1 : -1;
}

/* Opens our own write end, checks it is the FIFO we opened for reading
 * (the path could have changed in between) and locks it. */
static int open_keep_end(const char *path, struct request_fifo *fifo,
                         const struct stat *read_info, const char **why)
{
    struct stat info;
    int locked = 0;

    *why = NULL;
    fifo->keep_fd = open(path, O_WRONLY | O_NOFOLLOW);
    if (fifo->keep_fd < 0 || fstat(fifo->keep_fd, &info) != 0)
        return -1;
    if (info.st_dev != read_info->st_dev || info.st_ino != read_info->st_ino)
        *why = "was replaced while opening it";
    else if ((locked = lock_as_the_server(fifo->keep_fd)) > 0)
        *why = "another server is already reading it";
    return *why == NULL && locked == 0 ? 0 : -1;
}

int open_request_fifo(const char *path, struct request_fifo *fifo)
{
    struct stat info;
    const char *why = NULL;

    fifo->read_fd = fifo->keep_fd = -1;
    /* mkfifo, like open with O_CREAT|O_EXCL, never replaces or follows
     * what is already at the path; if something is there we look at it. */
    if (mkfifo(path, REQUEST_FIFO_MODE) == 0)
        fifo->created = true;
    else if (errno != EEXIST)
        goto failed;
    if (open_read_end(path, fifo, &info, &why) != 0 ||
        open_keep_end(path, fifo, &info, &why) != 0)
        goto failed;
    /* mkfifo's mode went through the umask, and a FIFO left by an earlier
     * run may have any mode: set it on the file we really opened. */
    if (fchmod(fifo->read_fd, REQUEST_FIFO_MODE) != 0)
        goto failed;
    /* Back to blocking reads; the server waits in pselect() anyway. */
    if (clear_nonblocking(fifo->read_fd) == 0)
        return 0;
failed:
    if (why != NULL)
        report_error(path, why);
    else
        report_errno(path);
    return -1;
}
