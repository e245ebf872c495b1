/* chatserver.h - the chat server's loop (chatserver.c), the role that
 * ./08-select/chat takes with --name server. */
#ifndef SELECT_CHATSERVER_H
#define SELECT_CHATSERVER_H

/* Runs the chat server on port (0: any) until SIGINT/SIGTERM. Returns the
 * exit status. */
int run_chat_server(long port);

#endif
