/* sessions.h - the 09-epoll client's simulated clients (sessions.c): a
 * small state machine each, all driven by one epoll loop. */
#ifndef EPOLL_SESSIONS_H
#define EPOLL_SESSIONS_H

#include "client/client.h"
#include "client/stress.h"

#include <netdb.h>
#include <stddef.h>

/* Connections being set up at once. Starting 10,000 handshakes in one go
 * would overflow the server's listen queue (the kernel then drops SYNs and
 * the client waits a second or more to retry); a bounded window keeps the
 * queue short and lets each session start as soon as a place frees up. */
#define CONNECTS_IN_FLIGHT 256
/* Events per epoll_wait, and how often the loop looks for timeouts. */
#define MAX_EVENTS      256
#define TIMEOUT_SCAN_MS 100
/* Longer than any of the 8 words. */
#define REPLY_MAX 16

enum session_state { NOT_STARTED, CONNECTING, AWAITING_REPLY, FINISHED };

/* One simulated client: all it needs between two events. */
struct session {
    enum session_state state;
    int fd;
    long id;
    long round;      /* messages answered so far */
    size_t got;      /* bytes of the current reply received */
    double sent_at;  /* when the current message (or connect) started */
    double deadline; /* -t: give up at this time */
    char reply[REPLY_MAX];
};

struct driver {
    const struct client_args *args;
    const struct addrinfo *addr; /* where to connect */
    int epoll_fd;
    struct session *sessions;
    long next_to_start, connecting, finished;
    struct stress_report report;
};

/* Counts the session as failed (an error of the run) and ends it. */
void fail_session(struct driver *driver, struct session *session,
                  const char *why);

/* Drives every session to its end in one epoll loop (driver->epoll_fd
 * open, driver->addr resolved). Returns 0, or -1 if epoll_wait failed. */
int run_sessions(struct driver *driver);

#endif
