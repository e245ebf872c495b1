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
#include "db.h"

#include "upper.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    pthread_mutex_t global;      /* -L global: the one lock */
    pthread_rwlock_t membership; /* -L record: ADD/DEL shared, LIST alone */
    pthread_mutex_t count_lock;  /* -L record: count */
    size_t count;                /* records in the table */
    struct bucket buckets[DB_BUCKETS];
};

void check_lock(int rc, const char *what)
{
    if (rc != 0) {
        report_error(what, strerror(rc));
        abort();
    }
}

static bool per_record(const struct db *db)
{
    return db->locking == DB_LOCK_RECORD;
}

/* The simulated slow storage access, done with the request's locks held:
 * under -L global it stops every other client, under -L record only those
 * that want the same record (or, for ADD and DEL, the same bucket). */
static void hold_while_locked(const struct db *db)
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
static struct record **find_link(struct bucket *bucket, const char *id)
{
    struct record **link = &bucket->chain;

    while (*link != NULL && strcmp((*link)->person.id, id) != 0)
        link = &(*link)->next;
    return link;
}

/* --- the locking, in one place ------------------------------------------ */

/* A bucket, to add or remove in its chain. */
static struct bucket *open_bucket(struct db *db, const char *id)
{
    struct bucket *bucket = bucket_of(db, id);

    check_lock(pthread_mutex_lock(per_record(db) ? &bucket->lock : &db->global),
               "lock bucket");
    return bucket;
}

static void close_bucket(struct db *db, struct bucket *bucket)
{
    check_lock(
        pthread_mutex_unlock(per_record(db) ? &bucket->lock : &db->global),
        "unlock bucket");
}

/* id's record, locked for reading or changing its fields, or NULL when
 * there is none (then nothing stays locked). */
static struct record *open_record(struct db *db, const char *id)
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

static void close_record(struct db *db, struct record *record)
{
    check_lock(
        pthread_mutex_unlock(per_record(db) ? &record->lock : &db->global),
        "unlock record");
}

/* A bucket's or a record's own mutex, taken only under -L record (under
 * -L global the one mutex already held covers everything). DEL uses it to
 * wait for the thread using a record; LIST to visit buckets and records. */
static void lock_fine(struct db *db, pthread_mutex_t *lock)
{
    if (per_record(db))
        check_lock(pthread_mutex_lock(lock), "lock");
}

static void unlock_fine(struct db *db, pthread_mutex_t *lock)
{
    if (per_record(db))
        check_lock(pthread_mutex_unlock(lock), "unlock");
}

/* ADD reserves a place among DB_MAX_RECORDS, DEL gives one back. Two ADDs
 * in different buckets may run at once: the count needs its own lock. */
static bool take_place(struct db *db)
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

static void give_place_back(struct db *db)
{
    if (per_record(db))
        check_lock(pthread_mutex_lock(&db->count_lock), "lock count");
    db->count--;
    if (per_record(db))
        check_lock(pthread_mutex_unlock(&db->count_lock), "unlock count");
}

/* ADD and DEL change which records exist. Under -L record they share the
 * membership lock, each working in its own bucket. */
static void start_change(struct db *db)
{
    if (per_record(db))
        check_lock(pthread_rwlock_rdlock(&db->membership), "lock members");
}

static void end_change(struct db *db)
{
    if (per_record(db))
        check_lock(pthread_rwlock_unlock(&db->membership), "unlock members");
}

/* LIST holds the membership lock alone: no ADD or DEL runs meanwhile, so
 * the ids it sees are those of one moment. It then visits the buckets one
 * at a time (holding all 1,024 at once would be heavy, and more than
 * ThreadSanitizer can track). */
static void start_listing(struct db *db)
{
    check_lock(per_record(db) ? pthread_rwlock_wrlock(&db->membership)
                              : pthread_mutex_lock(&db->global),
               "lock for LIST");
}

static void end_listing(struct db *db)
{
    check_lock(per_record(db) ? pthread_rwlock_unlock(&db->membership)
                              : pthread_mutex_unlock(&db->global),
               "unlock after LIST");
}

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
    if ((rc = pthread_rwlock_init(&db->membership, NULL)) != 0)
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
    pthread_rwlock_destroy(&db->membership);
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
    pthread_rwlock_destroy(&db->membership);
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

enum db_status db_list(struct db *db, struct person **people, size_t *count)
{
    struct person *copy = NULL;
    size_t n = 0;

    start_listing(db);
    hold_while_locked(db);
    /* Teaching shortcut: malloc while ADD and DEL wait. The copy is what
     * lets us send the reply with no lock held: a slow client must never
     * keep the table locked. No ADD or DEL runs now: count is stable. */
    size_t capacity = db->count;
    if (capacity > 0 && (copy = malloc(capacity * sizeof *copy)) == NULL) {
        end_listing(db);
        return DB_NO_MEMORY;
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
    *people = copy;
    *count = n;
    return DB_OK;
}
