/* tests/fuzz/fuzz_buffer.c - libFuzzer target for 08-select/conn.c's
 * struct outbuf, the byte queue in which the select server keeps pending
 * output and the chat assembles each client's lines.
 *
 * The input is a program of operations (append N bytes with a limit,
 * consume N bytes); after each one the buffer is compared with a plain
 * array model: same pending count, same bytes, limits respected. */
#include "outbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MODEL_MAX 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char model[MODEL_MAX];
    struct outbuf buf = {0};
    struct outbuf_total total = {0, MODEL_MAX};
    size_t pending = 0, i = 0;

    /* The shared total's cap equals the larger limit: it refuses exactly
     * what that limit refuses, and must count every byte. */
    buf.total = &total;

    while (i + 2 < size) {
        unsigned op = data[i],
                 amount = data[i + 1] | (unsigned)data[i + 2] << 8;
        i += 3;
        if (op & 1) { /* append `amount` bytes (taken from the input) */
            size_t limit = (op >> 1) % 2 ? MODEL_MAX : 4096;
            size_t len = amount % 3000;
            unsigned char bytes[3000];
            for (size_t k = 0; k < len; k++)
                bytes[k] = (unsigned char)(i + k);
            if (outbuf_append(&buf, bytes, len, limit) == 0) {
                if (pending + len > limit)
                    abort(); /* should have been refused */
                memcpy(model + pending, bytes, len);
                pending += len;
            } else if (errno != ENOBUFS || pending + len <= limit) {
                abort(); /* refused for no reason */
            }
        } else { /* consume up to `amount` bytes */
            size_t len = amount % (pending + 1);
            outbuf_consume(&buf, len);
            memmove(model, model + len, pending - len);
            pending -= len;
        }
        if (outbuf_pending(&buf) != pending || total.pending != pending ||
            (pending > 0 && memcmp(outbuf_head(&buf), model, pending) != 0))
            abort();
    }
    outbuf_free(&buf);
    if (total.pending != 0)
        abort(); /* freed bytes still counted */
    return 0;
}
