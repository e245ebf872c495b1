/* tests/fuzz/fuzz_parse_long.c - libFuzzer target for the strict number
 * parser (common/util.c parse_long/parse_port), which every command line of
 * the kit goes through. Beyond "does not crash" it checks the promise:
 * accepted text is exactly an optional '-' and digits, the value lies in
 * range and prints back as the same number, a '-' always means a negative
 * value ("-0", "-00" are refused); anything else is refused. */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int canonical_number(const char *text)
{
    const char *p = text[0] == '-' ? text + 1 : text;
    if (*p == '\0')
        return 0;
    for (; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[64];
    long value = 0, port = 0;

    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    if (parse_long(text, -1000, 100000, &value) == 0) {
        char back[32];
        const char *digits;

        if (!canonical_number(text) || value < -1000 || value > 100000)
            abort();
        if (text[0] == '-' && value >= 0)
            abort();
        /* Same number, ignoring leading zeros ("-007" is -7). */
        digits = text[0] == '-' ? text + 1 : text;
        while (digits[0] == '0' && digits[1] != '\0')
            digits++;
        snprintf(back, sizeof back, "%ld", value < 0 ? -value : value);
        if (strcmp(back, digits) != 0)
            abort();
    }
    if (parse_port(text, &port) == 0 && (port < 0 || port > 65535))
        abort();
    return 0;
}
