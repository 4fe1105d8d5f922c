import { invalid } from '../../shared/errors.js';
import { parseInstruction } from './instructions.js';
import { fileError, InstructionError, lineError } from './parse-error.js';
import { readLines } from './read-lines.js';
import type { ArgInstruction, BuildPlan, Instruction, ParsedDockerfile, Stage } from './types.js';

/**
 * Parse a Dockerfile into typed instructions, with Docker's error wording: problems found
 * while reading lines read `failed to parse Dockerfile: ...`, problems of one instruction
 * `dockerfile parse error line N: ...` (N = the instruction's first line).
 *
 * @example
 *   const { instructions } = parseDockerfile('FROM busybox\nCMD ["sh"]\n');
 *   instructions[1]; // { kind: 'CMD', command: { form: 'exec', args: ['sh'] }, ... }
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const ast = readLines(text);
  if (ast.nodes.length === 0) throw fileError('file with no instructions');
  const instructions: Instruction[] = ast.nodes.map((node) => {
    try {
      return parseInstruction(node);
    } catch (err) {
      if (err instanceof InstructionError) throw lineError(node.location.startLine, err.message);
      throw err;
    }
  });
  return { escape: ast.escape, syntax: ast.syntax, warnings: ast.warnings, instructions };
}

/**
 * Split parsed instructions into stages. ARGs before the first FROM are the meta args;
 * anything else there is Docker's "no build stage in current context".
 *
 * @example toBuildPlan(parseDockerfile(text)).stages.map((s) => s.from.stageName);
 */
export function toBuildPlan(parsed: ParsedDockerfile): BuildPlan {
  const metaArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const ins of parsed.instructions) {
    if (ins.kind === 'FROM') {
      if (ins.stageName) {
        if (names.has(ins.stageName)) throw invalid(`${ins.stageName} stage name already used`);
        names.add(ins.stageName);
      }
      stages.push({ index: stages.length, from: ins, instructions: [] });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) current.instructions.push(ins);
    else if (ins.kind === 'ARG') metaArgs.push(ins);
    else throw invalid('no build stage in current context');
  }
  if (stages.length === 0) throw invalid('dockerfile contains no stages to build');
  return { metaArgs, stages };
}
