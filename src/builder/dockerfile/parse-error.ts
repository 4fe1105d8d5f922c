import { EngineError } from '../../shared/errors.js';

/**
 * Docker's two wordings for a bad Dockerfile: problems found while reading lines (directives,
 * ENV/LABEL syntax, JSON arrays) and problems of one instruction (with its first line).
 *
 * @example
 *   throw lineError(3, 'unknown instruction: FOO'); // dockerfile parse error line 3: unknown instruction: FOO
 */
export function fileError(message: string): EngineError {
  return new EngineError('invalid-argument', `failed to parse Dockerfile: ${message}`);
}

export function lineError(line: number, message: string): EngineError {
  return new EngineError('invalid-argument', `dockerfile parse error line ${line}: ${message}`);
}

/** A problem of one instruction, before its line is known (the caller adds it). */
export class InstructionError extends Error {
  override readonly name = 'InstructionError';
}

export const atLeastOneArgument = (cmd: string): InstructionError =>
  new InstructionError(`${cmd} requires at least one argument`);
export const exactlyOneArgument = (cmd: string): InstructionError =>
  new InstructionError(`${cmd} requires exactly one argument`);
export const blankNames = (cmd: string): InstructionError => new InstructionError(`${cmd} names can not be blank`);
export const noDestination = (cmd: string): InstructionError =>
  new InstructionError(
    `${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`,
  );
