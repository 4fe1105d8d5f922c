import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

/** Repository root (this file runs from dist/test/e2e/lib/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** berthd entry point. */
export const BERTHD_JS = join(REPO_ROOT, 'dist/src/daemon/main.js');
/** berth CLI as installed: package.json's bin, the bundle's launcher (scripts/build-cli.mjs). */
export const BERTH_JS = join(REPO_ROOT, 'dist/cli/berth.cjs');
/** The official docker CLI (v28) used as the client for both targets. */
export const DOCKER_CLI = process.env.BERTH_E2E_DOCKER_CLI ?? '/usr/local/bin/docker';
/** Socket of the oracle dockerd started by scripts/oracle-docker.sh. */
export const ORACLE_SOCKET = process.env.BERTH_ORACLE_SOCK ?? '/run/berth-oracle/docker.sock';
/** Script that builds the busybox rootfs tarball. */
export const MAKE_ROOTFS = join(REPO_ROOT, 'scripts/make-busybox-rootfs.sh');
/** The base image every scenario uses. */
export const BASE_IMAGE = 'busybox:latest';

let dockerConfigDir: string | undefined;

/** A private, empty DOCKER_CONFIG dir for this test process (no credentials, no hints). */
export function dockerConfig(): string {
  if (!dockerConfigDir) {
    dockerConfigDir = mkdtempSync(join(tmpdir(), 'berth-e2e-dockercfg-'));
    writeFileSync(join(dockerConfigDir, 'config.json'), '{}\n');
    const dir = dockerConfigDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return dockerConfigDir;
}

/**
 * Path of the busybox rootfs tarball, built once per run: $BERTH_E2E_ROOTFS when set
 * (scripts/test.sh builds it), otherwise a cached file in os.tmpdir().
 */
export function baseRootfsTar(): string {
  const wanted = process.env.BERTH_E2E_ROOTFS ?? join(tmpdir(), 'berth-e2e-busybox-rootfs.tar');
  if (existsSync(wanted)) return wanted;
  const partial = `${wanted}.${process.pid}.partial`;
  const r = spawnSync('bash', [MAKE_ROOTFS, partial], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`failed to build busybox rootfs: ${r.stderr}`);
  renameSync(partial, wanted);
  return wanted;
}
