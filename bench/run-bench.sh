#!/usr/bin/env bash
# berth benchmarks (hyperfine; each group is one side-by-side run), results in bench/results/:
#   run-true.{md,json}       docker run --rm busybox true: Docker (oracle dockerd) vs berthd
#                            (same docker CLI, DOCKER_HOST), podman, raw `crun run` (floor: a
#                            busybox bundle with berth's seccomp profile and capabilities)
#   run-true-netnone.{md,json}  the same with --network none
#   cli-startup.{md,json}    the berth CLI (package.json's bin: the bundle's launcher) vs the docker
#                            CLI against the same berthd: run --rm busybox true, ps, inspect, --version;
#                            `node <bin>` with NODE_EXTRA_CA_CERTS set; an empty `node` (the floor)
#   rss.md                   idle RSS of berthd vs dockerd+containerd, as a ratio
# Env: BENCH_RUNS (default 20), BENCH_WARMUP (default 3). Needs root; run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
need_root
RUNS="${BENCH_RUNS:-20}"
WARMUP="${BENCH_WARMUP:-3}"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
bash scripts/install-test-deps.sh
command -v hyperfine > /dev/null || die "hyperfine missing"
[ -f dist/src/daemon/main.js ] && [ -f dist/cli/berth.cjs ] || npm run --silent build
BERTH_BIN="$REPO/$(jq -r .bin.berth package.json)"

