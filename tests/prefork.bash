# tests/prefork.bash - checks shared by the preforked servers (04, 05):
# a fixed pool of worker processes that the parent watches and replaces.
#
#   load prefork
#   @test "..." { prefork_worker_count 04-prefork-pool; }
#
# Each function takes the folder as its first argument.

load tcp_contract

# live_group_pids PGID : the processes of a group that have not exited yet
# (a zombie has exited; it only waits for its new parent to reap it).
live_group_pids() {
    ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'
}

# worker_pids : the live children of the server (its workers).
worker_pids() {
    ps -o pid=,stat= --ppid "$SERVER_PID" | awk '$2 !~ /^Z/ { print $1 }'
}

# Under valgrind every process starts and exits several times slower.
slow_factor() { if [ "${VALGRIND:-0}" = 1 ]; then echo 4; else echo 1; fi; }

group_is_empty() { [ -z "$(live_group_pids "$1")" ]; }

# The distinct worker PIDs in the server's "Client connected" lines.
served_by() {
    sed -n 's/^Client connected: .* (worker \([0-9]*\))$/\1/p' "$SERVER_OUT" | sort -u
}

# -w must be a number from 1 to the folder's maximum.
prefork_bad_worker_counts() {
    local folder=$1 args
    for args in "-w 0 0" "-w -1 0" "-w x 0" "-w 100000 0" "-w" "-w 3"; do
        # shellcheck disable=SC2086 # word splitting of $args is the point
        run timeout 5 "$KIT_ROOT/$folder/server" $args
        [ "$status" -eq 2 ] || { echo "server $args: status $status, not 2"; return 1; }
        [[ "$output" == *usage:* ]] || { echo "server $args: no usage line"; return 1; }
    done
}

# -w N: the parent plus N workers, all in the server's process group.
prefork_worker_count() {
    local folder=$1 n
    for n in 1 4; do
        start_server "$folder" -d 0 -q -w "$n"
        wait_until 2 count_is $((1 + n)) live_group_pids "$SERVER_PID" ||
            { echo "-w $n: $(live_group_pids "$SERVER_PID" | wc -l) processes"; return 1; }
        [ "$(worker_pids | wc -l)" -eq "$n" ]
        stop_server
    done
    start_server "$folder" -d 0 -q
    wait_until 2 count_is 11 live_group_pids "$SERVER_PID"
}

# Log lines name the worker that served the client: one of the parent's
# children, not the parent itself.
prefork_log_names_worker() {
    local folder=$1 pid
    start_server "$folder" -d 0 -w 2
    # A literal address: the log line is checked for it (localhost may be ::1).
    run_client "$folder" 127.0.0.1 "$PORT" <<<"hola"
    [ "$output" = "Reply is 'HOLA'" ]
    wait_until 2 grep -q '^Client disconnected: ' "$SERVER_OUT"
    grep -Eq '^Client connected: 127\.0\.0\.1:[0-9]+ \(worker [0-9]+\)$' "$SERVER_OUT"
    grep -Eq '^Client disconnected: 127\.0\.0\.1:[0-9]+ \(worker [0-9]+\)$' "$SERVER_OUT"
    pid=$(served_by)
    [ "$pid" != "$SERVER_PID" ]
    worker_pids | grep -qx "$pid"
}

# SIGKILL one worker: the parent reaps it, logs it and forks a new one, and
# the service goes on with the full pool.
prefork_killed_worker_replaced() {
    local folder=$1 victim
    start_server "$folder" -d 10 -w 3
    wait_until 2 count_is 3 worker_pids
    victim=$(worker_pids | head -n 1)
    kill -KILL "$victim"
    wait_until 2 grep -q "^worker $victim killed by signal 9.*replacing it" "$SERVER_OUT" ||
        { cat "$SERVER_OUT"; return 1; }
    wait_until 2 count_is 3 worker_pids
    if worker_pids | grep -qx "$victim"; then echo "$victim still alive"; return 1; fi
    [ "$(zombie_children "$SERVER_PID")" -eq 0 ]
    run_client "$folder" -q -n 6 -r 2 localhost "$PORT"
    [ "$status" -eq 0 ]
}

# SIGKILL the parent while a worker is busy with a client and the others
# are idle: every worker exits by itself within about a second, and no
# orphan keeps the port.
prefork_parent_killed() {
    local folder=$1 holder
    start_server "$folder" -d 100 -w 4
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 8 &
    holder=$!
    sleep 0.3
    kill -KILL "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    wait_until $((2 * $(slow_factor))) group_is_empty "$SERVER_PID" ||
        { echo "left behind: $(live_group_pids "$SERVER_PID")"; kill "$holder"; return 1; }
    kill "$holder" 2>/dev/null || true
    run --separate-stderr timeout 5 "$KIT_ROOT/$folder/client" 127.0.0.1 "$PORT" <<<"anyone?"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"Connection refused" ]]
}

