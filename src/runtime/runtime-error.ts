import { EngineError } from '../shared/errors.js';

/**
 * A container process that could not be started. `exitCode` is what Docker records and what
 * `docker run` exits with: 127 when the command is not found, 126 when it cannot be executed,
 * 128 otherwise. The message follows Docker's wording so the CLI's own 126/127 mapping works:
 * `failed to create task for container: OCI runtime create failed: ... exec: "x": executable file not found in $PATH: unknown`.
 */
export class RuntimeStartError extends EngineError {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, cause?: unknown) {
    super(exitCode === 128 ? 'internal' : 'invalid-argument', message, { cause });
    this.exitCode = exitCode;
    this.name = 'RuntimeStartError';
  }
}

/** Turn crun/runc output from `create`/`start` into Docker's message and exit code. */
export function runtimeStartError(runtimeName: string, phase: 'create' | 'start' | 'exec', raw: string): RuntimeStartError {
  const detail = normalizeDetail(raw.trim());
  const exitCode = /executable file not found|no such file or directory/i.test(detail)
    ? 127
    : /permission denied|is a directory|exec format error|not a directory/i.test(detail)
      ? 126
      : 128;
  const prefix = phase === 'create' ? 'failed to create task for container: ' : '';
  const runtimeLead = detail.includes(`${runtimeName} ${phase} failed`) ? '' : `${runtimeName} ${phase} failed: `;
  return new RuntimeStartError(`${prefix}OCI runtime ${phase} failed: ${runtimeLead}${detail}: unknown`, exitCode);
}

function normalizeDetail(raw: string): string {
  let d = raw.replace(/^time="[^"]*" level=\w+ msg="(.*)"$/s, (_m, msg: string) => msg.replace(/\\"/g, '"'));
  d = d.split('\n').map((l) => l.trim()).filter(Boolean).join('; ');
  // crun: "executable file `x` not found in $PATH: No such file or directory" -> runc/Docker wording.
  const crunNotFound = /executable file `([^`]*)` not found in \$PATH(?:: No such file or directory)?/.exec(d);
  if (crunNotFound) return `unable to start container process: exec: "${crunNotFound[1]}": executable file not found in $PATH`;
  const crunOpen = /^open executable: (.*)$/.exec(d);
  if (crunOpen) return `unable to start container process: exec: ${crunOpen[1]!.toLowerCase()}`;
  return d;
}
