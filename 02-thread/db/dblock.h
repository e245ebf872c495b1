/* dblock.h - inside db.c: the table's structures and its locking
 * discipline (dblock.c), private to the database's files. db.c says what
 * each operation does; dblock.c how a thread reaches a record safely. */
#ifndef DBLOCK_H
#define DBLOCK_H

#include "db.h"
#include "fairlock.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct record {
    struct record *next;  /* the chain: its bucket's mutex guards it */
    pthread_mutex_t lock; /* age and name (-L record); id never changes */
    struct person person;
};

struct bucket {
    pthread_mutex_t lock; /* -L record: the chain */
    struct record *chain;
};

struct db {
    enum db_locking locking;
    long hold_ms;
    pthread_mutex_t global;        /* -L global: the one lock */
    struct fair_rwlock membership; /* -L record: ADD/DEL shared, LIST alone */
    pthread_mutex_t count_lock;    /* -L record: count */
    size_t count;                  /* records in the table */
    struct bucket buckets[DB_BUCKETS];
};

/* Which discipline db was opened with; the simulated storage access. */
bool per_record(const struct db *db);
void hold_while_locked(const struct db *db);

/* The link that points at id's record in bucket (or at the NULL ending the
 * chain): handing back the link lets DEL unlink without a second walk. */
struct record **find_link(struct bucket *bucket, const char *id);

/* A bucket locked to add or remove in its chain; id's record locked for
 * its fields (NULL when there is none: then nothing stays locked). */
struct bucket *open_bucket(struct db *db, const char *id);
void close_bucket(struct db *db, struct bucket *bucket);
struct record *open_record(struct db *db, const char *id);
void close_record(struct db *db, struct record *record);

/* A bucket's or a record's own mutex, taken only under -L record. */
void lock_fine(struct db *db, pthread_mutex_t *lock);
void unlock_fine(struct db *db, pthread_mutex_t *lock);

/* ADD reserves one of DB_MAX_RECORDS places, DEL gives one back. */
bool take_place(struct db *db);
void give_place_back(struct db *db);

/* ADD and DEL (which records exist) share the membership lock; LIST holds
 * it alone. */
void start_change(struct db *db);
void end_change(struct db *db);
void start_listing(struct db *db);
void end_listing(struct db *db);

#endif
