#!/usr/bin/env bash
# Build benchmark of issue 7, berth (docker CLI v28 -> a private berthd, classic build API) side by
# side with Docker's classic builder, BuildKit (both in a private dockerd 20.10) and podman build.
# Context: 5,000 files x 10 KiB in 50 dirs (generated once into a temp dir); Dockerfile
#   FROM busybox / COPY data /data / RUN ls /data | wc -l
# Three cases, each one hyperfine run with every engine side by side (results in bench/results/):
#   build-bench-cold.{md,json}     `build --no-cache`
#   build-bench-warm.{md,json}     nothing changed since the previous build (all steps cached)
#   build-bench-changed.{md,json}  one file (data/d00/f000) rewritten with new random bytes before
#                                  every run (hyperfine --prepare): COPY and RUN miss, FROM hits
#   build-bench.{md,json}          the summary: medians, ratios berth/BuildKit, berth/Docker
#                                  classic, berth/podman, berth CLI/BuildKit, target (berth <= BuildKit), pass/fail
#
# Env: BENCH_RUNS (hyperfine runs per engine and case, default 3), BENCH_WARMUP (1; the warmup of
# the warm case is also what fills each engine's cache), BENCH_NET / BENCH_BRIDGES /
# BENCH_ORACLE_RUN (addresses and names, below; the defaults are those listed here), BENCH_OUT
# (results directory, default bench/results). About 4-8 minutes on 2 cores.
# Needs root; run scripts/setup.sh first.
#
# Engines:
#   berth          private berthd (temp data/exec roots), --bridge bbuild0 --bip 10.244.0.1/24
#                  --default-address-pool base=10.244.128.0/17,size=24 --dns 127.0.0.77;
#                  driven by the docker CLI v28 (/usr/local/bin/docker), which picks the classic
#                  builder by itself (berthd's /_ping answers Builder-Version: 1)
#   berth CLI      the same berthd driven by berth's own CLI (dist/cli/berth.cjs): its incremental
#                  context (POST /berth/build/context, src/api/context-sync.ts) sends only the
#                  files whose stat metadata changed since its previous build of this directory
#   Docker classic a private instance of scripts/oracle-docker.sh (run dir
#                  /run/berth-bench-build-oracle, data root in the temp dir, bridge bbuildd0
#                  10.244.1.1/24, pool 10.244.64.0/18); docker CLI v28 with DOCKER_BUILDKIT=0
#   BuildKit       the same dockerd (20.10 has BuildKit built in), Debian's 20.10 client
#                  /usr/bin/docker with DOCKER_BUILDKIT=1 (built-in dockerfile frontend, no
#                  `# syntax=`; busybox comes from the local image store, nothing is pulled)
#   podman         private storage and containers.conf, CNI network bbuildpod (bridge bbuildp0,
#                  10.244.2.0/24, bridge plugin only), `build --pull=never`; skipped with a message
#                  when it cannot build here
# Every engine gets the same busybox rootfs (scripts/make-busybox-rootfs.sh | import).
#
# Network safety: scripts/lib/forward-guard.sh is installed before any engine starts (removed at
# the end only if this script installed it; net.ipv4.ip_forward is restored); nothing is pulled;
# traffic stays on loopback and the bridges this script's engines create.
# Cleanup (also on failure or Ctrl-C): podman's storage and CNI state, the private berthd (by
# PID), the private dockerd (oracle-docker.sh stop, by PID), bridges bbuild0, bbuildd0, bbuildp0
# and br-* in 10.244.0.0/16, nft tables berth-bbuild0 and berth-bbuild0-user, leftover
# /run/netns/berth-* of berth's containers, the temp dir.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
need_root
RUNS="${BENCH_RUNS:-3}"
WARMUP="${BENCH_WARMUP:-1}"
OUT="${BENCH_OUT:-$REPO/bench/results}"
mkdir -p "$OUT"

for c in hyperfine jq nft; do command -v "$c" > /dev/null || die "$c missing (scripts/install-test-deps.sh)"; done
[ -f dist/src/daemon/main.js ] || npm run --silent build || die "build failed"

