# tests/servers.bash - the kit's servers and the configurations the
# cross-folder suites (hostile.bats, valgrind.bats) run them in.

# "FOLDER [OPTIONS...]" for every TCP server configuration worth testing.
KIT_TCP_SERVERS=(
    "01-iterative"
    "02-thread"
    "02-thread -w 4"
    "03-fork"
    "04-prefork-pool -w 4"
    "05-prefork-accept -w 4"
    "08-select"
    "09-epoll"
    "09-epoll -w 4"
    "09-epoll -E"
)
# 11-io-uring joins wherever this kernel lets it run (tests/io_uring.bash).
# shellcheck source=tests/io_uring.bash
. "$KIT_ROOT/tests/io_uring.bash"
io_uring_unavailable >/dev/null || KIT_TCP_SERVERS+=("11-io-uring")

# Servers that serve one client at a time and so, by design, stall while a
# client does not read (the lesson of 01): the hostile suite checks only
# that they recover once that client leaves.
KIT_SERIAL_SERVERS=" 01-iterative "

# Prefork parents whose workers must exit when the parent is SIGKILLed.
KIT_PREFORK_SERVERS=(
    "04-prefork-pool -w 3"
    "05-prefork-accept -w 3"
    "06-udp -P 3"
)

# for_each CHECK CONFIGS... : runs `CHECK FOLDER OPTIONS...` for every
# configuration, cleaning up between them; fails naming each configuration
# whose check failed.
for_each() {
    local check=$1 config failed=()
    shift
    for config in "$@"; do
        # A subshell with errexit, NOT in a condition (`if ! (...)` would
        # silently disable set -e inside it): every assertion of the check
        # counts, and the subshell cleans up the servers it started.
        set +e
        # shellcheck disable=SC2086 # "folder options" splits on purpose
        (
            set -e
            trap kit_cleanup EXIT
            $check $config
        )
        local rc=$?
        set -e
        [ "$rc" -eq 0 ] || failed+=("$config")
    done
    if [ "${#failed[@]}" -gt 0 ]; then
        printf 'failed for: %s\n' "${failed[@]}"
        return 1
    fi
}
