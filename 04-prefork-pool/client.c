/* 04-prefork-pool/client.c - the TCP client of the upper service.
 *
 * Interactive: each line you type is sent without its newline and the
 * server's reply is printed as  Reply is 'TEXT'.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./04-prefork-pool/client localhost 2000
 *        ./04-prefork-pool/client -n 10 localhost 2000
 * Look:  against a pool of W workers, W simulated clients are served at
 *        once and the others wait their turn: 10 clients with -w 3 take
 *        8 x delay x ceil(10/3), four rounds.
 *
 * The client is the same tool in folders 01 to 05 (common/client/client.c). Here
 * each simulated client is a process of its own (fork), as the server's
 * workers are; each one reports its replies to the parent through a pipe.
 */
#include "client/client.h"
#include "client/stress.h"

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_processes);
}
