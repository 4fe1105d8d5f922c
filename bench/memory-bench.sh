#!/usr/bin/env bash
# berthd's memory against Docker's (issue 9, item 7), both engines in the same run:
#   boot      RSS 10 s after the daemon answers, nothing run yet
#   workload  50 × `run -d busybox sleep` (8 in parallel) then `rm -f` of all, one container
#             printing 100,000 lines whose `docker logs` is read once, then removed
#   after     RSS every 5 s for MEM_IDLE_SECONDS (30) after the workload; the last is the figure
# berthd: VmRSS of its one process (RssAnon/RssFile also shown: the file part is mostly node's
# own binary, shared with every node process). Docker: dockerd + its containerd, summed.
#
#   sudo bash bench/memory-bench.sh
#
# Results: bench/results/memory.md and memory.json. Docker is a private instance of
# scripts/oracle-docker.sh (run dir /run/berth-mem-oracle, bridge bmemd0, 10.227.0.0/16),
# started and stopped here; berthd a private one (bridge bmem0, 10.228.0.0/16).
# Env: MEM_IDLE_SECONDS (30), MEM_COUNT (50), MEM_LOG_LINES (100000), MEM_ORACLE_SOCK: use a
# running oracle instead (its run dir must hold dockerd.pid and exec/containerd/containerd.pid).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
need_root
IDLE="${MEM_IDLE_SECONDS:-30}"
COUNT="${MEM_COUNT:-50}"
LINES="${MEM_LOG_LINES:-100000}"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker)"
[ -f dist/src/daemon/main.js ] || npm run --silent build

