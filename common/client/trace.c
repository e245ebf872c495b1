/* trace.c - the per-request times of a stress run, written after it. */
#include "trace.h"

#include "io.h"
#include "stress.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int trace_init(struct stress_trace *trace, const char *path, long clients,
               long rounds)
{
    size_t slots = (size_t)clients * (size_t)rounds;

    *trace =
        (struct stress_trace){path, now_seconds(), clients, rounds, NULL, NULL};
    if (path == NULL)
        return 0;
    trace->sent_s = malloc(slots * sizeof(double));
    trace->replied_s = malloc(slots * sizeof(double));
    if (trace->sent_s == NULL || trace->replied_s == NULL) {
        trace_free(trace);
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < slots; i++)
        trace->sent_s[i] = trace->replied_s[i] = -1.0;
    return 0;
}

void trace_free(struct stress_trace *trace)
{
    free(trace->sent_s);
    free(trace->replied_s);
    trace->sent_s = trace->replied_s = NULL;
}

void trace_sent(struct stress_trace *trace, long client, long k, double when)
{
    if (trace->sent_s != NULL && k < trace->rounds)
        trace->sent_s[client * trace->rounds + k] = when - trace->start;
}

void trace_replied(struct stress_trace *trace, long client, long k, double sent,
                   double replied)
{
    if (trace->sent_s == NULL || k >= trace->rounds)
        return;
    trace->sent_s[client * trace->rounds + k] = sent - trace->start;
    trace->replied_s[client * trace->rounds + k] = replied - trace->start;
}

int trace_send(int fd, const struct stress_trace *trace, long client)
{
    size_t bytes = (size_t)trace->rounds * sizeof(double);

    if (trace->sent_s == NULL)
        return 0;
    if (write_all(fd, &trace->sent_s[client * trace->rounds], bytes) != 0)
        return -1;
    return write_all(fd, &trace->replied_s[client * trace->rounds], bytes);
}

int trace_receive(int fd, struct stress_trace *trace, long client)
{
    ssize_t bytes = (ssize_t)((size_t)trace->rounds * sizeof(double));

    if (trace->sent_s == NULL)
        return 0;
    if (read_full(fd, &trace->sent_s[client * trace->rounds], (size_t)bytes) !=
            bytes ||
        read_full(fd, &trace->replied_s[client * trace->rounds],
                  (size_t)bytes) != bytes)
        return -1;
    return 0;
}

/* A time with six decimals, or "-" for one that never came. */
static void print_time(FILE *out, double seconds)
{
    if (seconds < 0)
        fputs("-", out);
    else
        fprintf(out, "%.6f", seconds);
}

int trace_write(const struct stress_trace *trace)
{
    FILE *out;

    if (trace->path == NULL)
        return 0;
    if ((out = fopen(trace->path, "w")) == NULL)
        return -1;
    fputs("client\trequest\tsent\treplied\tbytes\n", out);
    for (long i = 0; i < trace->clients; i++) {
        for (long k = 0; k < trace->rounds; k++) {
            long slot = i * trace->rounds + k;
            bool replied = trace->replied_s[slot] >= 0;

            fprintf(out, "%ld\t%ld\t", i + 1, k + 1);
            print_time(out, trace->sent_s[slot]);
            fputc('\t', out);
            print_time(out, trace->replied_s[slot]);
            fprintf(out, "\t%zu\n", replied ? stress_word_len(k) : 0);
        }
    }
    /* fclose reports a write error that fprintf's buffering hid. */
    if (ferror(out)) {
        fclose(out);
        errno = EIO;
        return -1;
    }
    return fclose(out);
}