DOCKER=/usr/local/bin/docker         # v28, for berth and Docker classic
DOCKER20=/usr/bin/docker             # Debian's 20.10 client, for BuildKit
[ -x "$DOCKER" ] || die "$DOCKER (docker CLI v28) missing"
# Addresses and names (BENCH_NET: the /16 every engine's networks come from, default 10.244;
# BENCH_BRIDGES: the prefix of the bridges' names, default bbuild; BENCH_ORACLE_RUN: the private
# dockerd's run dir) can be moved so two runs, or a run and a developer's own daemons, never meet.
NET="${BENCH_NET:-10.244}"
BRP="${BENCH_BRIDGES:-bbuild}"
# berth's private daemon
B_BRIDGE="${BRP}0"
B_BIP="$NET.0.1/24"
B_POOL="$NET.128.0/17"
B_TABLES=("berth-$B_BRIDGE" "berth-$B_BRIDGE-user")
# the private Docker oracle
PD_RUN="${BENCH_ORACLE_RUN:-/run/berth-bench-build-oracle}"
PD_BRIDGE="${BRP}d0"
PD_BIP="$NET.1.1/24"
PD_POOL="$NET.64.0/18"
# podman's private network
P_NET="${BRP}pod"
P_BRIDGE="${BRP}p0"
P_SUBNET="$NET.2.0/24"
P_GW="$NET.2.1"
OURS_CIDR="$NET.0.0/16"
UPSTREAM_DNS=127.0.0.77
FILES_PER_DIR=100
DIRS=50
FILE_KB=10
CHANGED=data/d00/f000

work="$(mktemp -d /tmp/berth-buildbench.XXXXXX)"
mkdir -p "$work/cli" "$work/cli20" && echo '{}' > "$work/cli/config.json" && echo '{}' > "$work/cli20/config.json"
BSOCK="$work/berth.sock"
CTX="$work/ctx"
berthd_pid=""
berth_started=0
guard_installed=0
ip_forward_before="$(cat /proc/sys/net/ipv4/ip_forward 2> /dev/null || true)"
docker_mode=""
DSOCK="$PD_RUN/docker.sock"
have_docker=0 have_buildkit=0 have_podman=0
PODMAN=""
failures=()
notes=()
note_fail() { failures+=("$(echo "$*" | tr '\n' ' ')"); log "FAILED: $*"; }
note() { notes+=("$(echo "$*" | tr '\n' ' ')"); log "$*"; }

