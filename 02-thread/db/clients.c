/* clients.c - the list of live client threads (see clients.h). */
#include "clients.h"

#include "db.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int client_list_init(struct client_list *list)
{
    pthread_condattr_t attr;
    int rc;

    list->head = NULL;
    list->live = 0;
    if ((rc = pthread_mutex_init(&list->lock, NULL)) != 0 ||
        (rc = pthread_condattr_init(&attr)) != 0)
        return rc;
    /* The stop deadline is measured on the clock that never jumps. */
    if ((rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) == 0)
        rc = pthread_cond_init(&list->all_gone, &attr);
    pthread_condattr_destroy(&attr);
    return rc;
}

void client_list_add(struct client_list *list, struct client *client)
{
    check_lock(pthread_mutex_lock(&list->lock), "lock clients");
    client->prev = NULL;
    client->next = list->head;
    if (list->head != NULL)
        list->head->prev = client;
    list->head = client;
    list->live++;
    check_lock(pthread_mutex_unlock(&list->lock), "unlock clients");
}

void client_list_remove(struct client_list *list, struct client *client,
                        bool quiet)
{
    check_lock(pthread_mutex_lock(&list->lock), "lock clients");
    if (client->prev != NULL)
        client->prev->next = client->next;
    else
        list->head = client->next;
    if (client->next != NULL)
        client->next->prev = client->prev;
    check_lock(pthread_mutex_unlock(&list->lock), "unlock clients");

    close(client->conn_fd);
    if (!quiet)
        printf("Client disconnected: %s\n", client->peer);
    free(client);

    check_lock(pthread_mutex_lock(&list->lock), "lock clients");
    if (--list->live == 0)
        pthread_cond_broadcast(&list->all_gone);
    check_lock(pthread_mutex_unlock(&list->lock), "unlock clients");
}

int client_list_stop(struct client_list *list, long wait_ms)
{
    struct timespec deadline = monotonic_deadline(wait_ms);
    int rc = 0;

    check_lock(pthread_mutex_lock(&list->lock), "lock clients");
    for (struct client *c = list->head; c != NULL; c = c->next)
        shutdown(c->conn_fd, SHUT_RDWR);
    while (list->live > 0 && rc == 0)
        rc = pthread_cond_timedwait(&list->all_gone, &list->lock, &deadline);
    rc = list->live == 0 ? 0 : -1;
    check_lock(pthread_mutex_unlock(&list->lock), "unlock clients");
    return rc;
}
