/* ring.c - an io_uring by hand: io_uring_setup, three mmaps, io_uring_enter
 * (see ring.h for the two rings and who owns which index).
 *
 * No liburing: the kit links nothing but libc and pthreads, and the point
 * is to see that a ring is just shared memory plus two system calls.
 *
 * _GNU_SOURCE: syscall() (glibc has no wrapper for io_uring_setup or
 * io_uring_enter) and MAP_POPULATE.
 */
#define _GNU_SOURCE
#include "ring.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The kernel's sigset_t is 64 bits on Linux, not glibc's 1,024: the size
 * io_uring_enter expects beside a signal mask (it says EINVAL otherwise). */
#define KERNEL_SIGSET_SIZE 8

/* The shared indices are plain unsigned ints in memory the kernel also
 * writes; these two give them C11's acquire/release meaning (the cast is
 * what liburing does with the compiler's atomic built-ins). */
static unsigned load_acquire(const unsigned *index)
{
    return atomic_load_explicit((const _Atomic unsigned *)index,
                                memory_order_acquire);
}

static void store_release(unsigned *index, unsigned value)
{
    atomic_store_explicit((_Atomic unsigned *)index, value,
                          memory_order_release);
}

/* io_uring_setup, with the flags that make a one-thread loop cheap when
 * the kernel has them (6.1 and later): SINGLE_ISSUER promises that one
 * thread submits; DEFER_TASKRUN lets completions be finished only when
 * that thread calls io_uring_enter to wait for them, instead of
 * interrupting it at any time. An older kernel refuses them (EINVAL):
 * then a plain ring. */
static int setup(unsigned sq_entries, struct io_uring_params *params)
{
    unsigned cq_entries = params->cq_entries;
    unsigned fast = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    int fd;

    params->flags = IORING_SETUP_CQSIZE | fast;
    fd = (int)syscall(SYS_io_uring_setup, sq_entries, params);
    if (fd < 0 && errno == EINVAL) {
        memset(params, 0, sizeof *params);
        params->cq_entries = cq_entries;
        params->flags = IORING_SETUP_CQSIZE;
        fd = (int)syscall(SYS_io_uring_setup, sq_entries, params);
    }
    return fd;
}

static void *map(int fd, size_t len, off_t offset)
{
    return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                fd, offset);
}

int ring_open(struct ring *ring, unsigned sq_entries, unsigned cq_entries)
{
    struct io_uring_params params;
    char *sq, *cq;

    memset(ring, 0, sizeof *ring);
    memset(&params, 0, sizeof params);
    params.cq_entries = cq_entries;
    if ((ring->fd = setup(sq_entries, &params)) < 0)
        return -1;
    /* The kernel says where each field lives (params.sq_off, cq_off):
     * offsets into the mappings, which the three mmaps below expose. */
    ring->sq_map_len =
        params.sq_off.array + params.sq_entries * sizeof(unsigned);
    ring->cq_map_len =
        params.cq_off.cqes + params.cq_entries * sizeof(struct io_uring_cqe);
    ring->sqes_len = params.sq_entries * sizeof(struct io_uring_sqe);
    ring->sq_map = map(ring->fd, ring->sq_map_len, IORING_OFF_SQ_RING);
    ring->cq_map = map(ring->fd, ring->cq_map_len, IORING_OFF_CQ_RING);
    ring->sqes = map(ring->fd, ring->sqes_len, IORING_OFF_SQES);
    if (ring->sq_map == MAP_FAILED || ring->cq_map == MAP_FAILED ||
        ring->sqes == MAP_FAILED) {
        ring_close(ring);
        return -1;
    }
    sq = ring->sq_map;
    cq = ring->cq_map;
    ring->sq_head = (unsigned *)(sq + params.sq_off.head);
    ring->sq_tail = (unsigned *)(sq + params.sq_off.tail);
    ring->sq_array = (unsigned *)(sq + params.sq_off.array);
    ring->sq_mask = *(unsigned *)(sq + params.sq_off.ring_mask);
    ring->sq_entries = params.sq_entries;
    ring->sq_local_tail = *ring->sq_tail;
    ring->cq_head = (unsigned *)(cq + params.cq_off.head);
    ring->cq_tail = (unsigned *)(cq + params.cq_off.tail);
    ring->cq_mask = *(unsigned *)(cq + params.cq_off.ring_mask);
    ring->cqes = (struct io_uring_cqe *)(cq + params.cq_off.cqes);
    /* The SQ ring holds indices into the SQE array, so that entries may be
     * filled in any order; we fill them in order: slot i is entry i. */
    for (unsigned i = 0; i < ring->sq_entries; i++)
        ring->sq_array[i] = i;
    return 0;
}

