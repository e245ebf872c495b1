/* db.c - the hash table and its two locking disciplines.
 *
 * Every operation is written once. Four small functions decide what
 * "locking" means:
 *
 *   enter_shared / leave_shared        the structure, for a lookup
 *   enter_exclusive / leave_exclusive  the structure, to add or remove
 *   lock_record / unlock_record        one record's fields
 *
 * -L record: a pthread_rwlock_t guards the structure (bucket chains and the
 * record count); many lookups hold it at once (read), ADD and DEL alone
 * (write). Each record's mutex guards its age and name. The lock order is
 * always structure first, then one record: no cycle, no deadlock.
 *
 * -L global: the structure functions lock one mutex, the record functions
 * do nothing (the mutex already covers every field).
 *
 * Why DEL cannot free a record a GET is reading: GET holds the structure
 * read lock from the lookup until it has copied the record; DEL needs the
 * write lock, which it gets only once every reader has left, and while it
 * holds it no lookup can start. So nobody holds a pointer to the record
 * when DEL unlinks and frees it, and nobody holds its mutex either (record
 * mutexes are only taken under the structure lock). */
#include "db.h"

#include "upper.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct record {
    struct record *next;  /* bucket chain: the structure lock guards it */
    pthread_mutex_t lock; /* age and name (-L record); id never changes */
    struct person person;
};

struct db {
    enum db_locking locking;
    long hold_ms;
    pthread_mutex_t global;     /* -L global: the one lock */
    pthread_rwlock_t structure; /* -L record: the chains and count */
    size_t count;               /* records in the table */
    struct record *buckets[DB_BUCKETS];
};

void check_lock(int rc, const char *what)
{
    if (rc != 0) {
        report_error(what, strerror(rc));
        abort();
    }
}

static void enter_shared(struct db *db)
{
    if (db->locking == DB_LOCK_GLOBAL)
        check_lock(pthread_mutex_lock(&db->global), "lock database");
    else
        check_lock(pthread_rwlock_rdlock(&db->structure), "read-lock table");
}

static void enter_exclusive(struct db *db)
{
    if (db->locking == DB_LOCK_GLOBAL)
        check_lock(pthread_mutex_lock(&db->global), "lock database");
    else
        check_lock(pthread_rwlock_wrlock(&db->structure), "write-lock table");
}

/* The same unlock for both: a rwlock is released the same way whichever
 * side was held. */
static void leave_structure(struct db *db)
{
    if (db->locking == DB_LOCK_GLOBAL)
        check_lock(pthread_mutex_unlock(&db->global), "unlock database");
    else
        check_lock(pthread_rwlock_unlock(&db->structure), "unlock table");
}

static void lock_record(struct db *db, struct record *record)
{
    if (db->locking == DB_LOCK_RECORD)
        check_lock(pthread_mutex_lock(&record->lock), "lock record");
}

static void unlock_record(struct db *db, struct record *record)
{
    if (db->locking == DB_LOCK_RECORD)
        check_lock(pthread_mutex_unlock(&record->lock), "unlock record");
}

/* The simulated slow storage access, done with the request's locks held:
 * under -L global it stops every other client, under -L record only those
 * that want the same record (or, for ADD and DEL, the structure). */
static void hold_while_locked(const struct db *db)
{
    simulate_work(db->hold_ms);
}

/* FNV-1a: a simple, well-spread hash of the id's bytes. */
static size_t bucket_of(const char *id)
{
    uint32_t hash = 2166136261u;

    for (; *id != '\0'; id++) {
        hash ^= (unsigned char)*id;
        hash *= 16777619u;
    }
    return hash % DB_BUCKETS;
}

/* The link that points at id's record (or at the NULL ending its chain):
 * handing back the link lets DEL unlink without a second walk. Call with
 * the structure held. */
static struct record **find_link(struct db *db, const char *id)
{
    struct record **link = &db->buckets[bucket_of(id)];

    while (*link != NULL && strcmp((*link)->person.id, id) != 0)
        link = &(*link)->next;
    return link;
}

struct db *db_open(enum db_locking locking, long hold_ms)
{
    struct db *db = calloc(1, sizeof *db);
    int rc;

    if (db == NULL)
        return NULL;
    db->locking = locking;
    db->hold_ms = hold_ms;
    if ((rc = pthread_mutex_init(&db->global, NULL)) != 0) {
        free(db);
        errno = rc;
        return NULL;
    }
    if ((rc = pthread_rwlock_init(&db->structure, NULL)) != 0) {
        pthread_mutex_destroy(&db->global);
        free(db);
        errno = rc;
        return NULL;
    }
    return db;
}

