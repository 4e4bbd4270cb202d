#!/usr/bin/env bash
# README command 1: install missing Debian packages, build everything in build/
# (RelWithDebInfo) and run the demo against the bundled mock server.
#   tools/build.sh [--no-demo]
# Env: PONTES_JOBS (default: 2), PONTES_PYTHON (generator Python, see tools/bootstrap.sh).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

demo=1
for a in "$@"; do
    case "$a" in
        --no-demo) demo=0 ;;
        -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: tools/build.sh [--no-demo]" >&2; exit 2 ;;
    esac
done
jobs=${PONTES_JOBS:-2}

tools/bootstrap.sh

cmake_args=(-S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPONTES_SANITIZE=OFF)
[ -n "${PONTES_PYTHON:-}" ] && cmake_args+=("-DPONTES_PYTHON=$PONTES_PYTHON")
echo "== configure (build/)"
cmake "${cmake_args[@]}"
echo "== build"
cmake --build build -j "$jobs"

if [ $demo -eq 1 ]; then
    echo "== demo against the mock server"
    PONTES_BUILD_DIR=build tools/demo/run-demo.sh
fi
echo "build.sh: OK"
