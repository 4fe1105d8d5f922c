#!/usr/bin/env bash
# The speed-and-memory benchmark of issue 9, one command (root): every row of the issue side by
# side in one run, Docker (a private Debian dockerd), berth through the docker CLI v28 (a private
# berthd), the berth CLI against the same berthd, Podman (private storage) and the floor where
# one exists; ratios and targets in one table, bench/results/perf-bench.{md,json} (details in
# bench/results/perf-*.{md,json}, one per hyperfine group):
#   1 logs      `logs` of 100,000 lines (floor: cat of berth's log file); `logs -f` while the
#               container writes 100 MB to stdout as fast as it can (throughput); `logs --tail 10`
#               of a 1 GB log (floor: tail -n 10 of berth's log file)
#   2 exec      `exec c true`
#   3 run       `run --rm --network none busybox true`; floor: raw `crun run` of a bundle with
#               Docker's seccomp profile (copied from a container the private dockerd runs)
#   4 batch     50 x `run -d` sequential and 8 in parallel; `ps` and `inspect` with 50 running
#   5 cli       the berth CLI vs the docker CLI against the same berthd (from groups 3 and 4)
#   6 pull      cold pull of a debian:bookworm image (debootstrap, cached; pushed to a local
#               `berth registry serve`) vs `tar -xzf` of the same blob into an empty directory
# Rows 1 and 6 come from bench/logs-bench.sh and bench/unpack-bench.sh when those are there (the
# focused benchmarks of that work; run with this script's dockerd), else (or with BENCH_OWN_LOGS=1,
# BENCH_OWN_PULL=1) from the groups here, which also have Podman and the logs floors.
#   7 memory    berthd RSS after boot, and after 50 containers run+removed and a 100k-line logs
#               then BENCH_IDLE_SECONDS idle, vs dockerd+containerd; a soak of run/exec/logs/rm
#               cycles with the slope of berthd's RSS and open fds (SOAK_MINUTES, default 1.5 min)
#
# Env: BENCH_RUNS (10) BENCH_WARMUP (1) for the quick commands, BENCH_HEAVY_RUNS (3, no warmup)
# for logs -f, the 50-container batches and pulls; BENCH_LOG_LINES (100000) BENCH_FOLLOW_MB (100)
# BENCH_BIG_LOG_MB (1000) BENCH_COUNT (50) BENCH_PARALLEL (8) BENCH_IDLE_SECONDS (30)
# SOAK_MINUTES (1.5) BENCH_ONLY (comma list of logs,exec,run,batch,pull,memory: run only those)
# BENCH_CACHE (/var/cache/berth-bench: the debootstrap output). About 12-15 minutes by default
# on 2 cores (the first run adds a few minutes of debootstrap).
#
# Engines (everything removed at the end, also on failure or Ctrl-C; bench/lib/engines.sh):
#   berth   private berthd, temp data/exec roots, bridge bh6b0 10.246.0.1/24, pool 10.246.128.0/17
#           (BENCH_BRIDGE, BENCH_BIP, BENCH_POOL override)
#   Docker  private scripts/oracle-docker.sh: run dir /run/berth-oracle-h6, data in the temp dir,
#           bridge boh60 10.236.0.1/24, pool 10.236.128.0/17 (BENCH_ORACLE_RUN, BENCH_ORACLE_BRIDGE,
#           BENCH_ORACLE_BIP, BENCH_ORACLE_POOL override)
#   Podman  private storage and containers.conf (default_ulimits = [], k8s-file logs), CNI
#           network bh6pod (bridge bh6p0 10.246.2.0/24, bridge plugin only; BENCH_PODMAN_NET,
#           BENCH_PODMAN_BRIDGE, BENCH_PODMAN_SUBNET override)
# scripts/lib/forward-guard.sh goes in before any engine starts; traffic stays on loopback and
# the bridges made here (the registry listens on 127.0.0.1).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
. bench/lib/engines.sh
need_root

RUNS="${BENCH_RUNS:-10}"
WARMUP="${BENCH_WARMUP:-1}"
HEAVY="${BENCH_HEAVY_RUNS:-3}"
LOG_LINES="${BENCH_LOG_LINES:-100000}"
FOLLOW_MB="${BENCH_FOLLOW_MB:-100}"
BIG_MB="${BENCH_BIG_LOG_MB:-1000}"
COUNT="${BENCH_COUNT:-50}"
PAR="${BENCH_PARALLEL:-8}"
IDLE_S="${BENCH_IDLE_SECONDS:-30}"
SOAK_S="$(awk -v m="${SOAK_MINUTES:-1.5}" 'BEGIN { printf "%d", m * 60 }')"
ONLY=",${BENCH_ONLY:-logs,exec,run,batch,pull,memory},"
want() { [[ "$ONLY" == *",$1,"* ]]; }
OUT="$REPO/bench/results"
mkdir -p "$OUT"

B_BRIDGE="${BENCH_BRIDGE:-bh6b0}" B_BIP="${BENCH_BIP:-10.246.0.1/24}" B_POOL="${BENCH_POOL:-10.246.128.0/17}"
D_RUN="${BENCH_ORACLE_RUN:-/run/berth-oracle-h6}"
D_BRIDGE="${BENCH_ORACLE_BRIDGE:-boh60}" D_BIP="${BENCH_ORACLE_BIP:-10.236.0.1/24}" D_POOL="${BENCH_ORACLE_POOL:-10.236.128.0/17}"
P_NET="${BENCH_PODMAN_NET:-bh6pod}" P_BRIDGE="${BENCH_PODMAN_BRIDGE:-bh6p0}" P_SUBNET="${BENCH_PODMAN_SUBNET:-10.246.2.0/24}"
P_GW="${P_SUBNET%.*}.1"

bash scripts/install-test-deps.sh || die "could not install test dependencies"
for c in hyperfine jq crun curl; do command -v "$c" > /dev/null || die "$c missing"; done
[ -x "$DOCKER_CLI" ] || die "$DOCKER_CLI (docker CLI v28) missing"
[ -f dist/src/daemon/main.js ] || npm run --silent build || die "build failed"

