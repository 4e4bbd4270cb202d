#!/usr/bin/env bash
# Install the system packages pontes needs (Debian/Ubuntu, apt only) and check that a
# Python 3 with Jinja2 and PyYAML is available for the generator.
# Idempotent; prints nothing but the chosen Python when everything is already present.
# Env: PONTES_PYTHON=/path/to/python3 to prefer a given interpreter;
#      PONTES_BOOTSTRAP_QUIET=1 to omit the final "python: ..." line.
set -euo pipefail

# make and libc6-dev are only Recommends of cmake/gcc: list them, since we skip recommends.
PACKAGES=(libcurl4-openssl-dev libssl-dev libcjson-dev libcmocka-dev python3-jinja2 python3-yaml openssl ca-certificates
          cmake gcc libc6-dev make pkg-config valgrind abigail-tools doxygen clang)

die() { echo "bootstrap: error: $*" >&2; exit 1; }

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        if [ "$status" != "install ok installed" ]; then
            missing+=("$p")
        fi
    done
else
    # Not Debian-like: just check the tools, the user installs the equivalents.
    for t in cmake cc pkg-config; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        die "not a Debian/Ubuntu system (no dpkg-query) and missing: ${missing[*]}; install the equivalents of: ${PACKAGES[*]}"
    fi
fi

if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing missing packages: ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
        # Non-interactive sessions (CI, no stdin) must not hang on a password prompt.
        if [ ! -t 0 ] && ! sudo -n true 2>/dev/null; then
            die "missing packages (${missing[*]}) and sudo needs a password; run: sudo apt-get install ${missing[*]}"
        fi
    else
        die "missing packages (${missing[*]}); not root and sudo is not available. As root run: apt-get install ${missing[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install: ${missing[*]}"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        || die "apt-get update failed"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        || die "apt-get install ${missing[*]} failed"
fi

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
py=$(pontes_find_python) || die "no Python 3 with Jinja2 and PyYAML found (tried: ${PONTES_PYTHON:+$PONTES_PYTHON }python3 on PATH, /usr/bin/python3); install python3-jinja2 python3-yaml"
if [ "${PONTES_BOOTSTRAP_QUIET:-0}" != 1 ]; then
    echo "bootstrap: generator python: $py"
fi
