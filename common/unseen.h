/* unseen.h - code points a terminal does not show as what they are.
 *
 * Text that one user types and another user's terminal shows (chat names
 * and messages, dbserver's names) can carry more than C0 controls:
 *  - C1 controls, U+0080-U+009F (UTF-8 C2 80 - C2 9F): U+009B is CSI, the
 *    one-byte form of ESC [, and starts a terminal escape sequence on a
 *    terminal that honours C1;
 *  - invisible and direction-changing format characters: the zero-width
 *    ones U+200B-U+200F (space, non-joiner, joiner, LRM, RLM), the bidi
 *    embeddings and overrides U+202A-U+202E, the word joiner and invisible
 *    operators U+2060-U+2064, the bidi isolates U+2066-U+2069, the soft
 *    hyphen U+00AD and U+FEFF (zero-width no-break space). "ana" followed
 *    by U+200B looks exactly like "ana".
 * The functions look at bytes only: text need not be valid UTF-8. */
#ifndef KIT_UNSEEN_H
#define KIT_UNSEEN_H

#include <stdbool.h>
#include <stddef.h>

/* The length (2) of the UTF-8 C1 control at s[0..left), or 0. */
size_t utf8_c1_length(const unsigned char *s, size_t left);

/* Whether text[0..len) holds a C1 control or one of the invisible or
 * format characters above. */
bool has_unseen_code_point(const char *text, size_t len);

#endif
