/* 10-pipes-fifo-signals/upperfilter.c - a filter: each line of stdin comes
 * out on stdout in capitals. The child program of ./pipes 2 and ./pipes 3.
 *
 * What it teaches: stdio decides how to buffer stdout when the program
 * starts. On a terminal it is line-buffered (each newline sends the line);
 * on a pipe or a file it is fully buffered (nothing leaves until about 4 KiB
 * have piled up, or the program exits). A program that talks to another
 * through pipes must flush, or set line buffering, or the other side waits.
 *
 * Run:   printf 'one\ntwo\n' | ./10-pipes-fifo-signals/upperfilter
 *        ./10-pipes-fifo-signals/upperfilter -b    (leave stdout as stdio
 *        set it up: fully buffered when it is a pipe)
 */
#include "upper.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    bool buffered = argc == 2 && strcmp(argv[1], "-b") == 0;
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    int status = 0;

    set_progname(argv[0]);
    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: %s [-b]\n  -b  leave stdout fully buffered when it "
               "is a pipe\n",
               progname());
        return 0;
    }
    if (argc > 2 || (argc == 2 && !buffered)) {
        fprintf(stderr, "usage: %s [-b]\n", progname());
        return 2;
    }
    /* The fix for ./pipes 3: one line in, one line out, at once. With -b
     * full buffering is asked for explicitly, not left to the C library:
     * musl, unlike glibc, flushes the first line of an unbuffered-looking
     * stdout, and the demo's deadlock must happen with every libc. */
    setvbuf(stdout, NULL, buffered ? _IOFBF : _IOLBF, BUFSIZ);
    while ((len = getline(&line, &line_cap, stdin)) > 0) {
        upper_transform(line, (size_t)len);
        if (fwrite(line, 1, (size_t)len, stdout) != (size_t)len)
            break;
    }
    if (ferror(stdin)) {
        report_errno("stdin");
        status = 1;
    }
    free(line);
    /* At exit whatever is still buffered is written: check that it was. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        report_errno("stdout");
        status = 1;
    }
    return status;
}
