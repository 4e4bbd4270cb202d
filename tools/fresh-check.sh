#!/usr/bin/env bash
# Run the README's two commands on a fresh Debian 12 root (debootstrap --variant=minbase),
# the way a new user's machine would: nothing installed but what tools/bootstrap.sh installs.
# Needs root, debootstrap and access to the Debian mirror; takes ~5 minutes. Not part of CI
# (it depends on the network); run it after changing the build scripts or dependencies.
#   tools/fresh-check.sh [ROOT_DIR]     (default: a new temporary directory, removed afterwards)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "fresh-check: apt-get install debootstrap" >&2; exit 2; }
keep=${1:+yes}   # a root given by the caller is kept (and reused next time)
root=${1:-$(mktemp -d /tmp/pontes-fresh.XXXXXX)}
cleanup() {
    for m in dev/pts dev proc sys; do umount "$root/$m" 2>/dev/null || true; done
    # never delete through a mount that is still there
    if [ -z "$keep" ] && ! grep -q " $root/" /proc/mounts; then rm -rf "$root"; fi
}
trap cleanup EXIT
[ -x "$root/bin/bash" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
mkdir -p "$root/work"
rm -rf "$root/work/main" "$root/work/shared"
git clone -q "$here" "$root/work/main"
[ -d "$here/../shared" ] && cp -r "$here/../shared" "$root/work/shared"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount --bind /proc "$root/proc"
mount --bind /dev "$root/dev"
mount -t devpts devpts "$root/dev/pts"
mount --bind /sys "$root/sys"
run() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI=true \
        /bin/bash -c "cd /work/main && $1"; }
echo "== fresh root: tools/build.sh"
run "tools/build.sh"
echo "== fresh root: tools/test.sh"
run "tools/test.sh"
echo "fresh-check: OK"
