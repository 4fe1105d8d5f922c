#!/usr/bin/env bash
# Registry push/pull benchmark (hyperfine, one run each; results in bench/results/registry-*.{md,json}):
# an image made by `import` of the busybox rootfs plus a ~200 MB random file, pushed to and
# pulled from a local `berth registry serve`, by
#   Docker (oracle dockerd, docker CLI)   berth (private berthd, same docker CLI)   skopeo
# cold = nothing there yet (empty registry / fresh store), warm = everything already present.
# Prints berth/docker and berth/skopeo ratios of the means. Env: BENCH_BIG_MB (default 200),
# BENCH_WARM_RUNS (default 20: warm cases take tens of ms, so one run is mostly noise; they get
# one warmup run too). Cold cases run once (they change state).
# Needs root; run scripts/setup.sh first. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
need_root
command -v hyperfine > /dev/null || die "hyperfine missing (scripts/install-test-deps.sh)"
command -v jq > /dev/null || die "jq missing"
[ -f dist/src/daemon/main.js ] || npm run --silent build
REPO="$PWD"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
BIG_MB="${BENCH_BIG_MB:-200}"
DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker)"
ORACLE_SOCK=/run/berth-oracle/docker.sock
work="$(mktemp -d /tmp/berth-regbench.XXXXXX)"
pids=()
oracle_started=0
have_docker=0
od=""
cleanup() {
  # the oracle is shared: drop the image this run made there
  [ "$have_docker" = 1 ] && env $od rmi -f "$REG_D/bench/big:1" > /dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  sleep 1
  [ "$oracle_started" = 1 ] && bash scripts/oracle-docker.sh stop || true
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# --- the image: busybox rootfs + BIG_MB of random data, as a plain tar for import
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
mkdir -p "$work/big"
head -c "$((BIG_MB * 1024 * 1024))" /dev/urandom > "$work/big/big.bin"
cp "$work/rootfs.tar" "$work/image.tar"
tar -C "$work/big" -rf "$work/image.tar" big.bin

# --- registries: one per tool so nobody sees another's blobs
start_registry() { # name -> sets REG_ADDR (no subshell: the pid must reach cleanup)
  local root="$work/reg-$1" log="$work/reg-$1.log"
  setsid node dist/src/cli/main.js registry serve --listen 127.0.0.1:0 --root "$root" -q > "$log" 2>&1 < /dev/null &
  pids+=($!)
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q 'listening on' "$log" 2> /dev/null && break
    sleep 0.1
  done
  REG_ADDR="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log")"
  [ -n "$REG_ADDR" ] || die "berth registry serve ($1) did not start: $(cat "$log")"
}

# --- berthd (two: one pushes, a fresh one pulls cold)
start_berthd() { # name
  local d="$work/berthd-$1"
  mkdir -p "$d/data" "$d/exec" "$d/cli"
  echo '{}' > "$d/cli/config.json"
  setsid node dist/src/daemon/main.js -H "unix://$d/sock" --data-root "$d/data" --exec-root "$d/exec" \
    --pidfile "$d/pid" > "$d/log" 2>&1 < /dev/null &
  pids+=($!)
  wait_ping "$d/sock" 30 || { tail -n 20 "$d/log"; die "berthd $1 did not start"; }
}
start_berthd a
start_berthd b
ba="DOCKER_HOST=unix://$work/berthd-a/sock DOCKER_CONFIG=$work/berthd-a/cli $DOCKER"
bb="DOCKER_HOST=unix://$work/berthd-b/sock DOCKER_CONFIG=$work/berthd-b/cli $DOCKER"

start_registry berth; REG_B="$REG_ADDR"
start_registry docker; REG_D="$REG_ADDR"
start_registry skopeo; REG_S="$REG_ADDR"
log "registries: berth=$REG_B docker=$REG_D skopeo=$REG_S"

env $ba import "$work/image.tar" "$REG_B/bench/big:1" > /dev/null

have_docker=0
if bash scripts/oracle-docker.sh status > /dev/null 2>&1; then have_docker=1
elif bash scripts/oracle-docker.sh start; then have_docker=1; oracle_started=1
else log "Docker oracle unavailable: Docker rows skipped"; fi
od="DOCKER_HOST=unix://$ORACLE_SOCK DOCKER_CONFIG=/run/berth-oracle/cli $DOCKER"
if [ "$have_docker" = 1 ]; then
  env $od rmi -f "$REG_D/bench/big:1" > /dev/null 2>&1 || true
  env $od import "$work/image.tar" "$REG_D/bench/big:1" > /dev/null
