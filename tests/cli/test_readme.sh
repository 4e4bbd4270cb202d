#!/usr/bin/env bash
# The README's C snippets that are whole translation units (those starting with #include)
# compile against the headers of the tree: runtime/include and every generated/<api>/include.
# Usage: test_readme.sh SOURCE_DIR C_COMPILER
set -euo pipefail
src=$1 cc=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-readme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# every ```c block, one file each; only those whose first line is an #include are units
awk -v dir="$tmp" '
    /^[ \t]*```c[ \t]*$/ { n++; file = sprintf("%s/snippet%02d.c", dir, n); inblock = 1; first = 1; next }
    inblock && /^[ \t]*```[ \t]*$/ { inblock = 0; close(file); next }
    inblock { if (first && $0 !~ /^#include/) { inblock = 0; next } first = 0; print > file }
' "$src/README.md"
incs=(-I "$src/runtime/include")
for d in "$src"/generated/*/include; do incs+=(-I "$d"); done
n=0 failed=0
for f in "$tmp"/snippet*.c; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    if ! "$cc" -std=c11 -Wall -Wextra -Werror -fsyntax-only "${incs[@]}" "$f" 2>"$f.err"; then
        echo "test_readme: README snippet $(basename "$f") does not compile:" >&2
        sed 's/^/  /' "$f" >&2
        cat "$f.err" >&2
        failed=$((failed + 1))
    fi
done
[ "$n" -gt 0 ] || { echo "test_readme: no C snippet starting with #include in README.md" >&2; exit 1; }
grep -q "bctt_process_list_iter_new" "$tmp"/snippet*.c || { echo "test_readme: the BCTT iterator snippet is gone" >&2; exit 1; }
[ "$failed" -eq 0 ] || exit 1
echo "test_readme: $n README snippets compile"
