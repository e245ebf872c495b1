/* tests/fuzz/fuzz_http_head.c - libFuzzer target for 09-epoll/http.c, the
 * request-head parser httpd runs on every byte a client sends.
 *
 * Besides memory safety (ASan, UBSan) it checks what httpd relies on:
 *  - a COMPLETE head lies inside the bytes given, is at most HTTP_HEAD_MAX
 *    long and ends with a blank line;
 *  - the parser is consistent as bytes arrive: every shorter prefix of a
 *    complete head is INCOMPLETE (never BAD, never COMPLETE earlier), since
 *    httpd calls it again each time more bytes come in;
 *  - an accepted head holds no control byte outside what the grammar
 *    allows: LF ending a line, CR just before it, HTAB inside a header
 *    value (after its colon). NUL, ESC, DEL or a lone CR anywhere, or
 *    HTAB in the request line or a name, must have made it HTTP_BAD;
 *  - the bytes after the head, skipped as its body (http_body.c), give
 *    the same verdict and the same count whether they arrive at once or
 *    one byte at a time, as httpd may receive them;
 *  - it reads only the bytes it is given (ASan sees an exact-size copy). */
#include "http.h"
#include "http_body.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum http_verdict parse_copy(const uint8_t *data, size_t len,
                                    struct http_request *request)
{
    /* An exact-size heap copy: one byte too far is an ASan report. */
    char *copy = malloc(len > 0 ? len : 1);
    enum http_verdict verdict;

    if (copy == NULL)
        abort();
    memcpy(copy, data, len);
    verdict = http_parse_head(copy, len, request);
    free(copy);
    return verdict;
}

/* The control-byte property above, over the len bytes of a head. */
static void check_control_bytes(const uint8_t *head, size_t len)
{
    bool request_line = true, in_value = false, line_empty = true;

    for (size_t i = 0; i < len; i++) {
        uint8_t c = head[i];
        if (c == '\n') {
            /* Blank lines before the request line do not end it. */
            request_line = request_line && line_empty;
            in_value = false;
            line_empty = true;
            continue;
        }
        if (c != '\r')
            line_empty = false;
        if (c == ':' && !request_line)
            in_value = true;
        if (c == '\r' && i + 1 < len && head[i + 1] == '\n')
            continue;
        if (c == '\t' && in_value)
            continue;
        if (c < ' ' || c == 0x7f)
            abort();
    }
}

/* Skips data[0..len) as the body of request, at once and then byte by
 * byte: both must agree. */
static void check_body(const struct http_request *request, const uint8_t *data,
                       size_t len)
{
    struct http_body whole, bytes;
    enum http_body_verdict at_once, one_by_one;
    size_t used = 0, total = 0;
    char *copy = malloc(len > 0 ? len : 1);

    if (copy == NULL)
        abort();
    memcpy(copy, data, len);
    http_body_begin(&whole, request);
    http_body_begin(&bytes, request);
    at_once = http_body_skip(&whole, copy, len, &used);
    one_by_one = http_body_pending(&bytes) ? HTTP_BODY_MORE : HTTP_BODY_DONE;
    for (size_t i = 0; i < len && one_by_one == HTTP_BODY_MORE; i++) {
        size_t one = 0;
        one_by_one = http_body_skip(&bytes, copy + i, 1, &one);
        total += one;
    }
    if (at_once != one_by_one || used > len ||
        (at_once != HTTP_BODY_BAD && used != total))
        abort();
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request request, earlier;
    enum http_verdict verdict;
    size_t step;

    if (size > 3 * (size_t)HTTP_HEAD_MAX)
        return 0;
    verdict = parse_copy(data, size, &request);
    if (verdict != HTTP_COMPLETE)
        return 0;
    if (request.head_len == 0 || request.head_len > size ||
        request.head_len > HTTP_HEAD_MAX)
        abort();
    if (data[request.head_len - 1] != '\n')
        abort();
    if (request.body_len > (size_t)HTTP_BODY_MAX)
        abort();
    if (request.chunked && request.body_len != 0)
        abort(); /* both framings at once: the smuggling rule */
    check_control_bytes(data, request.head_len);
    /* Every prefix shorter than the head: INCOMPLETE. Check them all for
     * short heads, a sample for long ones. */
    step = request.head_len < 512 ? 1 : request.head_len / 97 + 1;
    for (size_t k = 0; k < request.head_len; k += step)
        if (parse_copy(data, k, &earlier) != HTTP_INCOMPLETE)
            abort();
    /* More bytes after a complete head change nothing about the head. */
    check_body(&request, data + request.head_len, size - request.head_len);
    return 0;
}
