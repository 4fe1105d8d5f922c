#!/usr/bin/env bash
# THE set-up command:  sudo ./scripts/setup.sh   (idempotent, Debian 12, needs root)
#  1. apt packages berth needs at run time   2. npm ci + npm run build
#  3. /usr/local/bin/berth and berthd         4. start berthd (systemd unit, or background)
#  5. busybox:latest from the host's static busybox (offline)   6. a first container
# Env: BERTH_SOCKET (default /run/berth.sock), BERTH_LOG (default /var/log/berthd.log),
#      BERTH_SKIP_APT=1, BERTH_NO_START=1 (install only).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
SOCK="${BERTH_SOCKET:-/run/berth.sock}"
LOG="${BERTH_LOG:-/var/log/berthd.log}"
need_root

# 1. runtime packages
if [ "${BERTH_SKIP_APT:-0}" != 1 ]; then
  apt_install crun runc conmon busybox-static iproute2 nftables iptables catatonit tini jq util-linux ca-certificates ||
    die "apt-get install failed"
fi
command -v node > /dev/null || die "node (>= 20) is required (Debian 12's nodejs is 18: install Node 20 first)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "node >= 20 is required, found $(node --version)"

# 2. dependencies and build
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
log "npm run build"
if ! npm run --silent build; then
  [ -f dist/src/daemon/main.js ] && [ -f dist/cli/berth.cjs ] || die "build failed and emitted no binaries"
  log "warning: the build reported type errors (see above); continuing with what was emitted"
fi

# 3. binaries: a symlink to the JS file when it has a shebang (fastest start), else a wrapper
link_bin() {
  local name="$1" js="$REPO/$2" dest="/usr/local/bin/$1"
  [ -f "$js" ] || die "$js missing after the build"
  chmod +x "$js"
  rm -f "$dest"
  if head -c 2 "$js" | grep -q '^#!'; then
    ln -s "$js" "$dest"
  else
    printf '#!/bin/sh\nexec node %q "$@"\n' "$js" > "$dest"
    chmod +x "$dest"
  fi
  log "installed $dest -> $js"
}
link_bin berth dist/cli/berth.cjs
link_bin berthd dist/src/daemon/main.js

[ "${BERTH_NO_START:-0}" = 1 ] && { log "installed (BERTH_NO_START=1: berthd not started)"; exit 0; }

# 4. berthd
if ping_socket "$SOCK"; then
  log "berthd already answers on $SOCK"
elif [ "$(ps -p 1 -o comm= 2>/dev/null)" = systemd ]; then
  log "installing systemd unit berthd.service"
  cat > /etc/systemd/system/berthd.service <<UNIT
[Unit]
Description=berth container engine (Docker Engine API)
After=network.target

[Service]
ExecStart=/usr/local/bin/berthd -H unix://$SOCK
Delegate=yes
KillMode=process
Restart=on-failure
LimitNOFILE=1048576

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable --now berthd.service
else
  log "starting berthd in the background (log $LOG)"
  mkdir -p "$(dirname "$LOG")"
  setsid /usr/local/bin/berthd -H "unix://$SOCK" >> "$LOG" 2>&1 < /dev/null &
fi
if ! wait_ping "$SOCK" 30; then
  tail -n 30 "$LOG" >&2 2>/dev/null || true
  die "berthd did not answer /_ping on $SOCK within 30 s (log: $LOG)"
fi
export DOCKER_HOST="unix://$SOCK"

# 5. offline base image
if ! berth image inspect busybox:latest > /dev/null 2>&1; then
  log "creating busybox:latest from /usr/bin/busybox"
  scripts/make-busybox-rootfs.sh | berth import -c 'CMD ["sh"]' - busybox:latest > /dev/null
fi

# 6. first container
berth run --rm busybox echo "hello from berth"
log "ready: berth and docker (DOCKER_HOST=unix://$SOCK) talk to berthd"
