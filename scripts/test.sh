#!/usr/bin/env bash
# THE test command (`npm test`): test deps, build, then unit tests (dist/src/**/*.test.js)
# and the end-to-end suite (dist/test/e2e/*.test.js) in ONE node --test run, so the
# closing `# pass N` / `# fail N` lines count everything. Exit non-zero on any failure.
#
# Env: BERTH_E2E_ORACLE=0 (no Docker oracle), BERTH_TEST_ONLY=unit|e2e, BERTH_E2E_TARGETS,
#      BERTH_TEST_TIMEOUT_MIN (whole run, default 50), BERTH_SKIP_TEST_DEPS=1.
#
# Network safety: before the oracle or any test starts (both engines turn on IP forwarding
# when they create bridges), scripts/lib/forward-guard.sh installs an nftables table that
# drops forwarded traffic leaving through the default-route interface; cleanup (also on
# failure or interrupt) restores net.ipv4.ip_forward to its value before the run and then
# removes the guard (only if this run installed it).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
REPO="$PWD"

bash scripts/install-test-deps.sh || die "could not install test dependencies"

status=0
log "building (npm run build)"
if ! npm run --silent build; then
  log "BUILD FAILED: type errors above; running the tests on what was emitted, the run will fail"
  status=1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/berth-test.XXXXXX")"
export BERTH_E2E_ROOTFS="$work/busybox-rootfs.tar"
scripts/make-busybox-rootfs.sh "$BERTH_E2E_ROOTFS" || die "could not build the busybox rootfs"

oracle_started=0
guard_installed=0
ip_forward_before="$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null || true)"
cleanup() {
  [ "$oracle_started" = 1 ] && bash scripts/oracle-docker.sh stop || true
  oracle_started=0
  if [ -n "$ip_forward_before" ] && [ "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" != "$ip_forward_before" ]; then
    echo "$ip_forward_before" > /proc/sys/net/ipv4/ip_forward 2>/dev/null || true
  fi
  [ "$guard_installed" = 1 ] && bash scripts/lib/forward-guard.sh remove || true
  guard_installed=0
  rm -rf "$work"
}
trap cleanup EXIT
# The test run is in its own process group (timeout's), so a Ctrl-C does not reach it: on
# INT/TERM stop it by PID (timeout passes TERM on to node --test), then exit through cleanup.
run_pid=""
interrupted=0
on_signal() {
  interrupted=1
  if [ -n "$run_pid" ]; then log "interrupted: stopping the test run"; kill -TERM "$run_pid" 2>/dev/null || true
  else exit 130; fi
}
trap on_signal INT TERM

if [ "$(id -u)" = 0 ]; then
  bash scripts/lib/forward-guard.sh status > /dev/null 2>&1 || guard_installed=1
  bash scripts/lib/forward-guard.sh install || die "could not install the forward guard (nftables); refusing to run engines that forward"
else
  log "not root: no forward guard (the end-to-end scenarios need root and will fail)"
fi

only="${BERTH_TEST_ONLY:-all}"
files=()
if [ "$only" != e2e ]; then
  mapfile -t unit < <(find dist/src -name '*.test.js' 2>/dev/null | sort)
  [ "${#unit[@]}" = 0 ] && log "no unit test files under dist/src"
  files+=("${unit[@]}")
fi
if [ "$only" != unit ]; then
  mapfile -t e2e < <(find dist/test/e2e -maxdepth 1 -name '*.test.js' 2>/dev/null | sort)
  [ "${#e2e[@]}" = 0 ] && { log "no e2e test files under dist/test/e2e"; status=1; }
  files+=("${e2e[@]}")
  if [ "${BERTH_E2E_ORACLE:-1}" != 0 ]; then
    if scripts/oracle-docker.sh status > /dev/null 2>&1; then
      log "Docker oracle already running; using it"
    elif scripts/oracle-docker.sh start; then
      oracle_started=1
    else
      log "Docker oracle could not start: its scenarios will be reported as SKIPPED"
    fi
  fi
fi
[ "${#files[@]}" = 0 ] && die "no test files found (did the build emit anything?)"

results=dist/test-results
mkdir -p "$results"
spec_log="$results/spec.log"
log "running ${#files[@]} test files (TAP on stdout, readable report in $spec_log)"
mkfifo "$work/tap.fifo"
tee "$results/tap.log" < "$work/tap.fifo" &
tee_pid=$!
timeout --signal=TERM --kill-after=60 "$(( ${BERTH_TEST_TIMEOUT_MIN:-50} * 60 ))" \
  node --test --test-concurrency=1 --test-timeout=300000 \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter=spec --test-reporter-destination="$spec_log" \
  "${files[@]}" > "$work/tap.fifo" &
run_pid=$!
rc=0
wait "$run_pid" || rc=$?
# a trapped signal ends `wait` early: wait again until the run has really stopped
while kill -0 "$run_pid" 2>/dev/null; do rc=0; wait "$run_pid" || rc=$?; done
wait "$tee_pid" || true
run_pid=""
[ "$interrupted" = 1 ] && exit 130
[ "$rc" = 124 ] && log "the test run hit the ${BERTH_TEST_TIMEOUT_MIN:-50} min limit"
[ "$rc" != 0 ] && status=1
cleanup > /dev/null 2>&1
trap - EXIT
# Tripwire: the host's device nodes are not ours to change. A test (or the code it drives) that
# replaced one (e.g. an atomic write renamed over /dev/null) fails the run, and the node is put back.
for dev in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
  IFS=: read -r name major minor <<< "$dev"
  if [ "$(stat -c '%F %t:%T' "/dev/$name" 2> /dev/null)" != "character special file $(printf '%x:%x' "$major" "$minor")" ]; then
    log "HOST DAMAGE: /dev/$name is no longer the character device $major,$minor ($(stat -c '%F, born %w' "/dev/$name" 2>&1)); restored"
    rm -f "/dev/$name" && mknod -m 666 "/dev/$name" c "$major" "$minor"
    status=1
  fi
done

if grep -q 'failing tests:' "$spec_log" 2>/dev/null; then
  echo
  echo "==================== failing tests (from $spec_log) ===================="
  sed -n '/failing tests:/,$p' "$spec_log"
  echo "========================================================================="
fi
[ "$status" = 0 ] && log "all tests passed" || log "FAILED (exit 1)"
# Repeat the runner's closing counts last, so they are the final lines of the output.
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$results/tap.log" | tail -n 8
exit "$status"
