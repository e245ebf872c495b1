/* 06-udp/flow_table.c - one upstream socket per client address, found by
 * a walk over a fixed table (MAX_FLOWS is small; a NAT with millions of
 * flows would hash), expired when idle. */
#include "flow_table.h"

#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void flow_table_init(struct flow_table *table)
{
    for (int i = 0; i < MAX_FLOWS; i++)
        table->flows[i].fd = -1;
}

/* A new flow in slot: its socket, connect()ed to the server, and the
 * address the kernel gave it (its name, for flow_table_owns). */
static int open_flow(struct flow *slot, const struct sockaddr *server,
                     socklen_t server_len)
{
    struct sockaddr_storage local;
    socklen_t local_len = sizeof local;

    slot->fd = socket(server->sa_family, SOCK_DGRAM, 0);
    if (slot->fd < 0)
        return -1;
    if (connect(slot->fd, server, server_len) != 0 ||
        set_nonblocking(slot->fd) != 0 ||
        getsockname(slot->fd, (struct sockaddr *)&local, &local_len) != 0) {
        close(slot->fd);
        slot->fd = -1;
        return -1;
    }
    format_peer((struct sockaddr *)&local, local_len, slot->local,
                sizeof slot->local);
    return 0;
}

bool flow_table_owns(const struct flow_table *table, const char *peer)
{
    for (int i = 0; i < MAX_FLOWS; i++)
        if (table->flows[i].fd >= 0 &&
            strcmp(table->flows[i].local, peer) == 0)
            return true;
    return false;
}

struct flow *flow_of(struct flow_table *table,
                     const struct sockaddr_storage *from, socklen_t from_len,
                     const char *peer, const struct sockaddr *server,
                     socklen_t server_len)
{
    struct flow *slot = NULL;

    for (int i = 0; i < MAX_FLOWS; i++) {
        struct flow *flow = &table->flows[i];
        if (flow->fd >= 0 && strcmp(flow->peer, peer) == 0) {
            flow->last_seen = now_seconds();
            return flow;
        }
        if (flow->fd < 0 && slot == NULL)
            slot = flow;
    }
    if (slot == NULL) {
        errno = ENOSPC;
        return NULL;
    }
    if (open_flow(slot, server, server_len) != 0) {
        report_peer_errno("upstream socket for", peer);
        return NULL;
    }
    slot->client = *from;
    slot->client_len = from_len;
    snprintf(slot->peer, sizeof slot->peer, "%s", peer);
    slot->last_seen = now_seconds();
    slot->credit = 0;
    return slot;
}

void flow_table_poll_set(const struct flow_table *table, struct pollfd *ready)
{
    for (int i = 0; i < MAX_FLOWS; i++)
        ready[i] = (struct pollfd){.fd = table->flows[i].fd, .events = POLLIN};
}

void flow_table_expire(struct flow_table *table, bool all)
{
    double now = now_seconds();

    for (int i = 0; i < MAX_FLOWS; i++) {
        struct flow *flow = &table->flows[i];
        if (flow->fd >= 0 && (all || now - flow->last_seen > FLOW_IDLE_S)) {
            close(flow->fd);
            flow->fd = -1;
        }
    }
}
