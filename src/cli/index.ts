export { main, reportError } from './main.js';
export { CliError } from './cli-error.js';
export { type CliContext, processContext } from './context.js';
export { COMMANDS, GROUPS, findCommand, type CommandEntry, type RegisterFn } from './registry.js';
export { GoTemplate, goString, goJson, STRICT } from './format/go-template.js';
export { parseFormat, renderFormat, type ParsedFormat } from './format/formatter.js';
export { tabwrite } from './format/tabwriter.js';
export { humanSize, humanDuration, bytesSize, parseRamBytes } from './format/units.js';
export { buildCreateRequest, type CreateFlags, type CreatePlan } from './commands/container/create-flags.js';
