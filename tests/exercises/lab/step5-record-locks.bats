#!/usr/bin/env bats
# Grader of the lab's optional step 5 (02-thread/db/README.md): a lock
# per record. `-L record` (the default) locks only the person a request
# works on, `-L global` the whole database; both give the same answers
# (CONTRACT.md §10, step 5). The difference is forced, not hoped for: -d
# MS is spent while a request holds its lock, so two clients working on
# two different people take turns under -L global and overlap under
# -L record.

load ../../helper
load lab

setup_file() { kit_build 02-thread; }

@test "step 5: -L takes record or global; anything else is a usage error, status 2" {
    local mode
    for mode in fast RECORD ""; do
        run timeout 5 "$KIT_ROOT/02-thread/dbserver" -L "$mode" 0
        [ "$status" -eq 2 ] || { echo "-L '$mode': status $status"; return 1; }
        [[ "$output" != *listening* ]]
    done
    start_db -q -L record
    start_db -q -L global
}

# two_people MODE : two clients at once, each asking 3 times for its own
# person (one GET, one BIRTHDAY, one GET) with -d 300; sets ELAPSED.
two_people() {
    local dir=$BATS_TEST_TMPDIR/$1
    mkdir -p "$dir"
    start_db -q -d 300 -L "$1"
    db "$(printf '%s\n' 'ADD ana 30 Ana' 'ADD bea 40 Bea')"
    expect_replies "$(printf '%s\n' OK OK)"
    printf '%s\n' 'GET ana' 'BIRTHDAY ana' 'GET ana' >"$dir/ana"
    printf '%s\n' 'GET bea' 'BIRTHDAY bea' 'GET bea' >"$dir/bea"
    together "$dir/ana" "$dir/bea"
    [ "$(cat "$dir/ana.replies")" = "$(printf '%s\n' 'OK ana 30 Ana' 'OK 31' 'OK ana 31 Ana')" ]
    [ "$(cat "$dir/bea.replies")" = "$(printf '%s\n' 'OK bea 40 Bea' 'OK 41' 'OK bea 41 Bea')" ]
}

@test "step 5: -L global: two clients on two different people take turns (6 x 300 ms)" {
    two_people global
    echo "-L global: $ELAPSED s"
    at_least "$ELAPSED" 1.7
}

@test "step 5: -L record: two clients on two different people do not wait for each other" {
    two_people global
    local global=$ELAPSED
    two_people record
    echo "-L global: $global s; -L record: $ELAPSED s (about half)"
    # Side by side: about 3 x 300 ms, never less; one after the other
    # would be the 6 x 300 ms that -L global took just now.
    at_least "$ELAPSED" 0.85
    less_than "$ELAPSED" "$(awk -v g="$global" 'BEGIN { print 0.75 * g }')"
}

@test "step 5: -L record still makes two clients on the same person take turns" {
    start_db -q -d 300 -L record
    db "ADD same 0 Same"
    local dir=$BATS_TEST_TMPDIR
    printf '%s\n' 'BIRTHDAY same' 'BIRTHDAY same' >"$dir/one"
    cp "$dir/one" "$dir/other"
    together "$dir/one" "$dir/other"
    [ "$(sort -n -k2 "$dir/one.replies" "$dir/other.replies" | tr '\n' ' ')" = "OK 1 OK 2 OK 3 OK 4 " ] ||
        { cat "$dir/one.replies" "$dir/other.replies"; return 1; }
    at_least "$ELAPSED" 1.14
}

# storm MODE : 8 clients x 10 BIRTHDAYs on one person, then its age.
storm() {
    local dir=$BATS_TEST_TMPDIR/$1 i files=()
    mkdir -p "$dir"
    start_db -q -d 5 -L "$1"
    db "ADD storm 0 Same"
    for ((i = 0; i < 8; i++)); do
        repeat 10 "BIRTHDAY storm" >"$dir/c$i"
        files+=("$dir/c$i")
    done
    together "${files[@]}"
    [ "$(cat "$dir"/c*.replies | sort -u | wc -l)" -eq 80 ]
    db "GET storm"
    expect_replies "OK storm 80 Same"
}

@test "step 5: the same answers in both modes: 8 clients x 10 BIRTHDAYs give exactly 80 years" {
    storm record
    storm global
}
