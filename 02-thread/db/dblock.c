/* dblock.c - how a thread reaches a record of the database safely: the
 * two locking disciplines of db.c in one place (see db.c's header for the
 * reasoning: lock coupling, the lock order, why DEL never frees a record
 * in use). */
#include "dblock.h"

#include "upper.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void check_lock(int rc, const char *what)
{
    if (rc != 0) {
        report_error(what, strerror(rc));
        abort();
    }
}

bool per_record(const struct db *db)
{
    return db->locking == DB_LOCK_RECORD;
}

/* The simulated slow storage access, done with the request's locks held:
 * under -L global it stops every other client, under -L record only those
 * that want the same record (or, for ADD and DEL, the same bucket). */
void hold_while_locked(const struct db *db)
{
    simulate_work(db->hold_ms);
}

/* FNV-1a: a simple, well-spread hash of the id's bytes. */
static struct bucket *bucket_of(struct db *db, const char *id)
{
    uint32_t hash = 2166136261u;

    for (; *id != '\0'; id++) {
        hash ^= (unsigned char)*id;
        hash *= 16777619u;
    }
    return &db->buckets[hash % DB_BUCKETS];
}

/* The link that points at id's record (or at the NULL ending the chain):
 * handing back the link lets DEL unlink without a second walk. */
struct record **find_link(struct bucket *bucket, const char *id)
{
    struct record **link = &bucket->chain;

    while (*link != NULL && strcmp((*link)->person.id, id) != 0)
        link = &(*link)->next;
    return link;
}

/* --- the locking, in one place ------------------------------------------ */

/* A bucket, to add or remove in its chain. */
struct bucket *open_bucket(struct db *db, const char *id)
{
    struct bucket *bucket = bucket_of(db, id);

    check_lock(pthread_mutex_lock(per_record(db) ? &bucket->lock : &db->global),
               "lock bucket");
    return bucket;
}

void close_bucket(struct db *db, struct bucket *bucket)
{
    check_lock(
        pthread_mutex_unlock(per_record(db) ? &bucket->lock : &db->global),
        "unlock bucket");
}

/* id's record, locked for reading or changing its fields, or NULL when
 * there is none (then nothing stays locked). */
struct record *open_record(struct db *db, const char *id)
{
    struct bucket *bucket = open_bucket(db, id);
    struct record *record = *find_link(bucket, id);

    if (record == NULL) {
        hold_while_locked(db); /* looking costs the same as finding */
        close_bucket(db, bucket);
        return NULL;
    }
    if (per_record(db)) {
        /* Lock coupling: the record is locked BEFORE its bucket is let
         * go, so a DEL (which needs the bucket) cannot slip in between. */
        check_lock(pthread_mutex_lock(&record->lock), "lock record");
        close_bucket(db, bucket);
    }
    /* -L global: the one mutex stays held until close_record. */
    return record;
}

void close_record(struct db *db, struct record *record)
{
    check_lock(
        pthread_mutex_unlock(per_record(db) ? &record->lock : &db->global),
        "unlock record");
}

/* A bucket's or a record's own mutex, taken only under -L record (under
 * -L global the one mutex already held covers everything). DEL uses it to
 * wait for the thread using a record; LIST to visit buckets and records. */
void lock_fine(struct db *db, pthread_mutex_t *lock)
{
    if (per_record(db))
        check_lock(pthread_mutex_lock(lock), "lock");
}

void unlock_fine(struct db *db, pthread_mutex_t *lock)
{
    if (per_record(db))
        check_lock(pthread_mutex_unlock(lock), "unlock");
}

/* ADD reserves a place among DB_MAX_RECORDS, DEL gives one back. Two ADDs
 * in different buckets may run at once: the count needs its own lock. */
bool take_place(struct db *db)
{
    bool taken;

    if (per_record(db))
        check_lock(pthread_mutex_lock(&db->count_lock), "lock count");
    taken = db->count < DB_MAX_RECORDS;
    if (taken)
        db->count++;
    if (per_record(db))
        check_lock(pthread_mutex_unlock(&db->count_lock), "unlock count");
    return taken;
}

void give_place_back(struct db *db)
{
    if (per_record(db))
        check_lock(pthread_mutex_lock(&db->count_lock), "lock count");
    db->count--;
    if (per_record(db))
        check_lock(pthread_mutex_unlock(&db->count_lock), "unlock count");
}

/* ADD and DEL change which records exist. Under -L record they share the
 * membership lock, each working in its own bucket. */
void start_change(struct db *db)
{
    if (per_record(db))
        check_lock(fair_rwlock_lock_shared(&db->membership), "lock members");
}

void end_change(struct db *db)
{
    if (per_record(db))
        check_lock(fair_rwlock_unlock_shared(&db->membership),
                   "unlock members");
}

/* LIST holds the membership lock alone: no ADD or DEL runs meanwhile, so
 * the ids it sees are those of one moment. It then visits the buckets one
 * at a time (holding all 1,024 at once would be heavy, and more than
 * ThreadSanitizer can track). */
void start_listing(struct db *db)
{
    check_lock(per_record(db) ? fair_rwlock_lock_alone(&db->membership)
                              : pthread_mutex_lock(&db->global),
               "lock for LIST");
}

void end_listing(struct db *db)
{
    check_lock(per_record(db) ? fair_rwlock_unlock_alone(&db->membership)
                              : pthread_mutex_unlock(&db->global),
               "unlock after LIST");
}
