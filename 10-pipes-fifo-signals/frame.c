/* frame.c - encoding and finding frames in the request FIFO's byte stream
 * (the format is described in frame.h). */
#include "frame.h"

#include <string.h>

/* A PID is a positive int; the header stores it in 32 bits. */
#define FRAME_ID_MAX INT32_MAX

static const unsigned char frame_magic[FRAME_MAGIC_SIZE] = {'U', 'P', 'F', '1'};

static int valid_header(long id, size_t length)
{
    return id > 0 && id <= FRAME_ID_MAX && length >= 1 &&
           length <= FRAME_PAYLOAD_MAX;
}

uint32_t frame_sum(const unsigned char *buf, size_t len)
{
    uint32_t sum = 2166136261u; /* FNV-1a's offset basis and prime */

    for (size_t i = 0; i < len; i++)
        sum = (sum ^ buf[i]) * 16777619u;
    return sum;
}

size_t frame_encode(long id, uint32_t token, const void *payload, size_t length,
                    unsigned char *out)
{
    uint32_t fields[5];

    if (!valid_header(id, length))
        return 0;
    fields[0] = (uint32_t)id;
    fields[1] = token;
    fields[2] = (uint32_t)length;
    fields[3] = frame_sum(payload, length);
    fields[4] = ~(fields[0] ^ fields[1] ^ fields[2] ^ fields[3]);
    /* memcpy, not a cast to a struct: no padding, no alignment trouble. */
    memcpy(out, frame_magic, sizeof frame_magic);
    memcpy(out + FRAME_MAGIC_SIZE, fields, sizeof fields);
    memcpy(out + FRAME_HEADER_SIZE, payload, length);
    return FRAME_HEADER_SIZE + length;
}

int frame_decode_header(const unsigned char *buf, struct frame_header *header)
{
    uint32_t fields[5];

    if (memcmp(buf, frame_magic, sizeof frame_magic) != 0)
        return -1;
    memcpy(fields, buf + FRAME_MAGIC_SIZE, sizeof fields);
    if (fields[4] != ~(fields[0] ^ fields[1] ^ fields[2] ^ fields[3]) ||
        !valid_header((long)fields[0], fields[2]))
        return -1;
    header->id = (long)fields[0];
    header->token = fields[1];
    header->length = fields[2];
    header->sum = fields[3];
    return 0;
}

enum frame_scan_result frame_scan(const unsigned char *buf, size_t len,
                                  bool at_write_end,
                                  struct frame_header *header, size_t *skip)
{
    /* Try every position where a frame could start: where the magic is,
     * or where the bytes left are the beginning of the magic (the rest of
     * it may still be on its way, unless this is the write's end). */
    for (size_t start = 0; start < len; start++) {
        size_t avail = len - start;
        size_t compare = avail < FRAME_MAGIC_SIZE ? avail : FRAME_MAGIC_SIZE;

        if (memcmp(buf + start, frame_magic, compare) != 0)
            continue;
        *skip = start;
        if (avail < FRAME_HEADER_SIZE) {
            if (at_write_end)
                continue; /* a header cut short: never completed */
            return FRAME_NEED_MORE;
        }
        /* The magic can also occur by chance inside garbage: a header
         * that does not check out is not a frame either. */
        if (frame_decode_header(buf + start, header) != 0)
            continue;
        if (avail - FRAME_HEADER_SIZE < header->length) {
            if (at_write_end)
                continue; /* its payload was never written with it */
            return FRAME_NEED_MORE;
        }
        /* A header followed by other bytes than its payload (a forged
         * header, then other clients' frames) is garbage as well. */
        if (frame_sum(buf + start + FRAME_HEADER_SIZE, header->length) !=
            header->sum)
            continue;
        return FRAME_COMPLETE;
    }
    *skip = len; /* nothing here can begin a frame */
    return FRAME_NEED_MORE;
}