DOCKER=/usr/local/bin/docker
ORACLE_SOCK=/run/berth-oracle/docker.sock
work="$(mktemp -d /tmp/berth-bench.XXXXXX)"
berthd_pid=""
oracle_started=0
cleanup() {
  [ -n "$berthd_pid" ] && kill -TERM "$berthd_pid" 2> /dev/null && sleep 1 || true
  [ "$oracle_started" = 1 ] && bash scripts/oracle-docker.sh stop || true
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

scripts/make-busybox-rootfs.sh "$work/rootfs.tar"

# berthd: a private instance so results do not depend on what else runs
BSOCK="$work/berth.sock"
mkdir -p "$work/data" "$work/exec"
setsid node dist/src/daemon/main.js -H "unix://$BSOCK" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/berthd.pid" > "$work/berthd.log" 2>&1 < /dev/null &
berthd_pid=$!
wait_ping "$BSOCK" 30 || { tail -n 20 "$work/berthd.log"; die "berthd did not start"; }
mkdir -p "$work/cli" && echo '{}' > "$work/cli/config.json"
bdocker() { DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
bdocker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null
bdocker run --rm busybox true || die "berthd cannot run busybox; nothing to benchmark"

# Docker oracle
have_docker=0
if bash scripts/oracle-docker.sh status > /dev/null 2>&1; then have_docker=1
elif bash scripts/oracle-docker.sh start; then have_docker=1; oracle_started=1
else log "Docker oracle unavailable: Docker rows skipped"; fi

# podman with private storage
have_podman=0
if command -v podman > /dev/null; then
  PODMAN="podman --root $work/podman/root --runroot $work/podman/run --cgroup-manager cgroupfs --events-backend file"
  if $PODMAN import -c 'CMD ["sh"]' "$work/rootfs.tar" localhost/busybox:latest > /dev/null 2>&1 &&
     $PODMAN run --rm localhost/busybox true > /dev/null 2>&1; then
    have_podman=1
  else
    log "podman cannot run here: podman rows skipped"
  fi
fi

# the floor: raw crun on a prepared bundle (crun run = create+start+wait+delete)
bundle="$work/bundle"
mkdir -p "$bundle/rootfs"
tar -xf "$work/rootfs.tar" -C "$bundle/rootfs"
(cd "$bundle" && crun spec --rootless=false 2> /dev/null || crun spec)
# the same seccomp filter (Docker's default profile, as berth renders it for the default
# capabilities) and capabilities as a berth container, taken from the OCI config berth wrote
seccomp_src="$(bdocker run -d --network none busybox sleep 60)"
jq '{seccomp: .linux.seccomp, capabilities: .process.capabilities}' "$work/exec/containers/$seccomp_src/bundle/config.json" > "$work/berth-security.json"
bdocker rm -f "$seccomp_src" > /dev/null
jq --slurpfile s "$work/berth-security.json" '.process.terminal = false | .process.args = ["true"] | .linux.seccomp = $s[0].seccomp | .process.capabilities = $s[0].capabilities' \
  "$bundle/config.json" > "$bundle/c.json" && mv "$bundle/c.json" "$bundle/config.json"
[ "$(jq -r '.linux.seccomp.defaultAction' "$bundle/config.json")" = SCMP_ACT_ERRNO ] || die "floor bundle has no seccomp profile"
CRUN="crun --root $work/crun-state run --bundle $bundle berth-bench-floor"
$CRUN || die "crun cannot run the floor bundle"

group() { # group NAME EXTRA_RUN_FLAGS
  local name="$1" flags="$2" cmds=()
  [ "$have_docker" = 1 ] && cmds+=(-n "docker (dockerd)" "env DOCKER_HOST=unix://$ORACLE_SOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm $flags busybox true")
  cmds+=(-n "docker CLI -> berthd" "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm $flags busybox true")
  cmds+=(-n "berth CLI -> berthd" "env DOCKER_HOST=unix://$BSOCK $BERTH_BIN run --rm $flags busybox true")
  [ "$have_podman" = 1 ] && cmds+=(-n "podman" "$PODMAN run --rm $flags localhost/busybox true")
  cmds+=(-n "crun run (floor)" "$CRUN")
  hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --ignore-failure \
    --export-markdown "$OUT/$name.md" --export-json "$OUT/$name.json" "${cmds[@]}"
}

group run-true ""
group run-true-netnone "--network none"

# The berth CLI as a user runs it (the bin, whose shebang drops NODE_EXTRA_CA_CERTS) next to the
# docker CLI, both against this berthd, in one run; ratios in cli-startup.md.
bdocker run -d --name bench-inspect busybox sleep 600 > /dev/null
echo > "$work/empty.cjs"
BENV="env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli"
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --ignore-failure \
  --export-markdown "$OUT/cli-startup.md" --export-json "$OUT/cli-startup.json" \
  -n "docker run --rm busybox true" "$BENV $DOCKER run --rm busybox true" \
  -n "berth run --rm busybox true" "$BENV $BERTH_BIN run --rm busybox true" \
  -n "docker ps" "$BENV $DOCKER ps" \
  -n "berth ps" "$BENV $BERTH_BIN ps" \
  -n "docker inspect" "$BENV $DOCKER inspect bench-inspect" \
  -n "berth inspect" "$BENV $BERTH_BIN inspect bench-inspect" \
  -n "docker --version" "$BENV $DOCKER --version" \
  -n "berth --version" "$BENV $BERTH_BIN --version" \
  -n "node <bin> --version, NODE_EXTRA_CA_CERTS set" "env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt node $BERTH_BIN --version" \
  -n "node (empty script): the floor" "env -u NODE_EXTRA_CA_CERTS node $work/empty.cjs"
bdocker rm -f bench-inspect > /dev/null
jq -r '.results | map({key: .command, value: .mean}) | from_entries as $m
  | ["run --rm busybox true", "ps", "inspect", "--version"][]
  | . as $c | ($m["berth " + $c] / $m["docker " + $c]) as $r
  | "berth/docker \($c): \($r * 100 | round / 100)"' "$OUT/cli-startup.json" | tee -a "$OUT/cli-startup.md"

# idle RSS
sleep 2
rss() { ps -o rss= -p "$1" 2> /dev/null | tr -d ' ' || echo 0; }
b_rss="$(rss "$berthd_pid")"
{
  echo "| process | idle RSS (KiB) |"
  echo "|---|---|"
  echo "| berthd | $b_rss |"
  if [ "$have_docker" = 1 ]; then
    d_pid="$(cat /run/berth-oracle/dockerd.pid)"
    c_pid="$(cat /run/berth-oracle/exec/containerd/containerd.pid 2> /dev/null || echo 0)"
    d_rss="$(rss "$d_pid")"; c_rss="$(rss "$c_pid")"; c_rss="${c_rss:-0}"
    echo "| dockerd | $d_rss |"
    echo "| containerd (dockerd's) | $c_rss |"
    echo
    awk -v b="$b_rss" -v d="$d_rss" -v c="$c_rss" 'BEGIN { printf "berthd / (dockerd+containerd) = %.2f\n", b / (d + c) }'
  fi
} | tee "$OUT/rss.md"
log "results in $OUT"
