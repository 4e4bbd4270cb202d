#!/usr/bin/env bash
# Run the demos against the bundled mock server, one mock per API on a free loopback port:
#   eccor     build/tools/pontes-demo           OAuth2 token -> products -> simulation -> borrower -> credit note
#   bestbank  build/tools/pontes-demo-bestbank  consent -> balances -> movements -> a transfer
#   bizapis   build/tools/pontes-demo-bizapis   upload a credit-responsibility map -> summary in euros
#   bctt      build/tools/pontes-demo-bctt      session -> simulation -> process (borrower, document,
#                                               property) -> submit -> summary, the broker's processes
# Usage:
#   tools/demo/run-demo.sh                       every demo, in this order
#   tools/demo/run-demo.sh API [demo arguments]  one demo, e.g. `run-demo.sh bizapis --base64`
# Env: PONTES_BUILD_DIR (default: build), PYTHON (default: python3).
# Exit status: 0 when every demo run succeeded.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${PONTES_BUILD_DIR:-build}
python=${PYTHON:-python3}
all_apis=(eccor bestbank bizapis bctt)

die() { echo "run-demo: error: $*" >&2; exit 1; }
[ -f tools/mock/mock_server.py ] || die "tools/mock/mock_server.py not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-demo.XXXXXX")
server_pid=
stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_mock SPEC [mock flags...]: starts the mock, sets $base
start_mock() {
    local spec=$1
    shift
    [ -f "$spec" ] || die "$spec not found: run tools/regenerate.sh"
    rm -f "$tmp/port"
    "$python" tools/mock/mock_server.py --spec "$spec" --port 0 --port-file "$tmp/port" --quiet "$@" \
        >"$tmp/server.log" 2>&1 &
    server_pid=$!
    local port=
    for _ in $(seq 1 150); do   # 15 s
        if [ -s "$tmp/port" ]; then
            port=$(tr -dc '0-9' <"$tmp/port")
            [ -n "$port" ] && break
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$tmp/server.log" >&2
            die "the mock server exited before listening"
        fi
        sleep 0.1
    done
    if [ -z "$port" ]; then
        cat "$tmp/server.log" >&2
        die "the mock server did not report its port within 15 s"
    fi
    base=http://127.0.0.1:$port
}

# run_demo API [demo arguments...]
run_demo() {
    local api=$1
    shift
    local demo spec
    case $api in
        eccor) demo=$build/tools/pontes-demo ;;
        bestbank|bizapis|bctt) demo=$build/tools/pontes-demo-$api ;;
        *) die "unknown API '$api' (one of: ${all_apis[*]})" ;;
    esac
    spec=generated/$api/openapi.json
    [ -x "$demo" ] || die "$demo not found: build first (cmake -S . -B $build && cmake --build $build)"
    start_mock "$spec"
    echo "run-demo: $api: mock server on $base"
    local rc=0
    case $api in
        eccor)
            "$demo" --base-url "$base" --token-url "$base/oauth2/token" \
                --client-id pontes-demo --client-secret pontes-demo-secret "$@" || rc=$? ;;
        *)
            "$demo" --base-url "$base" "$@" || rc=$? ;;
    esac
    if [ $rc -ne 0 ]; then
        echo "run-demo: $demo failed (exit $rc); mock server log:" >&2
        tail -n 50 "$tmp/server.log" >&2 || true
    fi
    stop_server
    return $rc
}

if [ $# -gt 0 ]; then
    api=$1
    shift
    run_demo "$api" "$@"
    exit $?
fi
for api in "${all_apis[@]}"; do
    run_demo "$api"
    echo
done
