#!/usr/bin/env bats
# 11-io-uring: one thread, one io_uring, requests handled on completion
# (CONTRACT.md §3-5 and §14). Where io_uring is not available the tests
# that need a running server skip, naming the cause (tests/io_uring.bash).

load tcp_contract
load io_uring

setup_file() { kit_build 11-io-uring tests/tools/peer tests/tools/holdmany; }

setup() {
    case "$BATS_TEST_DESCRIPTION" in
    "without io_uring"* | "bad command lines"* | "-h prints"* | "connection refused"* | "stress mode against nothing"*) ;;
    *) require_io_uring ;;
    esac
}

@test "bad command lines print usage and exit 2" { contract_usage_errors 11-io-uring; }
@test "-h prints usage on stdout and exits 0" { contract_help 11-io-uring; }
@test "a port already in use is reported, exit 1" { contract_port_in_use 11-io-uring; }
@test "hola comes back as Reply is 'HOLA', server logs the client" { contract_round_trip 11-io-uring; }
@test "several lines on one connection, empty lines skipped" { contract_lines_and_empty_lines 11-io-uring; }
@test "NUL, 0xFF and UTF-8 bytes come back unchanged, only a-z change" { contract_binary_bytes 11-io-uring; }
@test "a 1 MiB line comes back whole" { contract_one_mebibyte_line 11-io-uring; }
@test "IPv4 and IPv6 clients are both served" { contract_ipv4_and_ipv6 11-io-uring; }
@test "connection refused and unknown host: client says so, exit 1" { contract_connection_refused 11-io-uring; }
@test "the server closing first is an error for the client" { contract_server_closes_first 11-io-uring; }
@test "a peer that resets costs only itself" { contract_peer_reset 11-io-uring; }
@test "a half-closed client still gets its reply" { contract_half_close 11-io-uring; }
@test "SIGTERM with a client connected: shut down, exit 0, nothing left" { contract_sigterm_cleanup 11-io-uring; }
@test "SIGINT: shut down, exit 0" { contract_sigint_cleanup 11-io-uring; }
@test "-q silences per-client lines" { contract_quiet 11-io-uring; }
@test "stress mode prints every reply and the summary line" { contract_stress_summary 11-io-uring; }
@test "stress mode against nothing: errors counted, exit 1" { contract_stress_errors 11-io-uring; }
@test "stress mode gives up on a missing reply after -t seconds" { contract_stress_timeout 11-io-uring; }

# --- the server's own behaviour ------------------------------------------------

# refused_by_seccomp ERRNO : runs the server with io_uring_setup refused
# with ERRNO (a seccomp filter, as a container runtime installs one).
# System call 425 is io_uring_setup on every architecture.
refused_by_seccomp() {
    require_command python3 python3
    run --separate-stderr timeout 5 python3 -c '
import ctypes, errno, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
def insn(code, k, jt=0, jf=0): return struct.pack("HBBI", code, jt, jf, k)
prog = (insn(0x20, 0)                              # load the system call number
        + insn(0x15, 425, 0, 1)                    # io_uring_setup?
        + insn(0x06, 0x00050000 | getattr(errno, sys.argv[1]))  # fail with ERRNO
        + insn(0x06, 0x7fff0000))                  # allow everything else
code = ctypes.create_string_buffer(prog)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Fprog(4, ctypes.addressof(code))
if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.byref(fprog), 0, 0):
    sys.exit("seccomp: " + os.strerror(ctypes.get_errno()))
os.execv(sys.argv[2], sys.argv[2:])
' "$1" "$KIT_ROOT/11-io-uring/server" -q 0
}

@test "without io_uring (refused by seccomp: EPERM, or hidden: ENOSYS) the server says why in one line, exit 1" {
    refused_by_seccomp EPERM
    [ "$status" -eq 1 ]
    [[ "$stderr" == "server: io_uring: "*"kernel.io_uring_disabled or a seccomp profile"* ]]
    [ "${#stderr_lines[@]}" -eq 1 ]
    [ -z "$output" ] # never got as far as listening
    refused_by_seccomp ENOSYS
    [ "$status" -eq 1 ]
    [[ "$stderr" == "server: io_uring: not in this kernel"* ]]
}

@test "4 clients x 8 words at 50 ms take about 8*N*D = 1.6 s: the work runs in the loop" {
    stress_time 11-io-uring 4 50
    ratio_between "$ELAPSED" 1.6 0.95 1.6
}

@test "replies of different clients interleave (concurrent, not parallel)" {
    start_server 11-io-uring -d 20 -q
    run_client 11-io-uring -n 3 localhost "$PORT"
    [ "$status" -eq 0 ]
    changes=$(reply_blocks)
    [ "$changes" -gt 6 ]
}

@test "a stop signal during the work is not lost: it ends the next wait, exit 0" {
    start_server 11-io-uring -d 1000
    timeout 10 "$KIT_ROOT/11-io-uring/client" localhost "$PORT" < <(echo busy; sleep 3) >/dev/null 2>&1 &
    for _ in $(seq 100); do
        grep -q '^Client connected' "$SERVER_OUT" && break
        sleep 0.05
    done
    sleep 0.3 # inside the 1 s of work: SIGTERM is blocked there
    local start=$SECONDS
    KIT_STOP_WAIT=4 stop_server TERM
    [ "$STOP_STATUS" -eq 0 ]
    [ "$(tail -n 1 "$SERVER_OUT")" = "shut down" ]
    [ $((SECONDS - start)) -le 2 ]
}

