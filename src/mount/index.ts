export type { Mount } from './types.js';
export { mountAll, unmount, isMountPoint, parseMountOptions } from './mounter.js';