static void free_record(struct record *record)
{
    pthread_mutex_destroy(&record->lock);
    free(record);
}

void db_close(struct db *db)
{
    for (size_t i = 0; i < DB_BUCKETS; i++) {
        while (db->buckets[i] != NULL) {
            struct record *record = db->buckets[i];
            db->buckets[i] = record->next;
            free_record(record);
        }
    }
    pthread_rwlock_destroy(&db->structure);
    pthread_mutex_destroy(&db->global);
    free(db);
}

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
    enum db_status status = DB_OK;

    if (record == NULL)
        return DB_NO_MEMORY;
    enter_exclusive(db);
    hold_while_locked(db);
    link = find_link(db, person->id);
    if (*link != NULL)
        status = DB_EXISTS;
    else if (db->count == DB_MAX_RECORDS)
        status = DB_FULL;
    else {
        *link = record; /* at the chain's end, where the walk stopped */
        db->count++;
    }
    leave_structure(db);
    if (status != DB_OK)
        free_record(record);
    return status;
}

enum db_status db_get(struct db *db, const char *id, struct person *out)
{
    struct record *record;

    enter_shared(db);
    record = *find_link(db, id);
    if (record != NULL) {
        /* Copy under the record's lock: a SET running at the same time
         * changes age and name together, and we must see both old or both
         * new, never the new age with the old name (a torn read). */
        lock_record(db, record);
        hold_while_locked(db);
        *out = record->person;
        unlock_record(db, record);
    } else {
        hold_while_locked(db);
    }
    leave_structure(db);
    return record != NULL ? DB_OK : DB_NOT_FOUND;
}

enum db_status db_set(struct db *db, const struct person *person)
{
    struct record *record;

    /* Shared is enough: SET changes a record's fields, not the chains. */
    enter_shared(db);
    record = *find_link(db, person->id);
    if (record != NULL) {
        lock_record(db, record);
        hold_while_locked(db);
        record->person.age = person->age;
        memcpy(record->person.name, person->name, sizeof person->name);
        unlock_record(db, record);
    } else {
        hold_while_locked(db);
    }
    leave_structure(db);
    return record != NULL ? DB_OK : DB_NOT_FOUND;
}

enum db_status db_del(struct db *db, const char *id)
{
    struct record **link, *record;

    enter_exclusive(db);
    hold_while_locked(db);
    link = find_link(db, id);
    record = *link;
    if (record != NULL) {
        *link = record->next;
        db->count--;
    }
    leave_structure(db);
    /* Unlinked while we held the write lock: no other thread can reach it
     * any more, so it can be freed without any lock. */
    if (record != NULL)
        free_record(record);
    return record != NULL ? DB_OK : DB_NOT_FOUND;
}

enum db_status db_birthday(struct db *db, const char *id, long *new_age)
{
    struct record *record;
    enum db_status status = DB_NOT_FOUND;

    enter_shared(db);
    record = *find_link(db, id);
    if (record != NULL) {
        /* Read, add one and write back under one lock: two clients doing
         * it at once must give +2, not +1 (a lost update). */
        lock_record(db, record);
        hold_while_locked(db);
        if (record->person.age == LONG_MAX) {
            status = DB_AGE_OVERFLOW;
        } else {
            *new_age = ++record->person.age;
            status = DB_OK;
        }
        unlock_record(db, record);
    } else {
        hold_while_locked(db);
    }
    leave_structure(db);
    return status;
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

    enter_shared(db);
    hold_while_locked(db);
    /* Teaching shortcut: malloc under the read lock. Only ADD and DEL wait
     * for it, and the copy is what lets us send the reply with no lock held
     * (a slow client must never keep the table locked). */
    if (db->count > 0 && (copy = malloc(db->count * sizeof *copy)) == NULL) {
        leave_structure(db);
        return DB_NO_MEMORY;
    }
    for (size_t i = 0; i < DB_BUCKETS; i++) {
        for (struct record *r = db->buckets[i]; r != NULL; r = r->next) {
            lock_record(db, r);
            copy[n++] = r->person;
            unlock_record(db, r);
        }
    }
    leave_structure(db);
    /* Sorting needs no lock: the copy is ours. */
    if (n > 1)
        qsort(copy, n, sizeof *copy, by_id);
    *people = copy;
    *count = n;
    return DB_OK;
}