@test "4 MiB of random bytes from one client come back byte for byte (short sends resumed)" {
    start_server 11-io-uring -d 0 -q
    head -c 4194304 /dev/urandom >"$BATS_TEST_TMPDIR/in"
    timeout 20 "$KIT_ROOT/tests/tools/peer" halfclose localhost "$PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/got"
    upper_reference "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "a client that never reads does not stall others, nor grow memory" {
    start_server 11-io-uring -d 0 -q
    timeout 20 "$KIT_ROOT/tests/tools/peer" noread localhost "$PORT" 8388608 6 &
    local noread=$!
    sleep 1
    elapsed timeout 5 "$KIT_ROOT/11-io-uring/client" localhost "$PORT" <<<"not stalled"
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" 2
    # One request in flight per client: its one buffer of CONN_BUFFER_SIZE
    # waits in the kernel, nothing more is read from it.
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
    [ "${VALGRIND:-0}" = 1 ] || [ -n "$KIT_SANITIZER" ] || less_than "$rss" 8192
    kill "$noread" 2>/dev/null || true
}

@test "10 clients that never read are dropped once their reply has not moved for 5 s" {
    contract_nonreaders_dropped 11-io-uring
}

@test "2,000 idle connections each hold one read in flight: served beside them, memory bounded" {
    start_server 11-io-uring -d 0 -q
    timeout 30 "$KIT_ROOT/tests/tools/holdmany" 127.0.0.1 "$PORT" 2000 4 >"$BATS_TEST_TMPDIR/hold" &
    local holder=$!
    for _ in $(seq 200); do
        grep -q holding "$BATS_TEST_TMPDIR/hold" && break
        sleep 0.05
    done
    grep -q 'holding 2000' "$BATS_TEST_TMPDIR/hold"
    elapsed timeout 5 "$KIT_ROOT/11-io-uring/client" 127.0.0.1 "$PORT" <<<"beside the idle"
    [ "$STATUS" -eq 0 ]
    less_than "$ELAPSED" 2
    # A struct conn with its CONN_BUFFER_SIZE buffer each: about 9 MiB.
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
    echo "RSS $rss KiB with 2,000 idle connections"
    [ "${VALGRIND:-0}" = 1 ] || [ -n "$KIT_SANITIZER" ] || less_than "$rss" 20480
    wait "$holder"
}

@test "5,000 short connections leave the descriptor count unchanged" {
    start_server 11-io-uring -d 0 -q
    before=$(fd_count "$SERVER_PID")
    run_peer many localhost "$PORT" 5000
    [ "$status" -eq 0 ]
    sleep 0.2
    [ "$(fd_count "$SERVER_PID")" -eq "$before" ]
}

@test "-o writes one trace line per request" {
    start_server 11-io-uring -d 0 -q
    run_client 11-io-uring -q -n 3 -r 4 -o "$BATS_TEST_TMPDIR/trace" 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    [ "$(head -n 1 "$BATS_TEST_TMPDIR/trace")" = "$(printf 'client\trequest\tsent\treplied\tbytes')" ]
    [ "$(tail -n +2 "$BATS_TEST_TMPDIR/trace" | grep -cE '^[1-3]	[1-4]	[0-9]+\.[0-9]{6}	[0-9]+\.[0-9]{6}	[0-9]+$')" -eq 12 ]
}

@test "batching: 100 clients x 20 requests cost fewer io_uring_enter calls than requests" {
    require_command strace strace
    [ "${VALGRIND:-0}" = 0 ] || skip "strace and valgrind cannot both trace the server"
    [ -z "$KIT_SANITIZER" ] || skip "a sanitizer build: LeakSanitizer cannot run under strace"
    local calls=$BATS_TEST_TMPDIR/calls tracer server enters
    KIT_STARTED=$((KIT_STARTED + 1))
    SERVER_OUT=$BATS_TEST_TMPDIR/traced.out
    setsid strace -f -c -o "$calls" "$KIT_ROOT/11-io-uring/server" -q -d 0 0 >"$SERVER_OUT" 2>&1 </dev/null &
    tracer=$!
    # shellcheck disable=SC2031 # each test runs in its own subshell
    KIT_GROUPS+=("$tracer")
    for _ in $(seq 200); do
        PORT=$(sed -n 's/^listening on port //p' "$SERVER_OUT")
        [ -z "$PORT" ] || break
        sleep 0.05
    done
    [ -n "$PORT" ] || skip "strace cannot trace here: $(head -n 1 "$SERVER_OUT")"
    run_client 11-io-uring -q -n 100 -r 20 127.0.0.1 "$PORT"
    [ "$status" -eq 0 ]
    server=$(pgrep -P "$tracer")
    kill -INT "$server"
    wait "$tracer" || true
    cat "$calls"
    # strace -c: calls are the 4th column, the name the last.
    enters=$(awk '$NF == "io_uring_enter" { print $4 }' "$calls")
    # 2,000 requests, for which a readiness loop makes 4,000 reads and
    # writes; here the clients' sockets are never read or written by a
    # system call of their own (the few left are start-up's: getaddrinfo,
    # the log lines).
    [ -n "$enters" ] && [ "$enters" -lt 2000 ]
    direct=$(awk '$NF ~ /^(read|write|recvfrom|sendto|recvmsg|sendmsg)$/ { n += $4 } END { print n + 0 }' "$calls")
    [ "$direct" -lt 20 ]
}
