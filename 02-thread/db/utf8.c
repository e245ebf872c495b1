/* utf8.c - checking and reversing UTF-8 text, for dbserver's REVERSE and
 * its names (see utf8.h). */
#include "utf8.h"

#include <string.h>

/* The length (1-4) of the well-formed UTF-8 character at s, or 0 when the
 * bytes there are not one (a stray continuation byte, a truncated
 * sequence, an over-long form, a surrogate, a code point above U+10FFFF).
 * The table is Unicode's "well-formed byte sequences" (Table 3-7): the
 * first byte fixes the length and the allowed range of the second. */
static size_t utf8_char_length(const unsigned char *s, size_t left)
{
    unsigned char low = 0x80, high = 0xBF;
    size_t need;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        need = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        need = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        need = 4;
    else
        return 0;
    if (s[0] == 0xE0)
        low = 0xA0; /* below: over-long */
    else if (s[0] == 0xED)
        high = 0x9F; /* above: UTF-16 surrogates */
    else if (s[0] == 0xF0)
        low = 0x90; /* below: over-long */
    else if (s[0] == 0xF4)
        high = 0x8F; /* above: beyond U+10FFFF */
    if (left < need || s[1] < low || s[1] > high)
        return 0;
    for (size_t i = 2; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    return need;
}

bool valid_utf8(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t step;

    for (size_t i = 0; i < len; i += step) {
        if ((step = utf8_char_length(s + i, len - i)) == 0)
            return false;
    }
    return true;
}

/* Reverses characters, not bytes: each character's bytes keep their order
 * and land at the mirrored place, so "añb" (61 C3 B1 62) becomes "bña"
 * (62 C3 B1 61), not the invalid 62 B1 C3 61. text must be valid UTF-8. */
void utf8_reverse(const char *text, size_t len, char *out)
{
    size_t step;

    for (size_t i = 0; i < len; i += step) {
        step = utf8_char_length((const unsigned char *)text + i, len - i);
        memcpy(out + len - i - step, text + i, step);
    }
}
