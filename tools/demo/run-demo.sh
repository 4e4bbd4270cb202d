#!/usr/bin/env bash
# Run the demo (build/tools/pontes-demo) against the bundled mock server:
# starts tools/mock/mock_server.py on a free loopback port, runs the demo with the mock's
# default OAuth2 client credentials, stops the server, exits with the demo's status.
#   tools/demo/run-demo.sh [extra pontes-demo arguments...]
# Env: PONTES_BUILD_DIR (default: build), PYTHON (default: python3).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=${PONTES_BUILD_DIR:-build}
demo=$build/tools/pontes-demo
spec=generated/eccor/openapi.json
python=${PYTHON:-python3}
client_id=pontes-demo
client_secret=pontes-demo-secret

die() { echo "run-demo: error: $*" >&2; exit 1; }
[ -x "$demo" ] || die "$demo not found: build first (cmake -S . -B $build && cmake --build $build), or the demo is not part of this checkout yet"
[ -f "$spec" ] || die "$spec not found: run tools/regenerate.sh"
[ -f tools/mock/mock_server.py ] || die "tools/mock/mock_server.py not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pontes-demo.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$python" tools/mock/mock_server.py --spec "$spec" --port 0 --port-file "$tmp/port" --quiet \
    --client-id "$client_id" --client-secret "$client_secret" >"$tmp/server.log" 2>&1 &
server_pid=$!

port=
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
echo "run-demo: mock server on $base"
set +e
"$demo" --base-url "$base" --token-url "$base/oauth2/token" \
    --client-id "$client_id" --client-secret "$client_secret" "$@"
rc=$?
set -e
if [ $rc -ne 0 ]; then
    echo "run-demo: pontes-demo failed (exit $rc); mock server log:" >&2
    tail -n 50 "$tmp/server.log" >&2 || true
fi
exit $rc
