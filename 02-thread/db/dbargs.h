/* dbargs.h - dbserver's command line: dbserver [-d MS] [-q] [-L MODE] PORT.
 * parse_server_args (common/options.h) only knows numeric options, and -L
 * takes a word, so dbserver has its own getopt loop, printing its usage in
 * the same shape as every other server's. */
#ifndef DBARGS_H
#define DBARGS_H

#include "db.h"

#include <stdbool.h>

struct dbserver_args {
    long port;
    long delay_ms; /* -d, default 0 */
    bool quiet;    /* -q */
    enum db_locking locking;
};

/* Fills *args from the command line. Returns -1 to go on, or the exit
 * status: 0 after -h or --help (usage on stdout), 2 after a mistake (the
 * reason and the usage on stderr). */
int parse_dbserver_args(int argc, char **argv, struct dbserver_args *args);

#endif
