# scripts/pid-dir.sh - sourced by scripts/serve and scripts/stop: where the
# PIDs of the servers are kept, and the checks that make that place ours.
# A PID file is an order to signal a process. In a directory someone else
# can write (one of theirs, or a symlink to one), they could write "-1"
# (kill -TERM -1: every process of ours) or the PID of any process of ours
# running the right program. So both scripts refuse a directory that is a
# symlink, not owned by the caller, or not mode 700.
dir=${KIT_SERVE_DIR:-${TMPDIR:-/tmp}/upper-kit-$(id -u)}

# pid_dir_refused PROG : 1 when $dir is a real directory of the caller's,
# mode 700; else 0 after saying why on stderr ("PROG: DIR ...: refused").
pid_dir_refused() {
    if [ -L "$dir" ] || [ ! -d "$dir" ]; then
        echo "$1: $dir is a symlink or not a directory: refused" >&2
    elif [ ! -O "$dir" ]; then
        echo "$1: $dir is not owned by you: refused" >&2
    else
        case $(ls -ld "$dir") in
        drwx------*) return 1 ;;
        *) echo "$1: $dir is not mode 700 (others could write PID files there): refused" >&2 ;;
        esac
    fi
    return 0
}
