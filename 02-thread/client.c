/* 02-thread/client.c - the TCP client of the upper service, for 02-thread.
 *
 * Interactive: each line you type is sent without its newline and the
 * server's reply is printed as  Reply is 'TEXT'.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./02-thread/client -n 10 localhost 2000
 * Look:  against the threaded server the replies of the 10 clients are
 *        mixed: [3] TINY may come before [0] TIGERS, and the whole run
 *        takes about 8 delays, whatever N is (up to the server's limits).
 *
 * Threads are this section's technique, on both sides: the server gives
 * each connection a thread, and this client runs each simulated client
 * on a thread of its own (stress_with_threads in common/client/stress.c), like
 * the chapter's stress client. The rest is the shared tool of folders
 * 01 to 05 (common/client/client.c).
 */
#include "client/client.h"
#include "client/stress.h"

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_threads);
}
