/* 06-udp/prefork.c - server -P N: a preforked pool sharing the socket.
 *
 * What it teaches: the parent forks N workers at start. Each runs the
 * basic loop (loop.c) on the SAME socket: all N block in recvmsg(), and
 * the kernel gives each datagram to exactly one of them. The parent does
 * no network work: it replaces a worker that dies and, on SIGTERM, stops
 * them all. Compare 05-prefork-accept, where N processes share accept():
 * a worker gets a whole connection there, one request here.
 *
 * Run:   ./06-udp/server -d 100 -P 3 2000
 * Look:  the log adds "(worker PID)", and each worker counts its own
 *        requests; any worker may get any client's datagram.
 */
#include "prefork.h"

#include "children.h"
#include "stop.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Starts one worker: a child that runs the basic loop on the shared
 * socket. Returns its pid (in the parent) or -1. */
static pid_t start_worker(struct udp_server *server)
{
    pid_t parent = getpid();
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid != 0)
        return pid;
    /* The kernel sends us SIGTERM when the parent dies (Linux), so no
     * orphaned worker goes on holding the port. */
    if (exit_with_parent(parent) != 0) {
        report_errno("prctl");
        _exit(1);
    }
    server->show_pid = true;
    /* On SIGTERM (from the parent, or from the kernel when the parent
     * died), recvmsg fails with EINTR and the loop ends; a request being
     * worked on is finished and answered first. */
    serve_datagrams(server);
    _exit(0);
}

/* Replaces the worker that ended (wait status `how`) in workers[]. */
static void replace_worker(struct udp_server *server, pid_t *workers,
                           long count, pid_t gone, int how)
{
    char ending[64];

    describe_wait_status(how, ending, sizeof ending);
    for (long i = 0; i < count; i++) {
        if (workers[i] != gone)
            continue;
        fprintf(stderr, "server: worker %ld %s; starting another\n", (long)gone,
                ending);
        /* Teaching shortcut: a worker that dies at once every time would
         * be restarted in a tight loop; a real server would back off. */
        workers[i] = start_worker(server);
        if (workers[i] < 0)
            report_errno("fork");
    }
}

/* Sleeps until a worker dies (and replaces it) or a stop signal comes.
 * Returns 0, or 1 when waitpid itself fails. */
static int watch_workers(struct udp_server *server, pid_t *workers, long count)
{
    for (;;) {
        int how;
        pid_t gone = wait_for_child_or_stop(&how);
        if (gone == 0)
            return 0;
        if (gone < 0) {
            report_errno("waitpid");
            return 1;
        }
        /* Not a worker that died of the same Ctrl-C (the process group's):
         * that one's slot is only emptied, so that no signal goes to its
         * pid, which the system may give to another process. */
        if (!stop_requested())
            replace_worker(server, workers, count, gone, how);
        else
            for (long i = 0; i < count; i++)
                if (workers[i] == gone)
                    workers[i] = 0;
    }
}

int serve_with_a_pool(struct udp_server *server, long count)
{
    pid_t *workers = calloc((size_t)count, sizeof *workers);
    int status = 0;

    if (workers == NULL) {
        report_errno("calloc");
        return 1;
    }
    for (long i = 0; i < count && status == 0; i++) {
        workers[i] = start_worker(server);
        if (workers[i] < 0) {
            report_errno("fork");
            status = 1;
        }
    }
    if (status == 0)
        status = watch_workers(server, workers, count);
    for (long i = 0; i < count; i++)
        if (workers[i] > 0)
            kill(workers[i], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        ; /* reap them all: no zombie, no orphan */
    free(workers);
    return status;
}
