/* dbcheck.h - the checks of a request's fields, done before the database
 * is touched, so db.c only ever sees valid ids, ages and names. Each
 * returns NULL when the field is good, or the error reply to send. */
#ifndef DBCHECK_H
#define DBCHECK_H

#include "db.h"

#include <stddef.h>

/* 1 to DB_ID_MAX bytes of [A-Za-z0-9_-]. */
const char *check_id(const char *id, size_t len);
/* "0".."200" as a person writes it; the value in *value. */
const char *check_age(const char *age, size_t len, long *value);
/* UTF-8 without control characters, at most DB_NAME_MAX bytes. */
const char *check_name(const char *name, size_t len);

#endif
