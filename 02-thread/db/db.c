/* db.c - the hash table and its two locking disciplines.
 *
 * -L record: every bucket has a mutex for its chain, every record a mutex
 * for its age and name. To use a record, a thread locks the bucket, finds
 * the record, locks the record, and only then lets go of the bucket (lock
 * coupling). Clients working on different records hold different mutexes
 * and run at the same time; two on the same record take turns. One more
 * lock, a read-write lock, is about which records exist: ADD and DEL hold
 * it shared (they may run at once, each in its own bucket), LIST holds it
 * alone, so that it never sees an ADD or a DEL half done.
 *
 * -L global: one mutex, taken by every operation from start to end. The
 * other locks are then never touched.
 *
 * Why DEL never frees a record that a GET is still reading: a thread can
 * only reach a record through its bucket, and it takes the record's mutex
 * before it lets go of the bucket. DEL locks the bucket and then the
 * record, so it waits until the GET has finished; and once DEL has
 * unlinked the record (still holding the bucket) nobody can find it any
 * more. Lock order, always the same, so no deadlock: membership, then one
 * bucket, then one record, then the record count. */
/* MAP_ANONYMOUS (mmap without a file) is not in POSIX.1-2008. */
#define _GNU_SOURCE
#include "db.h"
#include "dblock.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* --- opening and closing ------------------------------------------------ */

struct db *db_open(enum db_locking locking, long hold_ms)
{
    struct db *db = calloc(1, sizeof *db);
    size_t ready = 0;
    int rc;

    if (db == NULL)
        return NULL;
    db->locking = locking;
    db->hold_ms = hold_ms;
    if ((rc = pthread_mutex_init(&db->global, NULL)) != 0)
        goto fail;
    if ((rc = fair_rwlock_init(&db->membership)) != 0)
        goto fail_global;
    if ((rc = pthread_mutex_init(&db->count_lock, NULL)) != 0)
        goto fail_membership;
    for (; ready < DB_BUCKETS; ready++) {
        if ((rc = pthread_mutex_init(&db->buckets[ready].lock, NULL)) != 0)
            goto fail_buckets;
    }
    return db;
fail_buckets:
    while (ready-- > 0)
        pthread_mutex_destroy(&db->buckets[ready].lock);
    pthread_mutex_destroy(&db->count_lock);
fail_membership:
    fair_rwlock_destroy(&db->membership);
fail_global:
    pthread_mutex_destroy(&db->global);
fail:
    free(db);
    errno = rc;
    return NULL;
}

static void free_record(struct record *record)
{
    pthread_mutex_destroy(&record->lock);
    free(record);
}

void db_close(struct db *db)
{
    for (size_t i = 0; i < DB_BUCKETS; i++) {
        struct bucket *bucket = &db->buckets[i];
        while (bucket->chain != NULL) {
            struct record *record = bucket->chain;
            bucket->chain = record->next;
            free_record(record);
        }
        pthread_mutex_destroy(&bucket->lock);
    }
    pthread_mutex_destroy(&db->count_lock);
    fair_rwlock_destroy(&db->membership);
    pthread_mutex_destroy(&db->global);
    free(db);
}

/* --- the operations ------------------------------------------------------ */

/* A record ready to be linked, built before taking any lock so that
 * malloc does not run while other clients wait. */
static struct record *new_record(const struct person *person)
{
    struct record *record = malloc(sizeof *record);

    if (record == NULL)
        return NULL;
    if (pthread_mutex_init(&record->lock, NULL) != 0) {
        free(record);
        return NULL;
    }
    record->next = NULL;
    record->person = *person;
    return record;
}

enum db_status db_add(struct db *db, const struct person *person)
{
    struct record *record = new_record(person);
    struct record **link;
    struct bucket *bucket;
    enum db_status status = DB_OK;

    if (record == NULL)
        return DB_NO_MEMORY;
    start_change(db);
    bucket = open_bucket(db, person->id);
    hold_while_locked(db);
    link = find_link(bucket, person->id);
    if (*link != NULL)
        status = DB_EXISTS;
    else if (!take_place(db))
        status = DB_FULL;
    else
        *link = record; /* at the chain's end, where the search stopped */
    close_bucket(db, bucket);
    end_change(db);
    if (status != DB_OK)
        free_record(record);
    return status;
}

enum db_status db_get(struct db *db, const char *id, struct person *out)
{
    struct record *record = open_record(db, id);

