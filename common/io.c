/* io.c - EINTR- and short-count-safe reads and writes. */
#include "io.h"

#include <errno.h>
#include <unistd.h>

ssize_t read_some(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = read(fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return n;
    }
}

ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; /* end of file: the caller sees the short count */
        got += (size_t)n;
    }
    return (ssize_t)got;
}

int write_all(int fd, const void *buf, size_t len)
{
    size_t sent = 0;

    while (sent < len) {
        ssize_t n = write(fd, (const char *)buf + sent, len - sent);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        sent += (size_t)n;
    }
    return 0;
}
