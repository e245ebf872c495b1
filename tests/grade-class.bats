#!/usr/bin/env bats
# scripts/grade-class: a class graded in one command, each submission
# isolated. Good submissions are planted beside hostile ones (a fork bomb,
# a server that spins and leaves a child that never exits, one that writes
# outside its folder and reaches for an address outside its sandbox) and
# must keep their scores; nothing may be left running; a rerun gives the
# same grades. One small item (01-iterative/served-count) keeps it short.

load helper
load grading

# can_isolate : namespaces are available (root, or unprivileged user
# namespaces); without them a planted fork bomb would reach the machine.
can_isolate() {
    if [ "$(id -u)" -eq 0 ]; then
        unshare --net --mount --pid --fork --kill-child --mount-proc true 2>/dev/null
    else
        unshare --map-root-user --net --mount --pid --fork --kill-child --mount-proc true 2>/dev/null
    fi
}

setup_file() {
    ! tooling_skipped || return 0
    can_isolate || return 0
    kit_build 01-iterative tests/tools/peer
    local dir=$BATS_FILE_TMPDIR
    # The listener the escape reaches for, on this machine's loopback.
    setsid "$KIT_ROOT/01-iterative/server" -d 0 0 >"$dir/listener.out" 2>&1 </dev/null &
    echo $! >"$dir/listener.pid"
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q '^listening on port ' "$dir/listener.out" && break
        sleep 0.05
    done
    local port
    port=$(sed -n 's/^listening on port //p' "$dir/listener.out")
    scratch_kit "$dir/kit" 01-iterative
    make -s -C "$dir/kit" 01-iterative tests/tools/peer >/dev/null
    mkdir "$dir/class"
    cp -a "$dir/kit" "$dir/untouched-kit"
    (cd "$dir" && tar -czf class/untouched.tar.gz untouched-kit)
    cp -a "$dir/kit" "$dir/class/edited"
    edit_graders "$dir/class/edited"
    local name
    for name in good-a good-b bomb stuck escape; do
        cp -a "$dir/kit" "$dir/class/$name"
        solve "$dir/class/$name"
    done
    plant "$dir/class/bomb" "$FORK_BOMB"
    plant "$dir/class/stuck" "$ENDLESS"
    plant "$dir/class/escape" "$(escape_code "$port" "$dir/escaped-tmp" "$KIT_ROOT/escaped" \
        "$dir/class/good-a/escaped" "$dir/out1/escaped" /var/tmp/grade-class-escaped \
        /dev/shm/grade-class-escaped)"
    local run
    for run in 1 2; do
        "$KIT_ROOT/scripts/grade-class" -j 2 --kit "$dir/kit" --item 01-iterative/served-count \
            --timeout 20 "$dir/class" "$dir/out$run" >"$dir/run$run.log" 2>&1 || echo $? >"$dir/run$run.status"
    done
}

teardown_file() {
    [ -f "$BATS_FILE_TMPDIR/listener.pid" ] || return 0
    kill -s KILL -- "-$(cat "$BATS_FILE_TMPDIR/listener.pid")" 2>/dev/null || true
}

setup() {
    tooling_test
    can_isolate || skip "no namespaces here (neither root nor unprivileged user namespaces)"
    DIR=$BATS_FILE_TMPDIR
    [ ! -f "$DIR/run1.status" ] || { cat "$DIR/run1.log"; return 1; }
}

@test "grades.csv: a row per student and item, a total; good ones full marks beside the hostile ones" {
    cat "$DIR/run1.log"
    grep -q '^grade-class: isolation: ' "$DIR/run1.log"
    [ "$(cat "$DIR/out1/grades.csv")" = "$(printf '%s\n' student,item,points,max \
        bomb,01-iterative/served-count,0,5 bomb,total,0,5 \
        edited,01-iterative/served-count,0,5 edited,total,0,5 \
        escape,01-iterative/served-count,5,5 escape,total,5,5 \
        good-a,01-iterative/served-count,5,5 good-a,total,5,5 \
        good-b,01-iterative/served-count,5,5 good-b,total,5,5 \
        stuck,01-iterative/served-count,0,5 stuck,total,0,5 \
        untouched,01-iterative/served-count,0,5 untouched,total,0,5)" ]
    local name
    for name in bomb edited escape good-a good-b stuck untouched; do
        grep -q '^Score: ' "$DIR/out1/logs/$name.log" || { echo "no score in $name's log"; return 1; }
        [ -s "$DIR/out1/results/$name/grade.json" ]
    done
    grep -q 'stopped after the 20 s timeout' "$DIR/out1/logs/stuck.log"
}

@test "a rerun gives the same grades" {
    [ ! -f "$DIR/run2.status" ] || { cat "$DIR/run2.log"; return 1; }
    diff "$DIR/out1/grades.csv" "$DIR/out2/grades.csv"
}

@test "nothing of the grading is left running" {
    run pgrep -f "$DIR/(class|out1|out2|kit)"
    [ "$status" -ne 0 ] || { ps -o pid,user,args -p "$(echo "${lines[*]}" | tr ' ' ,)"; return 1; }
    run pgrep -f '/tmp/grade/tree'
    [ "$status" -ne 0 ] || { ps -o pid,user,args -p "$(echo "${lines[*]}" | tr ' ' ,)"; return 1; }
    if [ "$(id -u)" -eq 0 ]; then
        run pgrep -U "$((${GRADE_UID_BASE:-64200} + 1)),$((${GRADE_UID_BASE:-64200} + 2))"
        [ "$status" -ne 0 ] || { ps -o pid,user,args -p "$(echo "${lines[*]}" | tr ' ' ,)"; return 1; }
    fi
    run find /sys/fs/cgroup -maxdepth 5 -name 'kit-grade-*'
    [ -z "$output" ]
}

@test "a submission cannot write outside its sandbox nor reach an address outside it" {
    local path
    for path in "$DIR/escaped-tmp" "$KIT_ROOT/escaped" "$DIR/class/good-a/escaped" \
        "$DIR/out1/escaped" /var/tmp/grade-class-escaped /dev/shm/grade-class-escaped; do
        [ ! -e "$path" ] || { echo "written: $path"; rm -f "$path"; return 1; }
    done
    # The listener on this machine's 127.0.0.1 saw no client.
    run grep -c '^Client connected' "$DIR/listener.out"
    [ "$output" = 0 ]
    # The escape ran (it passed its grader).
    grep -q '^escape,01-iterative/served-count,5,5$' "$DIR/out1/grades.csv"
}

@test "bad arguments are usage errors (2)" {
    run "$KIT_ROOT/scripts/grade-class" "$DIR/class"
    [ "$status" -eq 2 ]
    run "$KIT_ROOT/scripts/grade-class" -j x "$DIR/class" "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 2 ]
    run "$KIT_ROOT/scripts/grade-class" "$BATS_TEST_TMPDIR/none" "$BATS_TEST_TMPDIR/out"
    [ "$status" -eq 2 ]
}
