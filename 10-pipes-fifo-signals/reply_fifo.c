/* reply_fifo.c - naming, making and opening a client's reply FIFO (see
 * reply_fifo.h for why its name has a random part). */
#include "reply_fifo.h"

#include "ipc_helpers.h"
#include "io.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPLY_FIFO_MODE 0600
/* A name already taken (by chance or by a planted file) means a new
 * token; after this many the directory is not a place to talk in. */
#define REPLY_NAME_TRIES 8
/* A client's reply FIFO with no reader (ENXIO) is tried this many times,
 * this far apart: a vanished client costs at most 50 x 10 ms. */
#define REPLY_OPEN_TRIES 50
#define REPLY_RETRY_MS   10

int reply_fifo_path(const char *request_fifo, long id, uint32_t token,
                    char *out, size_t size)
{
    int n = snprintf(out, size, "%s.reply.%ld.%08lx", request_fifo, id,
                     (unsigned long)token);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The kernel's random bytes: unpredictable, unlike rand() or the time. */
static int random_token(uint32_t *token)
{
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t got = fd < 0 ? -1 : read_full(fd, token, sizeof *token);

    if (fd >= 0)
        close(fd);
    return got == (ssize_t)sizeof *token ? 0 : -1;
}

/* mkfifo at a fresh random name. Returns 0, or -1 after printing why. */
static int create_reply_fifo(const char *request_fifo, long id,
                             struct reply_fifo *reply)
{
    for (int attempt = 1; attempt <= REPLY_NAME_TRIES; attempt++) {
        if (random_token(&reply->token) != 0) {
            report_errno("/dev/urandom");
            return -1;
        }
        if (reply_fifo_path(request_fifo, id, reply->token, reply->path,
                            sizeof reply->path) != 0) {
            report_error(request_fifo, "path too long");
            return -1;
        }
        /* mkfifo never replaces or follows what is already at the path
         * (like open with O_CREAT|O_EXCL); the umask can only make 0600
         * stricter. EEXIST: somebody was there first, draw again. */
        if (mkfifo(reply->path, REPLY_FIFO_MODE) == 0)
            return 0;
        if (errno != EEXIST)
            break;
    }
    report_errno(reply->path);
    return -1;
}

int make_reply_fifo(const char *request_fifo, long id, struct reply_fifo *reply)
{
    reply->read_fd = reply->keep_fd = -1;
    reply->made = false;
    if (create_reply_fifo(request_fifo, id, reply) != 0)
        return -1;
    reply->made = true;
    /* Open it for reading now, before sending anything, so that the
     * server's open finds a reader at once. O_NONBLOCK so that this open
     * does not wait for a writer. Then hold a write end ourselves: between
     * two replies the server has closed its end, and without a writer
     * poll() would report "hang-up" and read() end of file at once. */
    reply->read_fd = open(reply->path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    if (reply->read_fd >= 0)
        reply->keep_fd = open(reply->path, O_WRONLY | O_NOFOLLOW);
    if (reply->keep_fd < 0) {
        report_errno(reply->path);
        return -1;
    }
    return 0;
}

void remove_reply_fifo(struct reply_fifo *reply)
{
    if (reply->read_fd >= 0)
        close(reply->read_fd);
    if (reply->keep_fd >= 0)
        close(reply->keep_fd);
    if (reply->made && unlink(reply->path) != 0)
        report_errno(reply->path);
    reply->read_fd = reply->keep_fd = -1;
    reply->made = false;
}

int open_reply_fifo(const char *path)
{
    struct stat info;
    int fd;

    /* O_NONBLOCK makes open fail with ENXIO instead of waiting when nobody
     * has the FIFO open for reading: the client has not opened it yet, or
     * it is dead. Retry a bounded number of times, then give up. */
    for (int attempt = 1;; attempt++) {
        fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
        if (fd >= 0 || errno != ENXIO || attempt == REPLY_OPEN_TRIES)
            break;
        sleep_ms(REPLY_RETRY_MS);
    }
    if (fd < 0) {
        if (errno == ENXIO)
            report_error(path, "nobody reading: reply dropped");
        else
            report_errno(path);
        return -1;
    }
    /* Whatever we opened must be a FIFO of our own user, not a file or a
     * device somebody else put at that name. */
    if (fstat(fd, &info) != 0 || !S_ISFIFO(info.st_mode) ||
        info.st_uid != geteuid()) {
        report_error(path, "not a FIFO of ours: reply dropped");
        close(fd);
        return -1;
    }
    return fd;
}
