/* linereader.h - a buffered line reader for sockets, in the spirit of
 * CS:APP's Rio (rio_readlineb).
 *
 * TCP has no message boundaries: one read() may return half a line, or
 * three lines and the start of a fourth. The reader keeps what read()
 * returned in its own buffer and hands out one line at a time, so a line
 * protocol never has to care where the reads happened to split the bytes.
 *
 *   struct line_reader reader;
 *   char line[LINE_BUFFER_SIZE(1024)];
 *   size_t len;
 *   line_reader_init(&reader, fd);
 *   while (read_line(&reader, line, 1024, &len) == LINE_OK)
 *       ... line[0..len) without its "\n" or "\r\n" ...
 *
 * EINTR is retried. The reader does not watch the stop descriptor
 * (common/stop.h): a server wakes its blocked readers with shutdown(). */
#ifndef KIT_LINEREADER_H
#define KIT_LINEREADER_H

#include <stddef.h>

/* Bytes taken from the socket per read() call. */
#define LINE_READER_CHUNK 4096

/* Room a caller's line buffer needs for lines of up to max_len bytes: the
 * line, a '\r' that is only known to end it once the '\n' is seen, and a
 * terminating NUL. */
#define LINE_BUFFER_SIZE(max_len) ((max_len) + 2)

struct line_reader {
    int fd;
    size_t start, end; /* the unread bytes are chunk[start..end) */
    char chunk[LINE_READER_CHUNK];
};

enum line_status {
    LINE_OK,       /* a line is in the buffer */
    LINE_TOO_LONG, /* a line over max_len was read and thrown away whole */
    LINE_EOF,      /* the peer closed and every line has been handed out */
    LINE_ERROR     /* read() failed: errno says why */
};

void line_reader_init(struct line_reader *reader, int fd);

/* Reads the next line into line (LINE_BUFFER_SIZE(max_len) bytes), without
 * its terminator ("\n", or "\r\n"), NUL-terminated, its length in *len (it
 * may contain NUL bytes: trust *len, not strlen). A last line that ends
 * without "\n" at end of file is still a line. A line longer than max_len
 * is read to its end and dropped: LINE_TOO_LONG, and the next call starts
 * on the line after it. */
enum line_status read_line(struct line_reader *reader, char *line,
                           size_t max_len, size_t *len);

#endif
