#!/usr/bin/env bash
# Container logs, side by side in one hyperfine run per figure: the docker CLI v28 against a
# private Debian dockerd (json-file) and against a private berthd (conmon's k8s-file), the
# berth CLI too. Results in bench/results/logs-*.{md,json} and logs-summary.md (ratios).
#   logs-100k     `logs` of 100,000 lines
#   logs-follow   `start` + `logs -f` of a container writing LOGS_FOLLOW_MB MB to stdout as fast
#                 as it can (throughput = MB / time; every byte is checked to arrive, untimed)
#   logs-tail     `logs --tail 10` of a LOGS_BIG_MB MB log (floor: tail -n 10 of berth's file)
#   logs-since    `logs --since <the last second>` of the same log (a seek, not a scan)
# Env: LOGS_BENCH_RUNS (10), LOGS_FOLLOW_MB (100), LOGS_BIG_MB (1024); LOGS_BENCH_ORACLE_SOCK
# uses a running oracle instead of starting one; LOGS_BENCH_BRIDGE/BIP/POOL for the private
# berthd (bh1l0, 10.241.2.1/24, 10.241.64.0/18) and LOGS_BENCH_ORACLE_{RUN,BRIDGE,BIP,POOL}.
# bench/perf-bench.sh (the global table) measures the same rows; this is the focused version.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
. bench/lib/engines.sh
need_root
RUNS="${LOGS_BENCH_RUNS:-10}"
FOLLOW_MB="${LOGS_FOLLOW_MB:-100}"
BIG_MB="${LOGS_BIG_MB:-1024}"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
for c in hyperfine jq; do command -v "$c" > /dev/null || die "$c missing"; done
[ -f dist/src/daemon/main.js ] || npm run --silent build || die "build failed"