    if (record == NULL)
        return DB_NOT_FOUND;
    /* Copy under the record's lock: a SET running at the same time
     * changes age and name together, and we must see both old or both
     * new, never the new age with the old name (a torn read). */
    hold_while_locked(db);
    *out = record->person;
    close_record(db, record);
    return DB_OK;
}

enum db_status db_set(struct db *db, const struct person *person)
{
    struct record *record = open_record(db, person->id);

    if (record == NULL)
        return DB_NOT_FOUND;
    /* The simulated storage time falls between the two field writes, as
     * when a record is written field by field: without the record's lock,
     * a GET could copy the new age with the old name. */
    record->person.age = person->age;
    hold_while_locked(db);
    memcpy(record->person.name, person->name, sizeof person->name);
    close_record(db, record);
    return DB_OK;
}

enum db_status db_birthday(struct db *db, const char *id, long *new_age)
{
    struct record *record = open_record(db, id);
    enum db_status status = DB_OK;
    long age;

    if (record == NULL)
        return DB_NOT_FOUND;
    /* Read, add one, write back, all under the record's lock. Without it
     * two clients could both read 30 and both write 31 (a lost update);
     * the simulated storage time between the read and the write makes
     * that window wide. */
    age = record->person.age;
    hold_while_locked(db);
    if (age == LONG_MAX)
        status = DB_AGE_OVERFLOW;
    else
        record->person.age = *new_age = age + 1;
    close_record(db, record);
    return status;
}

enum db_status db_del(struct db *db, const char *id)
{
    struct bucket *bucket;
    struct record **link, *record;

    start_change(db);
    bucket = open_bucket(db, id);
    link = find_link(bucket, id);
    record = *link;
    hold_while_locked(db);
    if (record != NULL) {
        /* Wait for whoever is using the record (they hold its lock, not
         * the bucket); later comers cannot reach it: we hold the bucket. */
        lock_fine(db, &record->lock);
        *link = record->next;
        unlock_fine(db, &record->lock);
        give_place_back(db);
    }
    close_bucket(db, bucket);
    end_change(db);
    /* Unlinked, unlocked, unreachable: free it without any lock. */
    if (record != NULL)
        free_record(record);
    return record != NULL ? DB_OK : DB_NOT_FOUND;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct person *)a)->id,
                  ((const struct person *)b)->id);
}

enum db_status db_list(struct db *db, struct db_snapshot *snapshot)
{
    struct person *copy = NULL;
    size_t n = 0;

    start_listing(db);
    hold_while_locked(db);
    /* Teaching shortcut: the copy is made while ADD and DEL wait. It is
     * what lets us send the reply with no lock held: a slow client must
     * never keep the table locked. No ADD or DEL runs now: count is
     * stable. The copy (up to 2.8 MB) is mapped, not malloc'd: munmap
     * gives it back at once, whereas freed malloc memory of that size
     * may stay with the thread's arena for good (glibc raises its mmap
     * threshold after such a free), and 40 idle connections that each
     * once did a LIST would hold 40 copies. */
    size_t capacity = db->count, mapped = capacity * sizeof *copy;
    if (capacity > 0) {
        copy = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (copy == MAP_FAILED) {
            end_listing(db);
            return DB_NO_MEMORY;
        }
    }
    for (size_t i = 0; i < DB_BUCKETS; i++) {
        struct bucket *bucket = &db->buckets[i];

        lock_fine(db, &bucket->lock);
        /* n < capacity always holds (count and chains agree while no ADD
         * or DEL runs); the bound says so to the reader and the analyzer. */
        for (struct record *r = bucket->chain; r != NULL && n < capacity;
             r = r->next) {
            lock_fine(db, &r->lock);
            copy[n++] = r->person;
            unlock_fine(db, &r->lock);
        }
        unlock_fine(db, &bucket->lock);
    }
    end_listing(db);
    /* Sorting needs no lock: the copy is ours. */
    if (n > 1)
        qsort(copy, n, sizeof *copy, by_id);
    snapshot->people = copy;
    snapshot->count = n;
    snapshot->mapped = mapped;
    return DB_OK;
}

void db_snapshot_free(struct db_snapshot *snapshot)
{
    if (snapshot->people != NULL)
        munmap(snapshot->people, snapshot->mapped);
    snapshot->people = NULL;
    snapshot->count = snapshot->mapped = 0;
}
