/* 06-udp/delay_queue.c - a timer queue as a binary heap: heap[0] is due
 * first, and each entry is due no later than its two children (2i+1 and
 * 2i+2). Adding or taking the head moves one entry up or down one path,
 * O(log n) steps, so a queue of 80,000 costs about 17 steps an operation
 * where a sorted list walked up to 80,000. The loop only ever looks at
 * heap[0]. */
#include "delay_queue.h"

#include <stdlib.h>
#include <string.h>

/* Whether a leaves before b: the earlier due, or at equal dues the one
 * queued first. */
static bool leaves_before(const struct pending *a, const struct pending *b)
{
    return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void put_at(struct delay_queue *queue, size_t slot, struct pending *item)
{
    queue->heap[slot] = item;
    item->slot = slot;
}

/* Moves the entry at slot towards the root while it leaves before its
 * parent, then towards the leaves while a child leaves before it. */
static void restore_order(struct delay_queue *queue, size_t slot)
{
    struct pending *item = queue->heap[slot];

    while (slot > 0 && leaves_before(item, queue->heap[(slot - 1) / 2])) {
        put_at(queue, slot, queue->heap[(slot - 1) / 2]);
        slot = (slot - 1) / 2;
    }
    for (;;) {
        size_t child = 2 * slot + 1;
        if (child >= queue->count)
            break;
        if (child + 1 < queue->count &&
            leaves_before(queue->heap[child + 1], queue->heap[child]))
            child++;
        if (!leaves_before(queue->heap[child], item))
            break;
        put_at(queue, slot, queue->heap[child]);
        slot = child;
    }
    put_at(queue, slot, item);
}

/* Room for one more entry: the array doubles when full. */
static int make_room(struct delay_queue *queue)
{
    size_t capacity = queue->capacity > 0 ? 2 * queue->capacity : 64;
    struct pending **heap;

    if (queue->count < queue->capacity)
        return 0;
    heap = realloc(queue->heap, capacity * sizeof(struct pending *));
    if (heap == NULL)
        return -1;
    queue->heap = heap;
    queue->capacity = capacity;
    return 0;
}

int delay_queue_add(struct delay_queue *queue, int lane, void *owner,
                    const void *data, size_t len, double due, bool hold)
{
    struct pending *item, *held = queue->held[lane];

    if (make_room(queue) != 0 || (item = malloc(sizeof *item + len)) == NULL)
        return -1;
    memcpy(item->data, data, len);
    item->len = len;
    item->lane = lane;
    item->owner = owner;
    item->due = hold ? due + DELAY_QUEUE_HOLD_S : due;
    item->order = queue->next_order++;
    put_at(queue, queue->count++, item);
    restore_order(queue, item->slot);
    queue->bytes += len;
    if (held != NULL) { /* this one overtakes the held one: it goes next */
        held->due = item->due;
        held->order = queue->next_order++;
        restore_order(queue, held->slot);
    }
    queue->held[lane] = hold ? item : NULL;
    return 0;
}

struct pending *delay_queue_pop_due(struct delay_queue *queue, double now)
{
    struct pending *head;

    if (queue->count == 0 || queue->heap[0]->due > now)
        return NULL;
    head = queue->heap[0];
    queue->count--;
    if (queue->count > 0) { /* the last entry fills the root, then sinks */
        put_at(queue, 0, queue->heap[queue->count]);
        restore_order(queue, 0);
    }
    queue->bytes -= head->len;
    if (queue->held[head->lane] == head)
        queue->held[head->lane] = NULL;
    return head;
}

int delay_queue_wait_ms(const struct delay_queue *queue, double now, int max_ms)
{
    double ms;

    if (queue->count == 0)
        return max_ms;
    ms = (queue->heap[0]->due - now) * 1000;
    if (ms <= 0)
        return 0;
    return ms >= max_ms ? max_ms : (int)ms + 1; /* never wake up early */
}

size_t delay_queue_clear(struct delay_queue *queue)
{
    size_t count = queue->count;

    for (size_t i = 0; i < queue->count; i++)
        free(queue->heap[i]);
    free(queue->heap);
    memset(queue, 0, sizeof *queue);
    return count;
}
