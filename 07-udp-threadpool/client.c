/* 07-udp-threadpool/client.c - the UDP stress client (the chapter's
 * udp_stress_client), and the same interactive mode as 06-udp.
 *
 * Stress (-n N): N simulated clients at once, one thread each, each with
 * its own UDP socket, sending the 8 words of "twenty tiny tigers take two
 * taxis to town" one at a time and waiting for each reply (-t SEC, 30 by
 * default in this mode, then up to 3 retransmissions). The last line is
 * the kit's summary: N clients, R replies, E errors, T.TT s, ...
 * Interactive: each line is one datagram, Reply is 'TEXT' (see 06-udp).
 *
 * Run:   ./07-udp-threadpool/client -n 10 localhost 2000
 * Look:  against the pool server with 20 workers, 10 clients take about 8
 *        delays; with -w 5 on the server, twice as long.
 *
 * The same tool serves 06 and 07 (common/client/udp_client.c): the server is the
 * lesson here. */
#include "client/udp_client.h"

int main(int argc, char **argv)
{
    return udp_client_main(argc, argv);
}
