#!/usr/bin/env bats
# The handout and the folder READMEs, followed literally: every console
# block is replayed in document order, one shell per terminal (T1, T2,
# T3), and what each command prints must match what the text shows, in
# shape (tests/replay.py says the rules; handout.md's "Conventions" says
# them to the reader). A block that cannot be replayed says so, visibly.

load helper
load io_uring

setup_file() {
    ! tooling_skipped || return 0
    kit_build all
}

setup() {
    tooling_test
    require_command python3 python3
}

# replay_documents : handout.md, then every folder's README in order.
replay_documents() {
    (cd "$KIT_ROOT" && printf '%s\n' handout.md [0-9][0-9]-*/README.md 02-thread/db/README.md)
}

@test "every console block of the handout and the folder READMEs prints what the text shows" {
    local documents=()
    mapfile -t documents < <(replay_documents)
    # Where io_uring is refused (a container's seccomp profile), the
    # blocks of 11-io-uring's README and handout section are left out,
    # and the count says so.
    if io_uring_unavailable >/dev/null; then
        export REPLAY_UNAVAILABLE=11-io-uring
    fi
    # The replay stops every program it started; timeout is the last
    # resort if it hangs itself (tests/replay.py bounds every command).
    run --separate-stderr timeout 600 python3 "$KIT_ROOT/tests/replay.py" "$KIT_ROOT" "${documents[@]}"
    local counts=${output##*$'\n'}
    echo "# $counts" >&3
    [ "$status" -eq 0 ] || { echo "$output"; echo "$stderr"; return 1; }
    # replayed N of M console blocks, K marked not replayed: K <= M/5.
    local total skipped
    read -r _ _ _ total _ _ skipped _ <<<"$counts"
    [ "$((skipped * 5))" -le "$total" ] || { echo "too many blocks not replayed: $counts"; return 1; }
}