fi

have_skopeo=0
if command -v skopeo > /dev/null; then
  have_skopeo=1
  env $ba save "$REG_B/bench/big:1" -o "$work/image-archive.tar"
fi
SK="skopeo --insecure-policy"

WARM_RUNS="${BENCH_WARM_RUNS:-20}"
bench() { # name cmd...   (names are "tool" for the ratio table)
  local name="$1"; shift
  local runs=(--runs 1)
  [[ "$name" == *-warm ]] && runs=(--warmup 1 --runs "$WARM_RUNS")
  sync # flush the previous case's writes so their writeback does not land in this one
  hyperfine -N "${runs[@]}" --export-json "$OUT/registry-$name.json" --export-markdown "$OUT/registry-$name.md" "$@"
}

cmds_push_cold=(-n berth "env $ba push $REG_B/bench/big:1")
cmds_push_warm=(-n berth "env $ba push $REG_B/bench/big:1")
cmds_pull_cold=(-n berth "env $bb pull $REG_B/bench/big:1")
cmds_pull_warm=(-n berth "env $bb pull $REG_B/bench/big:1")
if [ "$have_docker" = 1 ]; then
  cmds_push_cold+=(-n docker "env $od push $REG_D/bench/big:1")
  cmds_push_warm+=(-n docker "env $od push $REG_D/bench/big:1")
  cmds_pull_cold+=(-n docker "env $od pull $REG_D/bench/big:1")
  cmds_pull_warm+=(-n docker "env $od pull $REG_D/bench/big:1")
fi
if [ "$have_skopeo" = 1 ]; then
  cmds_push_cold+=(-n skopeo "$SK copy --dest-tls-verify=false docker-archive:$work/image-archive.tar docker://$REG_S/bench/big:1")
  cmds_push_warm+=(-n skopeo "$SK copy --dest-tls-verify=false docker-archive:$work/image-archive.tar docker://$REG_S/bench/big:1")
  cmds_pull_cold+=(-n skopeo "$SK copy --src-tls-verify=false docker://$REG_S/bench/big:1 oci:$work/skopeo-oci:big")
  cmds_pull_warm+=(-n skopeo "$SK copy --src-tls-verify=false docker://$REG_S/bench/big:1 oci:$work/skopeo-oci:big")
fi

# the oracle is shared (other suites may prune its images): re-import ours if it vanished (not timed)
push_prep=()
if [ "$have_docker" = 1 ]; then
  push_prep=(--prepare "sh -c 'env $od image inspect $REG_D/bench/big:1 > /dev/null 2>&1 || env $od import $work/image.tar $REG_D/bench/big:1 > /dev/null'")
fi
bench push-cold "${push_prep[@]}" "${cmds_push_cold[@]}"
bench push-warm "${push_prep[@]}" "${cmds_push_warm[@]}"
# cold pull: berth pulls into a fresh berthd; Docker drops its copy first
[ "$have_docker" = 1 ] && env $od rmi -f "$REG_D/bench/big:1" > /dev/null
bench pull-cold "${cmds_pull_cold[@]}"
bench pull-warm "${cmds_pull_warm[@]}"

echo
printf '%-10s %10s %10s %10s %14s %14s\n' case berth docker skopeo berth/docker berth/skopeo
for c in push-cold push-warm pull-cold pull-warm; do
  f="$OUT/registry-$c.json"
  mean() { jq -r --arg n "$1" '[.results[] | select(.command == $n) | .mean][0] // empty' "$f"; }
  b="$(mean berth)"; d="$(mean docker)"; s="$(mean skopeo)"
  ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo -; }
  printf '%-10s %10s %10s %10s %14s %14s\n' "$c" "${b:+$(printf '%.2fs' "$b")}" "${d:+$(printf '%.2fs' "$d")}" "${s:+$(printf '%.2fs' "$s")}" "$(ratio "$b" "$d")" "$(ratio "$b" "$s")"
done | tee "$OUT/registry-ratios.txt"
