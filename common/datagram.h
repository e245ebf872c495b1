/* datagram.h - sending and receiving whole UDP datagrams (CONTRACT.md §3).
 *
 * UDP has no partial I/O: one sendto() sends one whole datagram and one
 * recvfrom() returns one whole datagram. What can still go wrong is a
 * buffer too small for the datagram (the kernel silently cuts it: the rest
 * is lost) and EINTR. These helpers detect the first and handle the second,
 * once, for the UDP servers and clients of folders 06 and 07. */
#ifndef KIT_DATAGRAM_H
#define KIT_DATAGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* The largest UDP payload over IPv4: 65,535 (the IP length field) minus 20
 * bytes of IP header and 8 of UDP header. IPv6 allows 65,527, but the kit
 * promises only what both families carry. */
#define UDP_MAX_PAYLOAD 65507

/* A receive buffer one byte larger than any payload the kit promises, so
 * that a datagram that does not fit is noticed (MSG_TRUNC) and never
 * mistaken for a complete one. */
#define DATAGRAM_BUFFER_SIZE 65536

/* Receives one datagram into buf (cap bytes). Stores the sender in *from /
 * *from_len when from is not NULL, and in *truncated whether the datagram
 * was longer than cap (its tail is then lost: the caller must drop it).
 * Returns its length (0 is a valid, empty datagram), or -1 with errno:
 * EINTR once a stop signal is pending (it waits with wait_for_input,
 * stop.h). */
ssize_t receive_datagram(int fd, void *buf, size_t cap,
                         struct sockaddr_storage *from, socklen_t *from_len,
                         bool *truncated);

/* Sends len bytes as one datagram to addr (NULL on a connect()ed socket).
 * Returns 0, or -1 with errno (EMSGSIZE when len is too large). */
int send_datagram(int fd, const void *buf, size_t len,
                  const struct sockaddr *addr, socklen_t addr_len);

/* Source ports below this are the well-known services (echo 7, chargen
 * 19, DNS 53, NTP 123...): the classic UDP reflection peers. */
#define DATAGRAM_LOWEST_CLIENT_PORT 1024

/* Reflection: UDP trusts the source address a datagram claims, and anyone
 * can forge it. A forged request "from" another UDP responder (an echo
 * service, a DNS server, a second upper server) makes this server send its
 * reply there, that responder answers back, and the two ping-pong for ever
 * on one forged packet. The kit's rule, for every UDP server: never answer
 * a datagram whose source port is 0 (not a port anyone can reply to) or
 * below DATAGRAM_LOWEST_CLIENT_PORT (a service, not a client), or is the
 * server's own port (server_fd's): the server itself, or a server of the
 * same kind on another host, with which it would ping-pong. The cost: a
 * real client bound to a port below 1024 is refused.
 * Returns NULL when the server may answer src, or a short reason to log
 * ("source port below 1024"). Usage, after receive_datagram:
 *     const char *why = datagram_source_refusal(&from, from_len, fd);
 *     if (why != NULL) { log "Refused: PEER (why)"; drop the datagram; } */
const char *datagram_source_refusal(const struct sockaddr_storage *src,
                                    socklen_t src_len, int server_fd);

/* The rule above cannot see a second upper server on an ordinary port (two
 * kit servers started on port 0 both sit among the ephemeral ports, where
 * clients are too): one datagram forged from one to the other, and each
 * answers the other's answers for ever. What gives such a peer away is
 * what it sends: the reply it was just sent, unchanged (an upper server
 * returns an uppercase text as it is; so does any echo service). A source
 * that does so ECHO_GUARD_LIMIT times in a row is refused until it sends
 * something else: the ping-pong ends after that many rounds, whatever the
 * delay. The cost: a client that sends the same uppercase text more than
 * ECHO_GUARD_LIMIT times in a row (retransmissions included: 3 at most)
 * from one socket is refused from then on. */
#define ECHO_GUARD_LIMIT 8
/* Sources remembered at once (a fixed table: a flood of forged sources
 * costs no memory). A source that loses its slot to another starts again
 * from 0; keeping a ping-pong alive that way takes a stream of forged
 * datagrams, not one. */
#define ECHO_GUARD_SLOTS 256

struct echo_guard {
    struct echo_slot {
        uint64_t source; /* a hash of the address, 0: a free slot */
        uint64_t reply;  /* a hash of the last reply it was sent */
        unsigned echoes; /* its requests in a row equal to that reply */
    } slots[ECHO_GUARD_SLOTS];
};

/* To be called for each request the reflection rule let through, in the
 * order received: NULL when the server may answer it (its reply, the
 * upper transform of request, is then remembered), else the reason to log
 * ("source echoes our replies"). A guard starts zeroed. */
const char *echo_guard_check(struct echo_guard *guard,
                             const struct sockaddr_storage *src,
                             socklen_t src_len, const void *request,
                             size_t len);

#endif
