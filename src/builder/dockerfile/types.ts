/**
 * Typed Dockerfile instructions: what the parser hands the dispatcher.
 *
 * Values are kept as written (quotes and `$VAR` references intact) wherever Docker expands
 * them later with the build's environment: the dispatcher passes those fields through
 * `expandWord` / `expandWords` (shell-words.ts) at the step that uses them. Fields that are
 * expanded that way are marked "raw" below.
 *
 * @example
 *   const df = parseDockerfile('FROM busybox AS base\nRUN echo hi\n');
 *   df.instructions[1]; // { kind: 'RUN', command: { form: 'shell', command: 'echo hi' }, ... }
 */

/** The escape character set by `# escape=` (backslash by default). */
export type EscapeToken = '\\' | '`';

/** Where an instruction sits in the Dockerfile: 1-based line numbers, inclusive. */
export interface Location {
  startLine: number;
  endLine: number;
}

/**
 * A command given in exec form (a JSON array) or shell form (a string run by the SHELL).
 * A shell form with an empty command (`CMD` or `RUN` alone) means the SHELL with no script
 * argument: Docker stores `CMD` as `["/bin/sh", "-c"]`.
 */
export type CommandLine = { form: 'exec'; args: string[] } | { form: 'shell'; command: string };

/** A here-document attached to a RUN, COPY or ADD line (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`). */
export interface Heredoc {
  /** The delimiter word with its quotes removed. */
  name: string;
  /** The body: every line up to the delimiter, each ending in "\n" (leading tabs removed for `<<-`). */
  content: string;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  expand: boolean;
  /** The `<<-` form. */
  chomp: boolean;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 when none. */
  fileDescriptor: number;
}

/** A `key=value` pair of ENV or LABEL, both raw. */
export interface KeyValue {
  key: string;
  value: string;
}

/** One ARG name with its raw default, if any. */
export interface ArgDefinition {
  name: string;
  value?: string;
}

/** Healthcheck settings; durations in nanoseconds as Docker stores them, 0 = inherit. */
export interface HealthcheckConfig {
  /** `['NONE']`, `['CMD', ...args]` (exec form) or `['CMD-SHELL', command]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

interface InstructionBase {
  /** The instruction as written, continuation lines joined (what `Step N/M :` prints). */
  original: string;
  location: Location;
}

export interface FromInstruction extends InstructionBase {
  kind: 'FROM';
  /** Raw image reference (ARGs declared before the first FROM are expanded in it). */
  image: string;
  /** `AS name`, lower-cased as Docker does. */
  stageName?: string;
  /** Raw `--platform`. */
  platform?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'RUN';
  command: CommandLine;
  heredocs: Heredoc[];
  /** Raw `--mount` values, in order (e.g. `type=cache,target=/root/.cache`). */
  mounts: string[];
  /** `--network` (`default`, `none`, `host`). */
  network?: string;
  /** `--security` (`sandbox`, `insecure`). */
  security?: string;
}

export interface CmdInstruction extends InstructionBase {
  kind: 'CMD';
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'ENTRYPOINT';
  command: CommandLine;
}

export interface ShellInstruction extends InstructionBase {
  kind: 'SHELL';
  /** Always the exec (JSON) form. */
  shell: string[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'LABEL';
  labels: KeyValue[];
}

export interface EnvInstruction extends InstructionBase {
  kind: 'ENV';
  env: KeyValue[];
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'EXPOSE';
  /** Raw port specs (`80`, `53/udp`, `$PORT`); expanded with `expandWords`. */
  ports: string[];
}

/** A COPY/ADD source given inline as a here-document (`COPY <<EOF /file`). */
export interface InlineSource {
  /** The heredoc's name, used as the file name when the destination is a directory. */
  name: string;
  content: string;
  expand: boolean;
}

interface CopyLike extends InstructionBase {
  /** Raw source paths (context paths, wildcards, or for ADD URLs). */
  sources: string[];
  /** Sources given as here-documents. */
  inline: InlineSource[];
  /** Raw destination. */
  dest: string;
  /** True when written as a JSON array. */
  json: boolean;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
}

export interface CopyInstruction extends CopyLike {
  kind: 'COPY';
  /** `--from`: a stage name, a stage index or an image reference (raw). */
  from?: string;
  parents: boolean;
}

export interface AddInstruction extends CopyLike {
  kind: 'ADD';
  keepGitDir: boolean;
  checksum?: string;
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'VOLUME';
  /** Raw paths. */
  paths: string[];
}

export interface UserInstruction extends InstructionBase {
  kind: 'USER';
  /** Raw `user[:group]`. */
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'WORKDIR';
  /** Raw path. */
  path: string;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'ARG';
  args: ArgDefinition[];
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'ONBUILD';
  /** The trigger's keyword, upper-cased (`RUN`). */
  trigger: string;
  /** The trigger as Docker stores it in the image's `OnBuild` list (`RUN echo hi`). */
  expression: string;
}

export interface StopsignalInstruction extends InstructionBase {
  kind: 'STOPSIGNAL';
  /** Raw signal (`SIGTERM`, `9`, `$SIG`). */
  signal: string;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'HEALTHCHECK';
  health: HealthcheckConfig;
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'MAINTAINER';
  maintainer: string;
}

/** Every instruction the parser produces. */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | LabelInstruction
  | EnvInstruction
  | ExposeInstruction
  | CopyInstruction
  | AddInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | MaintainerInstruction;

export type InstructionKind = Instruction['kind'];

/** A warning Docker prints before the build (e.g. an empty continuation line). */
export interface ParseWarning {
  line: number;
  message: string;
}

/** The parsed file: directives and every instruction in order. */
export interface ParsedDockerfile {
  escape: EscapeToken;
  /** The `# syntax=` directive, accepted and otherwise ignored. */
  syntax?: string;
  warnings: ParseWarning[];
  instructions: Instruction[];
}

/** One `FROM` and the instructions that follow it. */
export interface Stage {
  /** Position among the stages, as `COPY --from=0` counts. */
  index: number;
  from: FromInstruction;
  instructions: Exclude<Instruction, FromInstruction>[];
}

/** A file split into build stages; ARGs before the first FROM are the global meta args. */
export interface BuildPlan {
  metaArgs: ArgInstruction[];
  stages: Stage[];
}
