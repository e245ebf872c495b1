#!/usr/bin/env bats
# 10-pipes-fifo-signals: the upper service over named pipes, and the pipes
# and signals demos (CONTRACT.md §9).

load helper

setup_file() { kit_build 10-pipes-fifo-signals; }

DIR=10-pipes-fifo-signals

# start_fifo_server [OPTIONS...] : starts the FIFO server on
# $BATS_TEST_TMPDIR/up.fifo and waits for its first line, "listening on
# FIFO PATH". Sets FIFO, SERVER_PID, SERVER_OUT, SERVER_ERR.
start_fifo_server() {
    FIFO=$BATS_TEST_TMPDIR/up.fifo
    local n=$(( ${#KIT_GROUPS[@]} + 1 ))
    SERVER_OUT="$BATS_TEST_TMPDIR/server$n.out"
    SERVER_ERR="$BATS_TEST_TMPDIR/server$n.err"
    local -a wrapper=()
    if [ "${VALGRIND:-0}" = 1 ]; then
        wrapper=(valgrind -q --error-exitcode=99 --leak-check=full
                 --errors-for-leak-kinds=definite --show-leak-kinds=definite
                 --log-file="$BATS_TEST_TMPDIR/valgrind$n.%p.log")
    fi
    setsid "${wrapper[@]}" "$KIT_ROOT/$DIR/server" "$@" "$FIFO" >"$SERVER_OUT" 2>"$SERVER_ERR" </dev/null &
    SERVER_PID=$!
    KIT_GROUPS+=("$SERVER_PID")
    local i
    for ((i = 0; i < 200; i++)); do
        [ "$(head -n 1 "$SERVER_OUT")" = "listening on FIFO $FIFO" ] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "server did not announce its FIFO; stderr:" >&2
    cat "$SERVER_ERR" >&2
    return 1
}

# wait_for_reply_fifo : prints the path of the first FIFO.reply.PID.TOKEN
# beside $FIFO once a client has made it (waits up to 5 s).
wait_for_reply_fifo() {
    local i
    for ((i = 0; i < 100; i++)); do
        compgen -G "$FIFO.reply.*" && return 0
        sleep 0.05
    done
    return 1
}

# reply_fifo_pid PATH : the client PID in FIFO.reply.PID.TOKEN.
reply_fifo_pid() {
    local pid=${1%.*}
    echo "${pid##*.}"
}

# no_reply_fifos : true when no FIFO.reply.* is left beside $FIFO.
no_reply_fifos() {
    ! compgen -G "$FIFO.reply.*" >/dev/null
}

@test "bad command lines print usage and exit 2" {
    local args
    for args in "" "a b" "-d" "-d x f" "-d -1 f" "-x f"; do
        # shellcheck disable=SC2086 # word splitting of $args is the point
        run timeout 5 "$KIT_ROOT/$DIR/server" $args
        [ "$status" -eq 2 ] || { echo "server $args: status $status"; return 1; }
        [[ "$output" == *usage:* ]]
        [[ "$output" != *listening* ]]
    done
    for args in "" "a b" "-t 0 f" "-t x f" "-x f"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/$DIR/client" $args
        [ "$status" -eq 2 ] || { echo "client $args: status $status"; return 1; }
        [[ "$output" == *usage:* ]]
    done
    for args in "" "0" "5" "nope" "1 2"; do
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/$DIR/pipes" $args
        [ "$status" -eq 2 ] && [[ "$output" == usage:* ]]
        # shellcheck disable=SC2086
        run timeout 5 "$KIT_ROOT/$DIR/signals" $args
        [ "$status" -eq 2 ] && [[ "$output" == usage:* ]]
    done
}

@test "-h and --help print usage on stdout and exit 0" {
    local program flag
    for program in server client pipes signals upperfilter; do
        for flag in -h --help; do
            run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/$program" "$flag"
            [ "$status" -eq 0 ] || { echo "$program $flag: status $status"; return 1; }
            [[ "$output" == usage:* ]]
            [ -z "$stderr" ]
        done
    done
}

@test "the server creates its FIFO with mode 0600 even under umask 000" {
    umask 000
    start_fifo_server -d 0
    [ -p "$FIFO" ]
    [ "$(stat -c %a "$FIFO")" = 600 ]
}

@test "an existing FIFO is reused and made 0600" {
    mkfifo -m 666 "$BATS_TEST_TMPDIR/up.fifo"
    start_fifo_server -d 0
    [ "$(stat -c %a "$FIFO")" = 600 ]
    run_program "$DIR/client" "$FIFO" <<<"again"
    [ "$output" = "Reply is 'AGAIN'" ]
}

@test "a path that is not a FIFO is refused: exit 1, file untouched" {
    local file=$BATS_TEST_TMPDIR/notes.txt
    echo "precious" >"$file"
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/server" "$file"
    [ "$status" -eq 1 ]
    [ "$stderr" = "server: $file: exists and is not a FIFO" ]
    [ "$(cat "$file")" = "precious" ]
    ln -s "$file" "$BATS_TEST_TMPDIR/link"
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/server" "$BATS_TEST_TMPDIR/link"
    [ "$status" -eq 1 ]
    [ -L "$BATS_TEST_TMPDIR/link" ]
}

@test "a request FIFO owned by another user is refused: exit 1, owner and mode untouched" {
    # Only root can give a file away; the defect (fchmod on another user's
    # FIFO) needs a server with the right to do that, so it is root's too.
    [ "$(id -u)" -eq 0 ] || skip "needs root to make a FIFO of another user"
    local fifo=$BATS_TEST_TMPDIR/theirs.fifo
    mkfifo -m 622 "$fifo"
    chown nobody "$fifo"
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/server" -d 0 "$fifo"
    [ "$status" -eq 1 ]
    [ "$stderr" = "server: $fifo: owned by another user: refused" ]
    [ "$(stat -c '%U %a' "$fifo")" = "nobody 622" ]
}

@test "the client refuses a request FIFO owned by another user: nothing written to it" {
    # Another user's FIFO planted in a shared directory, with a reader of
    # theirs: before the fix the client wrote its line into it.
    [ "$(id -u)" -eq 0 ] || skip "needs root to make a FIFO of another user"
    local fifo=$BATS_TEST_TMPDIR/planted.fifo got=$BATS_TEST_TMPDIR/got
    mkfifo -m 666 "$fifo"
    chown nobody "$fifo"
    timeout 10 cat "$fifo" >"$got" &
    local reader=$!
    # The reader's open must be done before the client looks for one.
    for ((i = 0; i < 100; i++)); do
        [ -n "$(find /proc/$reader/fd -lname "$fifo" 2>/dev/null)" ] && break
        sleep 0.05
    done
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/client" -t 2 "$fifo" <<<"my secret line"
    kill "$reader" 2>/dev/null || true
    wait "$reader" 2>/dev/null || true
    [ "$status" -eq 1 ] || { echo "status $status, stderr: $stderr"; return 1; }
    [ "$stderr" = "client: $fifo: owned by another user: refused" ]
    run ! grep -q "secret" "$got"
    [ -z "$(compgen -G "$BATS_TEST_TMPDIR/*.reply.*")" ]
}

@test "the client refuses a symbolic link at the request FIFO's path" {
    start_fifo_server -d 0 -q
    ln -s "$FIFO" "$BATS_TEST_TMPDIR/link.fifo"
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/client" "$BATS_TEST_TMPDIR/link.fifo" <<<"hola"
    [ "$status" -eq 1 ]
    [ "$stderr" = "client: $BATS_TEST_TMPDIR/link.fifo: a symbolic link: refused" ]
}

@test "a file planted at the old predictable reply name does not stop the client" {
    start_fifo_server -d 0 -q
    # exec keeps the shell's PID: plant files at FIFO.reply.PID and at
    # FIFO.reply.PID.0, then become the client with that very PID.
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    run --separate-stderr timeout 10 bash -c 'echo planted >"$1.reply.$$"; ln -s /nonexistent "$1.reply.$$.0"; exec "$2" "$1"' _ "$FIFO" "$KIT_ROOT/$DIR/client" <<<"hola"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'HOLA'" ]
    [ "$(cat "$FIFO".reply.*[0-9])" = planted ]
}

@test "the reply FIFO's name has a random part: FIFO.reply.PID.TOKEN" {
    start_fifo_server -d 0 -q
    local -a names=()
    local i reply
    for ((i = 0; i < 2; i++)); do
        coproc CLIENT { timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO"; }
        echo "x" >&"${CLIENT[1]}"
        read -r -t 5 line <&"${CLIENT[0]}"
        [ "$line" = "Reply is 'X'" ]
        reply=$(compgen -G "$FIFO.reply.*")
        [[ "$reply" =~ \.reply\.[0-9]+\.[0-9a-f]{8}$ ]]
        names+=("${reply##*.}")
        local to_client=${CLIENT[1]} pid=$CLIENT_PID
        exec {to_client}>&-
        wait "$pid"
    done
    [ "${names[0]}" != "${names[1]}" ]
}

# capture_frame FILE PAYLOAD : what the real client writes for PAYLOAD,
# caught by cat on a FIFO of our own (the client then times out).
capture_frame() {
    local trap=$BATS_TEST_TMPDIR/trap.fifo
    mkfifo "$trap"
    cat "$trap" >"$1" &
    local cat_pid=$!
    timeout 10 "$KIT_ROOT/$DIR/client" -t 1 "$trap" <<<"$2" >/dev/null 2>&1 || true
    wait "$cat_pid"
    rm -f "$trap"
}

@test "a header without its payload is dropped with a log line, the next clients are served" {
    local payload header
    payload=$(printf 'p%.0s' $(seq 1 100))
    capture_frame "$BATS_TEST_TMPDIR/frame" "$payload"
    header=$(( $(stat -c %s "$BATS_TEST_TMPDIR/frame") - 100 ))
    start_fifo_server -d 0
    head -c "$header" "$BATS_TEST_TMPDIR/frame" >"$FIFO"
    local i
    for i in 1 2 3; do
        run_program "$DIR/client" -t 2 "$FIFO" <<<"client $i"
        [ "$output" = "Reply is 'CLIENT $i'" ]
    done
    grep -qx "server: dropped $header bytes: not a valid request frame" "$SERVER_ERR"
    [ "$(grep -c '^New request: ' "$SERVER_OUT")" -eq 3 ]
}

@test "a header without its payload swallows none of the frames queued behind it" {
    local payload header
    payload=$(printf 'p%.0s' $(seq 1 60))
    capture_frame "$BATS_TEST_TMPDIR/frame" "$payload"
    header=$(( $(stat -c %s "$BATS_TEST_TMPDIR/frame") - 60 ))
    start_fifo_server -d 600 -q
    # While the server works on "busy", the lone header and then three
    # clients' frames (more than 60 bytes together) queue in the FIFO: the
    # server's next read brings them all at once.
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <<<"busy" >/dev/null &
    local busy=$! i
    sleep 0.2
    head -c "$header" "$BATS_TEST_TMPDIR/frame" >"$FIFO"
    local -a pids=()
    for i in 1 2 3; do
        timeout 10 "$KIT_ROOT/$DIR/client" -t 5 "$FIFO" <<<"queued client $i" >"$BATS_TEST_TMPDIR/got$i" &
        pids+=($!)
    done
    wait "$busy" "${pids[@]}"
    for i in 1 2 3; do
        [ "$(cat "$BATS_TEST_TMPDIR/got$i")" = "Reply is 'QUEUED CLIENT $i'" ]
    done
    grep -q "^server: dropped [0-9]* bytes: not a valid request frame$" "$SERVER_ERR"
}

@test "a second server on a FIFO already served is refused: exit 1, the first keeps its FIFO" {
    start_fifo_server -d 0 -q
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/server" -d 0 "$FIFO"
    [ "$status" -eq 1 ]
    [ "$stderr" = "server: $FIFO: another server is already reading it" ]
    [ -p "$FIFO" ]
    run_program "$DIR/client" "$FIFO" <<<"still mine"
    [ "$output" = "Reply is 'STILL MINE'" ]
    kill -0 "$SERVER_PID"
}

@test "hola comes back as Reply is 'HOLA', server logs the request" {
    start_fifo_server -d 20
    run_program "$DIR/client" "$FIFO" <<<"hola"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'HOLA'" ]
    grep -Eq '^New request: 1 from [0-9]+$' "$SERVER_OUT"
    no_reply_fifos
}

@test "several lines, empty lines skipped" {
    start_fifo_server -d 0
    run_program "$DIR/client" "$FIFO" < <(printf 'one\n\n\ntwo words\nMiXeD 123\n')
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[0]}" = "Reply is 'ONE'" ]
    [ "${lines[1]}" = "Reply is 'TWO WORDS'" ]
    [ "${lines[2]}" = "Reply is 'MIXED 123'" ]
    [ "$(grep -c '^New request: ' "$SERVER_OUT")" -eq 3 ]
}

@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" {
    local dir=$BATS_TEST_TMPDIR
    start_fifo_server -d 0 -q
    printf 'a\000b\377c \303\261 z~{\n' >"$dir/in"
    printf "Reply is 'A\000B\377C \303\261 Z~{'\n" >"$dir/want"
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <"$dir/in" >"$dir/got"
    cmp "$dir/want" "$dir/got"
}

@test "20 clients at once x 20 lines: every reply right, none mixed up" {
    local dir=$BATS_TEST_TMPDIR i j
    start_fifo_server -d 0 -q
    for ((i = 0; i < 20; i++)); do
        for ((j = 0; j < 20; j++)); do echo "client $i line $j $(printf 'x%.0s' $(seq 1 $((i * 10))))"; done >"$dir/in$i"
        # shellcheck disable=SC2018,SC2019 # ASCII only, as the service
        LC_ALL=C tr 'a-z' 'A-Z' <"$dir/in$i" | sed "s/.*/Reply is '&'/" >"$dir/want$i"
    done
    local -a pids=()
    for ((i = 0; i < 20; i++)); do
        timeout 30 "$KIT_ROOT/$DIR/client" "$FIFO" <"$dir/in$i" >"$dir/got$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    for ((i = 0; i < 20; i++)); do
        cmp "$dir/want$i" "$dir/got$i"
    done
    run ! grep -q dropped "$SERVER_ERR"
    no_reply_fifos
}

@test "a line over the PIPE_BUF limit is refused by the client, the next one served" {
    local dir=$BATS_TEST_TMPDIR limit=$(( $(getconf PIPE_BUF /) - 24 ))
    start_fifo_server -d 0 -q
    { head -c $((limit + 1)) /dev/zero | tr '\0' 'a'; echo; echo next; } >"$dir/in"
    run --separate-stderr timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <"$dir/in"
    [ "$status" -eq 1 ]
    [ "$output" = "Reply is 'NEXT'" ]
    [[ "$stderr" == "client: line 1 is $((limit + 1)) bytes, more than $limit: a request must fit in one atomic FIFO write"* ]]
    # Exactly at the limit it fits.
    { head -c "$limit" /dev/zero | tr '\0' 'b'; echo; } >"$dir/in"
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <"$dir/in" >"$dir/got"
    [ "$(wc -c <"$dir/got")" -eq $((limit + 12)) ] # "Reply is ''" + newline
    [ "$(tr -d "B'\n" <"$dir/got")" = "Reply is " ]
}

@test "SIGTERM: shut down, exit 0, the FIFO removed" {
    start_fifo_server -d 0
    stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    [ ! -e "$FIFO" ]
    [ -z "$(group_pids "$SERVER_PID")" ]
}

@test "SIGINT during the simulated work: shut down within the delay plus 1 s" {
    start_fifo_server -d 500
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <<<"slow" >/dev/null 2>&1 &
    local client=$!
    sleep 0.2
    KIT_STOP_WAIT=2 stop_server INT
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    [ ! -e "$FIFO" ]
    wait "$client" || true
}

@test "the client makes its reply FIFO 0600 and removes it at the end" {
    start_fifo_server -d 0 -q
    coproc CLIENT { timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO"; }
    local pid=$CLIENT_PID
    echo "first" >&"${CLIENT[1]}"
    read -r -t 5 line <&"${CLIENT[0]}"
    [ "$line" = "Reply is 'FIRST'" ]
    local reply
    reply=$(compgen -G "$FIFO.reply.*")
    [ -p "$reply" ]
    [ "$(stat -c %a "$reply")" = 600 ]
    local to_client=${CLIENT[1]}
    exec {to_client}>&-
    wait "$pid"
    [ ! -e "$reply" ]
}

@test "Ctrl-C (SIGINT) makes the client remove its reply FIFO and die of SIGINT" {
    start_fifo_server -d 0 -q
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" < <(sleep 5) &
    local pid=$!
    # $! is timeout's PID; the client's PID is in its reply FIFO's name.
    local reply
    reply=$(wait_for_reply_fifo)
    [ -p "$reply" ]
    kill -INT "$(reply_fifo_pid "$reply")"
    local status=0
    wait "$pid" || status=$?
    [ "$status" -eq 130 ]
    [ ! -e "$reply" ]
}

@test "garbage written straight into the FIFO is dropped with a log line" {
    start_fifo_server -d 0
    printf 'garbage\n' >"$FIFO"
    run_program "$DIR/client" "$FIFO" <<<"after garbage"
    [ "$output" = "Reply is 'AFTER GARBAGE'" ]
    grep -qx 'server: dropped 8 bytes: not a valid request frame' "$SERVER_ERR"
    # Magic, id 1, length 0 (out of range) and a matching check: 16 bytes
    # that look like a header but are not one.
    printf 'UPF1\001\000\000\000\000\000\000\000\376\377\377\377' >"$FIFO"
    run_program "$DIR/client" "$FIFO" <<<"still here"
    [ "$output" = "Reply is 'STILL HERE'" ]
    grep -qx 'server: dropped 16 bytes: not a valid request frame' "$SERVER_ERR"
    # A lone magic: the rest of its header did not come with it, and never
    # will (a frame is written whole).
    printf 'UPF1' >"$FIFO"
    run_program "$DIR/client" "$FIFO" <<<"and again"
    [ "$output" = "Reply is 'AND AGAIN'" ]
    grep -qx 'server: dropped 4 bytes: not a valid request frame' "$SERVER_ERR"
    kill -0 "$SERVER_PID"
}

@test "64 KiB of random bytes into the FIFO: all dropped, the next client served" {
    start_fifo_server -d 0 -q
    head -c 65536 /dev/urandom >"$FIFO"
    run_program "$DIR/client" "$FIFO" <<<"after the noise"
    [ "$status" -eq 0 ]
    [ "$output" = "Reply is 'AFTER THE NOISE'" ]
    # Every random byte was dropped, none served as a request.
    local dropped
    dropped=$(awk '/^server: dropped [0-9]+ bytes: not a valid request frame$/ { n += $3 } END { print n + 0 }' "$SERVER_ERR")
    [ "$dropped" -eq 65536 ]
    kill -0 "$SERVER_PID"
}

@test "a client killed before reading its reply costs the server at most the retry" {
    start_fifo_server -d 300
    timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" < <(echo "doomed"; sleep 5) >/dev/null &
    local reply
    reply=$(wait_for_reply_fifo)
    # Killed once its request is being worked on (not before it was sent).
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q '^New request: 1 ' "$SERVER_OUT" && break
        sleep 0.05
    done
    kill -KILL "$(reply_fifo_pid "$reply")"
    # The server is still in the 300 ms of work for the dead client, then
    # tries its FIFO for at most 50 x 10 ms; the next client waits for that.
    elapsed timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <<<"next"
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" 3
    grep -q "nobody reading: reply dropped" "$SERVER_ERR"
    kill -0 "$SERVER_PID"
}

@test "frames naming a reply FIFO nobody reads cost the server 0.5 s each, no more" {
    # A process of the server's own user (only it can write the request
    # FIFO) can leave a reply FIFO with no reader and send frames naming
    # it: the server tries each for 50 x 10 ms (REPLY_OPEN_TRIES) and
    # drops the reply. The cost is bounded per frame, not removed: that
    # user could as well kill the server.
    # The path start_fifo_server uses: the frame names a reply FIFO
    # beside it.
    local fifo=$BATS_TEST_TMPDIR/up.fifo reply="" i keep
    mkfifo -m 600 "$fifo"
    # Held open for reading and writing: the FIFO has a reader from now on
    # (the client's open fails at once without one, and cat, started in
    # the background, may not have opened it yet), and cat sees the end of
    # file only when this closes.
    exec {keep}<>"$fifo"
    cat "$fifo" >"$BATS_TEST_TMPDIR/frame" {keep}>&- &
    local cat_pid=$!
    timeout 10 "$KIT_ROOT/$DIR/client" -t 1 "$fifo" <<<"nobody reads me" >/dev/null 2>&1 {keep}>&- &
    local client_pid=$!
    for ((i = 0; i < 100; i++)); do
        reply=$(compgen -G "$fifo.reply.*") && break
        sleep 0.05
    done
    [ -n "$reply" ]
    wait "$client_pid" || true
    exec {keep}>&-
    wait "$cat_pid" || true
    mkfifo -m 600 "$reply" # the same name again, with no reader
    start_fifo_server -d 0 -q
    for ((i = 0; i < 4; i++)); do cat "$BATS_TEST_TMPDIR/frame"; done >"$fifo"
    elapsed timeout 20 "$KIT_ROOT/$DIR/client" "$fifo" <<<"next"
    [ "$STATUS" -eq 0 ]
    echo "the next client waited $ELAPSED s behind 4 such frames"
    [ "$(grep -c 'nobody reading: reply dropped' "$SERVER_ERR")" -eq 4 ]
    # 4 x 0.5 s of retries, plus slack for a loaded machine.
    at_least "$ELAPSED" 1.8
    less_than "$ELAPSED" 4
}

@test "no server: the client says so, exit 1, nothing left behind" {
    local lonely=$BATS_TEST_TMPDIR/lonely.fifo
    mkfifo -m 600 "$lonely"
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/client" "$lonely" <<<"anyone?"
    [ "$status" -eq 1 ]
    [ "$stderr" = "client: $lonely: no server is reading it" ]
    run --separate-stderr timeout 5 "$KIT_ROOT/$DIR/client" "$BATS_TEST_TMPDIR/missing" <<<"x"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"No such file or directory" ]]
    [ -z "$(compgen -G "$BATS_TEST_TMPDIR/*.reply.*")" ]
}

@test "a server that dies while a client waits is an error at once, not a hang" {
    start_fifo_server -d 2000
    # The server is killed once it works on the request (its log says so),
    # not before the client could send it.
    ( for ((i = 0; i < 100; i++)); do
          grep -q '^New request: 1 ' "$SERVER_OUT" && break
          sleep 0.05
      done
      kill -KILL "$SERVER_PID" ) &
    local killer=$!
    # The default reply timeout is 30 s: the client must notice sooner
    # (well within the 2 s of work the server never finishes).
    elapsed timeout 10 "$KIT_ROOT/$DIR/client" "$FIFO" <<<"waiting" 2>"$BATS_TEST_TMPDIR/err"
    wait "$killer"
    [ "$STATUS" -eq 1 ]
    less_than "$ELAPSED" 2
    # (bash may add its own "Killed" notice about the server to the file)
    grep -qx "client: server: closed its FIFO" "$BATS_TEST_TMPDIR/err"
}

@test "-q silences per-request lines" {
    start_fifo_server -d 0 -q
    run_program "$DIR/client" "$FIFO" <<<"shh"
    [ "$output" = "Reply is 'SHH'" ]
    stop_server
    [ "$(cat "$SERVER_OUT")" = "listening on FIFO $FIFO
shut down" ]
}

# --- pipes ------------------------------------------------------------------

@test "pipes 1: the child's Spam lines reach the parent, then end of file" {
    run_program "$DIR/pipes" 1
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | grep -c "got 'Spam 00[0-4]'")" -eq 5 ]
    [[ "$output" == *"parent: end of file"* ]]
    [[ "$output" == *"child exited with status 0"* ]]
}

@test "pipes 2: a two-way conversation with upperfilter through dup2 and exec" {
    run_program "$DIR/pipes" conversation
    [ "$status" -eq 0 ]
    [[ "$output" == *"parent got  'HELLO 1 FROM YOUR PARENT'"* ]]
    [[ "$output" == *"parent got  'HELLO 2 FROM YOUR PARENT'"* ]]
    [[ "$output" == *"upperfilter exited with status 0"* ]]
}

@test "pipes 3: a fully buffered child deadlocks for the timeout, line buffering fixes it" {
    elapsed timeout 10 "$KIT_ROOT/$DIR/pipes" 3 >"$BATS_TEST_TMPDIR/out"
    [ "$STATUS" -eq 0 ]
    grep -q "^deadlock: no answer after 1 s (the child's stdout is a pipe, so stdio buffers it)$" "$BATS_TEST_TMPDIR/out"
    grep -q "its buffer came out: 'ARE YOU THERE?'" "$BATS_TEST_TMPDIR/out"
    grep -q "^parent got  'ARE YOU THERE?'" "$BATS_TEST_TMPDIR/out"
    grep -q "^fixed:" "$BATS_TEST_TMPDIR/out"
    run ! less_than "$ELAPSED" 0.95
}

@test "pipes 4: end of file only after the parent closes its write end" {
    run_program "$DIR/pipes" eof
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "no end of file: the child still reads after 1 s (a write end is still open: the parent's)" ]
    [ "${lines[2]}" = "parent: closing its write end" ]
    [ "${lines[3]}" = "child: end of file after 18 bytes" ]
}

@test "upperfilter: lines in, capitals out" {
    run_program "$DIR/upperfilter" < <(printf 'one\ntwo ñ\n')
    [ "$status" -eq 0 ]
    [ "$output" = "ONE
TWO ñ" ]
}

# --- signals ----------------------------------------------------------------

@test "signals 1: a sigaction handler; three blocked signals arrive as one" {
    run_program "$DIR/signals" 1
    [ "$status" -eq 0 ]
    [ "$(printf '%s\n' "$output" | grep -c '^  handler: SIGUSR1$')" -eq 3 ]
    [[ "$output" == *"the handler ran 1 time for 3 signals sent: standard signals do not queue"* ]]
}

@test "signals 2: a zombie, SIGCHLD reaping every child, SIG_IGN and ECHILD" {
    run_program "$DIR/signals" sigchld
    [ "$status" -eq 0 ]
    [[ "$output" == *"it is a zombie: state Z"* ]]
    [[ "$output" == *"reaped 5 of 5 children"* ]]
    [[ "$output" == *"wait() failed with ECHILD"* ]]
}

@test "signals 2: five children that exit while SIGCHLD is blocked take one handler run, every time" {
    local i
    for ((i = 0; i < 5; i++)); do
        run_program "$DIR/signals" 2
        [ "$status" -eq 0 ]
        [[ "$output" == *"reaped 5 of 5 children in 1 run(s)"* ]] || { echo "run $i: $output"; return 1; }
    done
}

@test "signals 3: alarm interrupts read() with EINTR; SA_RESTART resumes it" {
    run_program "$DIR/signals" alarm
    [ "$status" -eq 0 ]
    [[ "$output" =~ "without SA_RESTART: read() failed after "[1-9]"."[0-9]" s: Interrupted system call (EINTR)" ]]
    [[ "$output" == *"with SA_RESTART: the alarm rang, read() went on and returned 'late data'"* ]]
}

@test "signals 4: pause() misses an early signal, sigsuspend() does not" {
    run_program "$DIR/signals" 4
    [ "$status" -eq 0 ]
    [[ "$output" == *"race: pause() slept "[1-9]"."[0-9]" s until a rescue alarm"* ]]
    [[ "$output" == *"fixed: sigsuspend() returned after 0."* ]]
}

@test "signals 5: a child tells its parent with SIGUSR1" {
    run_program "$DIR/signals" sigusr1
    [ "$status" -eq 0 ]
    [[ "$output" =~ "parent: SIGUSR1 after "[0-9]"."[0-9]" s, si_pid is my child's PID" ]]
}
