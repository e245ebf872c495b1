/* filter.h - the pipes demos about a conversation with another program:
 * ./pipes 2 (two pipes, dup2 and exec) and ./pipes 3 (the buffering
 * deadlock and its fix). pipes.c holds the menu and the other demos. */
#ifndef KIT_FILTER_H
#define KIT_FILTER_H

/* Each returns the demo's exit status; self is argv[0], to find
 * upperfilter beside it. */
int demo_conversation(const char *self);
int demo_deadlock(const char *self);

#endif
