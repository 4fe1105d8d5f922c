export type { Mount } from './types.js';
export { mountAll, unmount, unmountAsync, isMountPoint, parseMountOptions } from './mounter.js';