work="$(mktemp -d /tmp/berth-mem.XXXXXX)"
PD_RUN=/run/berth-mem-oracle
berthd_pid="" oracle_started=0
private_oracle() {
  BERTH_ORACLE_RUN="$PD_RUN" BERTH_ORACLE_DATA="$work/docker-data" BERTH_ORACLE_LOG="$work/dockerd.log" \
    BERTH_ORACLE_BRIDGE=bmemd0 BERTH_ORACLE_BIP=10.227.0.1/24 BERTH_ORACLE_POOL=10.227.128.0/17 \
    bash scripts/oracle-docker.sh "$@"
}
cleanup() {
  if [ -n "$berthd_pid" ]; then
    kill -TERM "$berthd_pid" 2> /dev/null || true
    for _ in $(seq 50); do kill -0 "$berthd_pid" 2> /dev/null || break; sleep 0.2; done
  fi
  # what berthd leaves on the host by design (it outlives the daemon for running containers)
  ip link del bmem0 2> /dev/null || true
  nft delete table ip berth-bmem0 2> /dev/null || true
  nft delete table ip berth-bmem0-user 2> /dev/null || true
  [ "$oracle_started" = 1 ] && private_oracle stop > /dev/null 2>&1 || true
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/cli" && echo '{}' > "$work/cli/config.json"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
bash scripts/lib/forward-guard.sh install

BSOCK="$work/berth.sock"
mkdir -p "$work/data" "$work/exec"
# started as installed: through the bin (its shebang drops NODE_EXTRA_CA_CERTS, sets the threadpool)
chmod +x dist/src/daemon/main.js
setsid dist/src/daemon/main.js -H "unix://$BSOCK" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/berthd.pid" --bridge bmem0 --bip 10.228.0.1/24 --default-address-pool base=10.228.128.0/17,size=24 \
  > "$work/berthd.log" 2>&1 < /dev/null &
berthd_pid=$!
wait_ping "$BSOCK" 30 || { tail -n 20 "$work/berthd.log"; die "berthd did not start"; }

if [ -n "${MEM_ORACLE_SOCK:-}" ]; then
  DSOCK="$MEM_ORACLE_SOCK"; drun="$(dirname "$DSOCK")"
elif private_oracle start; then
  oracle_started=1; DSOCK="$PD_RUN/docker.sock"; drun="$PD_RUN"
else
  log "the Docker oracle did not start: Docker columns are empty"; DSOCK=""
fi
E() { local e="$1"; shift; DOCKER_HOST="unix://$([ "$e" = berth ] && echo "$BSOCK" || echo "$DSOCK")" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
E berth import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null
engines=(berth); [ -n "$DSOCK" ] && engines+=(docker)

kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status" 2> /dev/null || echo 0; }
# rss ENGINE [FIELD]: berthd's, or dockerd's + containerd's (KiB)
rss() {
  local f="${2:-VmRSS}"
  if [ "$1" = berth ]; then kib "$berthd_pid" "$f"; return; fi
  echo $(($(kib "$(cat "$drun/dockerd.pid")" "$f") + $(kib "$(cat "$drun/exec/containerd/containerd.pid")" "$f")))
}

sleep 10
declare -A boot after peak
for e in "${engines[@]}"; do boot[$e]="$(rss "$e")"; done
boot_anon="$(rss berth RssAnon)"
curve=""
for e in "${engines[@]}"; do
  log "workload on $e: $COUNT containers run and removed, a $LINES-line logs"
  seq "$COUNT" | xargs -P 8 -I{} env DOCKER_HOST="unix://$([ "$e" = berth ] && echo "$BSOCK" || echo "$DSOCK")" DOCKER_CONFIG="$work/cli" \
    "$DOCKER" run -d --name "mem-{}" busybox sleep 3600 > /dev/null
  E "$e" rm -f $(seq -f 'mem-%g' "$COUNT") > /dev/null
  E "$e" run -d --name mem-logs busybox sh -c "seq 1 $LINES" > /dev/null
  E "$e" wait mem-logs > /dev/null
  got="$(E "$e" logs mem-logs | wc -l)"
  [ "$got" = "$LINES" ] || log "warning: $e logs gave $got lines"
  E "$e" rm -f mem-logs > /dev/null
  peak[$e]="$(rss "$e")"
done
# idle: both engines sampled together
for ((s = 5; s <= IDLE; s += 5)); do
  sleep 5
  line="$s s:"
  for e in "${engines[@]}"; do line="$line $e $(($(rss "$e") / 1024)) MB"; done
  curve="$curve$line"$'\n'
done
for e in "${engines[@]}"; do after[$e]="$(rss "$e")"; done
after_anon="$(rss berth RssAnon)"

mb() { awk -v k="${1:-0}" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { [ -n "${2:-}" ] && [ "${2:-0}" != 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }
{
  echo "berthd vs dockerd+containerd, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, berth $(git -C "$REPO" rev-parse --short HEAD 2> /dev/null)"
  echo
  echo "| RSS | Docker (dockerd+containerd) | berthd | berthd/Docker | target |"
  echo "|---|---|---|---|---|"
  echo "| after boot (10 s) | $(mb "${boot[docker]:-}") MB | $(mb "${boot[berth]}") MB (anon $(mb "$boot_anon")) | $(ratio "${boot[berth]}" "${boot[docker]:-}") | berthd ≤ 50 MB |"
  echo "| right after the workload | $(mb "${peak[docker]:-}") MB | $(mb "${peak[berth]}") MB | $(ratio "${peak[berth]}" "${peak[docker]:-}") | |"
  echo "| ${IDLE} s after the workload | $(mb "${after[docker]:-}") MB | $(mb "${after[berth]}") MB (anon $(mb "$after_anon")) | $(ratio "${after[berth]}" "${after[docker]:-}") | berthd < 60 MB |"
  echo
  echo "Workload: $COUNT × run -d (8 parallel) + rm -f, one $LINES-line logs. Idle curve:"
  echo
  echo '```'
  printf '%s' "$curve"
  echo '```'
} | tee "$OUT/memory.md"
jq -n --argjson bb "${boot[berth]}" --argjson bd "${boot[docker]:-null}" --argjson pb "${peak[berth]}" --argjson pd "${peak[docker]:-null}" \
  --argjson ab "${after[berth]}" --argjson ad "${after[docker]:-null}" --argjson ba "$boot_anon" --argjson aa "$after_anon" --argjson idle "$IDLE" \
  '{idle_seconds: $idle, rss_kib: {boot: {berthd: $bb, berthd_anon: $ba, docker: $bd}, after_workload: {berthd: $pb, docker: $pd}, idle_after_workload: {berthd: $ab, berthd_anon: $aa, docker: $ad}}}' > "$OUT/memory.json"
