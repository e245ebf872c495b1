/* http_reply.c - httpd's replies, copied once into a table (see
 * http_reply.h). */
#include "http_reply.h"

#include <string.h>

_Static_assert(sizeof REPLY_BODY - 1 == REPLY_BODY_LEN,
               "REPLY_BODY_LEN must be the length of REPLY_BODY");

/* Teaching shortcut: no Date header (a real server formats one per
 * second and reuses it). */
static void copy_reply(struct http_reply *r, const char *text, size_t len)
{
    memcpy(r->text, text, len);
    r->len = len;
}

#define COPY_REPLY(r, literal) copy_reply(r, literal, sizeof(literal) - 1)

void http_format_replies(struct http_replies *replies)
{
    COPY_REPLY(&replies->ok[0][0], REPLY_OK("close", REPLY_BODY));
    COPY_REPLY(&replies->ok[0][1], REPLY_OK("close", ""));
    COPY_REPLY(&replies->ok[1][0], REPLY_OK("keep-alive", REPLY_BODY));
    COPY_REPLY(&replies->ok[1][1], REPLY_OK("keep-alive", ""));
    COPY_REPLY(&replies->bad, REPLY_BAD);
    COPY_REPLY(&replies->go_on, REPLY_CONTINUE);
}
