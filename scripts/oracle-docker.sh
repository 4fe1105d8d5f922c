#!/usr/bin/env bash
# The Docker oracle for the end-to-end suite: Debian's dockerd (docker.io) on its own
# socket and roots, loaded with the same busybox rootfs as berth, with a default bridge of
# its own that this script creates (never docker0: a dockerd started with --bridge=none
# deletes the host's docker0) and no iptables rules (--iptables=false --ip-masq=false;
# published ports go through docker-proxy, --userland-proxy=true).
#
#   scripts/oracle-docker.sh start    # idempotent; exit 0 when it answers /_ping
#   scripts/oracle-docker.sh stop     # rm containers and user networks, SIGTERM by PID (then
#                                     # SIGKILL), unmount its leftovers, delete its bridge
#   scripts/oracle-docker.sh status
#
# Network layout (env overrides, e.g. to run a second oracle beside the first):
#   BERTH_ORACLE_BRIDGE  default bridge name          (berth-oracle0)
#   BERTH_ORACLE_BIP     its gateway address/prefix   (10.251.0.1/24)
#   BERTH_ORACLE_POOL    user networks' address pool  (10.252.0.0/16, /24 each)
# dockerd refuses --bip together with --bridge ("You specified -b & --bip, mutually exclusive
# options"), so the address is put on the bridge here and dockerd takes it from there.
# dockerd turns on net.ipv4.ip_forward, so start first installs scripts/lib/forward-guard.sh
# (forwarded traffic never leaves through the default-route interface).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

RUN_DIR="${BERTH_ORACLE_RUN:-/run/berth-oracle}"
SOCK="$RUN_DIR/docker.sock"
EXEC_ROOT="$RUN_DIR/exec"
PIDFILE="$RUN_DIR/dockerd.pid"
DATA_ROOT="${BERTH_ORACLE_DATA:-/var/lib/berth-oracle-docker}"
LOG="${BERTH_ORACLE_LOG:-/var/log/berth-oracle-dockerd.log}"
DOCKERD="${DOCKERD:-/usr/sbin/dockerd}"
DOCKER_PROXY="${DOCKER_PROXY:-/usr/sbin/docker-proxy}"
DOCKER_CLI="${DOCKER_CLI:-/usr/local/bin/docker}"
[ -x "$DOCKER_CLI" ] || DOCKER_CLI="$(command -v docker || true)"
BRIDGE="${BERTH_ORACLE_BRIDGE:-berth-oracle0}"
BIP="${BERTH_ORACLE_BIP:-10.251.0.1/24}"
POOL="${BERTH_ORACLE_POOL:-10.252.0.0/16}"
# Markers (in the tmpfs run dir) of what this script created, so stop removes only that.
BRIDGE_MARK="$RUN_DIR/bridge.created"
GUARD_MARK="$RUN_DIR/forward-guard.installed"

odocker() { DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$RUN_DIR/cli" "$DOCKER_CLI" "$@"; }

make_bridge() {
  if ! ip link show "$BRIDGE" > /dev/null 2>&1; then
    log "creating bridge $BRIDGE ($BIP)"
    ip link add "$BRIDGE" type bridge
    echo "$BRIDGE" > "$BRIDGE_MARK"
  fi
  ip -4 addr show dev "$BRIDGE" | grep -q "inet $BIP " || ip addr add "$BIP" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

start() {
  need_root
  if ping_socket "$SOCK"; then log "already running ($SOCK)"; else
    [ -x "$DOCKERD" ] || die "$DOCKERD not found (apt-get install docker.io, or scripts/install-test-deps.sh)"
    mkdir -p "$RUN_DIR/cli" "$EXEC_ROOT" "$DATA_ROOT"
    [ -f "$RUN_DIR/cli/config.json" ] || echo '{}' > "$RUN_DIR/cli/config.json"
    if ! bash scripts/lib/forward-guard.sh status > /dev/null 2>&1; then
      bash scripts/lib/forward-guard.sh install || die "could not install the forward guard"
      touch "$GUARD_MARK"
    fi
    make_bridge
    log "starting $DOCKERD on $SOCK (bridge $BRIDGE, log $LOG)"
    setsid "$DOCKERD" -H "unix://$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" --bridge="$BRIDGE" --default-address-pool "base=$POOL,size=24" \
      --iptables=false --ip6tables=false --ip-masq=false \
      --userland-proxy=true --userland-proxy-path="$DOCKER_PROXY" \
      --log-level=warn >> "$LOG" 2>&1 < /dev/null &
    if ! wait_ping "$SOCK" 60; then
      tail -n 30 "$LOG" >&2 || true
      stop || true
      die "dockerd did not answer /_ping on $SOCK within 60 s"
    fi
  fi
  if ! odocker image inspect busybox:latest > /dev/null 2>&1; then
    log "loading busybox:latest into the oracle"
    scripts/make-busybox-rootfs.sh | odocker import -c 'CMD ["sh"]' - busybox:latest > /dev/null
  fi
  log "ready: DOCKER_HOST=unix://$SOCK"
}

stop() {
  local pid="" ctd="" i ifc
  [ -f "$PIDFILE" ] && pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -f "$EXEC_ROOT/containerd/containerd.pid" ] && ctd="$(cat "$EXEC_ROOT/containerd/containerd.pid" 2>/dev/null || true)"
  if ping_socket "$SOCK"; then
    odocker ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$RUN_DIR/cli" "$DOCKER_CLI" rm -f > /dev/null 2>&1 || true
    # user networks are its br-* bridges: remove them while dockerd still knows them
    odocker network prune -f > /dev/null 2>&1 || true
  fi
  if [ -n "$pid" ] && pid_alive "$pid"; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  if [ -n "$ctd" ] && pid_alive "$ctd"; then
    for ((i = 0; i < 25; i++)); do pid_alive "$ctd" || break; sleep 0.2; done
    pid_alive "$ctd" && { log "stopping its containerd (pid $ctd)"; kill -TERM "$ctd" 2>/dev/null || true; }
  fi
  unmount_under "$EXEC_ROOT"
  unmount_under "$DATA_ROOT"
  rm -f "$SOCK" "$PIDFILE"
  if [ -f "$BRIDGE_MARK" ] && ip link show "$BRIDGE" > /dev/null 2>&1; then
    # veths dockerd left on its bridge (containers killed with it), then the bridge itself
    for ifc in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
      ip link del "$ifc" 2>/dev/null || true
    done
    log "deleting bridge $BRIDGE"
    ip link del "$BRIDGE" 2>/dev/null || true
  fi
  rm -f "$BRIDGE_MARK"
  # The guard goes only if this script installed it and nothing forwards any more.
  if [ -f "$GUARD_MARK" ]; then
    if [ "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" = 0 ]; then
      bash scripts/lib/forward-guard.sh remove || true
    else
      log "forward guard left installed: net.ipv4.ip_forward is still 1 (scripts/lib/forward-guard.sh remove)"
    fi
    rm -f "$GUARD_MARK"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if ping_socket "$SOCK"; then echo "running: unix://$SOCK"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
