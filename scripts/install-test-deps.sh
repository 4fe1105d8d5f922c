#!/usr/bin/env bash
# Install what the tests and benchmarks need beyond scripts/setup.sh: skopeo, a registry,
# hyperfine, util-linux's `script` (pty tests), Debian's docker.io (the oracle dockerd;
# it is never started as a service here), podman (benchmarks only), and the other Docker
# clients the compatibility scenarios drive: python3-docker (docker-py) and docker-compose
# (v1, python). dockerode comes from npm (devDependency).
# Quick no-op when everything is present. BERTH_SKIP_TEST_DEPS=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

[ "${BERTH_SKIP_TEST_DEPS:-0}" = 1 ] && { log "skipped (BERTH_SKIP_TEST_DEPS=1)"; exit 0; }
need_root

pkgs=(skopeo docker-registry hyperfine util-linux iproute2 docker.io podman python3-docker docker-compose)
if [ -z "$(missing_packages "${pkgs[@]}")" ]; then
  exit 0
fi
apt_install "${pkgs[@]}" || die "apt-get install failed"

# docker.io ships /usr/bin/docker (client 20.10). The official v28 CLI in /usr/local/bin
# comes first on PATH and is what the tests call by full path; say so if that is not true.
if [ -x /usr/local/bin/docker ] && [ "$(command -v docker)" != /usr/local/bin/docker ]; then
  log "note: 'docker' on PATH is $(command -v docker), not /usr/local/bin/docker (tests use the latter by full path)"
fi
