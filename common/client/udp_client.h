/* udp_client.h - the UDP client of folders 06 and 07 (CONTRACT.md §5).
 *
 * The same interface as the TCP client, over datagrams. What changes is
 * that a request or its reply may be lost, and nothing tells the client:
 * it waits up to -t seconds, sends the request again (up to
 * UDP_RETRANSMISSIONS times), and then gives up on that request. And since
 * the protocol is plain bytes with no sequence number, a reply that comes
 * late (to an earlier request) must not be taken for the current answer:
 * a reply counts only when it comes from the server (the socket is
 * connect()ed, so the kernel filters every other sender) and is exactly
 * the upper transform of what was sent. */
#ifndef KIT_UDP_CLIENT_H
#define KIT_UDP_CLIENT_H

#include "options.h"
#include "stress.h"

#include <stdbool.h>
#include <stddef.h>

/* A request is sent at most 1 + UDP_RETRANSMISSIONS times. */
#define UDP_RETRANSMISSIONS 3
/* Default -t: short when a person waits at the terminal; long in stress
 * mode, where a request may queue behind many others at a busy server and
 * an early retransmission would only add work (see 06-udp/README.md). */
#define UDP_INTERACTIVE_TIMEOUT_S 2
#define UDP_STRESS_TIMEOUT_S      30

/* A UDP socket connect()ed to args->host:args->port (no packet is sent:
 * connect only fixes the peer). On failure prints "client: connect to
 * HOST:PORT: reason" and returns -1. */
int udp_connect_or_report(const struct client_args *args);

struct udp_answer {
    int tries;     /* datagrams sent for this request */
    bool refused;  /* the kernel reported "port unreachable" (ICMP) */
    double wait_s; /* from the first send to the matching reply */
};

/* Sends request (len bytes) on the connect()ed fd and waits up to
 * timeout_s for a reply equal to expected (len bytes), received into reply
 * (cap bytes); sends it again after each timeout, up to
 * UDP_RETRANSMISSIONS times. Any other datagram is ignored. Returns 1 when
 * the reply came, 0 when every try timed out, -1 on a socket error
 * (errno). Fills *answer. */
int udp_ask(int fd, const char *request, const char *expected, size_t len,
            char *reply, size_t cap, long timeout_s, struct udp_answer *answer);

/* Interactive mode: one datagram per non-empty line, "Reply is 'TEXT'" for
 * each reply, a message on stderr for each lost request. Returns 0 when
 * every line got its reply, 1 otherwise. */
int udp_run_interactive(const struct client_args *args);

/* One simulated client of stress mode over its own socket: R rounds of
 * udp_ask. Records into the report; returns 0, or -1 after a failure. */
int udp_stress_session(const struct client_args *args, long client,
                       struct stress_report *report);

/* Stress mode: args->clients simulated clients, one thread each (the
 * chapter's udp_stress_client); prints the summary, returns the status. */
int udp_stress_with_threads(const struct client_args *args);

/* The whole main of the UDP clients: command line, then one of the modes. */
int udp_client_main(int argc, char **argv);

#endif
