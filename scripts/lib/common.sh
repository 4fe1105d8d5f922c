# Shared helpers for berth's scripts (sourced, not executed).

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "run as root (sudo $0)"; }

# ping_socket SOCKET [TIMEOUT_S]: exit 0 when GET /_ping on the unix socket answers 200.
ping_socket() {
  node -e '
    const http = require("http");
    const req = http.get({ socketPath: process.argv[1], path: "/_ping", timeout: 2000 },
      (r) => process.exit(r.statusCode === 200 ? 0 : 1));
    req.on("timeout", () => process.exit(1));
    req.on("error", () => process.exit(1));
  ' "$1" 2>/dev/null
}

# wait_ping SOCKET SECONDS: poll until the socket answers or time runs out.
wait_ping() {
  local sock="$1" secs="$2" i
  for ((i = 0; i < secs * 5; i++)); do
    ping_socket "$sock" && return 0
    sleep 0.2
  done
  return 1
}

# missing_packages PKG...: print the Debian packages that are not installed.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# apt_install PKG...: install what is missing, without starting any service the packages ship.
apt_install() {
  local missing
  missing="$(missing_packages "$@")"
  [ -z "$missing" ] && return 0
  log "installing: $(echo $missing)"
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || { [ "$created" = 1 ] && rm -f "$policy"; return 1; }
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing < /dev/null
  local rc=$?
  [ "$created" = 1 ] && rm -f "$policy"
  return $rc
}

# unmount_under DIR: lazily unmount every mount point at or below DIR, deepest first.
unmount_under() {
  local dir="${1%/}"
  [ -n "$dir" ] || return 0
  awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
    awk '{ print length, $0 }' | sort -rn | cut -d' ' -f2- |
    while read -r mp; do umount -l "$(printf "%b" "$mp")" 2>/dev/null || true; done
}

# pid_alive PID: true when the process exists and is not a zombie (PID 1 here may not reap).
pid_alive() {
  local s
  s="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ "$s" != Z* ]]
}
