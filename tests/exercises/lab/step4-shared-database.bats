#!/usr/bin/env bats
# Grader of the lab's step 4 (02-thread/db/README.md): a database of
# people that every client thread shares, with ADD, GET, SET, DEL,
# BIRTHDAY and LIST, safe when threads use it at the same time
# (CONTRACT.md §10, step 4). The races are forced, not hoped for: -d MS
# is spent while a request holds its record (BIRTHDAY between reading the
# age and writing it back, SET between writing the age and the name, ADD
# between finding the id free and adding it), so that a server without
# the right lock gets a wrong answer every time.

load ../../helper
load lab

setup_file() { kit_build 02-thread; }

@test "step 4: ADD, GET, SET and DEL: each success reply" {
    start_db -q
    db "$(printf '%s\n' 'ADD 42 30 Ana Perez' 'GET 42' 'SET 42 31 Ana María Pérez' 'GET 42' \
        'DEL 42' 'GET 42')"
    expect_replies "$(printf '%s\n' 'OK' 'OK 42 30 Ana Perez' 'OK' 'OK 42 31 Ana María Pérez' \
        'OK' 'ERR not found')"
}

@test "step 4: a missing or an existing record is an error, and the connection goes on" {
    start_db -q
    db "$(printf '%s\n' 'GET nobody' 'SET nobody 1 X' 'DEL nobody' 'BIRTHDAY nobody' \
        'ADD x 1 Xavi' 'ADD x 2 Other' 'GET x' 'DEL x' 'DEL x' 'ADD x 3 New' 'GET x' 'upper still here')"
    expect_replies "$(printf '%s\n' 'ERR not found' 'ERR not found' 'ERR not found' 'ERR not found' \
        'OK' 'ERR exists' 'OK x 1 Xavi' 'OK' 'ERR not found' 'OK' 'OK x 3 New' 'OK STILL HERE')"
}

@test "step 4: BIRTHDAY adds a year and answers the new age" {
    start_db -q
    db "$(printf '%s\n' 'add b 199 Bea' 'birthday b' 'Birthday b' 'get b')"
    expect_replies "$(printf '%s\n' 'OK' 'OK 200' 'OK 201' 'OK b 201 Bea')"
}

@test "step 4: LIST answers OK n, then the n records sorted by id" {
    start_db -q
    db "$(printf '%s\n' 'LIST' 'ADD m 3 Mar' 'ADD B 2 Bea' 'ADD a 1 Ana Díaz' 'LIST' 'GET a')"
    # Sorted by bytes (strcmp): capitals before small letters.
    expect_replies "$(printf '%s\n' 'OK 0' 'OK' 'OK' 'OK' 'OK 3' 'B 2 Bea' 'a 1 Ana Díaz' 'm 3 Mar' \
        'OK a 1 Ana Díaz')"
}

@test "step 4: the database is shared: what one client adds, another one sees and changes" {
    start_db -q
    db "ADD shared 20 Compartido"
    expect_replies "OK"
    db "$(printf '%s\n' 'GET shared' 'BIRTHDAY shared')"
    expect_replies "$(printf '%s\n' 'OK shared 20 Compartido' 'OK 21')"
    db "GET shared"
    expect_replies "OK shared 21 Compartido"
}

@test "step 4: two BIRTHDAYs of one person at once take turns: -d is spent holding the record" {
    start_db -q -d 400
    db "ADD twice 0 Two Threads"
    local dir=$BATS_TEST_TMPDIR
    echo "BIRTHDAY twice" >"$dir/one"
    echo "BIRTHDAY twice" >"$dir/other"
    together "$dir/one" "$dir/other"
    echo "two BIRTHDAYs at once took $ELAPSED s"
    [ "$(sort "$dir/one.replies" "$dir/other.replies" | tr '\n' ' ')" = "OK 1 OK 2 " ] ||
        { echo "replies:"; cat "$dir/one.replies" "$dir/other.replies"; return 1; }
    # Each holds the record for its 400 ms: one waits for the other.
    at_least "$ELAPSED" 0.76
}

