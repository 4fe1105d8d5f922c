// The matcher lives in src/shared so the CLI (which sends contexts) and the builder share it.
export { DockerIgnore, selectContextPaths } from '../../shared/dockerignore.js';
export type { IgnorePattern, WalkEntry, WalkMatch } from '../../shared/dockerignore.js';
