#!/usr/bin/env bash
# Start Prism (Stoplight's stateless OpenAPI mock, an independent implementation) for one spec,
# wait until it answers, print where it is, and leave it running in the background.
#
#   tools/prism.sh <api|path/to/openapi.json> [--port N] [--log FILE] [--timeout S]
#
# <api> is a generated prefix (eccor, bestbank, bizapis: serves generated/<api>/openapi.json).
# Prints, one per line (eval-able):  PRISM_URL=http://127.0.0.1:PORT  PRISM_PID=PID  PRISM_LOG=FILE
# PRISM_PID leads its own process group: stop it with  kill -- -$PRISM_PID
# Prism runs through npx (Node.js + the npm registry; the first fetch takes ~30 s):
#   npx --yes @stoplight/prism-cli@$PONTES_PRISM_VERSION mock -h 127.0.0.1 -p PORT <spec>
# Env: PONTES_PRISM_VERSION (default 5.14.2), PONTES_PRISM_ARGS (more `prism mock` arguments,
# e.g. "--dynamic"). Exit 0 when it answers, 1 when it exits or does not answer in time.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=${PONTES_PRISM_VERSION:-5.14.2}
die() { echo "prism.sh: error: $*" >&2; exit 1; }
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

spec= port= log= timeout=240
while [ $# -gt 0 ]; do
    case $1 in
        --port) port=${2:?--port needs a value}; shift 2 ;;
        --log) log=${2:?--log needs a value}; shift 2 ;;
        --timeout) timeout=${2:?--timeout needs a value}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [ -z "$spec" ] || die "one spec only"; spec=$1; shift ;;
    esac
done
[ -n "$spec" ] || { usage >&2; exit 2; }
if [ ! -f "$spec" ]; then
    [[ $spec =~ ^[a-z][a-z0-9_]*$ ]] || die "$spec: no such file, and not an API prefix"
    spec=$root/generated/$spec/openapi.json
    [ -f "$spec" ] || die "$spec not found (is the API generated? tools/regenerate.sh)"
fi
command -v npx >/dev/null || die "npx not found: install Node.js and npm (apt-get install nodejs npm)"
command -v curl >/dev/null || die "curl not found"
if [ -z "$port" ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) ||
        die "no free port found (python3 missing?): give --port"
fi
[ -n "$log" ] || log=$(mktemp "${TMPDIR:-/tmp}/pontes-prism.XXXXXX.log")

# a process group of its own (setsid), so that npx, node and prism stop together
# shellcheck disable=SC2086
setsid npx --yes "@stoplight/prism-cli@$version" mock -h 127.0.0.1 -p "$port" ${PONTES_PRISM_ARGS:-} "$spec" \
    </dev/null >"$log" 2>&1 &
pid=$!
url=http://127.0.0.1:$port

deadline=$((SECONDS + timeout))
while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "prism.sh: Prism exited before answering; its log ($log):" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    # any HTTP status (401, 404, ...) means it listens; 000 means not yet
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --noproxy '*' "$url/" 2>/dev/null || true)
    if [ -n "$code" ] && [ "$code" != 000 ] && grep -q 'Prism is listening' "$log"; then
        break
    fi
    if [ $SECONDS -ge $deadline ]; then
        kill -- "-$pid" 2>/dev/null || true
        die "Prism did not answer on $url within $timeout s (log: $log)"
    fi
    sleep 0.5
done
echo "PRISM_URL=$url"
echo "PRISM_PID=$pid"
echo "PRISM_LOG=$log"
