# bench/lib/engines.sh: engine set-up shared by the bench scripts. Sourced (not executed) from
# the repo root after scripts/lib/common.sh; needs REPO (the repo root) and work (the script's
# temp dir). Everything here starts only private instances and removes only what it made.
#
#   guard_begin / guard_end          forward guard (scripts/lib/forward-guard.sh) before any
#                                    engine starts; at the end net.ipv4.ip_forward is restored
#                                    and the guard removed if guard_begin installed it
#   berthd_start DIR BRIDGE BIP POOL [FLAGS...]   a private berthd: DIR/{data,exec,cli,sock,log};
#                                    sets BERTHD_PID. berthd_stop DIR removes its containers,
#                                    stops it by PID, then its bridges (BRIDGE and br-* with an
#                                    address in POOL), nft tables berth-BRIDGE{,-user}, netns
#   oracle_start RUN DATA LOG BRIDGE BIP POOL     a private scripts/oracle-docker.sh (Debian's
#                                    dockerd); sets DSOCK. oracle_stop stops it, removes RUN, DATA
#   podman_setup DIR [NET BRIDGE SUBNET GW]       private storage and containers.conf
#                                    (default_ulimits = [], k8s-file logs), optionally a private
#                                    CNI network (bridge plugin only); sets PODMAN (a command
#                                    line). podman_cleanup removes all of it
#   floor_bundle DIR ROOTFS_TAR [SECCOMP_JSON]    a crun bundle running `true` (crun spec's
#                                    defaults plus a cgroup namespace, the given seccomp)
#   median, in_cidr, rss_kib PID, fd_count PID, berth_cli_cmd

DOCKER_CLI="${DOCKER_CLI:-/usr/local/bin/docker}"

# median: of the numbers on stdin (space or newline separated); prints nothing for none
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# in_cidr ADDR CIDR: true when the IPv4 address lies in the subnet
in_cidr() {
  local ip="$1" net="${2%/*}" len="${2#*/}" a b c d e f g h
  IFS=. read -r a b c d <<< "$ip"; IFS=. read -r e f g h <<< "$net"
  local x=$(((a << 24) | (b << 16) | (c << 8) | d)) y=$(((e << 24) | (f << 16) | (g << 8) | h))
  local mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
  [ $((x & mask)) = $((y & mask)) ]
}

rss_kib() { local r; r="$(ps -o rss= -p "$1" 2> /dev/null | tr -d ' ')"; echo "${r:-0}"; }
fd_count() { ls "/proc/$1/fd" 2> /dev/null | wc -l; }

# berth_cli_cmd: the berth CLI as a user runs it (package.json's bin, through its shebang line,
# `env -S` unfolded so that hyperfine -N can split it); BERTH_CLI overrides
berth_cli_cmd() {
  [ -n "${BERTH_CLI:-}" ] && { echo "$BERTH_CLI"; return; }
  local bin first
  bin="$REPO/$(jq -r '.bin.berth // "dist/src/cli/main.js"' "$REPO/package.json")"
  first="$(head -n 1 "$bin")"
  if [[ "$first" == '#!'* ]]; then
    first="${first#\#!}"
    echo "${first/ -S / } $bin"
  else
    echo "node $bin"
  fi
}

# ---------------------------------------------------------------- forward guard
guard_installed=0
ip_forward_before=""
guard_begin() {
  ip_forward_before="$(cat /proc/sys/net/ipv4/ip_forward 2> /dev/null || true)"
  bash "$REPO/scripts/lib/forward-guard.sh" status > /dev/null 2>&1 || guard_installed=1
  bash "$REPO/scripts/lib/forward-guard.sh" install
}
guard_end() {
  if [ -n "$ip_forward_before" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward 2> /dev/null)" != "$ip_forward_before" ]; then
    echo "$ip_forward_before" > /proc/sys/net/ipv4/ip_forward 2> /dev/null || true
  fi
  [ "$guard_installed" = 1 ] && { bash "$REPO/scripts/lib/forward-guard.sh" remove || true; }
  guard_installed=0
}

