# bench/lib.sh - what demo.sh and bench.sh share: starting a server on
# port 0 in its own process group, reading its port, stopping it, cleaning
# up on exit or Ctrl-C, and reading the client's summary line; and the list
# of sections (bench/sections.sh).
#
#   . bench/lib.sh
#   server_start LOG ./01-iterative/server -q -d 100 0   # sets SERVER_PID, SERVER_PORT
#   line=$(./01-iterative/client -q -n 10 127.0.0.1 "$SERVER_PORT" | tail -n 1)
#   summary_field "$line" s        # -> 8.03
#   server_stop "$SERVER_PID"      # SIGTERM; returns the server's exit status
#
# Every server runs under setsid: it leads its own process group, so one
# kill reaches it and every process it forked, and a Ctrl-C in the terminal
# (sent to the script's group) does not hit it before the cleanup does.

KIT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/sections.sh
. "$KIT_ROOT/bench/sections.sh"
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kit-bench.XXXXXX")
STARTED_GROUPS=()
RUNNING_JOBS=()

# Kills the clients still running and every process group this script
# started, and removes the temp dir. Runs on exit and on INT/TERM, so an
# interrupted run leaves nothing behind.
cleanup() {
    local pgid pid
    for pid in "${RUNNING_JOBS[@]}"; do
        # A job is `timeout CLIENT...`: TERM is passed on to the client;
        # timeout also made itself a process group, killed next.
        kill -s TERM "$pid" 2>/dev/null || true
        kill -s KILL -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    RUNNING_JOBS=()
    for pgid in "${STARTED_GROUPS[@]}"; do
        kill -s KILL -- "-$pgid" 2>/dev/null || true
        wait "$pgid" 2>/dev/null || true
    done
    STARTED_GROUPS=()
    [ -n "${CLEANUP_EXTRA:-}" ] && eval "$CLEANUP_EXTRA"
    [ -n "${BENCH_KEEP_TMP:-}" ] || rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
trap 'echo "interrupted: stopping every server" >&2; exit 130' INT
trap 'exit 143' TERM

# server_start LOG COMMAND... : starts COMMAND (whose last argument should be
# port 0) in a new process group with stdout in LOG.out and stderr in
# LOG.err, and waits up to 10 s for "listening on port N". Sets SERVER_PID
# and SERVER_PORT; returns 1 (after printing its stderr) when no port came.
server_start() {
    local log=$1 i
    shift
    : >"$log.out" # exists before the server writes: sed below may run first
    setsid "$@" >"$log.out" 2>"$log.err" </dev/null &
    SERVER_PID=$!
    STARTED_GROUPS+=("$SERVER_PID")
    for ((i = 0; i < 200; i++)); do
        SERVER_PORT=$(sed -n 's/^listening on port \([0-9][0-9]*\)$/\1/p' "$log.out" | head -n 1)
        [ -n "$SERVER_PORT" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "  $* did not announce its port; its stderr:" >&2
    sed 's/^/    /' "$log.err" >&2
    return 1
}

# server_stop PID : SIGTERM, then up to 5 s for it to exit. Returns its exit
# status, or 124 when it had to be killed. Its whole group is killed anyway,
# so that a worker it failed to stop cannot outlive the script.
server_stop() {
    local pid=$1 i status=124
    kill -s TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            status=$?
            break
        fi
        sleep 0.05
    done
    kill -s KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return "$status"
}

# start_job OUTFILE COMMAND... : starts COMMAND in the background with its
# stdout and stderr in OUTFILE. wait_jobs waits for every started job and
# returns 0 only when all exited 0. A job runs in the background so that
# the script's `wait` returns as soon as Ctrl-C arrives (a foreground
# command would make the trap wait until the client finished), and the
# cleanup kills the jobs still running.
start_job() {
    local out=$1
    shift
    "$@" >"$out" 2>&1 </dev/null &
    RUNNING_JOBS+=("$!")
}

wait_jobs() {
    local pid status=0 job_status
    for pid in "${RUNNING_JOBS[@]}"; do
        wait "$pid"
        job_status=$?
        [ "$job_status" -eq 0 ] || status=$job_status
    done
    RUNNING_JOBS=()
    return "$status"
}

# run_job OUTFILE COMMAND... : start_job and wait_jobs for one command.
run_job() {
    start_job "$@"
    wait_jobs
}

# summary_field LINE NAME : a field of the summary line
# "N clients, R replies, E errors, T.TT s, Q req/s, p50 A ms, p99 B ms":
# clients, replies, errors, s, req/s, p50, p99. Empty when absent.
summary_field() {
    printf '%s\n' "$1" | awk -v k="$2" -F', ' '
        /clients, .* replies, .* errors, / {
            for (i = 1; i <= NF; i++) {
                n = split($i, w, " ")
                if (k == "p50" || k == "p99") { if (w[1] == k) print w[2] }
                else if (w[2] == k) print w[1]
            }
        }'
}

# summary_line FILE : the last summary line a client printed, or nothing.
summary_line() {
    grep -E '^[0-9]+ clients, [0-9]+ replies, ' "$1" 2>/dev/null | tail -n 1
}

# calc EXPRESSION [FORMAT] : awk arithmetic, printed with %g or FORMAT.
calc() {
    awk "BEGIN { printf \"${2:-%g}\", ($1) }"
}
