/* 11-io-uring/client.c - the TCP client of the upper service.
 *
 * Interactive: each line you type is sent without its newline and the
 * server's reply is printed as  Reply is 'TEXT'.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./11-io-uring/client localhost 2000
 *        ./11-io-uring/client -n 10 localhost 2000
 * Look:  the replies of the ten clients interleave (one thread serves them
 *        all), and the total is N x 8 delays, as with 09 -w 0.
 *
 * The kit's TCP client (common/client/client.c), as in folders 01 to 05:
 * the lesson is the server. Its simulated clients are threads.
 */
#include "client/client.h"
#include "client/stress.h"

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_threads);
}
