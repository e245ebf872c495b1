/* dbcheck.c - what a valid id, age and name are (see dbcheck.h). */
#include "dbcheck.h"

#include "unseen.h"
#include "utf8.h"

const char *check_id(const char *id, size_t len)
{
    if (len > DB_ID_MAX)
        return "ERR id too long\n";
    for (size_t i = 0; i < len; i++) {
        char ch = id[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
            return "ERR bad id\n";
    }
    return NULL;
}

/* Strictly "0".."200" as written by a person: no sign, no leading zero,
 * nothing else, so that GET gives back exactly what ADD was given. */
const char *check_age(const char *age, size_t len, long *value)
{
    *value = 0;
    if (len > 3 || (len > 1 && age[0] == '0'))
        return "ERR bad age\n";
    for (size_t i = 0; i < len; i++) {
        if (age[i] < '0' || age[i] > '9')
            return "ERR bad age\n";
        *value = *value * 10 + (age[i] - '0');
    }
    return *value <= DB_AGE_MAX ? NULL : "ERR bad age\n";
}

/* Any UTF-8 text without control characters (a NUL or a tab would break
 * the one-line replies of GET and LIST for the next reader) and without
 * C1 controls or invisible format characters (unseen.h): a name reaches
 * other clients' terminals, where U+009B starts an escape sequence and
 * U+202E turns the rest of the line around. */
const char *check_name(const char *name, size_t len)
{
    if (len > DB_NAME_MAX)
        return "ERR name too long\n";
    if (!valid_utf8(name, len) || has_unseen_code_point(name, len))
        return "ERR bad name\n";
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7F)
            return "ERR bad name\n";
    }
    return NULL;
}
