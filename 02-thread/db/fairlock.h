/* fairlock.h - a read-write lock that serves its waiters in arrival
 * order (a ticket lock): dbserver's membership lock.
 *
 * Why not pthread_rwlock_t: glibc's default prefers readers. ADD and DEL
 * take the membership lock shared, LIST alone; with two clients sending
 * ADD/DEL in a loop there is always a shared holder, and a LIST waited
 * more than 8 s (0.05 s on an idle server). The opposite default (writer
 * preference, pthread_rwlockattr_setkind_np, a GNU extension) would let a
 * stream of LISTs starve ADD and DEL instead. A ticket lock starves
 * neither: every thread takes a ticket on arrival and enters in ticket
 * order; shared holders with consecutive tickets still enter together, so
 * ADD and DEL keep running side by side between two LISTs. Portable: one
 * mutex and one condition variable.
 *
 * Every function returns 0 or a pthread error number. */
#ifndef FAIRLOCK_H
#define FAIRLOCK_H

#include <pthread.h>
#include <stdbool.h>

struct fair_rwlock {
    pthread_mutex_t lock;  /* guards everything below */
    pthread_cond_t turn;   /* "serving" moved, or the lock was let go */
    unsigned long next;    /* the ticket the next arrival takes */
    unsigned long serving; /* the ticket allowed in now */
    unsigned long shared;  /* holders in shared mode */
    bool alone;            /* one holder in exclusive mode */
};

int fair_rwlock_init(struct fair_rwlock *rw);
void fair_rwlock_destroy(struct fair_rwlock *rw);
int fair_rwlock_lock_shared(struct fair_rwlock *rw);
int fair_rwlock_unlock_shared(struct fair_rwlock *rw);
int fair_rwlock_lock_alone(struct fair_rwlock *rw);
int fair_rwlock_unlock_alone(struct fair_rwlock *rw);

#endif
