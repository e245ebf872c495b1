/* db.h - the shared in-memory database of people behind 02-thread/dbserver.
 *
 * A hash table from id to {age, name}, shared by every client thread. Two
 * ways to make it safe (the assignment's optional step is the first):
 *
 *   DB_LOCK_RECORD  a mutex per bucket for its chain plus a mutex per
 *                   record for its fields: requests on different records
 *                   run at the same time;
 *   DB_LOCK_GLOBAL  one mutex around everything: one request at a time.
 *
 * Both give the same answers; see 02-thread/db/dbserver.md for the diagram and
 * the reasoning. Every function returns a db_status and may be called from
 * any thread. */
#ifndef DB_H
#define DB_H

#include <stddef.h>

#define DB_ID_MAX      64    /* bytes of an id: [A-Za-z0-9_-] */
#define DB_NAME_MAX    200   /* bytes of a name (UTF-8) */
#define DB_AGE_MAX     200   /* ADD and SET take ages 0..200 */
#define DB_MAX_RECORDS 10000 /* ADD beyond this: DB_FULL */
#define DB_BUCKETS     1024  /* fixed: no resizing (teaching shortcut) */

struct person {
    char id[DB_ID_MAX + 1];
    long age; /* BIRTHDAY may take it past DB_AGE_MAX */
    char name[DB_NAME_MAX + 1];
};

enum db_locking { DB_LOCK_RECORD, DB_LOCK_GLOBAL };

enum db_status {
    DB_OK,
    DB_NOT_FOUND,
    DB_EXISTS,
    DB_FULL,
    DB_AGE_OVERFLOW, /* BIRTHDAY at LONG_MAX */
    DB_NO_MEMORY
};

struct db;

/* For a pthread lock or unlock call: one that fails is a bug (unlocking a
 * lock we do not hold...), never a client's doing, and going on without
 * the lock would corrupt shared data, so it reports rc and aborts. */
void check_lock(int rc, const char *what);

/* A new empty database, or NULL with errno set. hold_ms is simulated work
 * done while the request's locks are held (dbserver's -d): it stands for a
 * slow storage access and makes the two locking modes differ visibly. */
struct db *db_open(enum db_locking locking, long hold_ms);
/* Frees everything; no other thread may be using db any more. */
void db_close(struct db *db);

/* The caller validates ids, ages and names (dbproto.c); these only look
 * them up and store them. */
enum db_status db_add(struct db *db, const struct person *person);
enum db_status db_get(struct db *db, const char *id, struct person *out);
enum db_status db_set(struct db *db, const struct person *person);
enum db_status db_del(struct db *db, const char *id);
enum db_status db_birthday(struct db *db, const char *id, long *new_age);

/* A copy of every record, sorted by id (strcmp order), in memory of its
 * own (db_snapshot_free gives it back to the system at once). Each record
 * is copied whole under its lock; the set of ids is the one of a single
 * moment. */
struct db_snapshot {
    struct person *people; /* NULL when count is 0 */
    size_t count;
    size_t mapped; /* bytes mapped for people */
};
enum db_status db_list(struct db *db, struct db_snapshot *snapshot);
void db_snapshot_free(struct db_snapshot *snapshot);

#endif
