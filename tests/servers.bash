# tests/servers.bash - the kit's servers and the configurations the
# cross-folder suites (hostile.bats, valgrind.bats) run them in.

# The lists come from the sections themselves (NN-name/section.conf,
# read by bench/sections.sh; KIT_SECTIONS="03-fork 09-epoll" runs a suite
# on a few sections only). Each entry is "FOLDER [OPTIONS...]".
# shellcheck source=bench/sections.sh
source "$KIT_ROOT/bench/sections.sh"

# servers_that NAME VALUE : the configurations (configs) of every section
# whose NAME is VALUE.
servers_that() {
    local folder options
    while IFS= read -r folder; do
        [ "$(section_list "$folder" "$1")" = "$2" ] || continue
        section_unavailable "$folder" >/dev/null && continue
        while IFS= read -r options; do
            printf '%s\n' "$folder${options:+ $options}"
        done < <(section_list "$folder" configs)
    done < <(kit_sections)
}

# Every configuration of a TCP server worth testing, and of a UDP server.
mapfile -t KIT_TCP_SERVERS < <(servers_that serves tcp)
mapfile -t KIT_UDP_SERVERS < <(servers_that serves udp)

# Servers that serve one client at a time and so, by design, stall while a
# client does not read (the lesson of 01): the hostile suite checks only
# that they recover once that client leaves. (" 01-iterative ": a string.)
KIT_SERIAL_SERVERS=" $(servers_that serial yes | tr '\n' ' ')"

# Prefork parents whose workers must exit when the parent is SIGKILLed
# (prefork: the options that start the workers).
mapfile -t KIT_PREFORK_SERVERS < <(section_runs prefork)

# Servers that, out of descriptors, pause instead of spinning (out_of_fds).
mapfile -t KIT_OUT_OF_FDS_SERVERS < <(section_runs out_of_fds)

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
