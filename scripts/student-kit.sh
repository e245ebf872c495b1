#!/bin/sh
# scripts/student-kit.sh - writes the student kit: this repository (the
# reference) with the core exercise of each assigned folder stubbed out, and
# no solution of any exercise inside.
#
#   make student-kit EXERCISES="03-fork 08-select" [STUDENT_KIT=file.tar.gz]
#
# The exercises live beside the code, never in it (exercises/README.md):
#
#   exercises/NN-name/core.patch    turns the reference into the student's
#                                   starting point: the folder's core
#                                   function becomes a TODO and a stub
#   exercises/NN-name/EXTRA.patch   the solution of graded extra EXTRA,
#                                   graded by tests/exercises/NN-name/EXTRA.bats
#
# In the kit, each assigned folder has its core.patch applied, so `make`
# still builds and that folder's tests (tests/NN-name*.bats) fail until the
# student writes the code. Every .patch is left out of the kit: they are
# the answers. Only the files git tracks are packed (never a scratch file
# an experiment left behind); outside a git checkout, every file but the
# build products. POSIX sh, patch, tar.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${STUDENT_KIT:-$root/student-kit.tar.gz}
exercises=${EXERCISES:-}

fail() {
    echo "student-kit: $*" >&2
    exit 2
}

[ -n "$exercises" ] || fail 'name the folders to assign: make student-kit EXERCISES="03-fork 08-select"'
for folder in $exercises; do
    case $folder in
        [0-9][0-9]-*) ;;
        *) fail "'$folder' is not a section folder (like 03-fork)" ;;
    esac
    [ -d "$root/$folder" ] || fail "there is no folder '$folder' in this kit"
    [ -f "$root/exercises/$folder/core.patch" ] ||
        fail "'$folder' has no core exercise (exercises/$folder/core.patch)"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
kit="$work/upper-kit"
mkdir "$kit"

# list_sources : the files to pack, one per line, relative to the root.
list_sources() {
    if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$root" ls-files
    else
        (cd "$root" && find . -type f ! -path './.git/*' ! -path './.build/*' \
            ! -name 'student-kit*.tar.gz' ! -name 'libkit.a' \
            ! -path './bench-results*' -print | sed 's|^\./||') |
        while IFS= read -r file; do
            # A program the Makefile built: an executable beside its .c.
            if [ -x "$root/$file" ] && [ -f "$root/$file.c" ]; then
                continue
            fi
            printf '%s\n' "$file"
        done
    fi
}

list_sources | while IFS= read -r file; do
    [ -f "$root/$file" ] || continue # tracked but deleted in the work tree
    mkdir -p "$kit/$(dirname "$file")"
    cp -p "$root/$file" "$kit/$file"
done

for folder in $exercises; do
    (cd "$kit" && patch -p1 -s <"exercises/$folder/core.patch") ||
        fail "exercises/$folder/core.patch does not apply to this reference"
    echo "student-kit: $folder: core exercise stubbed (TODO($folder))"
done
# The answers stay with the instructor, and so does patch's litter.
find "$kit" \( -name '*.patch' -o -name '*.orig' -o -name '*.rej' \) -type f -exec rm -f {} +
# shellcheck disable=SC2086 # one folder per line: splitting is the point
printf '%s\n' $exercises >"$kit/ASSIGNED_EXERCISES"

(cd "$work" && tar -czf - upper-kit) >"$out"
echo "student-kit: wrote $out (unpack with: tar -xzf $(basename "$out"))"
