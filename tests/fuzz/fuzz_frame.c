/* tests/fuzz/fuzz_frame.c - libFuzzer target for 10-pipes-fifo-signals/
 * frame.c, the framing the FIFO server reads from a pipe anybody may write
 * garbage into.
 *
 * Checked beyond memory safety:
 *  - frame_scan never points outside the bytes given: skip <= len, and a
 *    COMPLETE frame (header + payload) fits after skip;
 *  - a COMPLETE frame's header decodes as valid (id > 0, 1 <= length <=
 *    FRAME_PAYLOAD_MAX) and the frame fits in PIPE_BUF;
 *  - encoding the input as a payload and scanning the result finds exactly
 *    that payload at offset 0 (a round trip), also behind garbage. */
#include "frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scan(const unsigned char *buf, size_t len)
{
    struct frame_header header;
    size_t skip = (size_t)-1;
    unsigned char *copy = malloc(len > 0 ? len : 1);

    if (copy == NULL)
        abort();
    memcpy(copy, buf, len);
    if (frame_scan(copy, len, &header, &skip) == FRAME_COMPLETE) {
        if (skip > len || len - skip < FRAME_HEADER_SIZE ||
            header.length > len - skip - FRAME_HEADER_SIZE)
            abort();
        if (header.id <= 0 || header.length < 1 ||
            header.length > FRAME_PAYLOAD_MAX ||
            FRAME_HEADER_SIZE + header.length > FRAME_MAX)
            abort();
    } else if (skip > len) {
        abort();
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char frame[FRAME_MAX], behind[FRAME_MAX + 64];
    struct frame_header header;
    size_t skip, frame_len, garbage;

    check_scan(data, size);

    /* Round trip: the input (as much as fits) as one client's payload. */
    if (size == 0)
        return 0;
    garbage = data[0] % 64; /* and that many leading bytes of garbage */
    size = size - 1 > FRAME_PAYLOAD_MAX ? FRAME_PAYLOAD_MAX : size - 1;
    if (size == 0)
        return 0;
    frame_len = frame_encode(4242, data + 1, size, frame);
    if (frame_len != FRAME_HEADER_SIZE + size)
        abort();
    if (frame_scan(frame, frame_len, &header, &skip) != FRAME_COMPLETE ||
        skip != 0 || header.id != 4242 || header.length != size ||
        memcmp(frame + FRAME_HEADER_SIZE, data + 1, size) != 0)
        abort();
    /* Behind garbage made of bytes that cannot start the magic. */
    memset(behind, '.', garbage);
    memcpy(behind + garbage, frame, frame_len);
    check_scan(behind, garbage + frame_len);
    if (frame_scan(behind, garbage + frame_len, &header, &skip) != FRAME_COMPLETE ||
        skip != garbage || header.length != size)
        abort();
    return 0;
}