bdocker() { DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
BERTH_CLI="$REPO/dist/cli/berth.cjs"
have_berth_cli=0
ddocker() { DOCKER_HOST="unix://$DSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
private_oracle() {
  BERTH_ORACLE_RUN="$PD_RUN" BERTH_ORACLE_DATA="$work/docker-data" BERTH_ORACLE_LOG="$work/dockerd.log" \
    BERTH_ORACLE_BRIDGE="$PD_BRIDGE" BERTH_ORACLE_BIP="$PD_BIP" BERTH_ORACLE_POOL="$PD_POOL" \
    bash scripts/oracle-docker.sh "$@"
}

# ---------------------------------------------------------------- cleanup
in_cidr() {
  local ip="$1" net="${2%/*}" len="${2#*/}" a b c d e f g h
  IFS=. read -r a b c d <<< "$ip"; IFS=. read -r e f g h <<< "$net"
  local x=$(((a << 24) | (b << 16) | (c << 8) | d)) y=$(((e << 24) | (f << 16) | (g << 8) | h))
  local mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
  [ $((x & mask)) = $((y & mask)) ]
}
# our_bridges: bbuild0, bbuildp0 and every br-* bridge with an address in 10.244.0.0/16
our_bridges() {
  local name addr
  ip link show "$B_BRIDGE" > /dev/null 2>&1 && echo "$B_BRIDGE"
  ip link show "$P_BRIDGE" > /dev/null 2>&1 && echo "$P_BRIDGE"
  ip -o -4 addr show 2> /dev/null | awk '$2 ~ /^br-/ { sub(/\/.*/, "", $4); print $2, $4 }' |
    while read -r name addr; do in_cidr "$addr" "$OURS_CIDR" && echo "$name"; done
  true
}
# netns_on BRIDGE...: namespaces in /run/netns with a veth whose host end is on one of them
netns_on() {
  local brs=" $* " ns idx master
  for ns in /run/netns/*; do
    [ -e "$ns" ] || continue
    ns="${ns##*/}"
    for idx in $(ip -n "$ns" -o link show 2> /dev/null | sed -n 's/^[0-9]*: [^@:]*@if\([0-9]*\):.*/\1/p'); do
      master="$(ip -o link show 2> /dev/null | awk -v i="$idx:" '$1 == i { for (k = 1; k < NF; k++) if ($k == "master") print $(k + 1) }')"
      if [ -n "$master" ] && [[ "$brs" == *" $master "* ]]; then echo "$ns"; break; fi
    done
  done
}
del_bridge() {
  local br="$1" ifc
  ip link show "$br" > /dev/null 2>&1 || return 0
  for ifc in $(ip -o link show master "$br" 2> /dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    ip link del "$ifc" 2> /dev/null || true
  done
  ip link del "$br" 2> /dev/null && log "deleted bridge $br"
}

cleanup_berth() {
  local ids="" brs br t i state="$work/data/network/state.json"
  [ "$berth_started" = 1 ] || return 0
  if [ -n "$berthd_pid" ] && pid_alive "$berthd_pid"; then
    # bounded: a berthd that stopped answering must not hold the cleanup (it is killed below)
    ids="$(timeout 20 env DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" ps -aq --no-trunc 2> /dev/null)"
    [ -n "$ids" ] && { timeout 60 env DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" rm -f $ids > /dev/null 2>&1 || log "berth: rm -f of its containers failed"; }
    log "stopping the private berthd (pid $berthd_pid)"
    kill -TERM "$berthd_pid" 2> /dev/null || true
    for ((i = 0; i < 75; i++)); do pid_alive "$berthd_pid" || break; sleep 0.2; done
    pid_alive "$berthd_pid" && { log "berthd still running after 15 s: SIGKILL"; kill -KILL "$berthd_pid" 2> /dev/null || true; }
  fi
  berthd_pid=""
  brs="$(our_bridges | grep -v "^$P_BRIDGE\$" | tr '\n' ' ')"
  {
    [ -f "$state" ] && jq -r '.sandboxes[]?.netnsName' "$state" 2> /dev/null
    for i in $ids; do echo "berth-$i"; done
    [ -n "${brs// /}" ] && netns_on $brs
  } | sort -u | while read -r ns; do
    [[ "$ns" == berth-* ]] && [ -e "/run/netns/$ns" ] && { log "removing leftover netns $ns"; ip netns delete "$ns" 2> /dev/null || true; }
  done
  for br in $brs; do del_bridge "$br"; done
  for t in "${B_TABLES[@]}"; do
    nft list tables 2> /dev/null | awk -v t="$t" '$3 == t { print $2 }' | while read -r fam; do
      nft delete table "$fam" "$t" && log "deleted nft table $fam $t"
    done
  done
}

cleanup_docker() {
  if [ "$docker_mode" = private ]; then
    private_oracle stop || true
    rm -rf "$PD_RUN"
    del_bridge "$PD_BRIDGE"
  fi
  docker_mode=""
}

cleanup_podman() {
  local ns
  [ -n "$PODMAN" ] || return 0
  $PODMAN rm -af > /dev/null 2>&1 || true
  for ns in $(netns_on "$P_BRIDGE"); do ip netns delete "$ns" 2> /dev/null || true; done
  del_bridge "$P_BRIDGE"
  rm -rf "/var/lib/cni/networks/$P_NET" /var/lib/cni/results/"$P_NET"-* 2> /dev/null
  unmount_under "$work/podman"
  rm -rf "$work/podman"
  PODMAN=""
}

cleanup() {
  trap '' INT TERM
  cleanup_podman
  cleanup_berth
  cleanup_docker
  local br
  if [ "$berth_started" = 1 ]; then
    for br in $(our_bridges); do del_bridge "$br"; done
  fi
  berth_started=0
  if [ -n "$ip_forward_before" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward 2> /dev/null)" != "$ip_forward_before" ]; then
    echo "$ip_forward_before" > /proc/sys/net/ipv4/ip_forward 2> /dev/null || true
  fi
  [ "$guard_installed" = 1 ] && { bash scripts/lib/forward-guard.sh remove || true; }
  guard_installed=0
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- setup
load_start="$(cut -d' ' -f1 /proc/loadavg)"
ip link show "$B_BRIDGE" > /dev/null 2>&1 && die "bridge $B_BRIDGE exists: another build-bench runs, or an earlier one left it (ip link del $B_BRIDGE)"
ip link show "$PD_BRIDGE" > /dev/null 2>&1 && die "bridge $PD_BRIDGE exists: another build-bench runs, or an earlier one left it"
while read -r n a; do
  in_cidr "$a" "$OURS_CIDR" && die "address range $OURS_CIDR in use: $n has $a"
done < <(ip -o -4 addr show 2> /dev/null | awk '{ sub(/\/.*/, "", $4); print $2, $4 }')

bash scripts/lib/forward-guard.sh status > /dev/null 2>&1 || guard_installed=1
bash scripts/lib/forward-guard.sh install || die "could not install the forward guard (nftables); refusing to start engines that forward"

# the context: DIRS dirs x FILES_PER_DIR files x FILE_KB KiB of random bytes
log "generating the context: $((DIRS * FILES_PER_DIR)) files x $FILE_KB KiB in $DIRS dirs"
for ((d = 0; d < DIRS; d++)); do
  dir="$CTX/data/$(printf 'd%02d' "$d")"
  mkdir -p "$dir"
  head -c $((FILES_PER_DIR * FILE_KB * 1024)) /dev/urandom | (cd "$dir" && split -b $((FILE_KB * 1024)) -d -a 3 - f)
done
printf 'FROM busybox\nCOPY data /data\nRUN ls /data | wc -l\n' > "$CTX/Dockerfile"
nfiles="$(find "$CTX/data" -type f | wc -l)"
[ "$nfiles" = $((DIRS * FILES_PER_DIR)) ] || die "context has $nfiles files"
# the --prepare of the changed case: new random bytes in one file (same size)
printf '#!/bin/sh\nhead -c %d /dev/urandom > %s\n' $((FILE_KB * 1024)) "$CTX/$CHANGED" > "$work/change-one.sh"
chmod +x "$work/change-one.sh"

scripts/make-busybox-rootfs.sh "$work/rootfs.tar" || die "could not build the busybox rootfs"

# berth
mkdir -p "$work/data" "$work/exec"
berth_started=1
setsid node dist/src/daemon/main.js -H "unix://$BSOCK" --data-root "$work/data" --exec-root "$work/exec" \
  --pidfile "$work/berthd.pid" --bridge "$B_BRIDGE" --bip "$B_BIP" \
  --default-address-pool "base=$B_POOL,size=24" --dns "$UPSTREAM_DNS" \
  > "$work/berthd.log" 2>&1 < /dev/null &
berthd_pid=$!
wait_ping "$BSOCK" 30 || { tail -n 20 "$work/berthd.log" >&2; die "berthd did not start"; }
bdocker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null || die "berth: import failed"
if ! out="$(bdocker build -t bench:berth "$CTX" 2>&1)"; then
  echo "$out" | tail -n 20 >&2; tail -n 20 "$work/berthd.log" >&2
  die "berth cannot build the benchmark Dockerfile; nothing to benchmark"
fi
echo "$out" | grep -q '^ *50$' || log "berth: unexpected build output (RUN ls /data | wc -l should print 50): $(echo "$out" | tail -n 5 | tr '\n' ' ')"
if [ -f "$BERTH_CLI" ] && out="$(DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" node "$BERTH_CLI" build -t bench:berthcli "$CTX" 2>&1)"; then
  have_berth_cli=1
else
  note_fail "berth CLI: build failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
fi

# Docker: a private oracle (classic builder and BuildKit)
docker_mode=private
if ! private_oracle start; then
  tail -n 20 "$work/dockerd.log" >&2 2> /dev/null
  note_fail "Docker: the private oracle did not start: Docker classic and BuildKit columns are empty"
  cleanup_docker
fi
if [ -n "$docker_mode" ]; then
  ddocker image inspect busybox:latest > /dev/null 2>&1 ||
    ddocker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null || note_fail "Docker: import failed"
  if out="$(DOCKER_BUILDKIT=0 ddocker build -t bench:classic "$CTX" 2>&1)"; then have_docker=1
  else note_fail "Docker classic: build failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
  if [ -x "$DOCKER20" ] && "$DOCKER20" --version | grep -q ' 20\.10\.'; then
    if out="$(DOCKER_HOST="unix://$DSOCK" DOCKER_CONFIG="$work/cli20" DOCKER_BUILDKIT=1 timeout 120 "$DOCKER20" build --progress plain -t bench:buildkit "$CTX" 2>&1)"; then
      have_buildkit=1
    else
      note_fail "BuildKit: build failed (offline: it may need images it cannot pull): $(echo "$out" | tail -n 5 | tr '\n' ' ')"
    fi
  else
    note_fail "BuildKit: $DOCKER20 (Debian's docker 20.10 client) missing: BuildKit column empty"
  fi
fi

# podman: private storage, containers.conf and CNI network
if command -v podman > /dev/null; then
  mkdir -p "$work/podman/net"
  cat > "$work/podman/containers.conf" << EOF
[containers]
default_ulimits = []
[network]
network_backend = "cni"
network_config_dir = "$work/podman/net"
default_network = "$P_NET"
default_subnet = "$P_SUBNET"
EOF
  cat > "$work/podman/net/$P_NET.conflist" << EOF
{
  "cniVersion": "0.4.0",
  "name": "$P_NET",
  "plugins": [
    { "type": "bridge", "bridge": "$P_BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "routes": [{ "dst": "0.0.0.0/0" }],
                "ranges": [[{ "subnet": "$P_SUBNET", "gateway": "$P_GW" }]] } }
  ]
}
EOF
  PODMAN="env CONTAINERS_CONF=$work/podman/containers.conf podman --root $work/podman/root --runroot $work/podman/run --tmpdir $work/podman/tmp --cgroup-manager cgroupfs --events-backend file"
  if $PODMAN import -c 'CMD ["sh"]' "$work/rootfs.tar" localhost/busybox:latest > "$work/podman.err" 2>&1 &&
     timeout 180 $PODMAN build --pull=never -t localhost/bench:podman "$CTX" >> "$work/podman.err" 2>&1; then
    have_podman=1
  else
    note "podman cannot build here: podman column skipped ($(tail -n 3 "$work/podman.err" 2> /dev/null | tr '\n' ' '))"
  fi
fi

# ---------------------------------------------------------------- the three cases
# cmds_for EXTRA: hyperfine -n/command pairs of every engine that works
cmds_for() {
  local extra="$1"
  cmds=(-n berth "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli $DOCKER build $extra -t bench:berth $CTX")
  [ "$have_berth_cli" = 1 ] && cmds+=(-n "berth CLI" "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli node $BERTH_CLI build $extra -t bench:berthcli $CTX")
  [ "$have_buildkit" = 1 ] && cmds+=(-n BuildKit "env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli20 DOCKER_BUILDKIT=1 $DOCKER20 build --progress plain $extra -t bench:buildkit $CTX")
  [ "$have_docker" = 1 ] && cmds+=(-n "Docker classic" "env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli DOCKER_BUILDKIT=0 $DOCKER build $extra -t bench:classic $CTX")
  [ "$have_podman" = 1 ] && cmds+=(-n podman "$PODMAN build --pull=never $extra -t localhost/bench:podman $CTX")
  true
}
run_case() { # NAME EXTRA_BUILD_FLAGS [HYPERFINE_FLAGS...]
  local name="$1" extra="$2"; shift 2
  cmds_for "$extra"
  log "case $name: hyperfine, $RUNS runs (+$WARMUP warmup) per engine"
  hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --ignore-failure "$@" \
    --export-markdown "$OUT/build-bench-$name.md" --export-json "$OUT/build-bench-$name.json" "${cmds[@]}" ||
    note_fail "hyperfine ($name) failed"
  local nfail
  nfail=$(jq -r '[.results[] | select(any(.exit_codes[]; . != 0)) | "\(.command): \([.exit_codes[] | select(. != 0)] | length) failed runs"] | join("; ")' "$OUT/build-bench-$name.json" 2> /dev/null)
  [ -n "$nfail" ] && note_fail "$name: $nfail"
  true
}
run_case cold "--no-cache"
run_case warm ""
# sanity (untimed): berth's warm build hits the cache on COPY and RUN. Checked here, before the
# changed case: there hyperfine runs --prepare before every run of every engine, so afterwards
# berth's last build is no longer current.
warm_check="$(bdocker build -t bench:berth "$CTX" 2>&1 | grep -c 'Using cache')"
[ "$warm_check" -ge 2 ] || note_fail "berth: a warm rebuild did not report 2 cache hits ($warm_check)"
if [ "$have_berth_cli" = 1 ]; then
  out="$(DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" node "$BERTH_CLI" build -t bench:berthcli "$CTX" 2>&1)"
  [ "$(echo "$out" | grep -c 'Using cache')" -ge 2 ] || note_fail "berth CLI: a warm rebuild did not report 2 cache hits"
  sent="$(echo "$out" | sed -n 's/^Sending build context to Docker daemon *//p')"
  note "berth CLI: a warm rebuild sent $sent of context (the whole tar is $(du -sh --apparent-size "$CTX" | cut -f1))"
