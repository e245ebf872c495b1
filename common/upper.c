/* upper.c - the transform and the simulated work of the upper service. */
#include "upper.h"

#include <errno.h>
#include <time.h>

void upper_transform(char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        /* ASCII arithmetic on purpose: toupper() would consult the locale. */
        if (buf[i] >= 'a' && buf[i] <= 'z')
            buf[i] = (char)(buf[i] - 'a' + 'A');
    }
}

/* nanosleep stores the time still to sleep when a handler interrupts it;
 * sleeping again for exactly that keeps the delay honest. -d 0: no work,
 * not even a system call. */
int simulate_work(long delay_ms)
{
    struct timespec left = {.tv_sec = delay_ms / 1000,
                            .tv_nsec = (delay_ms % 1000) * 1000000L};

    while (delay_ms > 0 && nanosleep(&left, &left) != 0)
        if (errno != EINTR)
            return -1;
    return 0;
}
