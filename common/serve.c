/* serve.c - the upper service over one blocking connection. */
#include "serve.h"

#include "io.h"
#include "stop.h"
#include "upper.h"
#include "util.h"

#include <errno.h>
#include <sys/types.h>

int serve_client(int conn_fd, const char *peer, long delay_ms)
{
    char buf[CHUNK_SIZE];
    ssize_t n;

    while ((n = read_unless_stopped(conn_fd, buf, sizeof buf)) > 0) {
        if (simulate_work(delay_ms) != 0) {
            report_errno("simulated work");
            return -1;
        }
        upper_transform(buf, (size_t)n);
        if (write_all(conn_fd, buf, (size_t)n) != 0) {
            report_peer_errno("write to", peer);
            return -1;
        }
    }
    if (n == 0)
        return 0; /* the client closed (or half-closed) and has every reply */
    /* EINTR here means a stop signal: not the client's fault, no message. */
    if (errno != EINTR)
        report_peer_errno("read from", peer);
    return -1;
}