# Ctrl-C in a terminal sends SIGINT to the whole foreground group: the
# workers as well as the parent. Still shut down, exit 0, nothing left.
prefork_ctrl_c_to_group() {
    local folder=$1
    start_server "$folder" -d 200 -w 3
    timeout 10 "$KIT_ROOT/tests/tools/peer" hold localhost "$PORT" 5 &
    local holder=$!
    sleep 0.3
    kill -INT -- "-$SERVER_PID"
    KIT_STOP_WAIT=3 stop_server 0 # signal 0: only wait, send nothing more
    kill "$holder" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    # The workers stopped because they were told to, not because they died.
    [ "$(grep -c 'replacing it' "$SERVER_OUT")" -eq 0 ]
    wait_until 1 group_is_empty "$SERVER_PID"
}

# The parent's descriptors: the same after 100 connections as before.
prefork_parent_fd_count() {
    local folder=$1 before
    start_server "$folder" -d 0 -q -w 3
    before=$(fd_count "$SERVER_PID")
    run_peer many localhost "$PORT" 100
    [ "$status" -eq 0 ]
    wait_until 5 value_is "$before" fd_count "$SERVER_PID"
}

# 10 clients x 8 words at 100 ms: with W workers, W clients are served at a
# time, so ceil(10/W) rounds of 8 x 100 ms.
prefork_timing_three_workers() {
    stress_time "$1" 10 100 -w 3
    # Never faster than 4 rounds of 0.8 s; generous above for a loaded machine.
    ratio_between "$ELAPSED" 3.2 0.95 1.6
}

prefork_timing_default_pool() {
    stress_time "$1" 10 100
    # One round of 0.8 s: all 10 served at once, far below the serial 8 s.
    ratio_between "$ELAPSED" 0.8 0.95 2.0
}

# More clients than workers: the extra ones wait for a free worker, and
# every one of them is served in the end (none refused).
prefork_clients_wait_for_a_worker() {
    local folder=$1
    stress_time "$folder" 6 50 -w 2
    # 3 rounds of 8 x 50 ms: they did wait.
    less_than 1.14 "$ELAPSED"
}

# 200 clients at once against 2 workers, one message of DELAY ms each
# (default 10): far more than the workers (and than 04's queue in the
# parent) can hold. The rest wait in the kernel's listen queue; every one
# is served.
prefork_many_clients_none_refused() {
    local folder=$1 delay=${2:-10}
    start_server "$folder" -d "$delay" -q -w 2
    run_client "$folder" -q -n 200 -r 1 localhost "$PORT"
    [ "$status" -eq 0 ]
    [[ "${lines[-1]}" == "200 clients, 200 replies, 0 errors, "* ]]
}

# cpu_ticks PID : user + system CPU time the process has used, in clock
# ticks (1/100 s here).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# A client that sends 8 MiB and never reads blocks only its own worker.
prefork_noread_client_blocks_only_its_worker() {
    local folder=$1
    start_server "$folder" -d 0 -q -w 3
    timeout 10 "$KIT_ROOT/tests/tools/peer" noread localhost "$PORT" 8388608 4 &
    local hog=$!
    sleep 0.3
    run_client "$folder" -q -n 2 localhost "$PORT"
    kill "$hog" 2>/dev/null || true
    [ "$status" -eq 0 ]
}

# socket_inodes PID : the sockets a process holds, as inode numbers (the
# same number in two processes means one socket shared by both).
socket_inodes() {
    local fd
    for fd in /proc/"$1"/fd/*; do readlink "$fd"; done 2>/dev/null |
        sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u
}

# shared_with_parent PID : the sockets a worker and the server both hold.
shared_with_parent() {
    comm -12 <(socket_inodes "$1") <(socket_inodes "$SERVER_PID")
}

# SIGTERM while a worker is blocked writing to a client that never reads
# (tools/prefork_stuck_peer.c): the worker cannot finish its reply until
# the kernel finds room for it, so after the delay plus a second of grace
# the parent kills it if need be. Either way: shut down in time, exit 0.
prefork_sigterm_with_stuck_worker() {
    local folder=$1 hog
    start_server "$folder" -d 0 -q -w 2
    timeout 10 "$KIT_ROOT/tests/tools/prefork_stuck_peer" 127.0.0.1 "$PORT" &
    hog=$!
    sleep 1
    elapsed stop_server TERM
    kill "$hog" 2>/dev/null || true
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    less_than "$ELAPSED" $((3 * $(slow_factor)))
    wait_until 1 group_is_empty "$SERVER_PID"
}

# A worker that cannot act on SIGTERM at all (frozen by SIGSTOP, as a
# debugger would leave it) is killed after the delay plus the second of
# grace; the parent says so and shuts down as usual.
prefork_sigterm_with_frozen_worker() {
    local folder=$1
    start_server "$folder" -d 100 -q -w 2
    wait_until 2 count_is 2 worker_pids
    kill -STOP "$(worker_pids | head -n 1)"
    elapsed stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    grep -q '^server: 1 worker did not stop in time: killed$' "$SERVER_ERR"
    # Not before the grace time of 0.1 + 1 s, not much after it.
    less_than 1.05 "$ELAPSED"
    less_than "$ELAPSED" $((3 * $(slow_factor)))
    wait_until 1 group_is_empty "$SERVER_PID"
}
