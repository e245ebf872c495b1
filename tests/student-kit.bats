#!/usr/bin/env bats
# The student kit (make student-kit): each assigned folder's core exercise
# (exercises/NN-name/core.patch) is stubbed, nothing else changes, and no
# answer ships: the kit holds no .patch and only the files git tracks.

load helper
load io_uring

ALL_FOLDERS="01-iterative 02-thread 03-fork 04-prefork-pool 05-prefork-accept \
06-udp 07-udp-threadpool 08-select 09-epoll 10-pipes-fifo-signals 11-io-uring"

setup_file() {
    ! tooling_skipped || return 0
    kit_build
}

setup() {
    tooling_test
    [ -d "$KIT_ROOT/exercises" ] || skip "no exercises/ here: this is a student kit"
}

# make_kit FOLDERS : writes and unpacks the kit into $BATS_TEST_TMPDIR.
make_kit() {
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="$1" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    KIT=$BATS_TEST_TMPDIR/upper-kit
}

# stubbed_tests_fail FOLDER : FOLDER's tests fail in the kit. The contract's
# first exchange usually fails at once; if the stub is elsewhere (a mode
# flag), the whole file runs, with short client timeouts.
stubbed_tests_fail() {
    run env KIT_TIMEOUT=5 timeout 120 bats --filter 'hola comes back' "$KIT/tests/$1.bats"
    [ "$status" -eq 0 ] || return 0
    run env KIT_TIMEOUT=5 timeout 600 bats "$KIT"/tests/"$1"*.bats
    [ "$status" -ne 0 ] || { echo "$1: every test passes with its core exercise stubbed"; return 1; }
}

@test "an unknown folder in EXERCISES is an error, and so is none" {
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="99-nothing" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
    [[ "$output" == *"there is no folder '99-nothing'"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/kit.tar.gz" ]
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
}

@test "every folder has a core exercise: all of them stubbed, the kit builds and fails each folder" {
    make_kit "$ALL_FOLDERS"
    local folder
    for folder in $ALL_FOLDERS; do
        grep -rqs "TODO($folder)" "$KIT/$folder" ||
            { echo "$folder: no TODO($folder) in the kit"; return 1; }
    done
    # No answer inside: no patch, and the graded extras' solutions are absent.
    run find "$KIT" -name '*.patch' -o -name '*.orig' -o -name '*.rej'
    [ -z "$output" ] || { echo "shipped: $output"; return 1; }
    # make succeeds with the kit's own -Werror flags ...
    run make -s -C "$KIT"
    [ "$status" -eq 0 ] || { echo "$output" | tail -20; return 1; }
    # ... and every folder's tests fail until its exercise is written.
    for folder in $ALL_FOLDERS; do
        # Where io_uring cannot run, 11's tests skip: nothing to fail.
        [ "$folder" != 11-io-uring ] || ! io_uring_unavailable >/dev/null || continue
        stubbed_tests_fail "$folder"
    done
}

@test "one folder assigned: only its tests fail; the kit holds exactly the tracked files" {
    make_kit 06-udp
    [ "$(cat "$KIT/ASSIGNED_EXERCISES")" = "06-udp" ]
    # Everything outside the assigned folder is the reference, byte for byte.
    run diff -r -x libkit.a \
        "$KIT_ROOT/common" "$KIT/common"
    [ "$status" -eq 0 ]
    run make -s -C "$KIT" 01-iterative 06-udp
    [ "$status" -eq 0 ]
    stubbed_tests_fail 06-udp
    run bats "$KIT/tests/01-iterative.bats"
    [ "$status" -eq 0 ] || { echo "$output" | grep -v '^ok'; return 1; }
    # Only what git tracks was packed (a scratch file an experiment left in
    # the work tree stays out), less the answers.
    if git -C "$KIT_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        run diff <(git -C "$KIT_ROOT" ls-files | grep -v '\.patch$' | sort) \
            <(tar -tzf "$BATS_TEST_TMPDIR/kit.tar.gz" | grep -v '/$' |
              sed 's|^upper-kit/||' | grep -vx ASSIGNED_EXERCISES | sort)
        [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    fi
}
