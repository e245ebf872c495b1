/* http_body.c - skipping a request body (see http_body.h). Data is skipped
 * in bulk; the framing of chunks is read one byte at a time, by a switch
 * on the state. */
#include "http_body.h"

void http_body_begin(struct http_body *body, const struct http_request *request)
{
    *body = (struct http_body){.state = BODY_NONE};
    if (request->chunked)
        body->state = CHUNK_SIZE;
    else if (request->body_len > 0) {
        body->state = BODY_LENGTH;
        body->left = request->body_len;
    }
}

bool http_body_pending(const struct http_body *body)
{
    return body->state != BODY_NONE;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* What a chunk extension or a trailer may hold: as a header value. */
static bool is_field_char(char c)
{
    return c == '\t' || ((unsigned char)c >= ' ' && c != 0x7f);
}

/* The end of a size line: data follows, or the last chunk's trailers. */
static enum http_body_verdict end_size_line(struct http_body *body)
{
    if (!body->digits)
        return HTTP_BODY_BAD;
    body->state = body->size > 0 ? CHUNK_DATA : CHUNK_TRAILER;
    body->left = body->size;
    body->line = 0;
    body->blank = true;
    return HTTP_BODY_MORE;
}

/* One byte of a chunk-size line: "HEX[;ext]" then CRLF or LF. */
static enum http_body_verdict size_byte(struct http_body *body, char c)
{
    int digit = hex_value(c);

    if (++body->line > HTTP_CHUNK_LINE_MAX)
        return HTTP_BODY_BAD;
    if (body->state == CHUNK_SIZE_LF)
        return c == '\n' ? end_size_line(body) : HTTP_BODY_BAD;
    if (c == '\r') {
        body->state = CHUNK_SIZE_LF;
        return HTTP_BODY_MORE;
    }
    if (c == '\n')
        return end_size_line(body);
    if (body->state == CHUNK_EXT) /* skipped: control bytes refused */
        return is_field_char(c) ? HTTP_BODY_MORE : HTTP_BODY_BAD;
    if (c == ';' && body->digits) {
        body->state = CHUNK_EXT;
        return HTTP_BODY_MORE;
    }
    /* Checked before it is computed: size * 16 cannot overflow. */
    if (digit < 0 || body->size > ((size_t)HTTP_BODY_MAX - body->total) / 16)
        return HTTP_BODY_BAD;
    body->size = body->size * 16 + (size_t)digit;
    if (body->size > (size_t)HTTP_BODY_MAX - body->total)
        return HTTP_BODY_BAD; /* the chunks together: HTTP_BODY_MAX */
    body->digits = true;
    return HTTP_BODY_MORE;
}

/* One byte of the CRLF (or LF) after a chunk's data. */
static enum http_body_verdict data_end_byte(struct http_body *body, char c)
{
    if (c == '\r' && body->state == CHUNK_DATA_END) {
        body->state = CHUNK_DATA_LF;
        return HTTP_BODY_MORE;
    }
    if (c != '\n')
        return HTTP_BODY_BAD;
    /* The next size line: only the running total carries over. */
    *body = (struct http_body){.state = CHUNK_SIZE,
                               .total = body->total + body->size};
    return HTTP_BODY_MORE;
}

/* One byte of the trailers: header-like lines, skipped, that end with an
 * empty line (which ends the body). */
static enum http_body_verdict trailer_byte(struct http_body *body, char c)
{
    if (++body->line > HTTP_TRAILERS_MAX)
        return HTTP_BODY_BAD;
    if (c == '\n') {
        if (body->blank)
            return HTTP_BODY_DONE;
        body->state = CHUNK_TRAILER;
        body->blank = true;
        return HTTP_BODY_MORE;
    }
    /* A CR only just before LF; no other control byte. */
    if (body->state == CHUNK_TRAILER_LF || (c != '\r' && !is_field_char(c)))
        return HTTP_BODY_BAD;
    if (c == '\r')
        body->state = CHUNK_TRAILER_LF;
    else
        body->blank = false;
    return HTTP_BODY_MORE;
}

/* Skips data in bulk: the only part of a body that can be large. */
static size_t skip_data(struct http_body *body, size_t len)
{
    size_t drop = len < body->left ? len : body->left;

    body->left -= drop;
    if (body->left == 0)
        body->state = body->state == BODY_LENGTH ? BODY_NONE : CHUNK_DATA_END;
    return drop;
}

enum http_body_verdict http_body_skip(struct http_body *body, const char *buf,
                                      size_t len, size_t *used)
{
    enum http_body_verdict verdict = HTTP_BODY_MORE;
    size_t pos = 0;

    while (pos < len && body->state != BODY_NONE) {
        if (body->state == BODY_LENGTH || body->state == CHUNK_DATA) {
            pos += skip_data(body, len - pos);
            continue;
        }
        if (body->state <= CHUNK_SIZE_LF)
            verdict = size_byte(body, buf[pos++]);
        else if (body->state <= CHUNK_DATA_LF)
            verdict = data_end_byte(body, buf[pos++]);
        else
            verdict = trailer_byte(body, buf[pos++]);
        if (verdict == HTTP_BODY_BAD)
            return verdict;
        if (verdict == HTTP_BODY_DONE)
            body->state = BODY_NONE;
    }
    *used = pos;
    return body->state == BODY_NONE ? HTTP_BODY_DONE : HTTP_BODY_MORE;
}