work="$(mktemp -d /tmp/berth-logsbench.XXXXXX)"
mkdir -p "$work/cli" "$work/bin" && echo '{}' > "$work/cli/config.json"
cleanup() {
  trap '' INT TERM
  berthd_stop "$work/berth"
  oracle_stop
  guard_end
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

guard_begin || die "could not install the forward guard"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar" > /dev/null || die "could not build the busybox rootfs"
berthd_start "$work/berth" "${LOGS_BENCH_BRIDGE:-bh1l0}" "${LOGS_BENCH_BIP:-10.241.2.1/24}" "${LOGS_BENCH_POOL:-10.241.64.0/18}" || die "berthd did not start"
if [ -n "${LOGS_BENCH_ORACLE_SOCK:-}" ]; then DSOCK="$LOGS_BENCH_ORACLE_SOCK"
else
  oracle_start "${LOGS_BENCH_ORACLE_RUN:-/run/berth-oracle-h1l}" "$work/docker-data" "$work/dockerd.log" \
    "${LOGS_BENCH_ORACLE_BRIDGE:-boh1l}" "${LOGS_BENCH_ORACLE_BIP:-10.231.2.1/24}" "${LOGS_BENCH_ORACLE_POOL:-10.231.64.0/18}" || die "the Docker oracle did not start"
fi
declare -A ENG=(
  [docker]="env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli $DOCKER_CLI"
  [berth]="env DOCKER_HOST=unix://$work/berth/sock DOCKER_CONFIG=$work/cli $DOCKER_CLI"
  [cli]="env DOCKER_HOST=unix://$work/berth/sock $(berth_cli_cmd)"
)
declare -A LABEL=([docker]="Docker" [berth]="berth (docker CLI)" [cli]="berth CLI")
E() { local c="${ENG[$1]}"; shift; $c "$@"; }
E berth import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null || die "berth: import failed"
E docker image inspect busybox > /dev/null 2>&1 || E docker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null

LINE=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde
hf() { # NAME ARGS... (hyperfine, results under bench/results/logs-NAME.*)
  local name="$1"; shift
  hyperfine -N --style basic --export-markdown "$OUT/logs-$name.md" --export-json "$OUT/logs-$name.json" "$@"
}
mean() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .mean' "$OUT/logs-$1.json"; }
ratio() { awk -v a="$(mean "$1" "$2")" -v b="$(mean "$1" "$3")" 'BEGIN { if (a && b) printf "%.2f", a / b; else print "n/a" }'; }

log "100,000 lines"
for e in docker berth; do
  E "$e" run --name lb-100k --network none busybox seq 1 100000 > /dev/null || die "$e: the 100k-line container failed"
  [ "$(E "$e" logs lb-100k | wc -l)" = 100000 ] || die "$e: logs lost lines"
done
hf 100k --warmup 2 --runs "$RUNS" --output pipe \
  -n Docker "${ENG[docker]} logs lb-100k" -n "berth (docker CLI)" "${ENG[berth]} logs lb-100k" -n "berth CLI" "${ENG[cli]} logs lb-100k"

log "logs -f of $FOLLOW_MB MB written as fast as the container can"
for e in docker berth cli; do
  cat > "$work/bin/prep-$e" << X
#!/bin/sh
${ENG[$e]} rm -f lb-follow > /dev/null 2>&1
exec ${ENG[$e]} create --name lb-follow --network none busybox sh -c "yes $LINE | head -c $((FOLLOW_MB * 1000000))" > /dev/null
X
  cat > "$work/bin/follow-$e" << X
#!/bin/sh
${ENG[$e]} start lb-follow > /dev/null && exec ${ENG[$e]} logs -f lb-follow
X
  chmod +x "$work/bin/prep-$e" "$work/bin/follow-$e"
done
hf follow --runs 3 --output pipe \
  --prepare "$work/bin/prep-docker" -n Docker "$work/bin/follow-docker" \
  --prepare "$work/bin/prep-berth" -n "berth (docker CLI)" "$work/bin/follow-berth" \
  --prepare "$work/bin/prep-cli" -n "berth CLI" "$work/bin/follow-cli"
for e in docker berth; do
  "$work/bin/prep-$e"; n="$("$work/bin/follow-$e" | wc -c)"
  [ "$n" = $((FOLLOW_MB * 1000000)) ] || log "$e: logs -f delivered $n of $((FOLLOW_MB * 1000000)) bytes"
done

log "a $BIG_MB MB log per engine"
for e in docker berth; do
  E "$e" run --name lb-big --network none busybox sh -c "yes $LINE | head -c $((BIG_MB * 1000000))" > /dev/null || die "$e: the big log failed"
done
bigpath="$(E berth inspect -f '{{.LogPath}}' lb-big)"
since_of() { # ENGINE: a second before the container finished
  local fin; fin="$(E "$1" inspect -f '{{.State.FinishedAt}}' lb-big)"
  echo $(($(date -d "$fin" +%s) - 1))
}
hf tail --warmup 2 --runs "$RUNS" --output pipe \
  -n Docker "${ENG[docker]} logs --tail 10 lb-big" -n "berth (docker CLI)" "${ENG[berth]} logs --tail 10 lb-big" \
  -n "berth CLI" "${ENG[cli]} logs --tail 10 lb-big" -n "floor: tail -n 10 of berth's file" "tail -n 10 $bigpath"
hf since --runs 3 --output pipe \
  -n Docker "${ENG[docker]} logs --since $(since_of docker) lb-big" -n "berth (docker CLI)" "${ENG[berth]} logs --since $(since_of berth) lb-big"

{
  echo "# logs: berth / Docker ($(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| figure | Docker | berth (docker CLI) | berth/Docker | berth CLI |"
  echo "|---|---|---|---|---|"
  for f in 100k follow tail since; do
    printf '| %s | %.3f s | %.3f s | %s | %s |\n' "$f" "$(mean "$f" Docker)" "$(mean "$f" "berth (docker CLI)")" "$(ratio "$f" "berth (docker CLI)" Docker)" \
      "$(m="$(mean "$f" "berth CLI")"; [ -n "$m" ] && printf '%.3f s' "$m" || echo -)"
  done
  awk -v d="$(mean follow Docker)" -v b="$(mean follow "berth (docker CLI)")" -v mb="$FOLLOW_MB" \
    'BEGIN { printf "\nlogs -f throughput: Docker %.1f MB/s, berth %.1f MB/s (%.2fx)\n", mb / d, mb / b, d / b }'
} | tee "$OUT/logs-summary.md"
