#!/usr/bin/env bash
# Forward guard: while tests or benchmarks run engines that turn on IP forwarding (dockerd and
# berthd both set net.ipv4.ip_forward=1 when they create bridges), no forwarded packet may
# leave this machine. One nftables table of its own drops every forwarded packet whose output
# interface is a default-route interface (IPv4 and IPv6), ahead of any engine's rules
# (priority -300). Traffic the host itself sends (output path) and traffic between local
# bridges is untouched.
#
#   scripts/lib/forward-guard.sh install   # idempotent (re-reads the default routes)
#   scripts/lib/forward-guard.sh remove    # idempotent
#   scripts/lib/forward-guard.sh status    # exit 0 when installed; prints the table
#
# With no default route there is nothing to guard: the table is still installed (empty
# chain) so `status` and `remove` behave the same.
set -euo pipefail

TABLE="${BERTH_FORWARD_GUARD_TABLE:-berth-forward-guard}"

log() { printf '[forward-guard] %s\n' "$*" >&2; }

# default_ifs: the interfaces of the IPv4 and IPv6 default routes, one per line, unique.
default_ifs() {
  { ip -4 route show default 2>/dev/null; ip -6 route show default 2>/dev/null; } |
    awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' | sort -u
}

installed() { nft list table inet "$TABLE" > /dev/null 2>&1; }

install() {
  command -v nft > /dev/null || { log "error: nft not found (apt-get install nftables)"; exit 1; }
  local ifs set="" rule=""
  ifs="$(default_ifs)"
  if [ -n "$ifs" ]; then
    set="$(printf '"%s", ' $ifs)"
    rule="oifname { ${set%, } } counter drop comment \"no forwarded traffic leaves this host during tests\""
  fi
  # One transaction: (re)create the table from scratch so install is idempotent.
  nft -f - <<EOF
add table inet $TABLE
delete table inet $TABLE
table inet $TABLE {
  chain forward {
    type filter hook forward priority -300; policy accept;
    $rule
  }
}
EOF
  if [ -n "$ifs" ]; then log "installed: forwarded traffic out of $(echo $ifs) is dropped"
  else log "installed (no default route: nothing to guard)"; fi
}

remove() {
  if installed; then nft delete table inet "$TABLE"; log "removed"; fi
}

case "${1:-}" in
  install) install ;;
  remove) remove ;;
  status)
    if installed; then nft list table inet "$TABLE"; else echo "not installed"; exit 1; fi ;;
  *) echo "usage: $0 install|remove|status" >&2; exit 2 ;;
esac
