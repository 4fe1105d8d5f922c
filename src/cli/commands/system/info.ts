import type { Command } from 'commander';
import { info } from '../../../api-client/system.js';
import type { CliContext } from '../../context.js';
import { GoTemplate, STRICT } from '../../format/go-template.js';
import { bytesSize } from '../../format/units.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

/** `berth info [-f FORMAT]`: a docker-like subset of the server section. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('info')
    .description('Display system-wide information')
    .usage('[OPTIONS]')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .action(async (o: { format?: string }) => {
      const i = await info(await ctx.transport());
      if (o.format) {
        // docker's typed value (system.dockerInfo): an unknown field is an error, printed after an empty line
        const view: Record<string, unknown> = { ...i };
        Object.defineProperty(view, STRICT, { value: 'system.dockerInfo', enumerable: false });
        Object.defineProperty(view, 'ClientInfo', { value: { Debug: false, Context: 'default' }, enumerable: false });
        let text = '';
        try {
          text = new GoTemplate(o.format === 'json' ? '{{json .}}' : o.format).execute(view);
        } finally {
          ctx.out(`${text}\n`);
        }
        return;
      }
      const v = (k: string): string => (i[k] === undefined || i[k] === null ? '' : String(i[k]));
      const lines = [
        'Client:',
        ' Context:    default',
        ' Debug Mode: false',
        '',
        'Server:',
        ` Containers: ${v('Containers')}`,
        `  Running: ${v('ContainersRunning')}`,
        `  Paused: ${v('ContainersPaused')}`,
        `  Stopped: ${v('ContainersStopped')}`,
        ` Images: ${v('Images')}`,
        ` Server Version: ${v('ServerVersion')}`,
        ` Storage Driver: ${v('Driver')}`,
        ` Logging Driver: ${v('LoggingDriver')}`,
        ` Cgroup Driver: ${v('CgroupDriver')}`,
        ` Cgroup Version: ${v('CgroupVersion')}`,
        ` Default Runtime: ${v('DefaultRuntime')}`,
        ` Kernel Version: ${v('KernelVersion')}`,
        ` Operating System: ${v('OperatingSystem')}`,
        ` OSType: ${v('OSType')}`,
        ` Architecture: ${v('Architecture')}`,
        ` CPUs: ${v('NCPU')}`,
        ` Total Memory: ${typeof i.MemTotal === 'number' ? bytesSize(i.MemTotal) : ''}`,
        ` Name: ${v('Name')}`,
        ` ID: ${v('ID')}`,
        ` Docker Root Dir: ${v('DockerRootDir')}`,
        ` Debug Mode: ${v('Debug') || 'false'}`,
      ];
      ctx.out(`${lines.join('\n')}\n`);
    });
}
