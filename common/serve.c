/* serve.c - the read, work, reply loop of one stream client. */
#include "serve.h"

#include "io.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <unistd.h>

/* One read; an EINTR is retried unless watch_stop_flag lets read_some
 * report a stop signal. */
static ssize_t read_chunk(int fd, char *buf, size_t len, bool watch_stop_flag)
{
    ssize_t n;

    if (watch_stop_flag)
        return read_some(fd, buf, len);
    while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
        continue;
    return n;
}

void serve_upper_client(int conn_fd, const char *peer, long delay_ms,
                        bool watch_stop_flag)
{
    char buf[SERVE_CHUNK_SIZE];
    ssize_t n;

    while ((n = read_chunk(conn_fd, buf, sizeof buf, watch_stop_flag)) > 0) {
        simulate_work(delay_ms);
        upper_transform(buf, (size_t)n);
        if (write_all(conn_fd, buf, (size_t)n) != 0) {
            report_peer_errno("write to", peer);
            return;
        }
    }
    /* n == 0 is the client closing; EINTR here means a stop signal. */
    if (n < 0 && errno != EINTR)
        report_peer_errno("read from", peer);
}
