#!/usr/bin/env bash
# Networking benchmarks of issue 6, berth (docker CLI v28 -> a private berthd) side by side with
# Docker (the oracle dockerd) and Podman; results in bench/results/:
#   network-run-true.{md,json}    one hyperfine run: `run --rm busybox true` on the default
#                                 bridge and with --network none, every engine
#   network-run-true-paired.{md,json}  cross-check of the bridge cost: BENCH_PAIRS bridge/none
#                                 pairs run back to back, median of the per-pair differences
#   network-throughput.{md,json}  iperf3 from the host, 1 GiB per run (medians of
#                                 BENCH_NET_RUNS): berth's published port on 127.0.0.1 (a), berth's
#                                 container address (b), Docker's published port (c, docker-proxy:
#                                 the oracle runs with --iptables=false), Docker's container address
#   network-100.{md,json}         BENCH_NET_COUNT (100) `run -d` on one user network, each timed;
#                                 DNS lookups of a container name from inside a container, timed
#                                 in the container, with 2 and with all containers present
#   network-bench.{md,json}       the summary table (printed at the end): ratios, targets, pass/fail
#
# Env: BENCH_RUNS (hyperfine runs, default 20), BENCH_WARMUP (2), BENCH_PAIRS (BENCH_RUNS),
# BENCH_NET_RUNS (iperf3 runs per path, 5), BENCH_NET_MB (MiB per iperf3 run, 1024),
# BENCH_NET_COUNT (containers, 100), BENCH_DNS_LOOKUPS (lookups per timed round, 100),
# BENCH_DNS_ROUNDS (rounds per DNS measurement, median taken, 5). About 6 minutes with the
# defaults on 2 cores.
# Needs root; run scripts/setup.sh first.
#
# Network safety: scripts/lib/forward-guard.sh is installed before any engine starts (and
# removed at the end if this script installed it; net.ipv4.ip_forward is restored); traffic
# goes only to 127.0.0.1 and to the bridges this script's engines create; berthd forwards
# non-container names to 127.0.0.77 (--dns), Docker's containers get --dns 127.0.0.77, the
# only names looked up are container names.
#
# Engines and what is cleaned up (also on failure or Ctrl-C):
#   berth   private berthd (temp data/exec roots), bridge bbench0 10.248.0.1/24, user networks
#           from 10.248.128.0/17; at the end its containers and network are removed, berthd is
#           stopped by PID, then bbench0 and br-* bridges in 10.248.0.0/16, nft tables
#           berth-bbench0 and berth-bbench0-user, /run/netns/berth-* of its containers.
#   Docker  a private instance of scripts/oracle-docker.sh (run dir /run/berth-bench-oracle,
#           data root in the temp dir, bridge bbenchd0 10.248.1.1/24, pool 10.248.64.0/18),
#           stopped at the end; the shared oracle, if it runs, is left alone (other test runs
#           remove all of its containers at any time).
#   Podman  private storage and containers.conf (default_ulimits = [], issue 9), CNI network
#           bbenchpod: bridge bbpod0 10.248.2.0/24, bridge plugin only (no masquerade, firewall
#           or portmap plugins, so no iptables rules: a lower bound of Podman's default network).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"
. bench/lib/engines.sh # berthd_start/stop, oracle_start/stop, podman_setup/cleanup, guard_begin/end, median, in_cidr, netns_on
need_root
RUNS="${BENCH_RUNS:-20}"
WARMUP="${BENCH_WARMUP:-2}"
PAIRS="${BENCH_PAIRS:-$RUNS}"
NET_RUNS="${BENCH_NET_RUNS:-5}"
NET_MB="${BENCH_NET_MB:-1024}"
COUNT="${BENCH_NET_COUNT:-100}"
LOOKUPS="${BENCH_DNS_LOOKUPS:-100}"
DNS_ROUNDS="${BENCH_DNS_ROUNDS:-5}"
OUT="$REPO/bench/results"
mkdir -p "$OUT"
[ "$COUNT" -ge 2 ] || die "BENCH_NET_COUNT must be at least 2"

bash scripts/install-test-deps.sh || die "could not install test dependencies"
for c in hyperfine iperf3 jq nft; do command -v "$c" > /dev/null || die "$c missing"; done
[ -f dist/src/daemon/main.js ] || npm run --silent build || die "build failed"

DOCKER=/usr/local/bin/docker
[ -x "$DOCKER" ] || die "$DOCKER (docker CLI v28) missing"
# berth's private daemon
B_BRIDGE=bbench0
B_BIP=10.248.0.1/24
B_POOL=10.248.128.0/17
# the private Docker oracle
PD_RUN=/run/berth-bench-oracle
PD_BRIDGE=bbenchd0
PD_BIP=10.248.1.1/24
PD_POOL=10.248.64.0/18
# podman's private network
P_NET=bbenchpod
P_BRIDGE=bbpod0
P_SUBNET=10.248.2.0/24
P_GW=10.248.2.1
OURS_CIDR=10.248.0.0/16
UPSTREAM_DNS=127.0.0.77
NET_NAME=bbench-net

work="$(mktemp -d /tmp/berth-netbench.XXXXXX)"
mkdir -p "$work/cli" && echo '{}' > "$work/cli/config.json"
BSOCK="$work/berth/sock"
berthd_pid=""
berth_started=0       # the final sweep of br-* bridges runs only then
have_podman=0
failures=()           # what failed, reported at the end
note_fail() { failures+=("$(echo "$*" | tr '\n' ' ')"); log "FAILED: $*"; }

