/* datagram.c - whole datagrams in and out, truncation detected. */
#include "datagram.h"

#include "net.h"
#include "server.h"
#include "stop.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t receive_datagram(int fd, void *buf, size_t cap,
                         struct sockaddr_storage *from, socklen_t *from_len,
                         bool *truncated)
{
    for (;;) {
        struct iovec piece = {.iov_base = buf, .iov_len = cap};
        struct msghdr msg;
        ssize_t n;

        /* Wait for a datagram or a stop (stop.h). */
        int ready = wait_for_input(fd);
        if (ready < 0 && errno == EINTR)
            continue; /* another signal's handler ran (06 -f's SIGCHLD) */
        if (ready <= 0) {
            if (ready == 0)
                errno = EINTR;
            return -1;
        }
        memset(&msg, 0, sizeof msg);
        msg.msg_name = from;
        msg.msg_namelen = from != NULL ? sizeof *from : 0;
        msg.msg_iov = &piece;
        msg.msg_iovlen = 1;
        /* recvmsg, not recvfrom: only recvmsg reports in msg_flags that the
         * kernel cut the datagram to fit the buffer (MSG_TRUNC).
         * MSG_DONTWAIT: another process sharing the socket (06 -P) may have
         * taken the datagram we were woken for; then wait again. */
        n = recvmsg(fd, &msg, MSG_DONTWAIT);
        if (n >= 0) {
            if (from_len != NULL)
                *from_len = msg.msg_namelen;
            *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
            return n;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
    }
}

int send_datagram(int fd, const void *buf, size_t len,
                  const struct sockaddr *addr, socklen_t addr_len)
{
    for (;;) {
        ssize_t n = sendto(fd, buf, len, 0, addr, addr_len);
        if (n >= 0) {
            /* UDP sends all or nothing; a short count would be a kernel
             * bug, but say so rather than report success. */
            if ((size_t)n == len)
                return 0;
            errno = EMSGSIZE;
            return -1;
        }
        if (errno != EINTR)
            return -1;
    }
}

/* The source port of src, or -1 for a family without ports. */
static int source_port(const struct sockaddr_storage *src, socklen_t src_len)
{
    if (src->ss_family == AF_INET && src_len >= sizeof(struct sockaddr_in))
        return ntohs(((const struct sockaddr_in *)src)->sin_port);
    if (src->ss_family == AF_INET6 && src_len >= sizeof(struct sockaddr_in6))
        return ntohs(((const struct sockaddr_in6 *)src)->sin6_port);
    return -1;
}

const char *datagram_source_refusal(const struct sockaddr_storage *src,
                                    socklen_t src_len, int server_fd)
{
    int port = source_port(src, src_len);

    if (port < 0)
        return "source address of an unknown family";
    if (port == 0)
        return "source port 0";
    if (port < DATAGRAM_LOWEST_CLIENT_PORT)
        return "source port below 1024";
    if (port == local_port(server_fd))
        return "source port is the server's own";
    return NULL;
}

/* FNV-1a, 64 bits: a short hash, good enough to tell texts apart (a false
 * match needs 2^-64 luck, ECHO_GUARD_LIMIT times in a row). upper: hash
 * the upper transform of the bytes instead of the bytes. */
static uint64_t hash_bytes(uint64_t hash, const void *bytes, size_t len,
                           bool upper)
{
    const unsigned char *byte = bytes;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = byte[i];
        if (upper && c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 'a' + 'A');
        hash = (hash ^ c) * 0x100000001b3ULL;
    }
    return hash;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* The hash of a source: family, port and address (never 0: 0 marks a free
 * slot). */
static uint64_t hash_source(const struct sockaddr_storage *src,
                            socklen_t src_len)
{
    uint64_t hash = FNV_OFFSET;

    if (src->ss_family == AF_INET6 && src_len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)src;
        hash = hash_bytes(hash, &in6->sin6_port, sizeof in6->sin6_port, false);
        hash = hash_bytes(hash, &in6->sin6_addr, sizeof in6->sin6_addr, false);
    } else if (src->ss_family == AF_INET &&
               src_len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)src;
        hash = hash_bytes(hash, &in->sin_port, sizeof in->sin_port, false);
        hash = hash_bytes(hash, &in->sin_addr, sizeof in->sin_addr, false);
    }
    return hash != 0 ? hash : 1;
}

const char *echo_guard_check(struct echo_guard *guard,
                             const struct sockaddr_storage *src,
                             socklen_t src_len, const void *request,
                             size_t len)
{
    uint64_t source = hash_source(src, src_len);
    struct echo_slot *slot = &guard->slots[source % ECHO_GUARD_SLOTS];
    uint64_t as_sent = hash_bytes(FNV_OFFSET ^ len, request, len, false);

    if (slot->source != source) /* new, or it takes another's slot */
        *slot = (struct echo_slot){.source = source};
    else if (slot->reply == as_sent && slot->echoes < ECHO_GUARD_LIMIT)
        slot->echoes++;
    else if (slot->reply != as_sent)
        slot->echoes = 0;
    if (slot->echoes >= ECHO_GUARD_LIMIT)
        return "source echoes our replies";
    slot->reply = hash_bytes(FNV_OFFSET ^ len, request, len, true);
    return NULL;
}
