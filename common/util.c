/* util.c - error reporting, strict parsing, clocks, signal dispositions. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Written once at start-up, read-only afterwards (like BSD getprogname). */
static const char *program_name = "kit";

void set_progname(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    program_name = slash != NULL ? slash + 1 : argv0;
}

const char *progname(void)
{
    return program_name;
}

void report_errno(const char *what)
{
    int saved = errno;
    fprintf(stderr, "%s: %s: %s\n", program_name, what, strerror(saved));
    errno = saved;
}

void report_peer_errno(const char *action, const char *peer)
{
    int saved = errno;
    fprintf(stderr, "%s: %s %s: %s\n", program_name, action, peer,
            strerror(saved));
    errno = saved;
}

void report_error(const char *what, const char *reason)
{
    fprintf(stderr, "%s: %s: %s\n", program_name, what, reason);
}

int parse_long(const char *text, long min, long max, long *out)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    char *end;
    long value;

    /* strtol alone would accept " 7", "+7" and "7abc" (stopping at 'a'). */
    if (digits[0] < '0' || digits[0] > '9') {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    value = strtol(text, &end, 10);
    if (*end != '\0') {
        errno = EINVAL;
        return -1;
    }
    /* "-0" equals 0, so a range check lets it through: a typo'd port
     * "-0" would start a server on a port the kernel chooses. A minus
     * sign must mean a negative number. */
    if (text[0] == '-' && value == 0) {
        errno = EINVAL;
        return -1;
    }
    if (errno == ERANGE || value < min || value > max) {
        errno = ERANGE;
        return -1;
    }
    *out = value;
    return 0;
}

int parse_port(const char *text, long *port)
{
    return parse_long(text, 0, 65535, port);
}

double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

struct timespec monotonic_deadline(long ms)
{
    struct timespec at;

    clock_gettime(CLOCK_MONOTONIC, &at);
    at.tv_sec += ms / 1000;
    at.tv_nsec += (ms % 1000) * 1000000L;
    if (at.tv_nsec >= 1000000000L) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000L;
    }
    return at;
}

int ignore_sigpipe(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGPIPE, &action, NULL);
}

/* A global because a signal handler can reach nothing else: the one kind
 * of global the kit allows (see common/README.md, Stop signals). A C11
 * atomic rather than volatile sig_atomic_t: worker threads read it too,
 * and between threads only an atomic is well defined. A lock-free atomic
 * may be used in a signal handler (C11 7.14.1.1). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");
static atomic_int stop_flag = 0;

/* A loop checks the flag, then blocks in accept() or read(). A stop signal
 * that lands between the two would go unnoticed until the next client
 * comes. So the first stop signal also arms alarm(1), and SIGALRM re-arms
 * itself for as long as the program runs: within a second the blocking
 * call fails with EINTR and the loop sees the flag. (pselect/ppoll close
 * the window exactly; see 10-pipes-fifo-signals. This keeps every server's
 * plain blocking calls.) */
static void on_alarm(int signo)
{
    (void)signo;
    if (atomic_load(&stop_flag))
        alarm(1);
}

static void on_stop_signal(int signo)
{
    /* Only async-signal-safe work here: set the flag and arm the alarm, or
     * on the second signal go back to the default action and deliver it
     * again. */
    if (atomic_load(&stop_flag)) {
        signal(signo, SIG_DFL);
        raise(signo);
        return;
    }
    atomic_store(&stop_flag, 1);
    alarm(1);
}

int catch_stop_signals(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: blocking calls fail with EINTR */
    if (sigaction(SIGINT, &action, NULL) != 0 ||
        sigaction(SIGTERM, &action, NULL) != 0)
        return -1;
    action.sa_handler = on_alarm;
    return sigaction(SIGALRM, &action, NULL);
}

/* Tool workaround, compiled only under ThreadSanitizer: TSan defers signal
 * handlers and runs them when the program next calls a function TSan
 * intercepts. select() is not one (google/sanitizers#838), so a select()
 * loop interrupted by SIGTERM would re-enter select() with the handler
 * still pending, and never stop. Querying the signal mask is an
 * intercepted call: the pending handler runs before we read the flag. */
#if defined(__SANITIZE_THREAD__)
#define KIT_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KIT_UNDER_TSAN 1
#endif
#endif

bool stop_requested(void)
{
#ifdef KIT_UNDER_TSAN
    sigset_t current;
    pthread_sigmask(SIG_BLOCK, NULL, &current);
#endif
    return atomic_load(&stop_flag) != 0;
}

void stop_signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGALRM);
}
