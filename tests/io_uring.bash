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
        "$KIT_ROOT/scripts/io-uring-probe" >"$cache.$$"
        mv "$cache.$$" "$cache"
    fi
    [ -s "$cache" ] || return 1
    cat "$cache"
}

# require_io_uring : skips the test, naming the cause, when io_uring is
# not available here.
require_io_uring() {
    local reason
    if reason=$(io_uring_unavailable); then
        skip "io_uring is not available here: $reason"
    fi
}
