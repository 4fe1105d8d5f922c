#!/usr/bin/env bash
# Layer unpacking benchmark (issue 9, row 6): a cold pull of debian:bookworm (one gzip layer of
# ~6.6k small files, made offline with debootstrap) from a local `berth registry serve`, by
#   Docker (a private oracle dockerd, docker CLI)   berth (a fresh private berthd, same CLI)
# and the floor: `tar -xzf` of the very same blob into an empty directory on the same disk
# (also with a `sync` after it: berth flushes each pulled layer once with syncfs(2)).
# One hyperfine run (BENCH_UNPACK_RUNS each, default 3); every berth run starts from an empty
# data root, every Docker run from `rmi` of the image. Results: bench/results/unpack-*.{md,json}
# and the summary table bench/results/unpack-ratios.txt. Targets: berth <= 0.8x Docker and
# <= 1.3x tar -xzf.
#
# The rootfs is cached under BENCH_CACHE (default /var/cache/berth-bench/unpack-debian); the
# first run needs Debian's archive (debootstrap --variant=minbase bookworm, ~3 min).
# Env: BENCH_UNPACK_RUNS, BENCH_CACHE, BENCH_OUT (results dir), BENCH_ORACLE_SOCK (use this
# running dockerd instead of starting a private one), BENCH_UNPACK_BRIDGE/BIP/POOL (the private
# oracle's network; default bunpk0 10.247.0.1/24, pool 10.247.128.0/18), BENCH_UNPACK_ORACLE_RUN
# (its run dir, /run/berth-unpack-oracle), BENCH_UNPACK_BERTHD_BRIDGE/BIP/POOL (berthd's; default
# bunpkb0 10.247.64.1/24, pool 10.247.96.0/19), BENCH_BASE_REPO (another built checkout, e.g. the
# commit before a change: adds a `berth-base` row; its berthd on <bridge>b, <bip> + 0.0.1.0).
# BENCH_UNPACK_SETTLE=SECONDS: every prepare step (which deletes the previous run's tree) then
# waits that long. On ext4 without a journal (as on the bench VM) an inode freed less than 30 s
# ago is skipped by the allocator, one buffer lookup each: a tree of 6.6k files made right where
# another was just deleted costs every engine (and tar) 3-10x the system time. 31 measures the
# unpacking itself; 0 (the default) measures it right after the deletion, as `rmi && pull` does.
# Needs root; run scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
need_root
command -v hyperfine > /dev/null || die "hyperfine missing (scripts/install-test-deps.sh)"
command -v jq > /dev/null || die "jq missing"
[ -f dist/src/daemon/main.js ] || npm run --silent build
REPO="$PWD"
OUT="${BENCH_OUT:-$REPO/bench/results}"
mkdir -p "$OUT"
RUNS="${BENCH_UNPACK_RUNS:-3}"
SETTLE="${BENCH_UNPACK_SETTLE:-0}"
CACHE="${BENCH_CACHE:-/var/cache/berth-bench/unpack-debian}"
DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || DOCKER="$(command -v docker)"

