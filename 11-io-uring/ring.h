/* ring.h - one io_uring, driven by raw system calls (ring.c): the two
 * rings the kernel shares with us, and the four things a loop does with
 * them: take a free submission slot, fill it, hand the batch to the kernel
 * (waiting for completions), and read the completions back.
 *
 * The two rings, and who owns which index:
 *
 *   submission queue (SQ)           completion queue (CQ)
 *   we fill entries (SQEs),         the kernel fills entries (CQEs),
 *   we move the TAIL,               the kernel moves the TAIL,
 *   the kernel moves the HEAD       we move the HEAD
 *   as it consumes them.            as we consume them.
 *
 * Each index has exactly one writer; the other side only reads it. Both
 * sides run at once (the kernel on another CPU, or in a worker), so an
 * index is published with a release store (everything written before it,
 * the entry itself, is visible to whoever sees the new index) and read
 * with an acquire load (whatever the other side wrote before moving it is
 * visible after). C11 atomics say exactly that; ring.c does it in four
 * places. */
#ifndef URING_RING_H
#define URING_RING_H

#include <linux/io_uring.h>
#include <signal.h>
#include <stddef.h>

struct ring {
    int fd;
    /* Submission queue: indices and the array of SQE slots. */
    unsigned *sq_head, *sq_tail, *sq_array, sq_mask, sq_entries;
    unsigned sq_local_tail; /* slots filled, not yet published */
    struct io_uring_sqe *sqes;
    /* Completion queue. */
    unsigned *cq_head, *cq_tail, cq_mask;
    struct io_uring_cqe *cqes;
    /* The three mappings, for munmap. */
    void *sq_map, *cq_map;
    size_t sq_map_len, cq_map_len, sqes_len;
};

/* Opens a ring of sq_entries submission slots and cq_entries completion
 * slots and maps it. Returns 0, or -1 with errno: ENOSYS (a kernel
 * without io_uring, or a seccomp profile that hides it), EPERM
 * (kernel.io_uring_disabled, or a seccomp profile that refuses it). */
int ring_open(struct ring *ring, unsigned sq_entries, unsigned cq_entries);

/* Unmaps and closes. The kernel cancels whatever was still in flight. */
void ring_close(struct ring *ring);

/* A free submission slot, zeroed, or NULL when all sq_entries are filled
 * and not yet consumed (ring_enter first). Filling it submits nothing:
 * ring_enter hands every filled slot over at once. */
struct io_uring_sqe *ring_get_sqe(struct ring *ring);

/* One io_uring_enter: publishes and submits every slot filled since the
 * last call, then waits until at least wait_for completions are there.
 * wait_mask: the signal mask in force while waiting only (like pselect),
 * or NULL; timeout_ms >= 0 bounds the wait (then errno ETIME). Returns 0,
 * or -1 with errno (EINTR: a signal arrived while waiting). */
int ring_enter(struct ring *ring, unsigned wait_for, const sigset_t *wait_mask,
               long timeout_ms);

/* The next completion, or NULL when there is none yet; ring_seen gives
 * its slot back to the kernel once the loop has read it. */
struct io_uring_cqe *ring_peek(struct ring *ring);
void ring_seen(struct ring *ring);

#endif
