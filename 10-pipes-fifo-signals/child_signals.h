/* child_signals.h - the signals demos about a parent and its children:
 * ./signals 2 (zombies, SIGCHLD, SIG_IGN) and ./signals 5 (a child
 * notifies its parent). signals.c holds the menu and the other demos. */
#ifndef KIT_CHILD_SIGNALS_H
#define KIT_CHILD_SIGNALS_H

/* Each returns the demo's exit status; self is argv[0] (unused). */
int demo_sigchld(const char *self);
int demo_sigusr1(const char *self);

#endif
