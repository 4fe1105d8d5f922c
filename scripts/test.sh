#!/usr/bin/env bash
# THE test command (`npm test`): test deps, build, then unit tests (dist/src/**/*.test.js)
# and the end-to-end suite (dist/test/e2e/*.test.js) in ONE node --test run, so the
# closing `# pass N` / `# fail N` lines count everything. Exit non-zero on any failure.
#
# Env: BERTH_E2E_ORACLE=0 (no Docker oracle), BERTH_TEST_ONLY=unit|e2e, BERTH_E2E_TARGETS,
#      BERTH_TEST_TIMEOUT_MIN (whole run, default 50), BERTH_SKIP_TEST_DEPS=1.
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
cleanup() {
  [ "$oracle_started" = 1 ] && bash scripts/oracle-docker.sh stop || true
  oracle_started=0
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
timeout --signal=TERM --kill-after=60 "$(( ${BERTH_TEST_TIMEOUT_MIN:-50} * 60 ))" \
  node --test --test-concurrency=1 --test-timeout=300000 \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter=spec --test-reporter-destination="$spec_log" \
  "${files[@]}" | tee "$results/tap.log"
rc=${PIPESTATUS[0]}
[ "$rc" = 124 ] && log "the test run hit the ${BERTH_TEST_TIMEOUT_MIN:-50} min limit"
[ "$rc" != 0 ] && status=1
cleanup > /dev/null 2>&1
trap - EXIT

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