void ring_close(struct ring *ring)
{
    int saved = errno;

    if (ring->sq_map != NULL && ring->sq_map != MAP_FAILED)
        munmap(ring->sq_map, ring->sq_map_len);
    if (ring->cq_map != NULL && ring->cq_map != MAP_FAILED)
        munmap(ring->cq_map, ring->cq_map_len);
    if (ring->sqes != NULL && ring->sqes != MAP_FAILED)
        munmap(ring->sqes, ring->sqes_len);
    if (ring->fd >= 0)
        close(ring->fd);
    ring->fd = -1;
    errno = saved;
}

struct io_uring_sqe *ring_get_sqe(struct ring *ring)
{
    /* The kernel's head: slots before it are consumed and ours again. */
    unsigned head = load_acquire(ring->sq_head);
    struct io_uring_sqe *sqe;

    if (ring->sq_local_tail - head >= ring->sq_entries)
        return NULL; /* full: every slot waits for io_uring_enter */
    sqe = &ring->sqes[ring->sq_local_tail & ring->sq_mask];
    ring->sq_local_tail++;
    memset(sqe, 0, sizeof *sqe);
    return sqe;
}

int ring_enter(struct ring *ring, unsigned wait_for, const sigset_t *wait_mask,
               long timeout_ms)
{
    struct __kernel_timespec limit = {.tv_sec = timeout_ms / 1000,
                                      .tv_nsec = timeout_ms % 1000 * 1000000};
    struct io_uring_getevents_arg arg = {
        .sigmask = (unsigned long)wait_mask,
        .sigmask_sz = KERNEL_SIGSET_SIZE,
        .ts = timeout_ms >= 0 ? (unsigned long)&limit : 0};
    unsigned flags = IORING_ENTER_EXT_ARG;
    unsigned to_submit;
    long rc;

    /* Publish the filled slots: the SQEs were written before this release
     * store, so the kernel, which reads the tail with acquire, sees them
     * whole. Only then may it consume them. */
    store_release(ring->sq_tail, ring->sq_local_tail);
    to_submit = ring->sq_local_tail - load_acquire(ring->sq_head);
    if (wait_for > 0)
        flags |= IORING_ENTER_GETEVENTS;
    /* One system call submits the whole batch and waits: that is where a
     * completion loop saves the read and write calls of a readiness loop.
     * The signal mask is swapped in for the wait only, atomically, as
     * pselect does: a stop signal can interrupt the wait and nothing
     * else. */
    rc = syscall(SYS_io_uring_enter, ring->fd, to_submit, wait_for, flags, &arg,
                 sizeof arg);
    return rc < 0 ? -1 : 0;
}

struct io_uring_cqe *ring_peek(struct ring *ring)
{
    /* The kernel's tail, with acquire: the entries before it were written
     * before the kernel moved it, so they are complete when we read them. */
    unsigned head = *ring->cq_head; /* ours: nobody else writes it */

    if (head == load_acquire(ring->cq_tail))
        return NULL;
    return &ring->cqes[head & ring->cq_mask];
}

void ring_seen(struct ring *ring)
{
    /* Release: our reading of the entry happens before the kernel may
     * reuse its slot. */
    store_release(ring->cq_head, *ring->cq_head + 1);
}
