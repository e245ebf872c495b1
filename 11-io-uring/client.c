/* 01-iterative/client.c - the TCP client of the upper service.
 *
 * Interactive: each line you type is sent without its newline and the
 * server's reply is printed as  Reply is 'TEXT'.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./01-iterative/client localhost 2000
 *        ./01-iterative/client -n 10 localhost 2000
 * Look:  against the iterative server the stress replies come client by
 *        client: [0] gets all 8, then [1]... and the total is N x 8 delays.
 *
 * The client is the same tool in folders 01 to 05 (common/client.c); it is
 * not the lesson here, the server is. Its simulated clients are threads,
 * one per simulated client, like the chapter's stress client.
 */
#include "client.h"
#include "stress.h"

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_threads);
}
