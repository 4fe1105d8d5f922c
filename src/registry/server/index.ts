export { serveRegistry, type ServeOptions, type RunningRegistry } from './serve.js';
export { registryCommand } from './registry-command.js';
export { garbageCollect } from './garbage-collect.js';
export { RegistryStorage } from './registry-storage.js';
export { RegistryError } from './registry-error.js';
