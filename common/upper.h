/* upper.h - the "upper" service itself: the transform and the simulated work.
 *
 * Every server of the kit does exactly this to what it receives; only the way
 * it waits for clients changes from folder to folder. */
#ifndef KIT_UPPER_H
#define KIT_UPPER_H

#include <stddef.h>

/* Turns every byte 'a'..'z' into 'A'..'Z' in place and leaves every other
 * byte alone (NUL, newline, UTF-8 bytes >= 0x80). Unlike toupper(3) it does
 * not depend on the locale, so the reply is the same on every machine. */
void upper_transform(char *buf, size_t len);

/* The simulated second of work (the chapter's time.sleep(1)): sleeps for
 * delay_ms milliseconds, resuming after signal handlers so that the work
 * always takes the whole delay. Returns 0, or -1 with errno set. */
int simulate_work(long delay_ms);

#define DEFAULT_DELAY_MS 1000L

#endif
