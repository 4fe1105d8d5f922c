import type { OciRuntime } from '../runtime/index.js';
import { LocalContainerService } from './local-container-service.js';
import type { ImagePort, SnapshotPort } from './ports.js';
import { mountPort, runtimePort, specPort } from './real-ports.js';
import type { ContainerServiceDeps } from './service-context.js';

export interface ContainerServiceOptions extends Omit<ContainerServiceDeps, 'images' | 'snapshots' | 'mounts' | 'spec' | 'runtime'> {
  images: ImagePort;
  snapshots: SnapshotPort;
  runtime: OciRuntime;
  conmonPath?: string;
}

/**
 * The daemon's factory: wires the real mount, spec and runtime modules.
 * @example
 *   const containers = createContainerService({ dataRoot, execRoot, images, snapshots, runtime, logger, initPath: '/usr/bin/tini' });
 *   await containers.restore();
 */
export function createContainerService(o: ContainerServiceOptions): LocalContainerService {
  const { runtime, conmonPath, ...rest } = o;
  return new LocalContainerService({ ...rest, mounts: mountPort, spec: specPort, runtime: runtimePort(runtime, { conmonPath }) });
}
