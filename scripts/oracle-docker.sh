#!/usr/bin/env bash
# The Docker oracle for the end-to-end suite: Debian's dockerd (docker.io) on its own
# socket and roots, with no bridge and no iptables rules, loaded with the same busybox
# rootfs as berth.
#
#   scripts/oracle-docker.sh start    # idempotent; exit 0 when it answers /_ping
#   scripts/oracle-docker.sh stop     # SIGTERM by PID (then SIGKILL), unmount its leftovers
#   scripts/oracle-docker.sh status
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
DOCKER_CLI="${DOCKER_CLI:-/usr/local/bin/docker}"
[ -x "$DOCKER_CLI" ] || DOCKER_CLI="$(command -v docker || true)"

odocker() { DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$RUN_DIR/cli" "$DOCKER_CLI" "$@"; }

start() {
  need_root
  if ping_socket "$SOCK"; then log "already running ($SOCK)"; else
    [ -x "$DOCKERD" ] || die "$DOCKERD not found (apt-get install docker.io, or scripts/install-test-deps.sh)"
    mkdir -p "$RUN_DIR/cli" "$EXEC_ROOT" "$DATA_ROOT"
    [ -f "$RUN_DIR/cli/config.json" ] || echo '{}' > "$RUN_DIR/cli/config.json"
    log "starting $DOCKERD on $SOCK (log $LOG)"
    setsid "$DOCKERD" -H "unix://$SOCK" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
      --pidfile "$PIDFILE" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
      --userland-proxy=false --log-level=warn >> "$LOG" 2>&1 < /dev/null &
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
  local pid="" ctd="" i
  [ -f "$PIDFILE" ] && pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [ -f "$EXEC_ROOT/containerd/containerd.pid" ] && ctd="$(cat "$EXEC_ROOT/containerd/containerd.pid" 2>/dev/null || true)"
  if ping_socket "$SOCK"; then
    odocker ps -aq 2>/dev/null | xargs -r env DOCKER_HOST="unix://$SOCK" DOCKER_CONFIG="$RUN_DIR/cli" "$DOCKER_CLI" rm -f > /dev/null 2>&1 || true
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
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if ping_socket "$SOCK"; then echo "running: unix://$SOCK"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
