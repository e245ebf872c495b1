/* select_stress.h - the 08-select client's stress mode (select_stress.c). */
#ifndef SELECT_STRESS_H
#define SELECT_STRESS_H

#include "client/client.h"

#include <sys/select.h>

/* Every connection must fit in an fd_set, next to stdin, stdout, stderr
 * and what a debugger or the C library may hold open. */
#define SIM_CLIENTS_MAX (FD_SETSIZE - 24)

/* Runs args->clients simulated clients in one select() loop and prints
 * the stress report. Returns the exit status. */
int run_select_stress(const struct client_args *args);

#endif