# --- the rootfs (cached): debootstrap minbase, apt caches emptied as the official image does
mkdir -p "$CACHE"
if [ ! -s "$CACHE/debian-bookworm.tar" ]; then
  command -v debootstrap > /dev/null || apt_install debootstrap || die "debootstrap missing"
  tmp="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  log "debootstrap --variant=minbase bookworm (once; cached in $CACHE)"
  debootstrap --variant=minbase bookworm "$tmp/rootfs" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1 ||
    { unmount_under "$tmp"; rm -rf "$tmp"; die "debootstrap failed (see $CACHE/debootstrap.log)"; }
  unmount_under "$tmp/rootfs"
  rm -rf "$tmp"/rootfs/var/cache/apt/archives/*.deb "$tmp"/rootfs/var/lib/apt/lists/* "$tmp"/rootfs/var/log/* "$tmp"/rootfs/tmp/*
  tar --numeric-owner --xattrs -C "$tmp/rootfs" -cf "$CACHE/debian-bookworm.tar.tmp" .
  mv "$CACHE/debian-bookworm.tar.tmp" "$CACHE/debian-bookworm.tar"
  rm -rf "$tmp"
fi

work="$(mktemp -d /var/tmp/berth-unpackbench.XXXXXX)" # same disk as the data roots, not tmpfs
pids=()
oracle_started=0
BRIDGE="${BENCH_UNPACK_BRIDGE:-bunpk0}"
BIP="${BENCH_UNPACK_BIP:-10.247.0.1/24}"
POOL="${BENCH_UNPACK_POOL:-10.247.128.0/18}"
ORUN="${BENCH_UNPACK_ORACLE_RUN:-/run/berth-unpack-oracle}"
ODATA="/var/lib/$(basename "$ORUN")"
BBRIDGE="${BENCH_UNPACK_BERTHD_BRIDGE:-bunpkb0}"
BBIP="${BENCH_UNPACK_BERTHD_BIP:-10.247.64.1/24}"
BPOOL="${BENCH_UNPACK_BERTHD_POOL:-10.247.96.0/19}"
BASE="${BENCH_BASE_REPO:-}"
[ -z "$BASE" ] || [ -f "$BASE/dist/src/daemon/main.js" ] || die "BENCH_BASE_REPO=$BASE has no dist/src/daemon/main.js (build it first)"
oracle_env=(BERTH_ORACLE_RUN="$ORUN" BERTH_ORACLE_DATA="$ODATA"
  BERTH_ORACLE_LOG="/var/log/$(basename "$ORUN").log" BERTH_ORACLE_BRIDGE="$BRIDGE" BERTH_ORACLE_BIP="$BIP" BERTH_ORACLE_POOL="$POOL")
cleanup() {
  for f in "$work"/berthd*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2> /dev/null || true; done
  for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  sleep 1
  if [ "$oracle_started" = 1 ]; then
    env "${oracle_env[@]}" bash scripts/oracle-docker.sh stop || true
    rm -rf "$ODATA"
  fi
  for br in "$BBRIDGE" ${BASE:+"${BBRIDGE}b"}; do # the private berthds' bridges and nft tables
    ip link show "$br" > /dev/null 2>&1 && ip link del "$br" || true
    for t in "berth-$br" "berth-$br-user"; do nft list table ip "$t" > /dev/null 2>&1 && nft delete table ip "$t" || true; done
  done
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT

# --- registry and a berthd that imports and pushes the image
log_file="$work/reg.log"
setsid node dist/src/cli/main.js registry serve --listen 127.0.0.1:0 --root "$work/reg" -q > "$log_file" 2>&1 < /dev/null &
pids+=($!)
for ((i = 0; i < 100; i++)); do grep -q 'listening on' "$log_file" 2> /dev/null && break; sleep 0.1; done
REG="$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log_file")"
[ -n "$REG" ] || die "berth registry serve did not start: $(cat "$log_file")"
IMAGE="$REG/bench/debian:bookworm"

# berthd on a private bridge; `berthd.sh fresh|stop` is also what hyperfine's --prepare runs.
# berthd_script NAME REPO BRIDGE BIP: $work/NAME.sh runs REPO's berthd in $work/NAME.
berthd_script() {
  cat > "$work/$1.sh" << EOF
#!/usr/bin/env bash
d="$work/$1"
case "\$1" in
  stop)
    [ -f "$work/$1.pid" ] || exit 0
    p="\$(cat "$work/$1.pid")"; kill -TERM "\$p" 2> /dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "\$p" 2> /dev/null || break; sleep 0.1; done
    rm -f "$work/$1.pid" ;;
  fresh)
    "\$0" stop
    rm -rf "\$d/data" "\$d/exec"; mkdir -p "\$d/data" "\$d/exec" "\$d/cli"; echo '{}' > "\$d/cli/config.json"
    cd "$2"
    setsid node dist/src/daemon/main.js -H "unix://\$d/sock" --data-root "\$d/data" --exec-root "\$d/exec" \\
      --bridge $3 --bip $4 --default-address-pool base=$BPOOL,size=24 \\
      > "\$d/log" 2>&1 < /dev/null &
    echo \$! > "$work/$1.pid"
    . "$REPO/scripts/lib/common.sh"
    wait_ping "\$d/sock" 30 || { tail -n 20 "\$d/log"; exit 1; }
    sync; sleep $SETTLE ;;
esac
EOF
  chmod +x "$work/$1.sh"
}
berthd_script berthd "$REPO" "$BBRIDGE" "$BBIP"
[ -z "$BASE" ] || berthd_script berthd-base "$BASE" "${BBRIDGE}b" "$(echo "$BBIP" | awk -F'[./]' '{ printf "%d.%d.%d.%d/%d", $1, $2, $3 + 1, $4, $5 }')"
"$work/berthd.sh" fresh
bd="DOCKER_HOST=unix://$work/berthd/sock DOCKER_CONFIG=$work/berthd/cli $DOCKER"
log "importing and pushing $IMAGE (berth compresses the layer with gzip)"
env $bd import "$CACHE/debian-bookworm.tar" "$IMAGE" > /dev/null
env $bd push "$IMAGE" > /dev/null
blob="$(find "$work/reg" -type f -size +10M | head -n 1)"
[ -n "$blob" ] || die "no layer blob in the registry"
files="$(tar -tzf "$blob" | wc -l)"
log "layer: $(du -m "$blob" | cut -f1) MB gzip, $files entries"

# --- Docker
have_docker=0
if [ -n "${BENCH_ORACLE_SOCK:-}" ]; then
  ORACLE_SOCK="$BENCH_ORACLE_SOCK"; have_docker=1
elif env "${oracle_env[@]}" bash scripts/oracle-docker.sh start > /dev/null; then
  ORACLE_SOCK="$ORUN/docker.sock"; have_docker=1; oracle_started=1
else log "Docker oracle unavailable: Docker rows skipped"; fi
od="DOCKER_HOST=unix://${ORACLE_SOCK:-none} $DOCKER"
cat > "$work/docker-rmi.sh" << EOF
#!/usr/bin/env bash
env $od rmi -f "$IMAGE" > /dev/null 2>&1 || true
sync; sleep $SETTLE
EOF
chmod +x "$work/docker-rmi.sh"
cat > "$work/tar-fresh.sh" << EOF
#!/usr/bin/env bash
rm -rf "$work/tarx"; mkdir "$work/tarx"; sync; sleep $SETTLE
EOF
chmod +x "$work/tar-fresh.sh"

cmds=(
  --prepare "$work/tar-fresh.sh" -n tar "tar -xzf $blob -C $work/tarx"
  --prepare "$work/tar-fresh.sh" -n tar+sync "sh -c 'tar -xzf $blob -C $work/tarx && sync'"
  --prepare "$work/berthd.sh fresh" -n berth "env $bd pull -q $IMAGE"
)
bdb="DOCKER_HOST=unix://$work/berthd-base/sock DOCKER_CONFIG=$work/berthd-base/cli $DOCKER"
[ -n "$BASE" ] && cmds+=(--prepare "$work/berthd-base.sh fresh" -n berth-base "env $bdb pull -q $IMAGE")
# Docker does not flush what it unpacked; docker+sync is the same pull made as durable as berth's
[ "$have_docker" = 1 ] && cmds+=(--prepare "$work/docker-rmi.sh" -n docker "env $od pull -q $IMAGE"
  --prepare "$work/docker-rmi.sh" -n docker+sync "sh -c 'env $od pull -q $IMAGE > /dev/null && sync'")
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --runs "$RUNS" --export-json "$OUT/unpack-pull-cold.json" --export-markdown "$OUT/unpack-pull-cold.md" "${cmds[@]}"
load1="$(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$BASE" ] || "$work/berthd-base.sh" stop

# CPU seconds (user+sys, children included) of one more cold pull each: less sensitive than
# wall time to other load on the machine. berthd's layer worker is a thread of berthd; dockerd
# unpacks in itself or in children it reaps.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / hz }' "/proc/$1/stat"; }
cpu_delta() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
"$work/berthd.sh" fresh > /dev/null
bpid="$(cat "$work/berthd.pid")"
c0="$(cpu_of "$bpid")"
env $bd pull -q "$IMAGE" > /dev/null
cpu_b="$(cpu_delta "$c0" "$(cpu_of "$bpid")")"
cpu_d=""
dpid="$(cat "$(dirname "${ORACLE_SOCK:-/nonexistent/x}")/dockerd.pid" 2> /dev/null || true)"
if [ "$have_docker" = 1 ] && [ -n "$dpid" ]; then
  "$work/docker-rmi.sh"
  cpids="$dpid $(pgrep -P "$dpid" | tr '\n' ' ')" # dockerd and its containerd
  sum() { local t=0 p; for p in $cpids; do t="$(awk -v t="$t" -v c="$(cpu_of "$p")" 'BEGIN { print t + c }')"; done; echo "$t"; }
  c0="$(sum)"
  env $od pull -q "$IMAGE" > /dev/null
  cpu_d="$(cpu_delta "$c0" "$(sum)")"
fi
"$work/tar-fresh.sh"
cpu_t="$( { /usr/bin/time -f '%U %S' tar -xzf "$blob" -C "$work/tarx"; } 2>&1 | awk '{ printf "%.2f", $1 + $2 }')"
env $bd run --rm --network none "$IMAGE" sh -c 'test -x /usr/bin/apt && test -s /etc/debian_version' || die "the pulled image does not run"
"$work/berthd.sh" stop
[ "$have_docker" = 1 ] && env $od rmi -f "$IMAGE" > /dev/null 2>&1 || true

f="$OUT/unpack-pull-cold.json"
median() { jq -r --arg n "$1" '[.results[] | select(.command == $n) | .median][0] // empty' "$f"; }
b="$(median berth)"; bb="$(median berth-base)"; d="$(median docker)"; ds="$(median docker+sync)"; t="$(median tar)"; ts="$(median tar+sync)"
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo -; }
sec() { [ -n "$1" ] && printf '%.2fs' "$1" || echo -; }
{
  echo "cold pull of debian:bookworm ($(du -m "$blob" | cut -f1) MB gzip layer, $files entries), median of $RUNS, $(date -u +%F), $(nproc) cores, load $load0 -> $load1, settle ${SETTLE}s"
  printf '%-10s %8s %8s %11s %8s %9s %13s %18s %10s %15s\n' case berth docker docker+sync tar tar+sync \
    berth/docker berth/docker+sync berth/tar berth/tar+sync
  printf '%-10s %8s %8s %11s %8s %9s %13s %18s %10s %15s\n' pull-cold "$(sec "$b")" "$(sec "$d")" "$(sec "$ds")" "$(sec "$t")" "$(sec "$ts")" \
    "$(ratio "$b" "$d")" "$(ratio "$b" "$ds")" "$(ratio "$b" "$t")" "$(ratio "$b" "$ts")"
  [ -z "$bb" ] || printf '%-10s %8s %8s %11s %8s %9s %13s %18s %10s %15s\n' pull-base "$(sec "$bb")" "$(sec "$d")" "$(sec "$ds")" "$(sec "$t")" "$(sec "$ts")" \
    "$(ratio "$bb" "$d")" "$(ratio "$bb" "$ds")" "$(ratio "$bb" "$t")" "$(ratio "$bb" "$ts")"
  printf '%-10s %8s %8s %11s %8s %9s %13s %18s %10s %15s\n' cpu "${cpu_b}s" "${cpu_d:+${cpu_d}s}" - "${cpu_t}s" - \
    "$(ratio "$cpu_b" "$cpu_d")" - "$(ratio "$cpu_b" "$cpu_t")" -
  echo "targets: berth/docker <= 0.80x, berth/tar <= 1.30x (wall-clock medians)"
} | tee "$OUT/unpack-ratios.txt"