work="$(mktemp -d /tmp/berth-perfbench.XXXXXX)"
mkdir -p "$work/cli" "$work/eng" "$work/bin" && echo '{}' > "$work/cli/config.json"
BSOCK="$work/berth/sock"
reg_pid=""
failures=()
note_fail() { failures+=("$(echo "$*" | tr '\n' ' ')"); log "FAILED: $*"; }
notes=()
note() { notes+=("$*"); log "$*"; }

cleanup() {
  trap '' INT TERM
  podman_cleanup
  berthd_stop "$work/berth"
  oracle_stop
  [ -n "$reg_pid" ] && kill -TERM "$reg_pid" 2> /dev/null
  guard_end
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_start=$(date +%s)
load_start="$(cut -d' ' -f1 /proc/loadavg)"
guard_begin || die "could not install the forward guard (nftables); refusing to start engines that forward"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar" || die "could not build the busybox rootfs"

# ---------------------------------------------------------------- engines
log "starting a private berthd ($B_BRIDGE) and a private dockerd ($D_BRIDGE)"
berthd_start "$work/berth" "$B_BRIDGE" "$B_BIP" "$B_POOL" --dns 127.0.0.77 || die "berthd did not start"
berthd_pid="$BERTHD_PID"
berth_up=$(date +%s)
have_docker=0
if oracle_start "$D_RUN" "$work/docker-data" "$work/dockerd.log" "$D_BRIDGE" "$D_BIP" "$D_POOL"; then have_docker=1
else note_fail "Docker: the private oracle did not start: Docker columns are empty"; fi
# engine command lines, one file each, for the driver scripts below (hyperfine -N splits them on spaces)
echo "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli $DOCKER_CLI" > "$work/eng/berth"
echo "env DOCKER_HOST=unix://$BSOCK $(berth_cli_cmd)" > "$work/eng/cli"
[ "$have_docker" = 1 ] && echo "env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli $DOCKER_CLI" > "$work/eng/docker"
E() { local c; c="$(cat "$work/eng/$1")"; shift; $c "$@"; } # E ENGINE ARGS...
ecmd() { cat "$work/eng/$1"; }
declare -A IMG=([docker]=busybox [berth]=busybox [cli]=busybox [podman]=localhost/busybox)

# idle RSS after boot: both daemons up at least 10 s, nothing run yet (the oracle script loads
# busybox into dockerd when it starts)
sleep $((berth_up + 10 - $(date +%s) > 0 ? berth_up + 10 - $(date +%s) : 0))
declare -A V=() # V[row.column]: the figures of the summary
V[7a.berth]="$(rss_kib "$berthd_pid")"
if [ "$have_docker" = 1 ]; then
  read -r dpid cpid <<< "$(oracle_pids)"
  V[7a.docker]=$(($(rss_kib "$dpid") + $(rss_kib "$cpid")))
fi
fd_boot="$(fd_count "$berthd_pid")"

E berth import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null || die "berth: import failed"
E berth run --rm --network none busybox true || die "berthd cannot run busybox; nothing to benchmark"
E berth run --rm busybox true || note_fail "berth: run on the default bridge failed"
if [ "$have_docker" = 1 ] && ! E docker run --rm --network none busybox true; then
  note_fail "Docker: run --rm busybox true failed: Docker columns are empty"; have_docker=0; rm -f "$work/eng/docker"
fi
have_podman=0
if command -v podman > /dev/null; then
  podman_setup "$work/podman" "$P_NET" "$P_BRIDGE" "$P_SUBNET" "$P_GW"
  if $PODMAN import -c 'CMD ["sh"]' "$work/rootfs.tar" localhost/busybox:latest > /dev/null 2> "$work/podman.err" &&
     $PODMAN run --rm --network none localhost/busybox true >> "$work/podman.err" 2>&1 &&
     $PODMAN run --rm localhost/busybox true >> "$work/podman.err" 2>&1; then
    have_podman=1; echo "$PODMAN" > "$work/eng/podman"
  else
    note "podman cannot run here: Podman column empty ($(tail -n 2 "$work/podman.err" | tr '\n' ' '))"
  fi
fi
engines=(); [ "$have_docker" = 1 ] && engines+=(docker); engines+=(berth); [ "$have_podman" = 1 ] && engines+=(podman)
declare -A LABEL=([docker]="Docker" [berth]="berth (docker CLI)" [cli]="berth CLI" [podman]="Podman" [floor]="floor")

# ---------------------------------------------------------------- driver scripts
# each takes an engine name; they read the command line from $work/eng/NAME
cat > "$work/bin/batch" << EOF
#!/bin/bash
# batch ENGINE IMAGE seq|par: $COUNT x run -d, one after the other or $PAR at a time
read -r -a e < "$work/eng/\$1"
if [ "\$3" = seq ]; then
  for ((i = 0; i < $COUNT; i++)); do "\${e[@]}" run -d --label pb=batch "\$2" sleep 3600 > /dev/null || exit 1; done
else
  seq $COUNT | xargs -P $PAR -I{} "\${e[@]}" run -d --label pb=batch "\$2" sleep 3600 > /dev/null
fi
EOF
cat > "$work/bin/rmlabel" << EOF
#!/bin/bash
# rmlabel ENGINE LABEL: remove the containers with label pb=LABEL
read -r -a e < "$work/eng/\$1"
ids="\$("\${e[@]}" ps -aq --filter "label=pb=\$2")"
[ -z "\$ids" ] && exit 0
# podman rm -f waits 10 s for sh to ignore SIGTERM unless told -t 0
if [ "\$1" = podman ]; then "\${e[@]}" rm -f -t 0 \$ids > /dev/null; else "\${e[@]}" rm -f \$ids > /dev/null; fi
EOF
# MB = 10^6 bytes here, a whole number of 100-byte lines (99 x and a newline)
FOLLOW_BYTES=$((FOLLOW_MB * 1000000))
LINE="$(printf 'x%.0s' $(seq 99))"
BIGLINE="$(printf 'x%.0s' $(seq 999))" # the big log: 1000-byte lines (fewer lines: it gets written faster)
cat > "$work/bin/follow-prep" << EOF
#!/bin/bash
# follow-prep ENGINE IMAGE: a created (not started) container that writes $FOLLOW_MB MB to stdout
read -r -a e < "$work/eng/\$1"
"\${e[@]}" rm -f pb-follow > /dev/null 2>&1
"\${e[@]}" create --name pb-follow --network none "\$2" sh -c "yes $LINE | head -c $FOLLOW_BYTES" > /dev/null
EOF
cat > "$work/bin/follow" << EOF
#!/bin/bash
# follow ENGINE: start pb-follow, then logs -f until it ends
read -r -a e < "$work/eng/\$1"
"\${e[@]}" start pb-follow > /dev/null && exec "\${e[@]}" logs -f pb-follow
EOF
cat > "$work/bin/pull-prep" << EOF
#!/bin/bash
# pull-prep ENGINE IMAGE: the image removed, berthd's background removal of its snapshot (rm-*)
# finished (rmi returns before it), everything written so far flushed
read -r -a e < "$work/eng/\$1"
"\${e[@]}" rmi -f "\$2" > /dev/null 2>&1
for ((i = 0; i < 600; i++)); do
  ls -d "$work/berth/data/snapshots/overlay/snapshots/rm-"* > /dev/null 2>&1 || break
  sleep 0.1
done
sync
EOF
chmod +x "$work/bin"/*

# hf NAME RUNS WARMUP HYPERFINE-ARGS...: one hyperfine group, results in perf-NAME.{md,json}
hf() {
  local name="$1" runs="$2" warm="$3"
  shift 3
  log "hyperfine: $name ($runs runs)"
  hyperfine -N --runs "$runs" --warmup "$warm" --ignore-failure --style basic \
    --export-json "$OUT/perf-$name.json" --export-markdown "$OUT/perf-$name.md" "$@" ||
    note_fail "hyperfine $name failed"
  local bad
  bad=$(jq -r '[.results[] | select(any(.exit_codes[]; . != 0)) | "\(.command): \([.exit_codes[] | select(. != 0)] | length) of \(.exit_codes | length) runs failed"] | join("; ")' "$OUT/perf-$name.json" 2> /dev/null)
  [ -n "$bad" ] && note_fail "$name: $bad"
  true
}
# med GROUP LABEL: median in ms, empty when absent or when every run failed
med() {
  jq -r --arg n "$2" '.results[] | select(.command == $n) | select(any(.exit_codes[]; . == 0)) | .median * 1000' \
    "$OUT/perf-$1.json" 2> /dev/null | head -n 1
}
# cmds_for ARGS...: -n LABEL "ENGINE-CMD ARGS" for docker, berth, cli, podman (image names
# substituted for the word IMAGE)
cmds_for() {
  local e a
  for e in docker berth cli podman; do
    [ -f "$work/eng/$e" ] || continue
    a="$*"; a="${a//IMAGE/${IMG[$e]}}"
    CMDS+=(-n "${LABEL[$e]}" "$(ecmd "$e") $a")
  done
}
# fill ROW GROUP: V[ROW.engine] = median of each engine's command in the group
fill() {
  local e
  for e in docker berth cli podman floor; do
    V[$1.$e]="$(med "$2" "${LABEL[$e]}")"
  done
}

# ---------------------------------------------------------------- 7. memory: the workload, then idle
if want memory; then
  log "7: memory workload on berth and Docker: $COUNT containers run and removed, a $LOG_LINES-line logs"
  for e in berth docker; do
    [ -f "$work/eng/$e" ] || continue
    seq "$COUNT" | xargs -P "$PAR" -I{} $(ecmd $e) run -d --label pb=mem busybox sleep 3600 > /dev/null || note_fail "$e: memory workload: run -d failed"
    "$work/bin/rmlabel" "$e" mem || note_fail "$e: memory workload: rm -f failed"
    E "$e" run -d --name pb-memlogs --network none busybox sh -c "seq 1 $LOG_LINES | sed 's/\$/ the quick brown fox jumps over the lazy dog/'" > /dev/null &&
      E "$e" wait pb-memlogs > /dev/null && E "$e" logs pb-memlogs | tail -n 1 > /dev/null
    E "$e" rm -f pb-memlogs > /dev/null || note_fail "$e: memory workload: logs container failed"
  done
  log "7: $IDLE_S s idle"
  sleep "$IDLE_S"
  V[7b.berth]="$(rss_kib "$berthd_pid")"
  if [ "$have_docker" = 1 ]; then
    read -r dpid cpid <<< "$(oracle_pids)"
    V[7b.docker]=$(($(rss_kib "$dpid") + $(rss_kib "$cpid")))
  fi
fi

# ---------------------------------------------------------------- 3. run --rm --network none true (+ floor)
# the running container of group 2 also gives Docker's seccomp profile for the floor
for e in "${engines[@]}"; do
  E "$e" run -d --name pb-exec --network none "${IMG[$e]}" sleep 3600 > /dev/null || note_fail "$e: run -d pb-exec failed"
done
seccomp_src="none"
if [ "$have_docker" = 1 ]; then
  did="$(E docker inspect -f '{{.Id}}' pb-exec 2> /dev/null)"
  cfg="$(find "$D_RUN/exec" -path "*$did*" -name config.json 2> /dev/null | head -n 1)"
  if [ -n "$did" ] && [ -n "$cfg" ] && jq -e '.linux.seccomp' "$cfg" > "$work/seccomp.json" 2> /dev/null; then
    seccomp_src="Docker's, from the OCI config of a container the private dockerd runs"
  fi
fi
if [ "$seccomp_src" = none ]; then
  bid="$(E berth inspect -f '{{.Id}}' pb-exec 2> /dev/null)"
  cfg="$(find "$work/berth/exec" "$work/berth/data" -path "*$bid*" -name config.json 2> /dev/null | head -n 1)"
  [ -n "$cfg" ] && jq -e '.linux.seccomp' "$cfg" > "$work/seccomp.json" 2> /dev/null && seccomp_src="berth's copy of Docker's default profile (no Docker here)"
fi
[ "$seccomp_src" = none ] && { : > "$work/seccomp.json"; note_fail "floor: no seccomp profile found: the floor runs without one"; }
floor_bundle "$work/bundle" "$work/rootfs.tar" "$work/seccomp.json" || note_fail "floor: crun bundle failed"
FLOOR="crun --root $work/crun-state run --bundle $work/bundle pb-floor"
$FLOOR || { note_fail "floor: crun run failed"; FLOOR=""; }

if want run; then
  CMDS=(); cmds_for run --rm --network none IMAGE true
  [ -n "$FLOOR" ] && CMDS+=(-n floor "$FLOOR")
  hf run "$RUNS" "$WARMUP" "${CMDS[@]}"
  fill 3 run
fi

# ---------------------------------------------------------------- 2. exec c true
if want exec; then
  CMDS=(); cmds_for exec pb-exec true
  hf exec "$RUNS" "$WARMUP" "${CMDS[@]}"
  fill 2 exec
fi
for e in "${engines[@]}"; do E "$e" rm -f pb-exec > /dev/null 2>&1; done

# ---------------------------------------------------------------- 1. logs
declare -A LOGPATH=()
logpath() { # ENGINE CONTAINER
  if [ "$1" = podman ]; then $PODMAN inspect -f '{{.HostConfig.LogConfig.Path}}' "$2"; else E "$1" inspect -f '{{.LogPath}}' "$2"; fi
}
# bench/logs-bench.sh (issue 9's logs work) when it is there: rows 1a-1c and --since (1d) come
# from its run (its own berthd, Docker = this script's dockerd; no Podman column, its follow
# runs fixed at 3); BENCH_OWN_LOGS=1, no logs-bench.sh, or its failure runs the groups below.
own_logs=1
if want logs && [ -f bench/logs-bench.sh ] && [ "${BENCH_OWN_LOGS:-0}" != 1 ] && [ "$have_docker" = 1 ]; then
  log "1: logs through bench/logs-bench.sh"
  # its berthd on a bridge and addresses of this script's block (BENCH_LOGS_BRIDGE/BIP/POOL)
  if LOGS_BENCH_ORACLE_SOCK="$DSOCK" LOGS_BENCH_RUNS="$RUNS" LOGS_FOLLOW_MB="$FOLLOW_MB" LOGS_BIG_MB="$BIG_MB" \
      LOGS_BENCH_BRIDGE="${BENCH_LOGS_BRIDGE:-bh6l0}" LOGS_BENCH_BIP="${BENCH_LOGS_BIP:-10.246.4.1/24}" \
      LOGS_BENCH_POOL="${BENCH_LOGS_POOL:-10.246.16.0/20}" bash bench/logs-bench.sh > "$work/logs-bench.log" 2>&1; then
    own_logs=0
    lmed() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$OUT/logs-$1.json" 2> /dev/null | head -n 1; }
    for e in docker berth cli; do
      V[1a.$e]="$(lmed 100k "${LABEL[$e]}")"; V[1b.$e]="$(lmed follow "${LABEL[$e]}")"
      V[1c.$e]="$(lmed tail "${LABEL[$e]}")"; V[1d.$e]="$(lmed since "${LABEL[$e]}")"
      [ -n "${V[1b.$e]}" ] && V[1b.$e]="$(awk -v ms="${V[1b.$e]}" -v mb="$FOLLOW_MB" 'BEGIN { printf "%.1f", mb / (ms / 1000) }')"
    done
    V[1c.floor]="$(lmed tail "floor: tail -n 10 of berth's file")"
    while read -r x; do # berth losing bytes is a failure, Docker losing them a note
      if [[ "$x" == *"] docker:"* ]]; then note "logs-bench: ${x#*] }"; else note_fail "logs-bench: ${x#*] }"; fi
    done < <(grep 'logs -f delivered' "$work/logs-bench.log")
    note "logs rows from bench/logs-bench.sh (its own berthd; details: logs-*.md)"
  else
    note_fail "bench/logs-bench.sh failed ($(tail -n 3 "$work/logs-bench.log" | tr '\n' ' ')): perf-bench's own logs groups instead"
  fi
fi
if want logs && [ "$own_logs" = 1 ]; then
  log "1: a container writing $LOG_LINES lines, per engine"
  for e in "${engines[@]}"; do
    E "$e" run -d --name pb-logs --network none "${IMG[$e]}" sh -c "seq 1 $LOG_LINES | sed 's/\$/ the quick brown fox jumps over the lazy dog/'" > /dev/null &&
      E "$e" wait pb-logs > /dev/null || note_fail "$e: the $LOG_LINES-line container failed"
    n="$(E "$e" logs pb-logs 2> /dev/null | wc -l)"
    [ "$n" = "$LOG_LINES" ] || note_fail "$e: logs pb-logs gave $n lines, not $LOG_LINES"
    LOGPATH[$e.small]="$(logpath "$e" pb-logs 2> /dev/null)"
  done
  CMDS=(); cmds_for logs pb-logs
  [ -f "${LOGPATH[berth.small]:-}" ] && CMDS+=(-n floor "cat ${LOGPATH[berth.small]}")
  hf logs "$RUNS" "$WARMUP" --output pipe "${CMDS[@]}"
  fill 1a logs

  log "1: logs -f of a container writing $FOLLOW_MB MB as fast as it can"
  CMDS=(); PREP=()
  for e in docker berth cli podman; do
    [ -f "$work/eng/$e" ] || continue
    CMDS+=(-n "${LABEL[$e]}" "$work/bin/follow $e"); PREP+=(--prepare "$work/bin/follow-prep $e ${IMG[$e]}")
  done
  hf follow "$HEAVY" 0 --output pipe "${PREP[@]}" "${CMDS[@]}"
  fill 1b follow
  for e in docker berth cli podman; do # MB/s from the medians
    [ -n "${V[1b.$e]:-}" ] && V[1b.$e]="$(awk -v ms="${V[1b.$e]}" -v mb="$FOLLOW_MB" 'BEGIN { printf "%.1f", mb / (ms / 1000) }')"
  done
  for e in docker berth cli podman; do # every byte arrives (outside the timing)
    [ -f "$work/eng/$e" ] || continue
    "$work/bin/follow-prep" "$e" "${IMG[$e]}" && n="$("$work/bin/follow" "$e" | wc -c)"
    if [ "$n" != "$FOLLOW_BYTES" ]; then
      if [ "$e" = podman ]; then note "Podman: logs -f delivered $n bytes of $FOLLOW_BYTES"
      else note_fail "${LABEL[$e]}: logs -f delivered $n bytes of $FOLLOW_BYTES"; fi
    fi
    E "$e" rm -f pb-follow > /dev/null 2>&1
  done

  log "1: a $BIG_MB MB log per engine, then logs --tail 10"
  for e in "${engines[@]}"; do
    t0=$(date +%s%N)
    E "$e" run -d --name pb-big --network none "${IMG[$e]}" sh -c "yes $BIGLINE | head -c $((BIG_MB * 1000000))" > /dev/null &&
      E "$e" wait pb-big > /dev/null || note_fail "$e: the $BIG_MB MB log container failed"
    t1=$(date +%s%N)
    LOGPATH[$e.big]="$(logpath "$e" pb-big 2> /dev/null)"
    sz="$(du -m "${LOGPATH[$e.big]}" 2> /dev/null | cut -f1)"
    note "${LABEL[$e]}: wrote the $BIG_MB MB log in $(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e9 }') s (log file ${sz:-?} MB: ${LOGPATH[$e.big]:-unknown})"
  done
  CMDS=(); cmds_for logs --tail 10 pb-big
  CMDS+=(-n "berth (docker CLI), --tail 10 of the $LOG_LINES-line log" "$(ecmd berth) logs --tail 10 pb-logs")
  [ -f "${LOGPATH[berth.big]:-}" ] && CMDS+=(-n floor "tail -n 10 ${LOGPATH[berth.big]}")
  hf tail "$RUNS" "$WARMUP" --output pipe "${CMDS[@]}"
  fill 1c tail
  V[1c.small]="$(med tail "berth (docker CLI), --tail 10 of the $LOG_LINES-line log")"
  for e in "${engines[@]}"; do E "$e" rm -f pb-big pb-logs > /dev/null 2>&1; done
fi

# ---------------------------------------------------------------- 4. 50 containers
if want batch; then
  for mode in seq par; do
    CMDS=(); PREP=()
    for e in "${engines[@]}"; do
      CMDS+=(-n "${LABEL[$e]}" "$work/bin/batch $e ${IMG[$e]} $mode"); PREP+=(--prepare "$work/bin/rmlabel $e batch")
    done
    hf "batch-$mode" "$HEAVY" 0 "${PREP[@]}" "${CMDS[@]}"
  done
  fill 4a batch-seq; fill 4b batch-par
  # the last parallel run left COUNT containers running in each engine
  declare -A one=()
  for e in "${engines[@]}"; do
    n="$(E "$e" ps -q --filter label=pb=batch | wc -l)"
    [ "$n" = "$COUNT" ] || note_fail "$e: $n containers running after the batch, not $COUNT"
    one[$e]="$(E "$e" ps -q --filter label=pb=batch | head -n 1)"
  done
  one[cli]="${one[berth]}"
  CMDS=(); cmds_for ps
  hf ps "$RUNS" "$WARMUP" "${CMDS[@]}"
  fill 4c ps
  CMDS=()
  for e in docker berth cli podman; do
    [ -f "$work/eng/$e" ] && CMDS+=(-n "${LABEL[$e]}" "$(ecmd "$e") inspect ${one[$e]}")
  done
  hf inspect "$RUNS" "$WARMUP" "${CMDS[@]}"
  fill 4d inspect
  for e in "${engines[@]}"; do "$work/bin/rmlabel" "$e" batch; done
fi

# ---------------------------------------------------------------- 6. cold pull of debian:bookworm
# bench/unpack-bench.sh (issue 9's unpacking work) when it is there: every berth run pulls into a
# fresh berthd, Docker is this script's dockerd; no Podman column then. BENCH_OWN_PULL=1, no
# unpack-bench.sh, or its failure runs the pull group below instead.
own_pull=1
if want pull && [ -f bench/unpack-bench.sh ] && [ "${BENCH_OWN_PULL:-0}" != 1 ] && [ "$have_docker" = 1 ]; then
  log "6: cold pull of debian:bookworm through bench/unpack-bench.sh"
  if env -u BENCH_CACHE BENCH_ORACLE_SOCK="$DSOCK" BENCH_UNPACK_RUNS="$HEAVY" BENCH_OUT="$OUT" \
      bash bench/unpack-bench.sh > "$work/unpack.log" 2>&1; then
    for x in docker:docker berth:berth floor:tar; do
      V[6.${x%%:*}]="$(jq -r --arg n "${x#*:}" '.results[] | select(.command == $n) | .median * 1000' "$OUT/unpack-pull-cold.json" 2> /dev/null)"
    done
    own_pull=0
    note "pull row from bench/unpack-bench.sh (a fresh berthd for every berth run; $(head -n 1 "$OUT/unpack-ratios.txt" 2> /dev/null)); details: unpack-pull-cold.md"
  else
    note_fail "bench/unpack-bench.sh failed ($(tail -n 3 "$work/unpack.log" | tr '\n' ' ')): perf-bench's own pull group instead"
  fi
fi
if want pull && [ "$own_pull" = 1 ]; then
  log "6: the debian:bookworm image (debootstrap, cached in ${BENCH_CACHE:-/var/cache/berth-bench})"
  deb_tar="$(bash bench/lib/debian-rootfs.sh)" || note_fail "debootstrap of bookworm failed: no pull row"
  if [ -s "${deb_tar:-}" ]; then
    setsid $(berth_cli_cmd) registry serve --listen 127.0.0.1:0 --root "$work/registry" -q > "$work/registry.log" 2>&1 < /dev/null &
    reg_pid=$!
    for ((i = 0; i < 100; i++)); do grep -q 'listening on' "$work/registry.log" 2> /dev/null && break; sleep 0.1; done
    REG="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/registry.log")"
    DEB="$REG/bench/debian:bookworm"
    if [ -z "$REG" ]; then note_fail "berth registry serve did not start: $(cat "$work/registry.log")"
    elif E berth import -c 'CMD ["bash"]' "$deb_tar" "$DEB" > /dev/null && E berth push "$DEB" > /dev/null && E berth rmi "$DEB" > /dev/null; then
      mf="$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REG/v2/bench/debian/manifests/bookworm")"
      layer="$(jq -r '.layers[0].digest' <<< "$mf")"
      curl -fsS -o "$work/layer.tar.gz" "http://$REG/v2/bench/debian/blobs/$layer" || note_fail "could not fetch the layer blob"
      note "debian:bookworm: $(jq '.layers | length' <<< "$mf") layer(s), the layer $(du -m "$work/layer.tar.gz" | cut -f1) MB gzip, $(tar -tzf "$work/layer.tar.gz" | wc -l) entries"
      # push leaves the layer blob in berth's content store (rmi keeps it; a pull + rmi does
      # not): one untimed pull + rmi, so that the first timed pull is cold too
      E berth pull -q "$DEB" > /dev/null && "$work/bin/pull-prep" berth "$DEB" || note_fail "berth: the untimed pull failed"
      CMDS=(); PREP=()
      for e in "${engines[@]}"; do
        CMDS+=(-n "${LABEL[$e]}" "$(ecmd "$e") pull -q $([ "$e" = podman ] && echo --tls-verify=false) $DEB")
        PREP+=(--prepare "$work/bin/pull-prep $e $DEB")
      done
      mkdir -p "$work/untar"
      CMDS+=(-n floor "tar -xzf $work/layer.tar.gz -C $work/untar"); PREP+=(--prepare "sh -c 'rm -rf $work/untar; mkdir $work/untar; sync'")
      du_before="$(du -sm "$work/berth/data" | cut -f1)"
      hf pull "$HEAVY" 0 "${PREP[@]}" "${CMDS[@]}"
      fill 6 pull
      "$work/bin/pull-prep" berth "$DEB"
      du_after="$(du -sm "$work/berth/data" | cut -f1)"
      [ "$du_after" -gt $((du_before + 20)) ] && note "berth: its data root is $du_after MB after rmi of the pulled image, $du_before MB before the pulls (not all of it removed?)"
      for e in docker podman; do [ -f "$work/eng/$e" ] && E "$e" rmi -f "$DEB" > /dev/null 2>&1; done
      rm -rf "$work/untar" "$work/layer.tar.gz"
    else
      note_fail "berth: import or push of debian:bookworm failed: no pull row"
    fi
  fi
fi

# ---------------------------------------------------------------- 7. soak
# bench/soak-bench.sh (the soak of issue 9's memory work) when it is there, on this script's berthd;
# BENCH_OWN_SOAK=1 or no soak-bench.sh runs the cycles below
own_soak=1
if want memory && [ "$SOAK_S" -gt 0 ] && [ -f bench/soak-bench.sh ] && [ "${BENCH_OWN_SOAK:-0}" != 1 ]; then
  own_soak=0
  log "7: soak through bench/soak-bench.sh (${SOAK_MINUTES:-1.5} min)"
  rm -f "$OUT/soak.json"
  SOAK_BERTHD_SOCK="$BSOCK" SOAK_BERTHD_PID="$berthd_pid" bash bench/soak-bench.sh "${SOAK_MINUTES:-1.5}" > "$work/soak.log" 2>&1 ||
    note_fail "bench/soak-bench.sh: $(tail -n 2 "$work/soak.log" | tr '\n' ' ')"
  if [ -s "$OUT/soak.json" ]; then
    IFS='|' read -r V[7c.cycles] V[7c.rss_slope] V[7c.fd_slope] fd_soak0 fd_soak1 rss_soak0 rss_soak1 <<< "$(jq -r '[.cycles,
      (if .rss_slope_kib_per_min == null then "" else (.rss_slope_kib_per_min / 1024 * 1000 | round / 1000) end),
      (.fd_slope_per_min // ""), .fds_before, .fds_after, .rss_kib_before, .rss_kib_after] | map(tostring) | join("|")' "$OUT/soak.json")"
    note "soak (bench/soak-bench.sh, details soak.md): ${V[7c.cycles]} cycles; berthd RSS $((rss_soak0 / 1024)) -> $((rss_soak1 / 1024)) MB (20 s after), open fds $fd_soak0 -> $fd_soak1 (boot: $fd_boot)"
  fi
fi
if want memory && [ "$SOAK_S" -gt 0 ] && [ "$own_soak" = 1 ]; then
  log "7: soak, run/exec/logs/rm cycles on berth for $SOAK_S s"
  : > "$work/soak.tsv"
  t0=$(date +%s); cycles=0
  fd_soak0="$(fd_count "$berthd_pid")"; rss_soak0="$(rss_kib "$berthd_pid")"
  while [ $(($(date +%s) - t0)) -lt "$SOAK_S" ]; do
    E berth run -d --name pb-soak --network none busybox sh -c 'echo soak; echo err >&2; sleep 60' > /dev/null &&
      E berth exec pb-soak true && E berth logs pb-soak > /dev/null 2>&1 && E berth rm -f pb-soak > /dev/null ||
      { note_fail "soak: cycle $cycles failed"; E berth rm -f pb-soak > /dev/null 2>&1; }
    cycles=$((cycles + 1))
    printf '%s\t%s\t%s\n' "$(awk -v n="$(date +%s%N)" -v s="$t0" 'BEGIN { printf "%.2f", n / 1e9 - s }')" "$(rss_kib "$berthd_pid")" "$(fd_count "$berthd_pid")" >> "$work/soak.tsv"
  done
  sleep 2
  fd_soak1="$(fd_count "$berthd_pid")"; rss_soak1="$(rss_kib "$berthd_pid")"
  # least-squares slopes over the samples after the first fifth (warm-up)
  read -r V[7c.rss_slope] V[7c.fd_slope] <<< "$(awk -v n="$(wc -l < "$work/soak.tsv")" 'NR > n / 5 {
      x = $1 / 60; k++; sx += x; sxx += x * x; sr += $2 / 1024; sxr += x * $2 / 1024; sf += $3; sxf += x * $3 }
    END { d = k * sxx - sx * sx; if (k < 3 || d == 0) { print "", ""; exit }
          printf "%.3f %.3f\n", (k * sxr - sx * sr) / d, (k * sxf - sx * sf) / d }' "$work/soak.tsv")"
  V[7c.cycles]="$cycles"
  jq -R -s --arg c "$cycles" --arg f0 "$fd_soak0" --arg f1 "$fd_soak1" --arg r0 "$rss_soak0" --arg r1 "$rss_soak1" \
    'split("\n") | map(select(. != "") | split("\t") | map(tonumber) | {t_s: .[0], rss_kib: .[1], fds: .[2]})
     | {cycles: ($c|tonumber), fds_before: ($f0|tonumber), fds_after: ($f1|tonumber), rss_kib_before: ($r0|tonumber), rss_kib_after: ($r1|tonumber), samples: .}' \
    "$work/soak.tsv" > "$OUT/perf-soak.json"
  note "soak: $cycles cycles in $SOAK_S s; berthd RSS $((rss_soak0 / 1024)) -> $((rss_soak1 / 1024)) MB, open fds $fd_soak0 -> $fd_soak1 (boot: $fd_boot)"
fi
V[7d.berth]="$(rss_kib "$berthd_pid")"
if [ "$have_docker" = 1 ]; then read -r dpid cpid <<< "$(oracle_pids)"; V[7d.docker]=$(($(rss_kib "$dpid") + $(rss_kib "$cpid"))); fi

# ---------------------------------------------------------------- summary
f() { [ -n "${1:-}" ] && awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }' || printf '–'; }
div() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b != 0) printf "%.2f", a / b }'; }
verdict() { [ -n "${1:-}" ] || { echo "n/a"; return; }; awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= l : v >= l; print ok ? "PASS" : "FAIL" }'; }
ms() { [ -n "${1:-}" ] && { awk -v v="$1" 'BEGIN { if (v >= 1000) printf "%.2f s", v / 1000; else printf "%.1f ms", v }'; } || echo "–"; }
mb() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN { printf "%.0f MB", v / 1024 }' || echo "–"; }
mbs() { [ -n "${1:-}" ] && echo "$1 MB/s" || echo "–"; }
# row ID LABEL UNIT-FN RATIO TARGET-TEXT VERDICT: one line of the table
ROWS=(); JROWS=()
row() {
  local id="$1" label="$2" u="$3" ratio="$4" target="$5" verd="$6"
  ROWS+=("| $label | $($u "${V[$id.docker]:-}") | $($u "${V[$id.berth]:-}") | $($u "${V[$id.cli]:-}") | $($u "${V[$id.podman]:-}") | $($u "${V[$id.floor]:-}") | ${ratio:-–} | $target | $verd |")
  JROWS+=("$(jq -n --arg id "$id" --arg l "$label" --arg u "$u" --arg d "${V[$id.docker]:-}" --arg b "${V[$id.berth]:-}" \
    --arg c "${V[$id.cli]:-}" --arg p "${V[$id.podman]:-}" --arg fl "${V[$id.floor]:-}" --arg r "$ratio" --arg t "$target" --arg v "$verd" \
    'def n: tonumber? // null; {id: $id, row: $l, unit: ({ms: "ms", mb: "KiB", mbs: "MB/s"}[$u]), docker: ($d|n), berth: ($b|n), berth_cli: ($c|n), podman: ($p|n), floor: ($fl|n), ratio: ($r|n), target: $t, verdict: $v}')")
}
r="$(div "${V[1a.berth]:-}" "${V[1a.docker]:-}")"; row 1a "\`logs\` of $LOG_LINES lines" ms "$r" "≤ 0.25" "$(verdict "$r" '<=' 0.25)"
r="$(div "${V[1b.berth]:-}" "${V[1b.docker]:-}")"; row 1b "\`logs -f\` of a container writing $FOLLOW_MB MB to stdout (throughput)" mbs "$r" "≥ 2" "$(verdict "$r" '>=' 2)"
r="$(div "${V[1c.berth]:-}" "${V[1c.docker]:-}")"; r2="$(div "${V[1c.berth]:-}" "${V[1c.small]:-}")"
t1c="instant: ≤ 1.0 (Docker reads from the end)"
[ -n "$r2" ] && t1c+="; here ${r2}× berth's \`--tail 10\` of the $LOG_LINES-line log"
row 1c "\`logs --tail 10\` of a $BIG_MB MB log" ms "$r" "$t1c" "$(verdict "$r" '<=' 1.0)"
[ -n "${V[1d.berth]:-}" ] && row 1d "\`logs --since <its last second>\` of the $BIG_MB MB log" ms "$(div "${V[1d.berth]:-}" "${V[1d.docker]:-}")" "seeks, not scans" "info"
r="$(div "${V[2.berth]:-}" "${V[2.docker]:-}")"; row 2 "\`exec c true\`" ms "$r" "≤ 0.4" "$(verdict "$r" '<=' 0.4)"
r="$(div "${V[3.berth]:-}" "${V[3.docker]:-}")"; row 3 "\`run --rm --network none busybox true\`" ms "$r" "≤ 0.2" "$(verdict "$r" '<=' 0.2)"
gap="$([ -n "${V[3.berth]:-}" ] && [ -n "${V[3.floor]:-}" ] && awk -v a="${V[3.berth]}" -v b="${V[3.floor]}" 'BEGIN { printf "%.1f", a - b }')"
V[3f.berth]="$gap"
ROWS+=("| berth − floor (\`crun run\`, Docker's seccomp profile) | | ${gap:+$gap ms} | | | | – | ≤ 30 ms | $(verdict "$gap" '<=' 30) |")
JROWS+=("$(jq -n --arg g "$gap" '{id: "3f", row: "berth - crun floor", unit: "ms", berth: ($g | tonumber? // null), target: "<= 30 ms"}')")
r="$(div "${V[4a.berth]:-}" "${V[4a.docker]:-}")"; row 4a "$COUNT × \`run -d\`, sequential" ms "$r" "≤ 0.2" "$(verdict "$r" '<=' 0.2)"
r="$(div "${V[4b.berth]:-}" "${V[4b.docker]:-}")"; row 4b "$COUNT × \`run -d\`, $PAR in parallel" ms "$r" "≤ 0.2" "$(verdict "$r" '<=' 0.2)"
r="$(div "${V[4c.berth]:-}" "${V[4c.docker]:-}")"; row 4c "\`ps\` with $COUNT running" ms "$r" "≤ 0.8" "$(verdict "$r" '<=' 0.8)"
r="$(div "${V[4d.berth]:-}" "${V[4d.docker]:-}")"; row 4d "\`inspect\` with $COUNT running" ms "$r" "≤ 0.8" "$(verdict "$r" '<=' 0.8)"
for x in "3|run --rm … true|1.0" "4c|ps|1.5" "4d|inspect|1.5"; do
  IFS='|' read -r id what lim <<< "$x"
  r="$(div "${V[$id.cli]:-}" "${V[$id.berth]:-}")"
  ROWS+=("| berth CLI vs docker CLI → berthd: \`$what\` | | $(ms "${V[$id.berth]:-}") | $(ms "${V[$id.cli]:-}") | | | ${r:-–} (CLI/docker CLI) | ≤ $lim | $(verdict "$r" '<=' "$lim") |")
  JROWS+=("$(jq -n --arg id "5-$id" --arg w "$what" --arg r "$r" --arg l "$lim" '{id: $id, row: ("berth CLI / docker CLI: " + $w), ratio: ($r | tonumber? // null), target: ("<= " + $l)}')")
done
r="$(div "${V[6.berth]:-}" "${V[6.docker]:-}")"; r2="$(div "${V[6.berth]:-}" "${V[6.floor]:-}")"
row 6 "cold \`pull\` of debian:bookworm (local registry) / floor \`tar -xzf\`" ms "$r" "≤ 0.8; ≤ 1.3× floor (here ${r2:-–}×)" \
  "$( [ "$(verdict "$r" '<=' 0.8)" = PASS ] && [ "$(verdict "$r2" '<=' 1.3)" = PASS ] && echo PASS || { [ -z "$r" ] && echo n/a || echo FAIL; })"
r="$(div "${V[7a.berth]:-}" "${V[7a.docker]:-}")"; row 7a "daemon RSS after boot (Docker: dockerd + containerd)" mb "$r" "berthd ≤ 50 MB" "$(verdict "${V[7a.berth]:-}" '<=' $((50 * 1024)))"
if want memory; then
  r="$(div "${V[7b.berth]:-}" "${V[7b.docker]:-}")"; row 7b "daemon RSS after $COUNT containers + a $LOG_LINES-line logs, all removed, $IDLE_S s idle" mb "$r" "berthd ≤ 60 MB" "$(verdict "${V[7b.berth]:-}" '<=' $((60 * 1024)))"
  if [ -n "${V[7c.rss_slope]:-}" ]; then
    ROWS+=("| soak, ${V[7c.cycles]} run/exec/logs/rm cycles in $((SOAK_S / 60)) min $((SOAK_S % 60)) s: berthd RSS slope, open fds slope | | ${V[7c.rss_slope]} MB/min, ${V[7c.fd_slope]} fds/min | | | | – | flat: ≤ 0.2 MB/min, fds after ≤ before + 2 ($fd_soak0 → $fd_soak1) | $( [ "$(verdict "${V[7c.rss_slope]}" '<=' 0.2)" = PASS ] && [ "$fd_soak1" -le $((fd_soak0 + 2)) ] && echo PASS || echo FAIL) |")
    JROWS+=("$(jq -n --arg s "${V[7c.rss_slope]}" --arg fs "${V[7c.fd_slope]}" --arg c "${V[7c.cycles]}" --arg sec "$SOAK_S" '{id: "7c", row: "soak", seconds: ($sec|tonumber), cycles: ($c|tonumber), rss_mb_per_min: ($s|tonumber), fds_per_min: ($fs|tonumber), target: "rss <= 0.2 MB/min, fds flat"}')")
  fi
fi
row 7d "daemon RSS at the end of this benchmark (info)" mb "$(div "${V[7d.berth]:-}" "${V[7d.docker]:-}")" "–" "info"

dver="$( [ "$have_docker" = 1 ] && E docker version --format '{{.Server.Version}}' 2> /dev/null || echo –)"
pver="$( [ "$have_podman" = 1 ] && podman --version 2> /dev/null | awk '{ print $3 }' || echo –)"
cpu="$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -n 1)"
load_end="$(cut -d' ' -f1 /proc/loadavg)"
elapsed=$(($(date +%s) - t_start))
{
  echo "# berth speed and memory (issue 9)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores (${cpu:-unknown CPU}), $(free -g | awk '/^Mem:/ { print $2 }') GiB, Linux $(uname -r); berth $(git -C "$REPO" rev-parse --short HEAD 2> /dev/null)$(git -C "$REPO" diff --quiet HEAD -- src 2> /dev/null || echo ' (+ uncommitted src changes)'), Docker $dver (Debian's dockerd, private instance), Podman $pver, docker CLI $("$DOCKER_CLI" version --format '{{.Client.Version}}' 2> /dev/null) for Docker and berth; berth CLI: \`$(berth_cli_cmd | sed "s|$REPO/||")\`."
  echo "Load average (1 min) at the start $load_start, at the end $load_end (other work shares this machine: figures move with it). $elapsed s in all. Medians of hyperfine -N: BENCH_RUNS=$RUNS BENCH_WARMUP=$WARMUP, BENCH_HEAVY_RUNS=$HEAVY (logs -f, batches, pulls). Details: bench/results/perf-*.md/json."
  echo
  echo "| row | Docker | berth (docker CLI) | berth CLI | Podman | floor | berth/Docker | target | |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Floors: \`cat\` of berth's log file (logs), \`tail -n 10\` of it (--tail), \`crun run\` of a busybox bundle with $seccomp_src (run), \`tar -xzf\` of the pulled layer blob into an empty directory (pull)."
  if [ "${#notes[@]}" -gt 0 ]; then echo; echo "Notes:"; for x in "${notes[@]}"; do echo "- $x"; done; fi
  if [ "${#failures[@]}" -gt 0 ]; then echo; echo "Failures during this run:"; for x in "${failures[@]}"; do echo "- $x"; done; fi
} > "$OUT/perf-bench.md"
printf '%s\n' "${JROWS[@]}" | jq -s --arg date "$(date -u +%FT%TZ)" --arg cores "$(nproc)" --arg cpu "$cpu" --arg l0 "$load_start" --arg l1 "$load_end" \
  --arg runs "$RUNS" --arg heavy "$HEAVY" --arg notes "$(printf '%s\n' "${notes[@]}")" --arg fails "$(printf '%s\n' "${failures[@]}")" \
  '{date: $date, cores: ($cores|tonumber), cpu: $cpu, loadavg_start: ($l0|tonumber), loadavg_end: ($l1|tonumber), runs: ($runs|tonumber), heavy_runs: ($heavy|tonumber),
    rows: ., notes: ($notes | split("\n") | map(select(. != ""))), failures: ($fails | split("\n") | map(select(. != ""))) }' > "$OUT/perf-bench.json"
echo
cat "$OUT/perf-bench.md"
log "results in $OUT/perf-bench.md (and perf-*.md/json)"
[ "${#failures[@]}" = 0 ]
