#!/usr/bin/env bats
# Grader of the lab's step 2 (02-thread/db/README.md): three operations,
# UPPER, LOWER and REVERSE, chosen request by request. The first word of
# a request names its operation, in any case; the rest of the line is the
# text (CONTRACT.md §10, step 2).

load ../../helper
load lab

setup_file() { kit_build 02-thread; }

@test "step 2: UPPER, LOWER and REVERSE answer OK and the result" {
    start_db -q
    db "$(printf '%s\n' 'UPPER hola Mundo 1' 'LOWER HoLa MUNDO 1' 'REVERSE hola mundo')"
    expect_replies "$(printf '%s\n' 'OK HOLA MUNDO 1' 'OK hola mundo 1' 'OK odnum aloh')"
}

@test "step 2: the first word chooses, in any case; the rest of the line is the text" {
    start_db -q
    db "$(printf '%s\n' 'lower ABC' 'Reverse abc' 'upper lower' 'LOWER UPPER' 'reverse REVERSE x' 'uPPer a  b')"
    expect_replies "$(printf '%s\n' 'OK abc' 'OK cba' 'OK LOWER' 'OK upper' 'OK x ESREVER' 'OK A  B')"
}

@test "step 2: only a-z and A-Z change case; other bytes pass unchanged" {
    start_db -q
    db "$(printf '%s\n' 'UPPER añb 1,2;3' 'LOWER ÁÉ AB?')"
    expect_replies "$(printf '%s\n' 'OK AñB 1,2;3' 'OK ÁÉ ab?')"
}

@test "step 2: REVERSE reverses characters, not bytes" {
    start_db -q
    db "$(printf '%s\n' 'REVERSE añb' 'REVERSE 日本語' 'REVERSE €x' 'REVERSE a')"
    expect_replies "$(printf '%s\n' 'OK bña' 'OK 語本日' 'OK x€' 'OK a')"
}

@test "step 2: an unknown operation or a missing text gets ERR, and the connection goes on" {
    start_db -q
    db "$(printf '%s\n' 'SHOUT hola' 'UPPER' 'upper still open')"
    [ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 3 ] || { echo "status $status: $output"; return 1; }
    [[ "${lines[0]}" == "ERR "* ]] || { echo "SHOUT hola: '${lines[0]}'"; return 1; }
    [[ "${lines[1]}" == "ERR "* ]] || { echo "UPPER: '${lines[1]}'"; return 1; }
    [ "${lines[2]}" = "OK STILL OPEN" ]
}
