#!/usr/bin/env bash
# bench/lib/debian-rootfs.sh [OUT.tar]: a debian:bookworm root filesystem made by debootstrap
# (minbase, as Docker's debian images; Debian's mirror from /etc/apt/sources.list*), as a plain tar, cached:
# the first run takes a few minutes and needs Debian's package mirror, later runs copy the
# cache ($BENCH_CACHE, default /var/cache/berth-bench). Prints the path of the cached tar.
# Only Debian's packages are fetched; nothing else leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/common.sh
need_root
CACHE="${BENCH_CACHE:-/var/cache/berth-bench}"
TAR="$CACHE/perf-debian-bookworm-rootfs.tar"
if [ ! -s "$TAR" ]; then
  command -v debootstrap > /dev/null || apt_install debootstrap || die "debootstrap missing"
  mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1)"
  [ -n "$mirror" ] || mirror="$(awk '$1 == "deb" && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list 2> /dev/null)"
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*"
  mkdir -p "$CACHE"
  root="$(mktemp -d /var/tmp/berth-debootstrap.XXXXXX)" # not in the cache dir: others clean theirs there
  trap 'unmount_under "$root"; rm -rf "$root"' EXIT
  log "debootstrap bookworm from $mirror into $root (cached as $TAR; a few minutes, once)"
  debootstrap --variant=minbase --arch="$(dpkg --print-architecture)" bookworm "$root/rootfs" "$mirror" > "$root/log" 2>&1 ||
    { tail -n 20 "$root/log" >&2; die "debootstrap failed"; }
  unmount_under "$root/rootfs"
  # what the image keeps of it: the downloaded .debs and apt lists go, as in Docker's debian image
  rm -rf "$root/rootfs"/var/cache/apt/archives/*.deb "$root/rootfs"/var/lib/apt/lists/* "$root/rootfs/debootstrap"
  tar --numeric-owner --xattrs -cf "$TAR.tmp" -C "$root/rootfs" .
  mv "$TAR.tmp" "$TAR"
  log "cached $TAR ($(du -m "$TAR" | cut -f1) MB, $(tar -tf "$TAR" | wc -l) entries)"
fi
if [ -n "${1:-}" ]; then cp "$TAR" "$1"; echo "$1"; else echo "$TAR"; fi
