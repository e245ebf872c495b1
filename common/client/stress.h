/* stress.h - the stress workload (CONTRACT.md §5), shared by every client.
 *
 * Each simulated client sends the 8 words of "twenty tiny tigers take two
 * taxis to town" (R messages, cycling), one at a time, waiting for each
 * reply, and checks it. The report keeps every reply's latency so that the
 * summary line can give percentiles:
 *
 *   N clients, R replies, E errors, T.TT s, Q req/s, p50 A ms, p99 B ms
 *
 * With -o FILE the report also keeps when each request was sent and
 * answered (trace.h), and writes that trace after the summary line.
 *
 * A folder's client decides how its simulated clients run at once (threads,
 * processes, one select or epoll loop); each simulated client writes only
 * its own slots of the report, so threads need no lock to share it. */
#ifndef KIT_STRESS_H
#define KIT_STRESS_H

#include "options.h"
#include "trace.h"

#include <stdbool.h>
#include <stddef.h>

#define STRESS_WORD_COUNT 8

/* The word to send as message number round (0-based), and its length. */
const char *stress_word(long round);
size_t stress_word_len(long round);

/* True when reply is exactly the upper transform of word round. */
bool stress_reply_ok(long round, const char *reply, size_t len);

struct stress_report {
    long clients;
    long rounds;
    long *replies;             /* replies[i]: replies client i received */
    bool *failed;              /* failed[i]: client i stopped on an error */
    double *latencies_ms;      /* latencies_ms[i * rounds + k] */
    struct stress_trace trace; /* -o FILE: every request's times */
};

/* A report for args->clients simulated clients of args->rounds messages,
 * with a trace when args->trace_path is set; the run's clock starts here. */
int stress_report_init(struct stress_report *report,
                       const struct client_args *args);
void stress_report_free(struct stress_report *report);

/* Client `client` is sending its next request; returns now_seconds(), the
 * time the request's latency counts from. Only the trace needs this call:
 * it keeps the send time of a request that never gets its reply. */
double stress_record_send(struct stress_report *report, long client);
/* Client `client` got a correct reply after latency_ms; prints
 * "- [client] Reply: WORD" unless quiet. */
void stress_record_reply(struct stress_report *report, long client,
                         double latency_ms, bool quiet);
/* Client `client` failed: prints "client: [i] what" to stderr. */
void stress_record_failure(struct stress_report *report, long client,
                           const char *what);

/* Prints the summary line, then writes the trace (when asked for), and
 * returns the exit status: 0 only when no client failed, every reply
 * arrived and the trace, if any, was written. */
int stress_summary(const struct stress_report *report, double elapsed_s);

/* One simulated client over a blocking TCP connection: connect, then R
 * request/reply rounds with a receive timeout. Records into the report and
 * returns 0, or -1 after recording a failure. For clients whose concurrency
 * is threads or processes; event-loop clients drive the same rounds from
 * their loop. */
int stress_session(const struct client_args *args, long client,
                   struct stress_report *report);

/* For clients whose simulated clients are processes: the child sends its
 * slots of the report down a pipe, the parent reads them into its own. */
int stress_send_result(int fd, const struct stress_report *report, long client);
int stress_receive_result(int fd, struct stress_report *report, long client);

/* Two ways to run args->clients simulated clients at once over blocking
 * sockets, each printing the summary and returning the exit status:
 * one thread per simulated client (the chapter's tcp_stress_client), or one
 * process per simulated client, each reporting back through a pipe. */
int stress_with_threads(const struct client_args *args);

/* One simulated client's whole conversation (stress_session for TCP; the
 * UDP clients have their own), and the thread driver running any of them. */
typedef int (*stress_session_fn)(const struct client_args *args, long client,
                                 struct stress_report *report);
int stress_with_threads_using(const struct client_args *args,
                              stress_session_fn session);
int stress_with_processes(const struct client_args *args);

#endif
