#!/usr/bin/env bash
# berthd soak (issue 9, item 7): run/exec/logs/rm cycles for MINUTES against a private berthd,
# berthd's RSS and open fds sampled after every cycle, and their slope (least squares over the
# samples after the first fifth, the warm-up): KB/min and fds/min. Flat means no leak.
#
#   sudo bash bench/soak-bench.sh [MINUTES]      # default 30 (the issue's soak); 10 is a quick one
#
# One cycle: run -d (stdout and stderr lines, then sleep), exec true, exec with output, logs,
# inspect, rm -f; every 10th cycle also a user network with a container on it (DNS names,
# endpoints) created and removed. Driven by the docker CLI (v28) over berthd's socket.
# Results: bench/results/soak.tsv (t_s, rss_kib, fds, cycles), soak.md, soak.json.
# Env: SOAK_BRIDGE, SOAK_BIP, SOAK_POOL: the private berthd's bridge (bsoak0, 10.226.0.1/24, pool
# 10.226.128.0/17). SOAK_BERTHD_SOCK + SOAK_BERTHD_PID: soak an already running berthd instead of a
# private one (e.g. from bench/perf-bench.sh); it must have busybox:latest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
need_root
MINUTES="${1:-30}"
SECS="$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker)"
[ -f dist/src/daemon/main.js ] || npm run --silent build

work="$(mktemp -d /tmp/berth-soak.XXXXXX)"
berthd_pid="${SOAK_BERTHD_PID:-}"
sock="${SOAK_BERTHD_SOCK:-}"
own=0
cleanup() {
  if [ "$own" = 1 ] && [ -n "$berthd_pid" ]; then
    bd rm -f soak-c soak-n > /dev/null 2>&1 || true
    bd network rm soak-net > /dev/null 2>&1 || true
    kill -TERM "$berthd_pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$berthd_pid" 2> /dev/null || break; sleep 0.2; done
    # its bridge and nft tables (berthd leaves them for containers that outlive it)
    ip link del "${SOAK_BRIDGE:-bsoak0}" 2> /dev/null || true
    nft delete table ip "berth-${SOAK_BRIDGE:-bsoak0}" 2> /dev/null || true
    nft delete table ip "berth-${SOAK_BRIDGE:-bsoak0}-user" 2> /dev/null || true
  fi
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/cli" && echo '{}' > "$work/cli/config.json"
bd() { DOCKER_HOST="unix://$sock" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }

if [ -z "$sock" ]; then
  own=1
  sock="$work/berth.sock"
  mkdir -p "$work/data" "$work/exec"
  bash scripts/lib/forward-guard.sh install
  # its own bridge and pools, away from the test suite's and the oracles'
  # started as installed: through the bin (its shebang drops NODE_EXTRA_CA_CERTS, sets the threadpool)
  chmod +x dist/src/daemon/main.js
  setsid dist/src/daemon/main.js -H "unix://$sock" --data-root "$work/data" --exec-root "$work/exec" \
    --pidfile "$work/berthd.pid" --bridge "${SOAK_BRIDGE:-bsoak0}" --bip "${SOAK_BIP:-10.226.0.1/24}" \
    --default-address-pool "base=${SOAK_POOL:-10.226.128.0/17},size=24" > "$work/berthd.log" 2>&1 < /dev/null &
  berthd_pid=$!
  wait_ping "$sock" 30 || { tail -n 20 "$work/berthd.log"; die "berthd did not start"; }
  scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
  bd import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null
fi
[ -n "$berthd_pid" ] || die "SOAK_BERTHD_PID is needed with SOAK_BERTHD_SOCK"

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fd_count() { ls "/proc/$1/fd" | wc -l; }

cycle() {
  local i="$1"
  bd run -d --name soak-c busybox sh -c 'i=0; while [ $i -lt 200 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done; sleep 300' > /dev/null
  bd exec soak-c true
  bd exec soak-c sh -c 'echo hi; echo there >&2' > /dev/null 2>&1
  bd logs soak-c > /dev/null 2>&1
  bd logs --tail 5 soak-c > /dev/null 2>&1
  bd inspect soak-c > /dev/null
  bd rm -f soak-c > /dev/null
  if [ $((i % 10)) = 0 ]; then
    bd network create soak-net > /dev/null
    bd run -d --name soak-n --network soak-net busybox sleep 300 > /dev/null
    bd rm -f soak-n > /dev/null
    bd network rm soak-net > /dev/null
  fi
}

log "soak: $MINUTES min of run/exec/logs/rm cycles on berthd (pid $berthd_pid)"
rss0="$(rss_kib "$berthd_pid")"; fd0="$(fd_count "$berthd_pid")"
: > "$OUT/soak.tsv"
t0="$(date +%s.%N)"
n=0 failed=0
while :; do
  el="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
  awk -v e="$el" -v s="$SECS" 'BEGIN { exit !(e >= s) }' && break
  n=$((n + 1))
  cycle "$n" || { failed=$((failed + 1)); bd rm -f soak-c soak-n > /dev/null 2>&1 || true; bd network rm soak-net > /dev/null 2>&1 || true; }
  printf '%s\t%s\t%s\t%s\n' "$el" "$(rss_kib "$berthd_pid")" "$(fd_count "$berthd_pid")" "$n" >> "$OUT/soak.tsv"
done
# let the idle trim run, then the figures at rest
sleep 20
rss1="$(rss_kib "$berthd_pid")"; fd1="$(fd_count "$berthd_pid")"

# least squares over the samples after the first fifth: slope per minute
read -r rss_slope fd_slope <<< "$(awk -v n="$(wc -l < "$OUT/soak.tsv")" 'NR > n / 5 {
    k++; x = $1 / 60; sx += x; sxx += x * x; sr += $2; sxr += x * $2; sf += $3; sxf += x * $3 }
  END { d = k * sxx - sx * sx; if (k < 3 || d == 0) { print "nan nan"; exit }
        printf "%.1f %.3f\n", (k * sxr - sx * sr) / d, (k * sxf - sx * sf) / d }' "$OUT/soak.tsv")"
cat > "$OUT/soak.md" << EOF
berthd soak, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $MINUTES min: $n cycles (run -d, exec ×2, logs ×2, inspect, rm -f; every 10th a network), $failed failed

| figure | value |
|---|---|
| RSS before / after (+20 s idle) | $((rss0 / 1024)) MB / $((rss1 / 1024)) MB |
| open fds before / after | $fd0 / $fd1 |
| RSS slope (after warm-up) | $rss_slope KB/min |
| fd slope (after warm-up) | $fd_slope fds/min |
EOF
jq -n --argjson minutes "$MINUTES" --argjson cycles "$n" --argjson failed "$failed" --argjson rss0 "$rss0" --argjson rss1 "$rss1" \
  --argjson fd0 "$fd0" --argjson fd1 "$fd1" --arg rs "$rss_slope" --arg fs "$fd_slope" \
  '{minutes: $minutes, cycles: $cycles, failed: $failed, rss_kib_before: $rss0, rss_kib_after: $rss1, fds_before: $fd0, fds_after: $fd1,
    rss_slope_kib_per_min: ($rs | tonumber? // null), fd_slope_per_min: ($fs | tonumber? // null)}' > "$OUT/soak.json"
cat "$OUT/soak.md"
[ "$failed" = 0 ] || die "$failed cycles failed (see above)"