bdocker() { DOCKER_HOST="unix://$BSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
ddocker() { DOCKER_HOST="unix://$DSOCK" DOCKER_CONFIG="$work/cli" "$DOCKER" "$@"; }
lbl() { [ "$1" = bdocker ] && echo berth || echo Docker; }

# ---------------------------------------------------------------- cleanup
# our_bridges: bbench0, bbpod0 and every br-* bridge with an address in 10.248.0.0/16
our_bridges() {
  local name addr
  ip link show "$B_BRIDGE" > /dev/null 2>&1 && echo "$B_BRIDGE"
  ip link show "$P_BRIDGE" > /dev/null 2>&1 && echo "$P_BRIDGE"
  ip -o -4 addr show 2> /dev/null | awk '$2 ~ /^br-/ { sub(/\/.*/, "", $4); print $2, $4 }' |
    while read -r name addr; do in_cidr "$addr" "$OURS_CIDR" && echo "$name"; done
  true
}

cleanup_berth() {
  [ -n "$berthd_pid" ] || return 0
  berthd_stop "$work/berth" # its containers and networks, the daemon by PID, bridges, nft tables, netns
  berthd_pid=""
}

cleanup() {
  trap '' INT TERM
  podman_cleanup
  cleanup_berth
  oracle_stop
  # br-* left by the private dockerd (it is stopped now) or by berthd
  local br
  if [ "$berth_started" = 1 ]; then
    for br in $(our_bridges); do ip link del "$br" 2> /dev/null && log "deleted bridge $br"; done
  fi
  berth_started=0
  guard_end
  unmount_under "$work"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- setup
load_start="$(cut -d' ' -f1 /proc/loadavg)"
# leftovers of an earlier run that was killed hard
ip link show "$B_BRIDGE" > /dev/null 2>&1 && die "bridge $B_BRIDGE exists: another network-bench runs, or an earlier one left it (ip link del $B_BRIDGE)"

guard_begin || die "could not install the forward guard (nftables); refusing to start engines that forward"

scripts/make-busybox-rootfs.sh "$work/rootfs.tar" || die "could not build the busybox rootfs"

berth_started=1
berthd_pid=pending
berthd_start "$work/berth" "$B_BRIDGE" "$B_BIP" "$B_POOL" --dns "$UPSTREAM_DNS" || die "berthd did not start"
berthd_pid="$BERTHD_PID"
bdocker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest > /dev/null || die "berth: import failed"
bdocker run --rm --network none busybox true || die "berthd cannot run busybox; nothing to benchmark"
berth_bridge_ok=1
if ! err="$(bdocker run --rm busybox true 2>&1)"; then
  berth_bridge_ok=0
  note_fail "berth: run --rm busybox true on the default bridge failed: $err (berthd log: $(tail -n 3 "$work/berth/log" | tr '\n' ' '))"
fi

# Docker: always a private instance of scripts/oracle-docker.sh (same dockerd, same flags, its
# own run dir, bridge and pool). The shared oracle is not used even when it runs: other test
# runs remove all of its containers at any moment (seen: our 100 containers vanished mid-run),
# and 100 extra containers there would disturb their `ps`-comparing scenarios.
ip link show "$PD_BRIDGE" > /dev/null 2>&1 && die "bridge $PD_BRIDGE exists (another network-bench runs, or an earlier one left it)"
docker_up=1
if ! oracle_start "$PD_RUN" "$work/docker-data" "$work/dockerd.log" "$PD_BRIDGE" "$PD_BIP" "$PD_POOL"; then
  tail -n 20 "$work/dockerd.log" >&2 2> /dev/null
  note_fail "Docker: the private oracle did not start: Docker columns are empty"
  oracle_stop; docker_up=0
fi
have_docker=0
if [ "$docker_up" = 1 ]; then
  if ddocker run --rm busybox true && ddocker run --rm --network none busybox true; then have_docker=1
  else note_fail "Docker: run --rm busybox true failed: Docker columns are empty"; fi
fi

# Podman: private storage, containers.conf and CNI network
if command -v podman > /dev/null; then
  # private storage, containers.conf (default_ulimits = [], issue 9) and CNI network
  podman_setup "$work/podman" "$P_NET" "$P_BRIDGE" "$P_SUBNET" "$P_GW"
  if $PODMAN import -c 'CMD ["sh"]' "$work/rootfs.tar" localhost/busybox:latest > /dev/null 2>&1 &&
     $PODMAN run --rm --network none localhost/busybox true > "$work/podman.err" 2>&1 &&
     $PODMAN run --rm localhost/busybox true >> "$work/podman.err" 2>&1; then
    have_podman=1
  else
    log "podman cannot run here: podman rows skipped ($(tail -n 2 "$work/podman.err" 2> /dev/null | tr '\n' ' '))"
  fi
fi

# ---------------------------------------------------------------- 1. run --rm true, bridge vs none
log "1/3: run --rm busybox true, default bridge vs --network none (hyperfine, $RUNS runs)"
cmds=()
[ "$have_docker" = 1 ] && cmds+=(-n "Docker bridge" "env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm busybox true"
                                 -n "Docker none" "env DOCKER_HOST=unix://$DSOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm --network none busybox true")
[ "$have_podman" = 1 ] && cmds+=(-n "Podman bridge" "$PODMAN run --rm localhost/busybox true"
                                 -n "Podman none" "$PODMAN run --rm --network none localhost/busybox true")
[ "$berth_bridge_ok" = 1 ] && cmds+=(-n "berth bridge" "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm busybox true")
cmds+=(-n "berth none" "env DOCKER_HOST=unix://$BSOCK DOCKER_CONFIG=$work/cli $DOCKER run --rm --network none busybox true")
hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --ignore-failure \
  --export-markdown "$OUT/network-run-true.md" --export-json "$OUT/network-run-true.json" "${cmds[@]}" ||
  note_fail "hyperfine (run --rm true) failed"
# med NAME: median in ms of a hyperfine result, empty when absent
med() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$OUT/network-run-true.json" 2> /dev/null; }
nfail=$(jq -r '[.results[] | select(any(.exit_codes[]; . != 0)) | "\(.command): \([.exit_codes[] | select(. != 0)] | length) failed runs"] | join("; ")' "$OUT/network-run-true.json" 2> /dev/null)
[ -n "$nfail" ] && note_fail "run --rm true: $nfail"
r1_db="$(med 'Docker bridge')"; r1_dn="$(med 'Docker none')"
r1_pb="$(med 'Podman bridge')"; r1_pn="$(med 'Podman none')"
r1_bb="$(med 'berth bridge')"; r1_bn="$(med 'berth none')"

# Cross-check of the bridge cost under load: hyperfine runs each command's runs back to back,
# so load from elsewhere that comes and goes between two commands moves their difference. Here
# bridge and none alternate (order swapped every pair) and the cost is the median of the
# per-pair differences.
log "1/3: bridge cost cross-check, $PAIRS interleaved bridge/none pairs per engine"
declare -A pair_cost=() pair_diffs=()
# ms_of CMD...: wall ms of one run, empty on failure
ms_of() { local t0 t1; t0=$(date +%s%N); "$@" > /dev/null 2>&1 || return 1; t1=$(date +%s%N); awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e6 }'; }
for ((r = 1; r <= PAIRS; r++)); do
  for ((c = 0; c + 3 < ${#cmds[@]}; c += 6)); do
    eng="${cmds[c + 1]% bridge}"
    # shellcheck disable=SC2206
    bridge_cmd=(${cmds[c + 2]}) none_cmd=(${cmds[c + 5]})
    if [ $((r % 2)) = 1 ]; then b="$(ms_of "${bridge_cmd[@]}")"; n="$(ms_of "${none_cmd[@]}")"
    else n="$(ms_of "${none_cmd[@]}")"; b="$(ms_of "${bridge_cmd[@]}")"; fi
    [ -n "$b" ] && [ -n "$n" ] && pair_diffs[$eng]+="$(awk -v b="$b" -v n="$n" 'BEGIN { printf "%.1f", b - n }') "
  done
done
for eng in "${!pair_diffs[@]}"; do pair_cost[$eng]="$(echo "${pair_diffs[$eng]}" | median)"; done
{
  echo "| engine | bridge cost, median of $PAIRS paired differences (ms) | differences (ms) |"
  echo "|---|---|---|"
  for eng in Docker Podman berth; do
    [ -n "${pair_diffs[$eng]:-}" ] && echo "| $eng | ${pair_cost[$eng]} | ${pair_diffs[$eng]} |"
  done
  echo
  echo "Each pair: \`run --rm busybox true\` on the default bridge and with \`--network none\`, one right after the other (order swapped every pair), wall time."
} > "$OUT/network-run-true-paired.md"
for eng in "${!pair_diffs[@]}"; do
  jq -n --arg e "$eng" --arg m "${pair_cost[$eng]}" --arg d "${pair_diffs[$eng]}" \
    '{engine: $e, bridge_cost_ms_median: ($m | tonumber), differences_ms: ($d | split(" ") | map(select(. != "") | tonumber))}'
done | jq -s '{pairs: .}' > "$OUT/network-run-true-paired.json"

# ---------------------------------------------------------------- 2. throughput through a published port
log "2/3: throughput, $NET_MB MiB per run x $NET_RUNS (iperf3)"
# iperf3 in a busybox container: the host's binary and libraries, bind-mounted read-only, run
# through the host's dynamic loader. The binary is copied into a directory of its own and that
# directory is mounted: berth refuses a bind mount whose source is a file (`-v
# /usr/bin/iperf3:/iperf3` fails at start with "EEXIST: file already exists, mkdir").
IPERF="$(command -v iperf3)"
LOADER="$(readlink -f "$(ldd "$IPERF" | awk '/ld-linux/ { print $1 }')")"
mapfile -t LIBDIRS < <({ ldd "$IPERF" | awk '/=> \// { print $3 }' | xargs -n1 readlink -f; echo "$LOADER"; } | xargs -n1 dirname | sort -u)
mkdir -p "$work/iperf" && cp "$IPERF" "$work/iperf/iperf3"
iperf_args=(-v "$work/iperf:/iperf:ro")
for d in "${LIBDIRS[@]}"; do iperf_args+=(-v "$d:$d:ro"); done
libpath="$(IFS=:; echo "${LIBDIRS[*]}")"
iperf_args+=(--entrypoint "$LOADER" busybox --library-path "$libpath" /iperf/iperf3 -s -p 5201)

# iperf_server ENGINE-FN: starts bbench-iperf publishing 5201 on 127.0.0.1; prints "IP PORT"
iperf_server() {
  local e="$1" ip port i
  $e run -d --name bbench-iperf --dns "$UPSTREAM_DNS" -p 127.0.0.1::5201 "${iperf_args[@]}" > /dev/null || return 1
  ip="$($e inspect -f '{{.NetworkSettings.IPAddress}}' bbench-iperf)"
  port="$($e port bbench-iperf 5201/tcp | sed -n '1s/.*://p')"
  [ -n "$ip" ] && [ -n "$port" ] || { log "$(lbl "$e"): no address ($ip) or published port ($port)"; return 1; }
  for ((i = 0; i < 50; i++)); do
    timeout 10 "$IPERF" -c "$ip" -p 5201 -n 1K > /dev/null 2>&1 && { echo "$ip $port"; return 0; }
    sleep 0.2
  done
  log "$(lbl "$e"): iperf3 server at $ip:5201 does not answer"; $e logs bbench-iperf 2>&1 | tail -n 5 >&2
  return 1
}
# gbps HOST PORT: one iperf3 run; prints the receiver's Gbit/s
gbps() {
  timeout 120 "$IPERF" -c "$1" -p "$2" -n "${NET_MB}M" -J 2> /dev/null |
    jq -er 'if .error then error(.error) else .end.sum_received.bits_per_second / 1e9 end' 2> /dev/null
}
declare -A target=() samples=()
paths=()
if [ "$berth_bridge_ok" = 1 ]; then
  if s="$(iperf_server bdocker)"; then
    read -r b_ip b_port <<< "$s"
    paths+=("berth published" "berth direct")
    target["berth published"]="127.0.0.1 $b_port"; target["berth direct"]="$b_ip 5201"
  else note_fail "berth: iperf3 server container with -p 127.0.0.1::5201 did not come up"; fi
fi
if [ "$have_docker" = 1 ]; then
  if s="$(iperf_server ddocker)"; then
    read -r d_ip d_port <<< "$s"
    paths+=("Docker published" "Docker direct")
    target["Docker published"]="127.0.0.1 $d_port"; target["Docker direct"]="$d_ip 5201"
  else note_fail "Docker: iperf3 server container did not come up"; fi
fi
# one warm-up round, then NET_RUNS rounds, paths interleaved so noise spreads evenly
for ((r = 0; r <= NET_RUNS; r++)); do
  for p in "${paths[@]}"; do
    v="$(gbps ${target[$p]})" || { note_fail "iperf3 to $p (${target[$p]}) failed"; v=""; }
    [ "$r" -gt 0 ] && [ -n "$v" ] && samples[$p]+="$v "
  done
done
declare -A tmed=()
for p in "${paths[@]}"; do tmed[$p]="$(echo "${samples[$p]:-}" | median)"; done
{
  echo "| path (host -> container, $NET_MB MiB per run) | target | median Gbit/s | runs (Gbit/s) |"
  echo "|---|---|---|---|"
  for p in "${paths[@]}"; do
    printf '| %s | %s | %s | %s |\n' "$p" "${target[$p]/ /:}" "$([ -n "${tmed[$p]:-}" ] && printf '%.2f' "${tmed[$p]}" || echo failed)" "$(for v in ${samples[$p]:-}; do printf '%.2f ' "$v"; done)"
  done
  echo
  echo "Docker's published port goes through docker-proxy (userland): the oracle runs with --iptables=false."
} > "$OUT/network-throughput.md"
for p in "${paths[@]}"; do
  jq -n --arg p "$p" --arg t "${target[$p]/ /:}" --arg m "${tmed[$p]:-}" --arg s "${samples[$p]:-}" \
    '{path: $p, target: $t, median_gbps: ($m | tonumber? // null), samples_gbps: ($s | split(" ") | map(select(. != "") | tonumber))}'
done | jq -s --argjson mb "$NET_MB" '{mib_per_run: $mb, tool: "iperf3 (host client, container server)", docker_published_via: "docker-proxy (oracle runs with --iptables=false)", paths: .}' > "$OUT/network-throughput.json"
bdocker rm -f bbench-iperf > /dev/null 2>&1
[ "$have_docker" = 1 ] && ddocker rm -f bbench-iperf > /dev/null 2>&1
r2_ba="${tmed[berth published]:-}"; r2_bb="${tmed[berth direct]:-}"
r2_da="${tmed[Docker published]:-}"; r2_db="${tmed[Docker direct]:-}"

# ---------------------------------------------------------------- 3. COUNT containers on one user network
log "3/3: $COUNT containers on one user network, DNS lookups from inside"
# dns_ms ENGINE-FN NAME: ms per `nslookup NAME` inside bbench-c1: DNS_ROUNDS rounds of LOOKUPS
# lookups, each round timed there by busybox `time -p`; the median round, divided by LOOKUPS
dns_ms() {
  local e="$1" name="$2" out inner outer
  inner="i=0; while [ \$i -lt $LOOKUPS ]; do nslookup $name > /dev/null 2>&1 || exit 7; i=\$((i + 1)); done"
  outer="r=0; while [ \$r -lt $DNS_ROUNDS ]; do time -p sh -c '$inner' || exit 7; r=\$((r + 1)); done"
  out="$($e exec bbench-c1 sh -c "$outer" 2>&1)" || {
    log "$(lbl "$e"): nslookup $name inside bbench-c1 failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"; return 1; }
  echo "$out" | awk '$1 == "real" { print $2 }' | tr '\n' ' ' | median | awk -v n="$LOOKUPS" '{ printf "%.3f\n", $1 * 1000 / n }'
}
# dns_check ENGINE-FN NAME [quiet]: the name resolves, from bbench-c1, to that container's address
dns_check() {
  local e="$1" name="$2" want out
  want="$($e inspect -f "{{(index .NetworkSettings.Networks \"$NET_NAME\").IPAddress}}" "$name")"
  out="$($e exec bbench-c1 nslookup "$name" 2>&1)"
  echo "$out" | grep -q "Address: $want\$" && return 0
  [ -n "${3:-}" ] || log "$(lbl "$e"): nslookup $name in bbench-c1 gave: $(echo "$out" | tr '\n' ' ') (want $want)"
  return 1
}
# gw_diag ENGINE-FN: the gateway's MAC in bbench-c1's ARP cache and the bridge's own MAC now
# (a bridge whose MAC is not pinned takes the lowest MAC of its ports, so it changes when a
# container joins, and containers holding the old one in their ARP cache lose the gateway)
gw_diag() {
  local e="$1" id br gw arp brmac
  id="$($e network inspect -f '{{.Id}}' "$NET_NAME" 2> /dev/null)"; br="br-${id:0:12}"
  gw="$($e network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$NET_NAME" 2> /dev/null)"
  arp="$($e exec bbench-c1 cat /proc/net/arp 2> /dev/null | awk -v g="$gw" '$1 == g { print $4 }')"
  brmac="$(cat "/sys/class/net/$br/address" 2> /dev/null)"
  echo "gateway $gw in bbench-c1's ARP cache: ${arp:-none}, bridge $br's MAC: ${brmac:-?}"
}
# dns_wait ENGINE-FN LABEL NAME: dns_check until it passes, 60 s at most; a failure is recorded
# with how long it lasted
dns_wait() {
  local e="$1" label="$2" name="$3" t0 diag
  dns_check "$e" "$name" && return 0
  t0=$(date +%s); diag="$(gw_diag "$e")"
  log "$label: $diag; retrying for up to 60 s"
  while [ $(($(date +%s) - t0)) -lt 60 ]; do
    sleep 1
    if dns_check "$e" "$name" quiet; then
      note_fail "$label: bbench-c1 could not resolve $name (lookups timed out) for about $(($(date +%s) - t0 + 5)) s, then could again ($diag)"
      return 0
    fi
  done
  note_fail "$label: bbench-c1 cannot resolve $name, 60 s of retries ($diag)"
  return 1
}
scale_cleanup() { # ENGINE-FN LABEL
  local e="$1" label="$2" ids i
  ids="$($e ps -aq --filter name=bbench- 2> /dev/null)"
  [ -n "$ids" ] && { $e rm -f $ids > /dev/null 2>&1 || note_fail "$label: rm -f of the $COUNT containers failed"; }
  # dockerd may still be releasing endpoints right after rm -f
  for ((i = 0; i < 60; i++)); do
    $e network rm "$NET_NAME" > /dev/null 2>&1 && return 0
    sleep 0.5
  done
  note_fail "$label: network rm $NET_NAME failed: $($e network rm "$NET_NAME" 2>&1)"
}
# ktimes US...: "first last median_of_first_K median_of_last_K slope" in ms (slope: least-squares
# fit of all the samples, ms per container)
K=$((COUNT < 20 ? COUNT / 2 : 10))
ktimes() {
  local n=$# v=("$@") k
  [ "$n" -ge 2 ] || return 1
  k=$((n / 2 < K ? n / 2 : K))
  printf '%s %s %s %s %s\n' \
    "$(awk -v u="${v[0]}" 'BEGIN { printf "%.1f", u / 1000 }')" \
    "$(awk -v u="${v[n - 1]}" 'BEGIN { printf "%.1f", u / 1000 }')" \
    "$(printf '%s ' "${v[@]:0:k}" | median | awk '{ printf "%.1f", $1 / 1000 }')" \
    "$(printf '%s ' "${v[@]:n-k:k}" | median | awk '{ printf "%.1f", $1 / 1000 }')" \
    "$(printf '%s\n' "${v[@]}" | awk '{ x = NR; y = $1 / 1000; sx += x; sy += y; sxy += x * y; sxx += x * x }
        END { printf "%.3f", (NR * sxy - sx * sy) / (NR * sxx - sx * sx) }')"
}
efn() { [ "$1" = berth ] && echo bdocker || echo ddocker; }
# Both engines step together (container #i on berth, then on Docker, ...), so a burst of load
# from elsewhere on the machine hits both alike.
declare -A S_times=() S_dns_early=() S_dns_late=()
live=()
[ "$berth_bridge_ok" = 1 ] && engines=(berth) || engines=()
[ "$have_docker" = 1 ] && engines+=(Docker)
for eng in "${engines[@]}"; do
  if $(efn "$eng") network create "$NET_NAME" > /dev/null; then live+=("$eng"); S_times[$eng]=""
  else note_fail "$eng: network create $NET_NAME failed"; fi
done
for ((i = 1; i <= COUNT && ${#live[@]} > 0; i++)); do
  next=()
  for eng in "${live[@]}"; do
    e="$(efn "$eng")"
    t0=$(date +%s%N)
    if err="$($e run -d --network "$NET_NAME" --name "bbench-c$i" --dns "$UPSTREAM_DNS" busybox sleep 3600 2>&1 > /dev/null)"; then
      t1=$(date +%s%N)
      S_times[$eng]+="$(((t1 - t0) / 1000)) "
      next+=("$eng")
    else
      note_fail "$eng: run -d #$i on $NET_NAME failed: $err"
    fi
  done
  live=("${next[@]}")
  if [ "$i" = 2 ]; then
    for eng in "${live[@]}"; do
      e="$(efn "$eng")"
      dns_wait "$e" "$eng" bbench-c2 || continue
      S_dns_early[$eng]="$(dns_ms "$e" bbench-c2)" ||
        note_fail "$eng: a lookup of bbench-c2 failed during the timed rounds ($(gw_diag "$e"))"
    done
  fi
  [ $((i % 25)) = 0 ] && log "$i containers"
done
for eng in "${live[@]}"; do
  e="$(efn "$eng")"
  dns_wait "$e" "$eng" "bbench-c$COUNT" || continue
  S_dns_late[$eng]="$(dns_ms "$e" "bbench-c$COUNT")" ||
    note_fail "$eng: a lookup of bbench-c$COUNT failed during the timed rounds ($(gw_diag "$e"))"
done
# Control: back to 2 containers (3..COUNT removed), then DNS and K more `run -d` measured again.
# Load from elsewhere drifts during a run; growth with the count shows as the figure with all
# containers present standing above both the one before and the one after.
log "control: removing containers 3..$COUNT, then DNS and $K more run -d with 2 present"
declare -A S_dns_again=() S_again=()
for eng in "${live[@]}"; do
  names=(); for ((i = 3; i <= COUNT; i++)); do names+=("bbench-c$i"); done
  $(efn "$eng") rm -f "${names[@]}" > /dev/null 2>&1 || note_fail "$eng: rm -f of bbench-c3..$COUNT failed"
done
for eng in "${live[@]}"; do
  e="$(efn "$eng")"
  dns_wait "$e" "$eng" bbench-c2 || continue
  S_dns_again[$eng]="$(dns_ms "$e" bbench-c2)" ||
    note_fail "$eng: a lookup of bbench-c2 failed during the timed rounds, back at 2 containers ($(gw_diag "$e"))"
done
for ((i = 1; i <= K; i++)); do
  for eng in "${live[@]}"; do
    e="$(efn "$eng")"
    t0=$(date +%s%N)
    if err="$($e run -d --network "$NET_NAME" --name "bbench-r$i" --dns "$UPSTREAM_DNS" busybox sleep 3600 2>&1 > /dev/null)"; then
      t1=$(date +%s%N)
      S_again[$eng]+="$(((t1 - t0) / 1000)) "
    else
      note_fail "$eng: run -d of bbench-r$i (control) failed: $err"
    fi
  done
done
declare -A r3=()
r3_json=()
for eng in "${engines[@]}"; do
  # shellcheck disable=SC2086
  if st="$(ktimes ${S_times[$eng]:-})"; then
    read -r r3[$eng.first] r3[$eng.last] r3[$eng.early] r3[$eng.late] r3[$eng.slope] <<< "$st"
  fi
  r3[$eng.dns_early]="${S_dns_early[$eng]:-}"; r3[$eng.dns_late]="${S_dns_late[$eng]:-}"; r3[$eng.dns_again]="${S_dns_again[$eng]:-}"
  r3[$eng.again]="$(echo "${S_again[$eng]:-}" | median | awk '{ printf "%.1f", $1 / 1000 }')"
  r3_json+=("$(printf '%s\n' ${S_times[$eng]:-} | jq -s --arg eng "$eng" --arg de "${r3[$eng.dns_early]}" --arg dl "${r3[$eng.dns_late]}" \
    --arg da "${r3[$eng.dns_again]}" --arg sl "${r3[$eng.slope]:-}" --arg ag "${S_again[$eng]:-}" \
    '{engine: $eng, run_d_ms: map(. / 1000), run_d_fit_ms_per_container: ($sl | tonumber? // null),
      run_d_ms_back_at_2: ($ag | split(" ") | map(select(. != "") | tonumber / 1000)),
      dns_ms_per_lookup_2_present: ($de | tonumber? // null), dns_ms_per_lookup_all_present: ($dl | tonumber? // null),
      dns_ms_per_lookup_back_at_2: ($da | tonumber? // null)}')")
  log "$eng: removing the $COUNT containers and the network"
  scale_cleanup "$(efn "$eng")" "$eng"
done
printf '%s\n' "${r3_json[@]}" | jq -s --argjson n "$COUNT" --argjson l "$LOOKUPS" --argjson r "$DNS_ROUNDS" \
  '{containers: $n, lookups_per_round: $l, rounds: $r, lookup: "busybox nslookup <name> inside bbench-c1, each round timed by busybox time -p, median round / lookups (spawning nslookup included)", engines: .}' > "$OUT/network-100.json"
{
  echo "| engine | run -d #1 | #$COUNT | median of the first $K | median of the last $K | median of $K more, back at 2 | least-squares trend over the $COUNT | DNS ms/lookup, 2 present (bbench-c2) | $COUNT present (bbench-c$COUNT) | back at 2 (bbench-c2) |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  for eng in Docker berth; do
    printf '| %s | %s ms | %s ms | %s ms | %s ms | %s ms | %s ms per container | %s | %s | %s |\n' "$eng" "${r3[$eng.first]:-–}" "${r3[$eng.last]:-–}" \
      "${r3[$eng.early]:-–}" "${r3[$eng.late]:-–}" "${r3[$eng.again]:-–}" "${r3[$eng.slope]:-–}" \
      "${r3[$eng.dns_early]:-–}" "${r3[$eng.dns_late]:-–}" "${r3[$eng.dns_again]:-–}"
  done
  echo
  echo "run -d: wall time of \`docker run -d --network $NET_NAME busybox sleep 3600\` (docker CLI v28 included); the engines take turns, container #i on berth then on Docker, so load from elsewhere hits both alike."
  echo "Back at 2: containers 3..$COUNT removed, then the DNS rounds and $K more \`run -d\` again: the control for load that drifts during the run."
  echo "DNS: $DNS_ROUNDS rounds of $LOOKUPS \`nslookup\` runs (A and AAAA queries each) in a loop inside bbench-c1, each round timed there by busybox \`time -p\` (10 ms resolution); the median round divided by $LOOKUPS (spawning nslookup included)."
} > "$OUT/network-100.md"

# ---------------------------------------------------------------- summary
# f V [DIGITS]: V formatted, or – when empty
f() { [ -n "${1:-}" ] && awk -v v="$1" -v d="${2:-1}" 'BEGIN { printf "%.*f", d, v }' || printf '–'; }
# div A B: A/B with 2 digits, empty when either is missing
div() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b != 0) printf "%.2f", a / b }'; }
sub_() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
# verdict VALUE OP LIMIT
verdict() { [ -n "${1:-}" ] || { echo "n/a"; return; }; awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= l : v >= l; print ok ? "PASS" : "FAIL" }'; }
cost_d="$(sub_ "$r1_db" "$r1_dn")"; cost_p="$(sub_ "$r1_pb" "$r1_pn")"; cost_b="$(sub_ "$r1_bb" "$r1_bn")"
ratio_bridge="$(div "$r1_bb" "$r1_db")"; ratio_none="$(div "$r1_bn" "$r1_dn")"
ratio_ab="$(div "$r2_ba" "$r2_bb")"; ratio_ac="$(div "$r2_ba" "$r2_da")"; d_ab="$(div "$r2_da" "$r2_db")"
# grow LATE EARLY AGAIN: LATE over the mean of EARLY and AGAIN (over EARLY alone without AGAIN)
grow() {
  [ -n "${1:-}" ] && [ -n "${2:-}" ] || return 0
  awk -v l="$1" -v e="$2" -v a="${3:-}" 'BEGIN { b = (a == "") ? e : (e + a) / 2; if (b != 0) printf "%.2f", l / b }'
}
b_start="$(grow "${r3[berth.late]:-}" "${r3[berth.early]:-}" "${r3[berth.again]:-}")"
d_start="$(grow "${r3[Docker.late]:-}" "${r3[Docker.early]:-}" "${r3[Docker.again]:-}")"
b_dns="$(grow "${r3[berth.dns_late]:-}" "${r3[berth.dns_early]:-}" "${r3[berth.dns_again]:-}")"
d_dns="$(grow "${r3[Docker.dns_late]:-}" "${r3[Docker.dns_early]:-}" "${r3[Docker.dns_again]:-}")"
b_dns_vs_d="$(div "${r3[berth.dns_late]:-}" "${r3[Docker.dns_late]:-}")"
GROW_MAX=1.25
ms() { [ -n "${1:-}" ] && echo "$(f "$1") ms" || echo "–"; }
gb() { [ -n "${1:-}" ] && echo "$(f "$1" 2) Gbit/s" || echo "–"; }
rows=(
  "1a \`run --rm busybox true\`, default bridge (median)|$(ms "$r1_db")|$(ms "$r1_pb")|$(ms "$r1_bb")|${ratio_bridge:-–} (berth/Docker)|≤ 0.25|$(verdict "$ratio_bridge" '<=' 0.25)"
  "1b \`run --rm --network none busybox true\` (median)|$(ms "$r1_dn")|$(ms "$r1_pn")|$(ms "$r1_bn")|${ratio_none:-–} (berth/Docker)|–|info"
  "1c bridge cost (1a − 1b)|$(ms "$cost_d")|$(ms "$cost_p")|$(ms "$cost_b")|–|berth ≤ 15 ms|$(verdict "$cost_b" '<=' 15)"
  "1d bridge cost, cross-check: median of $PAIRS interleaved bridge/none pairs|$(ms "${pair_cost[Docker]:-}")|$(ms "${pair_cost[Podman]:-}")|$(ms "${pair_cost[berth]:-}")|–|berth ≤ 15 ms|$(verdict "${pair_cost[berth]:-}" '<=' 15)"
  "2a $NET_MB MiB host → 127.0.0.1:published port (median)|$(gb "$r2_da") (docker-proxy)|–|$(gb "$r2_ba") (nft DNAT)|${ratio_ac:-–} (a/c: berth/Docker)|–|info"
  "2b $NET_MB MiB host → container address (median)|$(gb "$r2_db")|–|$(gb "$r2_bb")|–|–|info"
  "2c published / direct (a/b)|${d_ab:-–}|–|${ratio_ab:-–}|${ratio_ab:-–} (berth a/b)|≥ 0.9|$(verdict "$ratio_ab" '>=' 0.9)"
  "3a \`run -d\` on a user network: #1 → #$COUNT|$(ms "${r3[Docker.first]:-}") → $(ms "${r3[Docker.last]:-}")|–|$(ms "${r3[berth.first]:-}") → $(ms "${r3[berth.last]:-}")|–|–|info"
  "3b \`run -d\`, median of $K: first → last → $K more back at 2 containers|$(ms "${r3[Docker.early]:-}") → $(ms "${r3[Docker.late]:-}") → $(ms "${r3[Docker.again]:-}") (×${d_start:-–})|–|$(ms "${r3[berth.early]:-}") → $(ms "${r3[berth.late]:-}") → $(ms "${r3[berth.again]:-}")|${b_start:-–} (berth: last / mean of the other two)|≤ $GROW_MAX|$(verdict "$b_start" '<=' "$GROW_MAX")"
  "3c DNS lookup of a container name, per lookup: 2 → $COUNT → back at 2 containers|$(ms "${r3[Docker.dns_early]:-}") → $(ms "${r3[Docker.dns_late]:-}") → $(ms "${r3[Docker.dns_again]:-}") (×${d_dns:-–})|–|$(ms "${r3[berth.dns_early]:-}") → $(ms "${r3[berth.dns_late]:-}") → $(ms "${r3[berth.dns_again]:-}")|${b_dns:-–} (berth: $COUNT / mean of the other two)|≤ $GROW_MAX|$(verdict "$b_dns" '<=' "$GROW_MAX")"
  "3d DNS lookup with $COUNT present, berth/Docker|$(ms "${r3[Docker.dns_late]:-}")|–|$(ms "${r3[berth.dns_late]:-}")|${b_dns_vs_d:-–}|–|info"
)
dver="$( [ "$have_docker" = 1 ] && ddocker version --format '{{.Server.Version}}' 2> /dev/null || echo –)"
pver="$( [ "$have_podman" = 1 ] && podman --version 2> /dev/null | awk '{ print $3 }' || echo –)"
{
  echo "# berth networking benchmark (issue 6)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r); berth $(git -C "$REPO" rev-parse --short HEAD 2> /dev/null)$(git -C "$REPO" diff --quiet HEAD -- src 2> /dev/null || echo ' (+ uncommitted src changes)'), Docker $dver (docker.io, oracle, docker-proxy, no iptables), Podman $pver (CNI bridge plugin only); docker CLI $("$DOCKER" version --format '{{.Client.Version}}' 2> /dev/null) for Docker and berth."
  echo "Load average (1 min) at the start: $load_start, at the end: $(cut -d' ' -f1 /proc/loadavg) (other test runs share this machine; figures move with it)."
  echo "BENCH_RUNS=$RUNS BENCH_PAIRS=$PAIRS BENCH_NET_RUNS=$NET_RUNS BENCH_NET_MB=$NET_MB BENCH_NET_COUNT=$COUNT BENCH_DNS_LOOKUPS=$LOOKUPS BENCH_DNS_ROUNDS=$DNS_ROUNDS. Details: network-run-true.md, network-run-true-paired.md, network-throughput.md, network-100.md (and .json)."
  echo
  echo "| row | Docker | Podman | berth | ratio | target | pass/fail |"
  echo "|---|---|---|---|---|---|---|"
  for r in "${rows[@]}"; do echo "| ${r//|/ | } |"; done
  if [ "${#failures[@]}" -gt 0 ]; then
    echo
    echo "Failures during this run:"
    for x in "${failures[@]}"; do echo "- $x"; done
  fi
} > "$OUT/network-bench.md"
jq -n --arg date "$(date -u +%FT%TZ)" \
  --arg r1_db "$r1_db" --arg r1_dn "$r1_dn" --arg r1_pb "$r1_pb" --arg r1_pn "$r1_pn" --arg r1_bb "$r1_bb" --arg r1_bn "$r1_bn" \
  --arg cost_d "$cost_d" --arg cost_p "$cost_p" --arg cost_b "$cost_b" --arg rb "$ratio_bridge" \
  --arg pc_d "${pair_cost[Docker]:-}" --arg pc_p "${pair_cost[Podman]:-}" --arg pc_b "${pair_cost[berth]:-}" \
  --arg l0 "$load_start" --arg l1 "$(cut -d' ' -f1 /proc/loadavg)" \
  --arg a "$r2_ba" --arg b "$r2_bb" --arg c "$r2_da" --arg dd "$r2_db" --arg ab "$ratio_ab" --arg ac "$ratio_ac" \
  --arg k "$K" --arg bs "$b_start" --arg ds "$d_start" --arg bd "$b_dns" --arg dd2 "$d_dns" \
  --arg fails "$(printf '%s\n' "${failures[@]}")" '
  def n: tonumber? // null;
  { date: $date, loadavg_start: ($l0|n), loadavg_end: ($l1|n),
    run_true_ms: { docker: {bridge: ($r1_db|n), none: ($r1_dn|n), bridge_cost: ($cost_d|n)},
                   podman: {bridge: ($r1_pb|n), none: ($r1_pn|n), bridge_cost: ($cost_p|n)},
                   berth: {bridge: ($r1_bb|n), none: ($r1_bn|n), bridge_cost: ($cost_b|n)},
                   berth_over_docker_bridged: ($rb|n), targets: {berth_bridge_cost_ms_max: 15, berth_over_docker_max: 0.25},
                   bridge_cost_paired_ms: {docker: ($pc_d|n), podman: ($pc_p|n), berth: ($pc_b|n)} },
    throughput_gbps: { berth_published: ($a|n), berth_direct: ($b|n), docker_published_docker_proxy: ($c|n), docker_direct: ($dd|n),
                       berth_a_over_b: ($ab|n), berth_a_over_docker_c: ($ac|n), targets: {a_over_b_min: 0.9} },
    user_network: { median_window: ($k|tonumber),
                    growth: "figure with all containers present / mean of the figure before (first containers) and after (back at 2)",
                    berth_run_d_growth: ($bs|n), docker_run_d_growth: ($ds|n),
                    berth_dns_growth: ($bd|n), docker_dns_growth: ($dd2|n), targets: {growth_max: 1.25} },
    failures: ($fails | split("\n") | map(select(. != ""))) }' > "$OUT/network-bench.json"
echo
cat "$OUT/network-bench.md"
log "results in $OUT (network-*.md/json)"
[ "${#failures[@]}" = 0 ]