@test "step 4: 8 clients x 10 BIRTHDAYs on one person at once: exactly 80 years, each age once" {
    start_db -q -d 10
    db "ADD storm 0 Same Record"
    expect_replies "OK"
    local dir=$BATS_TEST_TMPDIR i files=()
    for ((i = 0; i < 8; i++)); do
        repeat 10 "BIRTHDAY storm" >"$dir/c$i"
        files+=("$dir/c$i")
    done
    together "${files[@]}"
    cat "$dir"/c*.replies >"$dir/all"
    [ "$(grep -c '^OK [0-9]*$' "$dir/all")" -eq 80 ] || { grep -v '^OK [0-9]*$' "$dir/all" | head; return 1; }
    # A lost update shows as an age given twice, and a final age short of 80.
    [ "$(cut -d' ' -f2 "$dir/all" | sort -n | uniq | wc -l)" -eq 80 ] ||
        { echo "ages given twice:"; cut -d' ' -f2 "$dir/all" | sort -n | uniq -d | head; return 1; }
    db "GET storm"
    expect_replies "OK storm 80 Same Record"
}

@test "step 4: 8 clients ADD the same three people at once: one OK for each, ERR exists for the rest" {
    start_db -q -d 50
    local dir=$BATS_TEST_TMPDIR i files=()
    for ((i = 0; i < 8; i++)); do
        printf 'ADD p1 %s Client %s\nADD p2 %s Client %s\nADD p3 %s Client %s\n' \
            "$i" "$i" "$i" "$i" "$i" "$i" >"$dir/c$i"
        files+=("$dir/c$i")
    done
    together "${files[@]}"
    cat "$dir"/c*.replies >"$dir/all"
    [ "$(grep -c '^OK$' "$dir/all")" -eq 3 ] || { echo "$(grep -c '^OK$' "$dir/all") OKs:"; sort "$dir/all" | uniq -c; return 1; }
    [ "$(grep -c '^ERR exists$' "$dir/all")" -eq 21 ]
    db "LIST"
    [ "${lines[0]}" = "OK 3" ] || { echo "$output"; return 1; }
}

@test "step 4: GETs while others SET, DEL and ADD one person: always a whole record, never a mix" {
    start_db -q -d 2
    db "ADD k 1 aaaa"
    local dir=$BATS_TEST_TMPDIR i files=()
    # Two versions of k, far apart in age and name: a GET that copies the
    # new age with the old name (a torn read) cannot pass for either.
    repeat 25 "SET k 1 aaaa" "SET k 2 bbbbbbbbbb" >"$dir/writer"
    repeat 25 "DEL k" "ADD k 1 aaaa" >"$dir/cycler"
    repeat 50 "GET k" >"$dir/reader"
    for i in 1 2; do
        cp "$dir/writer" "$dir/w$i"
        cp "$dir/reader" "$dir/r$i"
        files+=("$dir/w$i" "$dir/r$i")
    done
    files+=("$dir/cycler")
    together "${files[@]}"
    [ "$(cat "$dir"/r?.replies | wc -l)" -eq 100 ]
    [ "$(cat "$dir"/w?.replies "$dir/cycler.replies" | wc -l)" -eq 150 ]
    # `run !`: each grep must find no other line.
    run ! grep -hEv '^(OK k 1 aaaa|OK k 2 bbbbbbbbbb|ERR not found)$' "$dir"/r?.replies
    run ! grep -hEv '^(OK|ERR not found)$' "$dir"/w?.replies
    run ! grep -hEv '^(OK|ERR not found|ERR exists)$' "$dir/cycler.replies"
    # The server came through it and still answers.
    db "upper alive"
    expect_replies "OK ALIVE"
}
