#!/usr/bin/env bash
# Build a minimal, deterministic busybox root filesystem tarball from the host's
# static busybox (Debian's busybox-static, /usr/bin/busybox). No network needed.
#
#   scripts/make-busybox-rootfs.sh            # tar on stdout
#   scripts/make-busybox-rootfs.sh OUT.tar    # tar written atomically to OUT.tar
#
# Typical use:  scripts/make-busybox-rootfs.sh | berth import -c 'CMD ["sh"]' - busybox:latest
# The same bytes come out on every run (sorted names, mtime 0, uid/gid 0).
set -euo pipefail

BUSYBOX="${BUSYBOX:-/usr/bin/busybox}"
out="${1:--}"

if [ ! -x "$BUSYBOX" ]; then
  echo "make-busybox-rootfs: $BUSYBOX not found (apt-get install busybox-static)" >&2
  exit 1
fi
if LC_ALL=C ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "make-busybox-rootfs: $BUSYBOX is dynamically linked (install busybox-static)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/berth-rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
umask 022
mkdir -p "$root"
cd "$root"

for d in bin dev etc home proc root sys tmp usr usr/bin usr/sbin sbin var var/spool var/www var/log var/tmp; do
  mkdir -p "$d"
done
chmod 1777 tmp var/tmp
chmod 0700 root

install -m 0755 "$BUSYBOX" bin/busybox
"$BUSYBOX" --list | LC_ALL=C sort -u | while read -r applet; do
  [ -n "$applet" ] && [ "$applet" != busybox ] && ln -sf busybox "bin/$applet"
done

cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
nogroup:x:65534:
GROUP
cat > etc/shadow <<'SHADOW'
root:*:10933:0:99999:7:::
daemon:*:10933:0:99999:7:::
nobody:*:10933:0:99999:7:::
SHADOW
chmod 0640 etc/shadow
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > etc/nsswitch.conf

tar_args=(--sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$root" -cf)
if [ "$out" = "-" ]; then
  tar "${tar_args[@]}" - .
else
  tar "${tar_args[@]}" "$work/rootfs.tar" .
  mv -f "$work/rootfs.tar" "$out"
fi
