/* 06-udp/client.c - the UDP client of the upper service.
 *
 * Interactive: each line you type is sent as one datagram (without its
 * newline) and the reply is printed as  Reply is 'TEXT'.  Unlike TCP,
 * nothing guarantees the reply comes: the client waits -t seconds (2 by
 * default), sends the line again, up to 3 more times, then reports the
 * loss on stderr and goes on with the next line.
 * Stress (-n N): N simulated clients at once, each sending the 8 words of
 * "twenty tiny tigers take two taxis to town" and waiting for each reply.
 *
 * Run:   ./06-udp/client localhost 2000
 *        ./06-udp/client -t 1 localhost 1     (nothing there: see the loss)
 * Look:  a reply that arrives late, after the client moved on, is not
 *        printed as the answer to the next line: only a reply equal to the
 *        upper transform of the current line counts.
 *
 * The same tool serves 06 and 07 (common/client/udp_client.c): the server is the
 * lesson here. */
#include "client/udp_client.h"

int main(int argc, char **argv)
{
    return udp_client_main(argc, argv);
}
