/* frame.h - the request/reply frame of the FIFO upper service, and where a
 * client's reply FIFO lives. Shared by server.c and client.c.
 *
 * A FIFO is a byte stream with no message boundaries: two frames written
 * one after the other may come out of one read(), and a read may stop in
 * the middle of one. So every frame carries a fixed header saying whose it
 * is and how long it is:
 *
 *   offset 0  4 bytes  magic "UPF1"   (lets the reader find the next frame
 *                                      after garbage)
 *   offset 4  4 bytes  client id      (its PID, > 0)
 *   offset 8  4 bytes  payload length (1 .. FRAME_PAYLOAD_MAX)
 *   offset 12 4 bytes  check          (~(id ^ length): bytes that merely
 *                                      happen to start with "UPF1" are
 *                                      almost never a valid header)
 *   offset 16 length bytes of payload
 *
 * The numbers are in the machine's own byte order: a FIFO never leaves the
 * machine, so both ends always agree. A whole frame is at most PIPE_BUF
 * bytes, so one write() of it is atomic: frames written by many clients at
 * once never interleave in the request FIFO.
 *
 * These functions are pure (no I/O), so they can be tested and fuzzed on
 * their own. */
#ifndef KIT_FRAME_H
#define KIT_FRAME_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

/* POSIX guarantees PIPE_BUF >= 512 (_POSIX_PIPE_BUF); Linux has 4096. */
#define FRAME_MAX         PIPE_BUF
#define FRAME_HEADER_SIZE 16
#define FRAME_PAYLOAD_MAX (FRAME_MAX - FRAME_HEADER_SIZE)
#define FRAME_MAGIC_BYTES                                                      \
    {                                                                          \
        'U', 'P', 'F', '1'                                                     \
    }
#define FRAME_MAGIC_SIZE 4

/* Where the server writes the reply for client `id`: FIFO + ".reply." +
 * id, beside the request FIFO. */
#define REPLY_SUFFIX ".reply."

struct frame_header {
    long id;       /* the client's PID */
    size_t length; /* payload bytes that follow the header */
};

/* Writes the header and payload into out (FRAME_MAX bytes at least).
 * Returns the frame's size, or 0 when id or length is out of range. */
size_t frame_encode(long id, const void *payload, size_t length,
                    unsigned char *out);

/* What frame_scan found at the start of the bytes it was given. */
enum frame_scan_result {
    FRAME_NEED_MORE, /* no whole frame yet: read more, then scan again */
    FRAME_COMPLETE,  /* a whole, valid frame: header filled in */
};

/* Looks for the first valid frame in buf[0..len). *skip is set to the
 * number of leading bytes that can never be part of a frame (garbage: no
 * magic there, or a header that does not check out); the caller drops
 * them. On FRAME_COMPLETE the frame starts at buf + *skip, its
 * payload at buf + *skip + FRAME_HEADER_SIZE. */
enum frame_scan_result frame_scan(const unsigned char *buf, size_t len,
                                  struct frame_header *header, size_t *skip);

/* Decodes the header at buf (FRAME_HEADER_SIZE bytes). Returns 0 when it is
 * valid, -1 when the magic, the id, the length or the check is wrong. */
int frame_decode_header(const unsigned char *buf, struct frame_header *header);

/* Writes "FIFO.reply.ID" into out (size bytes). Returns 0, or -1 when it
 * does not fit. */
int reply_fifo_path(const char *request_fifo, long id, char *out, size_t size);

#endif
