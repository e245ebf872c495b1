#!/usr/bin/env bats
# The student kit (make student-kit): the assigned folders' solution regions
# become TODOs with stubs that compile; everything else stays intact.

load helper

setup_file() {
    [ -z "$KIT_SANITIZER" ] || return 0
    kit_build
}

setup() { tooling_test; }

@test "an unknown folder in EXERCISES is an error" {
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="99-nothing" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
    [[ "$output" == *"there is no folder '99-nothing'"* ]]
    [ ! -e "$BATS_TEST_TMPDIR/kit.tar.gz" ]
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -ne 0 ]
}

@test "the student kit builds, and fails exactly the assigned folder's tests" {
    local kit=$BATS_TEST_TMPDIR/upper-kit
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="01-iterative" STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ]
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    # No solution left in the assigned folder, a TODO instead; none of the
    # reference's build products were shipped.
    run grep -c "EXERCISE(01-iterative)" "$kit/01-iterative/server.c"
    [ "$output" = "0" ]
    grep -q "TODO(01-iterative)" "$kit/01-iterative/server.c"
    [ ! -e "$kit/01-iterative/server" ] && [ ! -d "$kit/.build" ]
    # make succeeds (with the kit's own -Werror flags) ...
    run make -s -C "$kit"
    [ "$status" -eq 0 ]
    [ -x "$kit/01-iterative/server" ]
    # ... the assigned folder's tests fail ...
    run bats "$kit/tests/01-iterative.bats"
    [ "$status" -ne 0 ]
    [[ "$output" == *"not ok"*"hola comes back"* ]]
    # ... and the reference's untouched regions still pass theirs.
    run diff "$KIT_ROOT/common/io.c" "$kit/common/io.c"
    [ "$status" -eq 0 ]
}

@test "two folders assigned: both fail their tests and graders, the others pass" {
    local kit=$BATS_TEST_TMPDIR/upper-kit
    run make -s -C "$KIT_ROOT" student-kit EXERCISES="07-udp-threadpool 09-epoll" \
        STUDENT_KIT="$BATS_TEST_TMPDIR/kit.tar.gz"
    [ "$status" -eq 0 ]
    tar -xzf "$BATS_TEST_TMPDIR/kit.tar.gz" -C "$BATS_TEST_TMPDIR"
    [ "$(cat "$kit/ASSIGNED_EXERCISES")" = $'07-udp-threadpool\n09-epoll' ]
    # Every region of both folders is a TODO now, none of another folder.
    run ! grep -q "EXERCISE(07-udp-threadpool)" "$kit/07-udp-threadpool/server.c"
    run ! grep -q "EXERCISE(09-epoll)" "$kit/09-epoll/server.c"
    grep -q "TODO(09-epoll): read what has arrived" "$kit/09-epoll/server.c"
    grep -q "EXERCISE(08-select)" "$kit/08-select/server.c"
    run make -s -C "$kit"
    [ "$status" -eq 0 ]
    # The assigned folders' own tests and their graders fail (and fast:
    # the stubs neither hang nor leave clients waiting for timeouts).
    local file
    for file in 07-udp-threadpool.bats exercises/07-udp-threadpool.bats \
                09-epoll.bats exercises/09-epoll.bats; do
        run bats "$kit/tests/$file"
        [ "$status" -ne 0 ] || { echo "$file passed in the student kit"; return 1; }
    done
    # An unassigned folder passes its tests and its grader as before.
    run bats "$kit/tests/01-iterative.bats" "$kit/tests/exercises/01-iterative.bats"
    [ "$status" -eq 0 ] || { echo "$output" | grep -v '^ok'; return 1; }
}
