#!/bin/sh
# 02-thread/db/dbbench.sh - per-record locking against one global lock, in the
# same run: dbserver -L record, then -L global, each loaded by dbbench
# (CLIENTS clients, each on its own record, REQUESTS requests each: GET,
# SET and BIRTHDAY in turn). HOLD_MS is dbserver's -d: simulated storage
# time spent with the request's locks held.
#
#   usage: 02-thread/db/dbbench.sh [HOLD_MS [CLIENTS [REQUESTS]]]
#   e.g.   02-thread/db/dbbench.sh 1 50 200      (the default)
#          02-thread/db/dbbench.sh 0 50 2000     (no simulated time)
#
# Build first with `make 02-thread`.
set -eu
cd "$(dirname "$0")/../.." # the kit's root: the paths below start there

hold=${1:-1}
clients=${2:-50}
requests=${3:-200}
dir=$(mktemp -d)
server_pid=""

cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

# start_dbserver MODE : starts dbserver on a free port, sets port.
start_dbserver() {
    : >"$dir/out" # exists before the first sed, whoever runs first
    ./02-thread/dbserver -q -d "$hold" -L "$1" 0 >"$dir/out" 2>&1 &
    server_pid=$!
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$dir/out")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "dbbench.sh: dbserver did not start" >&2
    exit 1
}

echo "dbserver -d $hold, $clients clients x $requests requests, each client on its own record"
printf '%-8s %-60s\n' "locking" "dbbench summary"
for mode in record global; do
    start_dbserver "$mode"
    summary=$(./02-thread/dbbench -n "$clients" -r "$requests" localhost "$port") || true
    printf '%-8s %s\n' "$mode" "$summary"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
done
