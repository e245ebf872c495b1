/* trace.h - the trace of a stress run (CONTRACT.md §11, the -o FILE of
 * every client): when each request was sent and when its reply came.
 *
 * During the run the times go into two arrays, one slot per request, and
 * nothing else happens: no I/O on the timed path. After the run the whole
 * trace is written at once, a header line then one line per request:
 *
 *   client  request  sent      replied   bytes
 *   1       1        0.000212  0.100391  6
 *
 * client and request count from 1, times are seconds since the run started
 * (six decimals), "-" stands for a time that never came (a request that got
 * no reply, or was never sent because its client had stopped), and bytes
 * is the reply's size (0 without a reply). bench/timeline.awk draws it. */
#ifndef KIT_TRACE_H
#define KIT_TRACE_H

struct stress_trace {
    const char *path; /* -o FILE; NULL: no trace is kept */
    double start;     /* now_seconds() when the run began */
    long clients, rounds;
    double *sent_s;    /* [client * rounds + k]: seconds since start, or -1 */
    double *replied_s; /* the same for the reply */
};

/* Allocates the slots when path is not NULL. Returns -1 (errno ENOMEM) when
 * they cannot be had. */
int trace_init(struct stress_trace *trace, const char *path, long clients,
               long rounds);
void trace_free(struct stress_trace *trace);

/* Request k (0-based) of client was sent / answered at `when`
 * (now_seconds()). Nothing happens when no trace is kept. */
void trace_sent(struct stress_trace *trace, long client, long k, double when);
void trace_replied(struct stress_trace *trace, long client, long k, double sent,
                   double replied);

/* A simulated client run as a child process sends its slots (all of
 * them: its last request may have been sent without a reply) up a pipe
 * after its result; the parent reads them into its own trace. Both return
 * 0, or -1 on a short read or write. Nothing happens without a trace. */
int trace_send(int fd, const struct stress_trace *trace, long client);
int trace_receive(int fd, struct stress_trace *trace, long client);

/* Writes the trace to its file. Returns 0, or -1 with errno set (the file
 * could not be created or written). Nothing to do without a path. */
int trace_write(const struct stress_trace *trace);

#endif
