// Dockerfile: text -> typed instructions (no expansion yet) -> stages.
export { parseDockerfile, toBuildPlan } from './dockerfile/parser.js';
export { INSTRUCTION_NAMES } from './dockerfile/instructions.js';
export { expandWord, expandWords } from './dockerfile/shell-words.js';
export type { Env, LexOptions } from './dockerfile/shell-words.js';
export { parseGoDuration } from './dockerfile/go-duration.js';
export type {
  AddInstruction,
  ArgDefinition,
  ArgInstruction,
  BuildPlan,
  CmdInstruction,
  CommandLine,
  CopyInstruction,
  EntrypointInstruction,
  EnvInstruction,
  EscapeToken,
  ExposeInstruction,
  FromInstruction,
  HealthcheckConfig,
  HealthcheckInstruction,
  Heredoc,
  InlineSource,
  Instruction,
  InstructionKind,
  KeyValue,
  LabelInstruction,
  Location,
  MaintainerInstruction,
  OnbuildInstruction,
  ParsedDockerfile,
  ParseWarning,
  RunInstruction,
  ShellInstruction,
  Stage,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './dockerfile/types.js';

// Build context: the tar the daemon receives, unpacked safely, with digests for the cache.
export { receiveContext } from './context/receive-context.js';
export { SyncedContexts } from './context/synced-contexts.js';
export type { SyncedContextsOptions, AssembleOptions } from './context/synced-contexts.js';
export type { ReceiveContextOptions } from './context/receive-context.js';
export { BuildContext } from './context/build-context.js';
export type { ContextDockerfile } from './context/build-context.js';
export type { ContextEntry, EntryType } from './context/context-entry.js';
export type { SourceDigest } from './context/context-digests.js';
export type { CopySource } from './context/copy-sources.js';
export { DockerIgnore, selectContextPaths } from './context/dockerignore.js';
export type { IgnorePattern, WalkEntry, WalkMatch } from './context/dockerignore.js';
export { walkDirectory } from './context/walk-directory.js';
export { pathMatch, hasWildcards } from './context/path-match.js';
export { extractTar } from './context/safe-extract.js';
export { indexTar } from './context/context-index.js';
export type { IndexedEntry } from './context/context-index.js';

// Dispatcher: runs a Dockerfile through the engine's services (ports declared here, wired by the daemon).
export { runBuild, BuildStepError, BUILD_LABEL } from './dispatch/build.js';
export type { BuildOptions } from './dispatch/build.js';
export { BuildCache } from './dispatch/build-cache.js';
export type { StepProbe } from './dispatch/build-cache.js';
export type { BuildContainers, BuildImage, BuildImages, BuildMount, BuildOutput, BuildPorts, CopyEntry, CopyFromImage, PathStat, StepContainerSpec } from './dispatch/ports.js';
