/* fairlock.c - the ticket read-write lock of fairlock.h. One condition
 * variable for everyone, woken with broadcast: each waiter looks whether
 * its own ticket is the one served (a teaching simplicity; a waiter per
 * ticket would avoid waking the others, and the kit's waiters are few). */
#include "fairlock.h"

int fair_rwlock_init(struct fair_rwlock *rw)
{
    int rc = pthread_mutex_init(&rw->lock, NULL);

    if (rc != 0)
        return rc;
    if ((rc = pthread_cond_init(&rw->turn, NULL)) != 0) {
        pthread_mutex_destroy(&rw->lock);
        return rc;
    }
    rw->next = rw->serving = rw->shared = 0;
    rw->alone = false;
    return 0;
}

void fair_rwlock_destroy(struct fair_rwlock *rw)
{
    pthread_cond_destroy(&rw->turn);
    pthread_mutex_destroy(&rw->lock);
}

/* Waits for my ticket's turn, then for the holders that must leave first:
 * an exclusive holder for everyone, the shared holders for an exclusive
 * one. Entering moves `serving` on, so the next ticket may enter too if it
 * is compatible (shared after shared). Called with rw->lock held. */
static int wait_for_turn(struct fair_rwlock *rw, bool alone)
{
    unsigned long ticket = rw->next++;
    int rc = 0;

    while (rc == 0 &&
           (ticket != rw->serving || rw->alone || (alone && rw->shared > 0)))
        rc = pthread_cond_wait(&rw->turn, &rw->lock);
    if (rc != 0)
        return rc;
    if (alone)
        rw->alone = true;
    else
        rw->shared++;
    rw->serving++;
    return 0;
}

static int lock(struct fair_rwlock *rw, bool alone)
{
    int rc = pthread_mutex_lock(&rw->lock);

    if (rc != 0)
        return rc;
    rc = wait_for_turn(rw, alone);
    pthread_mutex_unlock(&rw->lock);
    /* Serving moved on: the next ticket may be a shared holder that can
     * enter beside us. */
    pthread_cond_broadcast(&rw->turn);
    return rc;
}

static int unlock(struct fair_rwlock *rw, bool alone)
{
    int rc = pthread_mutex_lock(&rw->lock);

    if (rc != 0)
        return rc;
    if (alone)
        rw->alone = false;
    else
        rw->shared--;
    pthread_mutex_unlock(&rw->lock);
    pthread_cond_broadcast(&rw->turn);
    return 0;
}

int fair_rwlock_lock_shared(struct fair_rwlock *rw)
{
    return lock(rw, false);
}

int fair_rwlock_unlock_shared(struct fair_rwlock *rw)
{
    return unlock(rw, false);
}

int fair_rwlock_lock_alone(struct fair_rwlock *rw)
{
    return lock(rw, true);
}

int fair_rwlock_unlock_alone(struct fair_rwlock *rw)
{
    return unlock(rw, true);
}
