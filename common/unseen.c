/* unseen.c - finding C1 controls and invisible format characters in
 * UTF-8 text (see unseen.h). */
#include "unseen.h"

size_t utf8_c1_length(const unsigned char *s, size_t left)
{
    return left >= 2 && s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F ? 2 : 0;
}

/* Whether the 3 bytes at s are a UTF-8 character in [low, high]. */
static bool utf8_3_in(const unsigned char *s, unsigned low, unsigned high)
{
    unsigned code = (unsigned)(s[0] & 0x0F) << 12 |
                    (unsigned)(s[1] & 0x3F) << 6 | (unsigned)(s[2] & 0x3F);

    return (s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
           (s[2] & 0xC0) == 0x80 && code >= low && code <= high;
}

bool has_unseen_code_point(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;

    for (size_t i = 0; i < len; i++) {
        size_t left = len - i;
        if (utf8_c1_length(s + i, left) != 0)
            return true;
        if (left >= 2 && s[i] == 0xC2 && s[i + 1] == 0xAD)
            return true; /* U+00AD soft hyphen */
        if (left >= 3 &&
            (utf8_3_in(s + i, 0x200B, 0x200F) ||
             utf8_3_in(s + i, 0x202A, 0x202E) ||
             utf8_3_in(s + i, 0x2060, 0x2064) ||
             utf8_3_in(s + i, 0x2066, 0x2069) ||
             utf8_3_in(s + i, 0xFEFF, 0xFEFF)))
            return true;
    }
    return false;
}
