# tests/io_uring.bash - whether this machine lets 11-io-uring run.
#
# io_uring may be missing (an old kernel), switched off
# (kernel.io_uring_disabled) or refused by a container's seccomp profile.
# The server then says why in one line, "server: io_uring: REASON", and
# exits 1; the tests that need a running server skip with that line. The
# server is probed once per bats run and the answer kept in a file.

# io_uring_unavailable : prints the server's reason and returns 0 when
# io_uring cannot be used here; returns 1 (printing nothing) when it can.
io_uring_unavailable() {
    local cache="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/kit-io-uring-probe"
    if [ ! -f "$cache" ]; then
        kit_build 11-io-uring
        io_uring_probe >"$cache.$$" && mv "$cache.$$" "$cache"
    fi
    [ -s "$cache" ] || return 1
    cat "$cache"
}

# io_uring_probe : starts the server on port 0 and stops it as soon as it
# listens (io_uring works: prints nothing) or exits (prints its reason).
io_uring_probe() {
    local out err pid i
    out=$(mktemp)
    err=$(mktemp)
    "$KIT_ROOT/11-io-uring/server" -q 0 >"$out" 2>"$err" </dev/null &
    pid=$!
    for ((i = 0; i < 200; i++)); do
        grep -q '^listening on port' "$out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q '^listening on port' "$out" ||
        grep -m 1 'io_uring' "$err" || echo "server: did not start: $(head -n 1 "$err")"
    rm -f "$out" "$err"
}

# require_io_uring : skips the test, naming the cause, when io_uring is
# not available here.
require_io_uring() {
    local reason
    if reason=$(io_uring_unavailable); then
        skip "io_uring is not available here: $reason"
    fi
}