# ---------------------------------------------------------------- berthd
# netns_on BRIDGE...: names in /run/netns of namespaces with a veth whose host end is on one of them
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
# bridges_of BRIDGE POOL: BRIDGE (if it exists) and every br-* bridge with an address in POOL
bridges_of() {
  local name addr
  ip link show "$1" > /dev/null 2>&1 && echo "$1"
  ip -o -4 addr show 2> /dev/null | awk '$2 ~ /^br-/ { sub(/\/.*/, "", $4); print $2, $4 }' |
    while read -r name addr; do in_cidr "$addr" "$2" && echo "$name"; done
  true
}
del_bridge() { # BRIDGE: its ports, then itself
  local ifc
  for ifc in $(ip -o link show master "$1" 2> /dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    ip link del "$ifc" 2> /dev/null || true
  done
  ip link del "$1" 2> /dev/null && log "deleted bridge $1"
  true
}

BERTHD_PID=""
berthd_start() {
  local dir="$1" bridge="$2" bip="$3" pool="$4"
  shift 4
  if ip link show "$bridge" > /dev/null 2>&1; then
    log "bridge $bridge exists: another run uses it, or an earlier one left it (ip link del $bridge)"
    return 1
  fi
  mkdir -p "$dir/data" "$dir/exec" "$dir/cli"
  echo '{}' > "$dir/cli/config.json"
  printf '%s\n%s\n' "$bridge" "$pool" > "$dir/net"
  # started as installed: through the bin (its shebang drops NODE_EXTRA_CA_CERTS, sets the threadpool)
  chmod +x "$REPO/dist/src/daemon/main.js"
  setsid "$REPO/dist/src/daemon/main.js" -H "unix://$dir/sock" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/berthd.pid" --bridge "$bridge" --bip "$bip" --default-address-pool "base=$pool,size=24" "$@" \
    > "$dir/log" 2>&1 < /dev/null &
  BERTHD_PID=$!
  echo "$BERTHD_PID" > "$dir/pid"
  wait_ping "$dir/sock" 30 || { tail -n 20 "$dir/log" >&2; return 1; }
}
berthd_stop() {
  local dir="$1" pid bridge pool ids="" ns brs br t i state="$1/data/network/state.json"
  [ -f "$dir/pid" ] || return 0
  pid="$(cat "$dir/pid")"
  { read -r bridge; read -r pool; } < "$dir/net"
  local bd=(env DOCKER_HOST="unix://$dir/sock" DOCKER_CONFIG="$dir/cli" "$DOCKER_CLI")
  if pid_alive "$pid"; then
    ids="$("${bd[@]}" ps -aq --no-trunc 2> /dev/null)"
    [ -n "$ids" ] && { "${bd[@]}" rm -f $ids > /dev/null 2>&1 || log "berthd $dir: rm -f of its containers failed"; }
    "${bd[@]}" network prune -f > /dev/null 2>&1 || true
    log "stopping the private berthd (pid $pid)"
    kill -TERM "$pid" 2> /dev/null || true
    for ((i = 0; i < 75; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    pid_alive "$pid" && { log "berthd still running after 15 s: SIGKILL"; kill -KILL "$pid" 2> /dev/null || true; }
  fi
  rm -f "$dir/pid"
  brs="$(bridges_of "$bridge" "$pool" | tr '\n' ' ')"
  {
    [ -f "$state" ] && jq -r '.sandboxes[]?.netnsName' "$state" 2> /dev/null
    for i in $ids; do echo "berth-$i"; done
    [ -n "${brs// /}" ] && netns_on $brs
  } | sort -u | while read -r ns; do
    [[ "$ns" == berth-* ]] && [ -e "/run/netns/$ns" ] && { log "removing leftover netns $ns"; ip netns delete "$ns" 2> /dev/null || true; }
  done
  for br in $brs; do del_bridge "$br"; done
  for t in "berth-$bridge" "berth-$bridge-user"; do
    nft list tables 2> /dev/null | awk -v t="$t" '$3 == t { print $2 }' | while read -r fam; do
      nft delete table "$fam" "$t" && log "deleted nft table $fam $t"
    done
  done
  unmount_under "$dir"
}

# ---------------------------------------------------------------- the private Docker oracle
DSOCK=""
ORACLE_ENV=()
oracle_start() { # RUN DATA LOG BRIDGE BIP POOL
  ORACLE_ENV=(BERTH_ORACLE_RUN="$1" BERTH_ORACLE_DATA="$2" BERTH_ORACLE_LOG="$3"
    BERTH_ORACLE_BRIDGE="$4" BERTH_ORACLE_BIP="$5" BERTH_ORACLE_POOL="$6")
  DSOCK="$1/docker.sock"
  if ip link show "$4" > /dev/null 2>&1; then
    log "bridge $4 exists: another run uses it, or an earlier one left it"
    return 1
  fi
  env "${ORACLE_ENV[@]}" bash "$REPO/scripts/oracle-docker.sh" start
}
oracle_stop() {
  [ "${#ORACLE_ENV[@]}" -gt 0 ] || return 0
  env "${ORACLE_ENV[@]}" bash "$REPO/scripts/oracle-docker.sh" stop || true
  local v
  for v in "${ORACLE_ENV[@]}"; do
    case "$v" in BERTH_ORACLE_RUN=* | BERTH_ORACLE_DATA=*) unmount_under "${v#*=}"; rm -rf "${v#*=}" ;; esac
  done
  ORACLE_ENV=()
}
oracle_pids() { # "dockerd containerd" of the private oracle
  local run v
  for v in "${ORACLE_ENV[@]}"; do case "$v" in BERTH_ORACLE_RUN=*) run="${v#*=}" ;; esac; done
  echo "$(cat "$run/dockerd.pid" 2> /dev/null || echo 0) $(cat "$run/exec/containerd/containerd.pid" 2> /dev/null || echo 0)"
}

# ---------------------------------------------------------------- Podman
PODMAN=""
PODMAN_DIR=""
PODMAN_NET=""
PODMAN_BRIDGE=""
podman_setup() { # DIR [NET BRIDGE SUBNET GW]
  PODMAN_DIR="$1" PODMAN_NET="${2:-}" PODMAN_BRIDGE="${3:-}"
  mkdir -p "$1/net"
  {
    echo "[containers]"
    echo "default_ulimits = []"
    echo "log_driver = \"k8s-file\""
    echo "[network]"
    echo "network_backend = \"cni\""
    echo "network_config_dir = \"$1/net\""
    if [ -n "$PODMAN_NET" ]; then
      echo "default_network = \"$PODMAN_NET\""
      echo "default_subnet = \"$4\""
    fi
  } > "$1/containers.conf"
  if [ -n "$PODMAN_NET" ]; then
    cat > "$1/net/$PODMAN_NET.conflist" << EOF
{
  "cniVersion": "0.4.0",
  "name": "$PODMAN_NET",
  "plugins": [
    { "type": "bridge", "bridge": "$3", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "routes": [{ "dst": "0.0.0.0/0" }],
                "ranges": [[{ "subnet": "$4", "gateway": "$5" }]] } }
  ]
}
EOF
  fi
  PODMAN="env CONTAINERS_CONF=$1/containers.conf podman --root $1/root --runroot $1/run --tmpdir $1/tmp --cgroup-manager cgroupfs --events-backend file"
}
podman_cleanup() {
  local ns
  [ -n "$PODMAN" ] || return 0
  $PODMAN rm -af -t 0 > /dev/null 2>&1 || $PODMAN rm -af > /dev/null 2>&1 || true
  if [ -n "$PODMAN_BRIDGE" ]; then
    for ns in $(netns_on "$PODMAN_BRIDGE"); do ip netns delete "$ns" 2> /dev/null || true; done
    ip link show "$PODMAN_BRIDGE" > /dev/null 2>&1 && del_bridge "$PODMAN_BRIDGE"
    rm -rf "/var/lib/cni/networks/$PODMAN_NET" /var/lib/cni/results/"$PODMAN_NET"-* 2> /dev/null
  fi
  unmount_under "$PODMAN_DIR"
  rm -rf "$PODMAN_DIR"
  PODMAN=""
}

# ---------------------------------------------------------------- the crun floor
floor_bundle() { # DIR ROOTFS_TAR [SECCOMP_JSON]
  local b="$1"
  mkdir -p "$b/rootfs"
  tar -xf "$2" -C "$b/rootfs"
  (cd "$b" && crun spec) || return 1
  jq --slurpfile sc "${3:-/dev/null}" '.process.terminal = false | .process.args = ["true"]
      | .linux.namespaces += [{type: "cgroup"}]
      | if ($sc | length) > 0 and $sc[0] != null then .linux.seccomp = $sc[0] else . end' \
    "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
}
