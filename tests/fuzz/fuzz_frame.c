/* tests/fuzz/fuzz_frame.c - libFuzzer target for 10-pipes-fifo-signals/
 * frame.c, the framing the FIFO server reads from a pipe anybody with
 * write permission may fill with garbage.
 *
 * Checked beyond memory safety:
 *  - frame_scan never points outside the bytes given: skip <= len, and a
 *    COMPLETE frame (header + payload) fits after skip;
 *  - a COMPLETE frame's header decodes as valid (id > 0, 1 <= length <=
 *    FRAME_PAYLOAD_MAX), its payload matches its sum, and the frame fits
 *    in PIPE_BUF;
 *  - at a write's end (at_write_end), nothing is left waiting: NEED_MORE
 *    comes only with skip == len, so a header whose payload did not come
 *    with it never holds back the frames behind it;
 *  - encoding the input as a payload and scanning the result finds exactly
 *    that payload at offset 0 (a round trip), also behind garbage, and
 *    also behind a header cut from its payload (the defect of a
 *    header-only frame swallowing the next client's frame). */
#include "frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_scan(const unsigned char *buf, size_t len, bool at_end)
{
    struct frame_header header;
    size_t skip = (size_t)-1;
    unsigned char *copy = malloc(len > 0 ? len : 1);
    enum frame_scan_result found;

    if (copy == NULL)
        abort();
    memcpy(copy, buf, len);
    found = frame_scan(copy, len, at_end, &header, &skip);
    if (skip > len)
        abort();
    if (found == FRAME_COMPLETE) {
        if (len - skip < FRAME_HEADER_SIZE ||
            header.length > len - skip - FRAME_HEADER_SIZE)
            abort();
        if (header.id <= 0 || header.length < 1 ||
            header.length > FRAME_PAYLOAD_MAX ||
            FRAME_HEADER_SIZE + header.length > FRAME_MAX ||
            frame_sum(copy + skip + FRAME_HEADER_SIZE, header.length) !=
                header.sum)
            abort();
    } else if (at_end && skip != len) {
        abort(); /* a write's end: nothing may wait for more */
    }
    free(copy);
}

/* frame (frame_len bytes) behind `lead` bytes of buf[0..lead), scanned as
 * a write's end: it must be found whole, with id 4242 and the payload. */
static void expect_found_behind(unsigned char *buf, size_t lead,
                                const unsigned char *frame, size_t frame_len)
{
    struct frame_header header;
    size_t skip, used = lead + frame_len;

    memcpy(buf + lead, frame, frame_len);
    check_scan(buf, used, true);
    /* The lead may itself hold frames (the fuzzer can write them): drop
     * each one found before ours, as the server would serve it. */
    for (;;) {
        if (frame_scan(buf, used, true, &header, &skip) != FRAME_COMPLETE)
            abort();
        if (skip + FRAME_HEADER_SIZE + header.length > lead)
            break;
        memmove(buf, buf + skip + FRAME_HEADER_SIZE + header.length,
                used - skip - FRAME_HEADER_SIZE - header.length);
        lead -= skip + FRAME_HEADER_SIZE + header.length;
        used = lead + frame_len;
    }
    if (skip != lead || header.id != 4242 ||
        header.length != frame_len - FRAME_HEADER_SIZE ||
        memcmp(buf + skip, frame, frame_len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char frame[FRAME_MAX], behind[2 * FRAME_MAX];
    size_t frame_len, garbage, cut;

    check_scan(data, size, false);
    check_scan(data, size, true);

    /* Round trip: the input (as much as fits) as one client's payload. */
    if (size < 2)
        return 0;
    garbage = data[0] % 64; /* that many leading bytes of garbage */
    size = size - 1 > FRAME_PAYLOAD_MAX ? FRAME_PAYLOAD_MAX : size - 1;
    frame_len = frame_encode(4242, 0x5eedu, data + 1, size, frame);
    if (frame_len != FRAME_HEADER_SIZE + size)
        abort();
    expect_found_behind(behind, 0, frame, frame_len);
    /* Behind garbage made of bytes that cannot start the magic. */
    memset(behind, '.', garbage);
    expect_found_behind(behind, garbage, frame, frame_len);
    /* Behind a copy of itself cut short: a header (and maybe part of the
     * payload) whose write ended before its payload did. Unless the bytes
     * that follow the cut are exactly the missing payload (a payload that
     * begins like a frame, "UPF1..."): then nothing in the stream tells
     * the two apart, and the cut header wins. */
    cut = FRAME_HEADER_SIZE + (size_t)data[0] % size;
    memcpy(behind, frame, cut);
    if (memcmp(frame + cut, frame, frame_len - cut) != 0)
        expect_found_behind(behind, cut, frame, frame_len);
    return 0;
}
