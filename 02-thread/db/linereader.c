/* linereader.c - lines out of a byte stream, one buffer per connection. */
#include "linereader.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

void line_reader_init(struct line_reader *reader, int fd)
{
    reader->fd = fd;
    reader->start = 0;
    reader->end = 0;
}

/* Refills the empty buffer with one read(): the count, 0 at end of file,
 * or -1 with errno. */
static ssize_t refill(struct line_reader *reader)
{
    for (;;) {
        ssize_t n = read(reader->fd, reader->chunk, sizeof reader->chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0) {
            reader->start = 0;
            reader->end = (size_t)n;
        }
        return n;
    }
}

enum line_status read_line(struct line_reader *reader, char *line,
                           size_t max_len, size_t *len)
{
    size_t kept = 0;       /* bytes of this line stored in line[] */
    bool overflow = false; /* more bytes came than line[] can hold */

    for (;;) {
        const char *from, *newline;
        size_t available, take, copy;

        if (reader->start == reader->end) {
            ssize_t n = refill(reader);
            if (n < 0)
                return LINE_ERROR;
            if (n == 0) {
                if (kept == 0 && !overflow)
                    return LINE_EOF;
                break; /* a last line without its '\n' */
            }
        }
        from = reader->chunk + reader->start;
        available = reader->end - reader->start;
        newline = memchr(from, '\n', available);
        take = newline != NULL ? (size_t)(newline - from) : available;
        /* Keep at most max_len + 1 bytes (the +1 is a possible '\r'); the
         * rest of an over-long line is consumed but not stored. */
        copy = max_len + 1 - kept;
        if (take < copy)
            copy = take;
        else if (take > copy)
            overflow = true;
        memcpy(line + kept, from, copy);
        kept += copy;
        reader->start += take + (newline != NULL ? 1 : 0);
        if (newline != NULL)
            break;
    }
    if (!overflow && kept > 0 && line[kept - 1] == '\r')
        kept--;
    if (overflow || kept > max_len)
        return LINE_TOO_LONG;
    line[kept] = '\0';
    *len = kept;
    return LINE_OK;
}
