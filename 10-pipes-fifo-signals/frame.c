/* frame.c - encoding and finding frames in the request FIFO's byte stream. */
#include "frame.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A PID is a positive int; the header stores it in 32 bits. */
#define FRAME_ID_MAX INT32_MAX

static const unsigned char frame_magic[FRAME_MAGIC_SIZE] = FRAME_MAGIC_BYTES;

static int valid_header(long id, size_t length)
{
    return id > 0 && id <= FRAME_ID_MAX && length >= 1 &&
           length <= FRAME_PAYLOAD_MAX;
}

size_t frame_encode(long id, const void *payload, size_t length,
                    unsigned char *out)
{
    uint32_t id32 = (uint32_t)id, length32 = (uint32_t)length;
    uint32_t check32 = ~(id32 ^ length32);

    if (!valid_header(id, length))
        return 0;
    /* memcpy, not a cast to a struct: no padding, no alignment trouble. */
    memcpy(out, frame_magic, sizeof frame_magic);
    memcpy(out + 4, &id32, sizeof id32);
    memcpy(out + 8, &length32, sizeof length32);
    memcpy(out + 12, &check32, sizeof check32);
    memcpy(out + FRAME_HEADER_SIZE, payload, length);
    return FRAME_HEADER_SIZE + length;
}

int frame_decode_header(const unsigned char *buf, struct frame_header *header)
{
    uint32_t id32, length32, check32;

    if (memcmp(buf, frame_magic, sizeof frame_magic) != 0)
        return -1;
    memcpy(&id32, buf + 4, sizeof id32);
    memcpy(&length32, buf + 8, sizeof length32);
    memcpy(&check32, buf + 12, sizeof check32);
    if (check32 != ~(id32 ^ length32) || !valid_header((long)id32, length32))
        return -1;
    header->id = (long)id32;
    header->length = length32;
    return 0;
}

enum frame_scan_result frame_scan(const unsigned char *buf, size_t len,
                                  struct frame_header *header, size_t *skip)
{
    /* Try every position where a frame could start: where the magic is,
     * or where the bytes left are the beginning of the magic (the rest of
     * it may still be on its way). */
    for (size_t start = 0; start < len; start++) {
        size_t avail = len - start;
        size_t compare = avail < FRAME_MAGIC_SIZE ? avail : FRAME_MAGIC_SIZE;

        if (memcmp(buf + start, frame_magic, compare) != 0)
            continue;
        *skip = start;
        if (avail < FRAME_HEADER_SIZE)
            return FRAME_NEED_MORE;
        /* The magic can also occur by chance inside garbage: a header
         * that does not check out is not a frame either. */
        if (frame_decode_header(buf + start, header) != 0)
            continue;
        if (avail - FRAME_HEADER_SIZE < header->length)
            return FRAME_NEED_MORE;
        return FRAME_COMPLETE;
    }
    *skip = len; /* nothing here can begin a frame */
    return FRAME_NEED_MORE;
}

int reply_fifo_path(const char *request_fifo, long id, char *out, size_t size)
{
    int n = snprintf(out, size, "%s%s%ld", request_fifo, REPLY_SUFFIX, id);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
