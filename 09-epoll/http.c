/* http.c - the request-head parser (see http.h). One pass, line by line:
 * the request line, then each header line, until the blank line. */
#include "http.h"

#include <string.h>

/* RFC 9110 token characters: method and header names. The c != 0 is not
 * a detail: strchr finds the string's own terminating NUL, so without it
 * a NUL byte would count as a token character (and "Content-Length\0:"
 * would be a harmless unknown header, its body read as a request). */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A header value may hold visible bytes, spaces, HTAB and bytes >= 0x80
 * (RFC 9110 5.5); every other control byte is refused. */
static bool is_value_char(unsigned char c)
{
    return c >= ' ' ? c != 0x7f : c == '\t';
}

/* ASCII only, on purpose: strcasecmp would consult the locale. */
static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool same_word(const char *text, size_t len, const char *word)
{
    size_t i;

    for (i = 0; i < len && word[i] != '\0'; i++)
        if (lower((unsigned char)text[i]) != word[i])
            return false;
    return i == len && word[i] == '\0';
}

/* The next line of buf from *pos: sets *start and *len (without CRLF or
 * LF) and moves *pos past it. False when no LF has arrived yet. */
static bool next_line(const char *buf, size_t size, size_t *pos,
                      const char **start, size_t *len)
{
    const char *newline = memchr(buf + *pos, '\n', size - *pos);

    if (newline == NULL)
        return false;
    *start = buf + *pos;
    *len = (size_t)(newline - *start);
    if (*len > 0 && (*start)[*len - 1] == '\r')
        (*len)--;
    *pos = (size_t)(newline - buf) + 1;
    return true;
}

/* "METHOD SP TARGET SP HTTP/1.x": sets *minor and *head_method. */
static bool parse_request_line(const char *line, size_t len, int *minor,
                               bool *head_method)
{
    size_t i = 0, method_len, target_start;

    while (i < len && is_token_char((unsigned char)line[i]))
        i++;
    method_len = i;
    if (method_len == 0 || i == len || line[i++] != ' ')
        return false;
    target_start = i;
    while (i < len && line[i] > ' ' && line[i] < 0x7f)
        i++;
    if (i == target_start || i == len || line[i++] != ' ')
        return false;
    if (len - i != 8 || memcmp(line + i, "HTTP/1.", 7) != 0 ||
        (line[i + 7] != '0' && line[i + 7] != '1'))
        return false;
    *minor = line[i + 7] - '0';
    *head_method = method_len == 4 && memcmp(line, "HEAD", 4) == 0;
    return true;
}

/* The comma-separated options of a Connection header. */
static void parse_connection(const char *value, size_t len, bool *close,
                             bool *keep_alive)
{
    size_t i = 0;

    while (i < len) {
        size_t start, end;
        while (i < len &&
               (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
            i++;
        start = i;
        while (i < len && value[i] != ',')
            i++;
        end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (same_word(value + start, end - start, "close"))
            *close = true;
        else if (same_word(value + start, end - start, "keep-alive"))
            *keep_alive = true;
    }
}

static bool parse_length(const char *value, size_t len, size_t *out)
{
    size_t n = 0;

    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (value[i] < '0' || value[i] > '9')
            return false;
        n = n * 10 + (size_t)(value[i] - '0');
        if (n > (size_t)HTTP_BODY_MAX)
            return false;
    }
    *out = n;
    return true;
}

/* What the headers say that matters here. */
struct head_facts {
    bool close, keep_alive, has_length, chunked, expect_continue;
    int hosts, encodings;
    size_t length;
};

/* One header this server acts on; false when its value is refused. */
static bool note_header(const char *name, size_t name_len, const char *value,
                        size_t len, struct head_facts *facts)
{
    if (same_word(name, name_len, "connection"))
        parse_connection(value, len, &facts->close, &facts->keep_alive);
    else if (same_word(name, name_len, "host"))
        facts->hosts++;
    else if (same_word(name, name_len, "expect"))
        facts->expect_continue = same_word(value, len, "100-continue");
    else if (same_word(name, name_len, "content-length")) {
        if (facts->has_length || !parse_length(value, len, &facts->length))
            return false;
        facts->has_length = true;
    } else if (same_word(name, name_len, "transfer-encoding")) {
        /* Only chunked, once: gzip and the rest would need decoding. */
        facts->encodings++;
        facts->chunked = same_word(value, len, "chunked");
        return facts->chunked;
    }
    return true;
}

/* "Name: value" with optional spaces or tabs around the value. */
static bool parse_header(const char *line, size_t len, struct head_facts *facts)
{
    size_t i = 0, name_len, start, end;

    while (i < len && is_token_char((unsigned char)line[i]))
        i++;
    name_len = i;
    if (name_len == 0 || i == len || line[i] != ':')
        return false; /* also refuses obsolete folding (leading space) */
    for (size_t k = i + 1; k < len; k++)
        if (!is_value_char((unsigned char)line[k]))
            return false;
    start = i + 1;
    end = len;
    while (start < end && (line[start] == ' ' || line[start] == '\t'))
        start++;
    while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    return note_header(line, name_len, line + start, end - start, facts);
}

/* The rules that concern the headers together (RFC 9112 3.2 and 6.1). */
static bool facts_agree(const struct head_facts *facts, int minor)
{
    if (minor == 1 && facts->hosts != 1)
        return false; /* HTTP/1.1 needs exactly one Host */
    if (facts->encodings > 1 || (facts->encodings == 1 && minor == 0))
        return false;
    /* Both lengths: a proxy may believe one and we the other. */
    return !(facts->encodings == 1 && facts->has_length);
}

/* For a head not complete yet: can what came so far start a request?
 * Only the method is checked, which is enough to refuse binary noise or a
 * stray protocol at once instead of after 8 KiB. */
static bool could_start(const char *buf, size_t len)
{
    for (size_t i = 0; i < len && buf[i] != ' '; i++)
        if (!is_token_char((unsigned char)buf[i]) &&
            !(buf[i] == '\r' && i == len - 1)) /* half of a CRLF */
            return false;
    return true;
}

enum http_verdict http_parse_head(const char *buf, size_t len,
                                  struct http_request *request)
{
    struct head_facts facts = {0};
    size_t pos = 0, line_len;
    const char *line;
    int minor = 0;
    bool head_method = false;

    if (len > HTTP_HEAD_MAX)
        len = HTTP_HEAD_MAX; /* what lies beyond cannot make it valid */
    /* Empty lines before a request are allowed (RFC 9112, 2.2). */
    do {
        if (!next_line(buf, len, &pos, &line, &line_len))
            return len == HTTP_HEAD_MAX || !could_start(buf + pos, len - pos)
                       ? HTTP_BAD
                       : HTTP_INCOMPLETE;
    } while (line_len == 0);
    if (!parse_request_line(line, line_len, &minor, &head_method))
        return HTTP_BAD;
    for (;;) {
        if (!next_line(buf, len, &pos, &line, &line_len))
            return len == HTTP_HEAD_MAX ? HTTP_BAD : HTTP_INCOMPLETE;
        if (line_len == 0)
            break; /* the blank line: the head is complete */
        if (!parse_header(line, line_len, &facts))
            return HTTP_BAD;
    }
    if (!facts_agree(&facts, minor))
        return HTTP_BAD;
    request->head_len = pos;
    request->body_len = facts.has_length ? facts.length : 0;
    request->chunked = facts.chunked;
    request->head_method = head_method;
    request->keep_alive = !facts.close && (minor == 1 || facts.keep_alive);
    request->expect_continue = minor == 1 && facts.expect_continue;
    return HTTP_COMPLETE;
}