fi
run_case changed "" --prepare "$work/change-one.sh"

# ---------------------------------------------------------------- summary
med() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$OUT/build-bench-$1.json" 2> /dev/null; }
div() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b != 0) printf "%.2f", a / b }'; }
ms() { [ -n "${1:-}" ] && awk -v v="$1" 'BEGIN { printf "%.0f ms", v }' || printf '–'; }
verdict() { [ -n "${1:-}" ] || { echo "n/a"; return; }; awk -v v="$1" 'BEGIN { print (v <= 1.0) ? "PASS" : "FAIL" }'; }
declare -A M=()
rows=()
json_cases=()
for c in cold warm changed; do
  for e in berth "berth CLI" BuildKit "Docker classic" podman; do M[$c.$e]="$(med "$c" "$e")"; done
  rbk="$(div "${M[$c.berth]}" "${M[$c.BuildKit]}")"
  rck="$(div "${M[$c.berth CLI]}" "${M[$c.BuildKit]}")"
  rdc="$(div "${M[$c.berth]}" "${M[$c.Docker classic]}")"
  rpo="$(div "${M[$c.berth]}" "${M[$c.podman]}")"
  case $c in
    cold) label="cold (\`--no-cache\`)" ;;
    warm) label="warm (nothing changed)" ;;
    changed) label="one file changed" ;;
  esac
  rows+=("$label|$(ms "${M[$c.berth]}")|$(ms "${M[$c.berth CLI]}")|$(ms "${M[$c.BuildKit]}")|$(ms "${M[$c.Docker classic]}")|$(ms "${M[$c.podman]}")|${rbk:-–}|${rck:-–}|${rdc:-–}|${rpo:-–}|$(verdict "$rbk")|$(verdict "$rck")")
  json_cases+=("$(jq -n --arg c "$c" --arg b "${M[$c.berth]}" --arg bc "${M[$c.berth CLI]}" --arg k "${M[$c.BuildKit]}" --arg d "${M[$c.Docker classic]}" \
    --arg p "${M[$c.podman]}" --arg rbk "$rbk" --arg rck "$rck" --arg rdc "$rdc" --arg rpo "$rpo" '
    def n: tonumber? // null;
    { case: $c, median_ms: { berth: ($b|n), berth_cli: ($bc|n), buildkit: ($k|n), docker_classic: ($d|n), podman: ($p|n) },
      ratio: { berth_over_buildkit: ($rbk|n), berth_cli_over_buildkit: ($rck|n), berth_over_docker_classic: ($rdc|n), berth_over_podman: ($rpo|n) },
      pass: (if ($rbk|n) == null then null else ($rbk|n) <= 1 end),
      pass_berth_cli: (if ($rck|n) == null then null else ($rck|n) <= 1 end) }')")
done
dver="$( [ "$have_docker" = 1 ] && ddocker version --format '{{.Server.Version}}' 2> /dev/null || echo –)"
pver="$( [ "$have_podman" = 1 ] && podman --version 2> /dev/null | awk '{ print $3 }' || echo –)"
load_end="$(cut -d' ' -f1 /proc/loadavg)"
{
  echo "# berth build benchmark (issue 7)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r); berth $(git -C "$REPO" rev-parse --short HEAD 2> /dev/null)$(git -C "$REPO" diff --quiet HEAD -- src 2> /dev/null || echo ' (+ uncommitted src changes)') (docker CLI $("$DOCKER" version --format '{{.Client.Version}}' 2> /dev/null), classic API), Docker $dver (classic builder: docker CLI v28, \`DOCKER_BUILDKIT=0\`; BuildKit: Debian's $("$DOCKER20" --version 2> /dev/null | awk '{ print $3 }' | tr -d ,) client, \`DOCKER_BUILDKIT=1\`), Podman $pver (CNI bridge plugin only)."
  echo "Context: $((DIRS * FILES_PER_DIR)) files × $FILE_KB KiB in $DIRS dirs; Dockerfile \`FROM busybox\` / \`COPY data /data\` / \`RUN ls /data | wc -l\`."
  echo "Load average (1 min) at the start: $load_start, at the end: $load_end (other test runs share this machine; figures move with it)."
  echo "BENCH_RUNS=$RUNS BENCH_WARMUP=$WARMUP; medians of one hyperfine run per case, all engines side by side. Details: build-bench-cold.md, build-bench-warm.md, build-bench-changed.md (and .json)."
  echo
  echo "berth: the docker CLI v28 (classic API, the whole context every build); berth CLI: berth's own CLI (incremental context)."
  echo
  echo "| case | berth | berth CLI | BuildKit | Docker classic | podman | berth/BuildKit | berth CLI/BuildKit | berth/Docker classic | berth/podman | target berth ≤ BuildKit | target berth CLI ≤ BuildKit |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  for r in "${rows[@]}"; do echo "| ${r//|/ | } |"; done
  echo
  echo "Warm: nothing changed since the previous build (hyperfine's warmup run fills each engine's cache). One file changed: \`$CHANGED\` gets new random bytes (same size) before every run (\`--prepare\`), so COPY and RUN miss and FROM hits."
  if [ "${#notes[@]}" -gt 0 ]; then
    echo; echo "Notes:"; for x in "${notes[@]}"; do echo "- $x"; done
  fi
  if [ "${#failures[@]}" -gt 0 ]; then
    echo; echo "Failures during this run:"; for x in "${failures[@]}"; do echo "- $x"; done
  fi
} > "$OUT/build-bench.md"
printf '%s\n' "${json_cases[@]}" | jq -s --arg date "$(date -u +%FT%TZ)" --arg l0 "$load_start" --arg l1 "$load_end" \
  --argjson runs "$RUNS" --argjson files $((DIRS * FILES_PER_DIR)) --argjson kb "$FILE_KB" --argjson dirs "$DIRS" \
  --arg dver "$dver" --arg pver "$pver" \
  --arg notes "$(printf '%s\n' "${notes[@]}")" --arg fails "$(printf '%s\n' "${failures[@]}")" '
  { date: $date, loadavg_start: ($l0 | tonumber? // null), loadavg_end: ($l1 | tonumber? // null), runs: $runs,
    context: { files: $files, file_kib: $kb, dirs: $dirs },
    dockerfile: ["FROM busybox", "COPY data /data", "RUN ls /data | wc -l"],
    versions: { docker: $dver, podman: $pver },
    target: "berth median <= BuildKit median in every case",
    cases: .,
    notes: ($notes | split("\n") | map(select(. != ""))),
    failures: ($fails | split("\n") | map(select(. != ""))) }' > "$OUT/build-bench.json"
echo
cat "$OUT/build-bench.md"
log "results in $OUT (build-bench*.md/json)"
[ "${#failures[@]}" = 0 ]
