/* 06-udp/delay_queue.c - a timer list: insertion keeps the list sorted by
 * due time (a walk: fine for the few hundred datagrams a relay holds; a
 * server with millions of timers would use a heap or a timer wheel), and
 * the loop only ever looks at the head. */
#include "delay_queue.h"

#include <stdlib.h>
#include <string.h>

/* Links item in after every datagram due at or before it. */
static void insert_sorted(struct delay_queue *queue, struct pending *item)
{
    struct pending **at = &queue->head;

    while (*at != NULL && (*at)->due <= item->due)
        at = &(*at)->next;
    item->next = *at;
    *at = item;
}

static void unlink_item(struct delay_queue *queue, struct pending *item)
{
    struct pending **at = &queue->head;

    while (*at != NULL && *at != item)
        at = &(*at)->next;
    if (*at != NULL)
        *at = item->next;
}

int delay_queue_add(struct delay_queue *queue, int lane, void *owner,
                    const void *data, size_t len, double due, bool hold)
{
    struct pending *item = malloc(sizeof *item + len);
    struct pending *held = queue->held[lane];

    if (item == NULL)
        return -1;
    memcpy(item->data, data, len);
    item->len = len;
    item->lane = lane;
    item->owner = owner;
    item->due = hold ? due + DELAY_QUEUE_HOLD_S : due;
    insert_sorted(queue, item);
    if (held != NULL) { /* this one overtakes the held one: it goes next */
        unlink_item(queue, held);
        held->due = item->due;
        insert_sorted(queue, held);
    }
    queue->held[lane] = hold ? item : NULL;
    return 0;
}

struct pending *delay_queue_pop_due(struct delay_queue *queue, double now)
{
    struct pending *head = queue->head;

    if (head == NULL || head->due > now)
        return NULL;
    queue->head = head->next;
    if (queue->held[head->lane] == head)
        queue->held[head->lane] = NULL;
    return head;
}

int delay_queue_wait_ms(const struct delay_queue *queue, double now, int max_ms)
{
    double ms;

    if (queue->head == NULL)
        return max_ms;
    ms = (queue->head->due - now) * 1000;
    if (ms <= 0)
        return 0;
    return ms >= max_ms ? max_ms : (int)ms + 1; /* never wake up early */
}

size_t delay_queue_clear(struct delay_queue *queue)
{
    size_t count = 0;

    while (queue->head != NULL) {
        struct pending *item = queue->head;
        queue->head = item->next;
        free(item);
        count++;
    }
    memset(queue->held, 0, sizeof queue->held);
    return count;
}
