/* frame.h - the request/reply frame of the FIFO upper service. Shared by
 * server.c and client.c.
 *
 * A FIFO is a byte stream with no message boundaries: two frames written
 * one after the other may come out of one read(), and a read may stop in
 * the middle of one. So every frame carries a fixed header saying whose it
 * is and how long it is:
 *
 *   offset 0  4 bytes  magic "UPF1"   (where a frame begins: the reader
 *                                      finds the next frame after garbage)
 *   offset 4  4 bytes  client id      (its PID, > 0)
 *   offset 8  4 bytes  reply token    (random: the secret part of the
 *                                      client's reply FIFO name)
 *   offset 12 4 bytes  payload length (1 .. FRAME_PAYLOAD_MAX)
 *   offset 16 4 bytes  payload sum    (FNV-1a of the payload: a header
 *                                      followed by bytes that are not its
 *                                      own payload is not a frame)
 *   offset 20 4 bytes  check          (~(id ^ token ^ length ^ sum): bytes
 *                                      that merely start with "UPF1" are
 *                                      almost never a valid header)
 *   offset 24 length bytes of payload
 *
 * The numbers are in the machine's own byte order: a FIFO never leaves the
 * machine, so both ends always agree. A whole frame is at most PIPE_BUF
 * bytes, so one write() of it is atomic: frames written by many clients at
 * once never interleave, and a frame is in the pipe whole or not at all.
 *
 * These functions are pure (no I/O), so they can be tested and fuzzed on
 * their own. */
#ifndef KIT_FRAME_H
#define KIT_FRAME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* POSIX guarantees PIPE_BUF >= 512 (_POSIX_PIPE_BUF); Linux has 4096. */
#define FRAME_MAX         PIPE_BUF
#define FRAME_HEADER_SIZE 24
#define FRAME_PAYLOAD_MAX (FRAME_MAX - FRAME_HEADER_SIZE)
#define FRAME_MAGIC_SIZE  4

struct frame_header {
    long id;        /* the client's PID */
    uint32_t token; /* names the client's reply FIFO (reply_fifo.h) */
    size_t length;  /* payload bytes that follow the header */
    uint32_t sum;   /* frame_sum() of those bytes */
};

/* Writes the header and payload into out (FRAME_MAX bytes at least).
 * Returns the frame's size, or 0 when id or length is out of range. */
size_t frame_encode(long id, uint32_t token, const void *payload, size_t length,
                    unsigned char *out);

/* What frame_scan found at the start of the bytes it was given. */
enum frame_scan_result {
    FRAME_NEED_MORE, /* no whole frame yet: read more, then scan again */
    FRAME_COMPLETE,  /* a whole, valid frame: header filled in */
};

/* Looks for the first valid frame in buf[0..len). *skip is set to the
 * number of leading bytes that can never be part of a frame (garbage: no
 * magic there, a header that does not check out, a payload that is not
 * the header's own); the caller drops them. On FRAME_COMPLETE the frame
 * starts at buf + *skip, its payload at buf + *skip + FRAME_HEADER_SIZE.
 *
 * at_write_end: buf ends where the writers' last write() ended (the read
 * that brought it emptied the pipe). Every frame was written whole, so a
 * frame cut short there will never be completed: it is garbage too, and
 * FRAME_NEED_MORE then always comes with *skip == len. */
enum frame_scan_result frame_scan(const unsigned char *buf, size_t len,
                                  bool at_write_end,
                                  struct frame_header *header, size_t *skip);

/* Decodes the header at buf (FRAME_HEADER_SIZE bytes). Returns 0 when it is
 * valid, -1 when the magic, the id, the length or the check is wrong. The
 * payload sum is only read here: frame_scan compares it. */
int frame_decode_header(const unsigned char *buf, struct frame_header *header);

/* FNV-1a, 32 bits, of buf[0..len): cheap, and any change of a byte changes
 * it (not a defence against a forger, only against mistaken frames). */
uint32_t frame_sum(const unsigned char *buf, size_t len);

#endif
