/* utf8.h - well-formed UTF-8 (Unicode's Table 3-7), for dbserver: names
 * and REVERSE's text must be valid UTF-8, and REVERSE reverses characters,
 * not bytes. */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Whether text[0..len) is well-formed UTF-8. */
bool valid_utf8(const char *text, size_t len);
/* Writes text[0..len) to out (len bytes) with its characters in reverse
 * order. text must be valid UTF-8. */
void utf8_reverse(const char *text, size_t len, char *out);

#endif
