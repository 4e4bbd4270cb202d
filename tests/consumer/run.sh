#!/usr/bin/env bash
# Install a pontes build tree into a temporary prefix and use it from outside:
#   1. cmake --install BUILD --prefix TMP
#   2. configure/build tests/consumer with find_package(pontes) (shared and static), run both
#   3. compile main.c with `pkg-config --cflags --libs pontes-eccor`, and others.c with
#      `pkg-config --cflags --libs pontes-bestbank pontes-bizapis`, run them
# Usage: tests/consumer/run.sh BUILD_DIR [C_COMPILER] [CMAKE_COMMAND] [CMAKE_GENERATOR]
# (ctest: find_package_consumer). Exit status 0 when everything works.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [C_COMPILER] [CMAKE_COMMAND] [CMAKE_GENERATOR]}
build=$(cd "$build" && pwd)
cc=${2:-${CC:-cc}}
cmake_cmd=${3:-cmake}
generator=${4:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-consumer.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
prefix=$tmp/prefix

step() { printf '== %s\n' "$*"; }
run_logged() { # run a command, show its output only if it fails
    local log=$tmp/step.log
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        echo "run.sh: FAILED: $*" >&2
        exit 1
    fi
}

step "install $build into a temporary prefix"
run_logged "$cmake_cmd" --install "$build" --prefix "$prefix"

config=$(find "$prefix" -name pontesConfig.cmake -print -quit)
[ -n "$config" ] || { echo "run.sh: no pontesConfig.cmake under $prefix" >&2; exit 1; }
libdir=$(dirname "$(dirname "$(dirname "$config")")")   # <prefix>/lib/cmake/pontes -> <prefix>/lib
pcdir=$libdir/pkgconfig
for api in eccor bestbank bizapis; do
    [ -f "$pcdir/pontes-$api.pc" ] || { echo "run.sh: $pcdir/pontes-$api.pc missing" >&2; exit 1; }
    [ -f "$prefix/include/pontes/$api.h" ] || { echo "run.sh: include/pontes/$api.h missing" >&2; exit 1; }
done
[ -f "$prefix/include/pontes/pontes.h" ] && [ -f "$prefix/include/pontes/eccor.h" ] \
    || { echo "run.sh: headers missing under $prefix/include/pontes" >&2; exit 1; }

step "find_package(pontes) consumer"
gen_args=()
[ -n "$generator" ] && gen_args=(-G "$generator")
run_logged "$cmake_cmd" -S "$here" -B "$tmp/build" "${gen_args[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug
found=$(sed -n 's/^pontes_DIR:[A-Z]*=//p' "$tmp/build/CMakeCache.txt")
case "$found" in
    "$prefix"/*) ;;
    *) echo "run.sh: find_package(pontes) found '$found', not the temporary prefix" >&2; exit 1 ;;
esac
run_logged "$cmake_cmd" --build "$tmp/build"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/build/consumer"
"$tmp/build/consumer_static"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/build/consumer_others"
"$tmp/build/consumer_others_static"
if command -v ldd >/dev/null 2>&1 && ldd "$tmp/build/consumer_static" | grep -q 'libpontes'; then
    echo "run.sh: consumer_static is linked against a shared libpontes" >&2
    exit 1
fi

step "pkg-config pontes-eccor consumer"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
flags=$(pkg-config --cflags --libs pontes-eccor)
echo "pkg-config --cflags --libs pontes-eccor: $flags"
pkg-config --static --libs pontes-eccor >/dev/null
# shellcheck disable=SC2086  # word splitting of the flags is intended
"$cc" -std=c11 -Wall -Wextra -Werror "$here/main.c" -o "$tmp/consumer_pc" $flags
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/consumer_pc"
step "pkg-config pontes-bestbank pontes-bizapis consumer"
flags=$(pkg-config --cflags --libs pontes-bestbank pontes-bizapis)
echo "pkg-config --cflags --libs pontes-bestbank pontes-bizapis: $flags"
# shellcheck disable=SC2086
"$cc" -std=c11 -Wall -Wextra -Werror "$here/others.c" -o "$tmp/consumer_others_pc" $flags
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/consumer_others_pc"
pkg-config --static --libs pontes-bestbank pontes-bizapis >/dev/null

echo "run.sh: OK"
