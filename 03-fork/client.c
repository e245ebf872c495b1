/* 03-fork/client.c - the TCP client of the upper service, for 03-fork.
 *
 * Interactive: each line you type is sent without its newline and the
 * server's reply is printed as  Reply is 'TEXT'.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./03-fork/client -n 10 localhost 2000
 * Look:  against the forking server the replies of the 10 clients are
 *        mixed, and the run takes about 8 delays while N stays within the
 *        server's -m limit.
 *
 * Processes are this section's technique, on both sides: the server forks
 * a child per connection, and this client forks a process per simulated
 * client (stress_with_processes in common/client/stress.c); each child reports
 * its replies and latencies to the parent through a pipe. The rest is the
 * shared tool of folders 01 to 05 (common/client/client.c).
 */
#include "client/client.h"
#include "client/stress.h"

int main(int argc, char **argv)
{
    return tcp_client_main(argc, argv, stress_with_processes);
}
