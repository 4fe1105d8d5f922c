import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** Each command file exports `register(parent, ctx)` and returns the command it added. */
export type RegisterFn = (parent: Command, ctx: CliContext) => Command;

/** One command in the table: its top-level names, its `noun verb` names, and its loader. */
export interface CommandEntry {
  /** Top-level names (`ps`), may be empty for group-only commands (`image prune`). */
  top: string[];
  /** Management group and verbs (`container` + `ls`, `ps`, `list`). */
  group?: { noun: string; verbs: string[] };
  summary: string;
  /** `run`/`create` print errors as `berth: ...` + a help hint and exit 125 like docker. */
  runStyleErrors?: boolean;
  load: () => Promise<{ register: RegisterFn }>;
}

/**
 * The command table. Only the invoked command's module is imported (start-up latency).
 * Registry commands (pull, push, login, logout, search) are added here by their owner.
 */
export const COMMANDS: CommandEntry[] = [
  { top: ['run'], group: { noun: 'container', verbs: ['run'] }, summary: 'Create and run a new container from an image', runStyleErrors: true, load: () => import('./commands/container/run.js') },
  { top: ['create'], group: { noun: 'container', verbs: ['create'] }, summary: 'Create a new container', runStyleErrors: true, load: () => import('./commands/container/create.js') },
  { top: ['ps'], group: { noun: 'container', verbs: ['ls', 'list', 'ps'] }, summary: 'List containers', load: () => import('./commands/container/ls.js') },
  { top: ['start'], group: { noun: 'container', verbs: ['start'] }, summary: 'Start one or more stopped containers', load: () => import('./commands/container/start.js') },
  { top: ['stop'], group: { noun: 'container', verbs: ['stop'] }, summary: 'Stop one or more running containers', load: () => import('./commands/container/stop.js') },
  { top: ['restart'], group: { noun: 'container', verbs: ['restart'] }, summary: 'Restart one or more containers', load: () => import('./commands/container/restart.js') },
  { top: ['kill'], group: { noun: 'container', verbs: ['kill'] }, summary: 'Kill one or more running containers', load: () => import('./commands/container/kill.js') },
  { top: ['wait'], group: { noun: 'container', verbs: ['wait'] }, summary: 'Block until one or more containers stop, then print their exit codes', load: () => import('./commands/container/wait.js') },
  { top: ['rm'], group: { noun: 'container', verbs: ['rm', 'remove'] }, summary: 'Remove one or more containers', load: () => import('./commands/container/rm.js') },
  { top: ['logs'], group: { noun: 'container', verbs: ['logs'] }, summary: 'Fetch the logs of a container', load: () => import('./commands/container/logs.js') },
  { top: ['rename'], group: { noun: 'container', verbs: ['rename'] }, summary: 'Rename a container', load: () => import('./commands/container/rename.js') },
  { top: ['attach'], group: { noun: 'container', verbs: ['attach'] }, summary: 'Attach local standard input, output, and error streams to a running container', load: () => import('./commands/container/attach.js') },
  { top: ['pause'], group: { noun: 'container', verbs: ['pause'] }, summary: 'Pause all processes within one or more containers', load: () => import('./commands/container/pause.js') },
  { top: ['unpause'], group: { noun: 'container', verbs: ['unpause'] }, summary: 'Unpause all processes within one or more containers', load: () => import('./commands/container/unpause.js') },
  { top: ['cp'], group: { noun: 'container', verbs: ['cp'] }, summary: 'Copy files/folders between a container and the local filesystem', load: () => import('./commands/container/cp.js') },
  { top: ['diff'], group: { noun: 'container', verbs: ['diff'] }, summary: "Inspect changes to files or directories on a container's filesystem", load: () => import('./commands/container/diff.js') },
  { top: ['commit'], group: { noun: 'container', verbs: ['commit'] }, summary: "Create a new image from a container's changes", load: () => import('./commands/container/commit.js') },
  { top: ['export'], group: { noun: 'container', verbs: ['export'] }, summary: "Export a container's filesystem as a tar archive", load: () => import('./commands/container/export.js') },
  { top: ['update'], group: { noun: 'container', verbs: ['update'] }, summary: 'Update configuration of one or more containers', load: () => import('./commands/container/update.js') },
  { top: [], group: { noun: 'container', verbs: ['inspect'] }, summary: 'Display detailed information on one or more containers', load: () => import('./commands/container/inspect.js') },
  { top: [], group: { noun: 'container', verbs: ['prune'] }, summary: 'Remove all stopped containers', load: () => import('./commands/container/prune.js') },
  { top: ['exec'], group: { noun: 'container', verbs: ['exec'] }, summary: 'Execute a command in a running container', load: () => import('./commands/container/exec.js') },
  { top: ['top'], group: { noun: 'container', verbs: ['top'] }, summary: 'Display the running processes of a container', load: () => import('./commands/container/top.js') },
  { top: ['stats'], group: { noun: 'container', verbs: ['stats'] }, summary: "Display a live stream of container(s) resource usage statistics", load: () => import('./commands/container/stats.js') },
  { top: ['port'], group: { noun: 'container', verbs: ['port'] }, summary: 'List port mappings or a specific mapping for the container', load: () => import('./commands/container/port.js') },
  { top: [], group: { noun: 'network', verbs: ['connect'] }, summary: 'Connect a container to a network', load: () => import('./commands/network/connect.js') },
  { top: [], group: { noun: 'network', verbs: ['create'] }, summary: 'Create a network', load: () => import('./commands/network/create.js') },
  { top: [], group: { noun: 'network', verbs: ['disconnect'] }, summary: 'Disconnect a container from a network', load: () => import('./commands/network/disconnect.js') },
  { top: [], group: { noun: 'network', verbs: ['inspect'] }, summary: 'Display detailed information on one or more networks', load: () => import('./commands/network/inspect.js') },
  { top: [], group: { noun: 'network', verbs: ['ls', 'list'] }, summary: 'List networks', load: () => import('./commands/network/ls.js') },
  { top: [], group: { noun: 'network', verbs: ['prune'] }, summary: 'Remove all unused networks', load: () => import('./commands/network/prune.js') },
  { top: [], group: { noun: 'network', verbs: ['rm', 'remove'] }, summary: 'Remove one or more networks', load: () => import('./commands/network/rm.js') },
  { top: ['inspect'], summary: 'Return low-level information on Docker objects', load: () => import('./commands/system/inspect.js') },
  { top: ['images'], group: { noun: 'image', verbs: ['ls', 'list'] }, summary: 'List images', load: () => import('./commands/image/ls.js') },
  { top: [], group: { noun: 'image', verbs: ['inspect'] }, summary: 'Display detailed information on one or more images', load: () => import('./commands/image/inspect.js') },
  { top: ['tag'], group: { noun: 'image', verbs: ['tag'] }, summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', load: () => import('./commands/image/tag.js') },
  { top: ['rmi'], group: { noun: 'image', verbs: ['rm', 'remove'] }, summary: 'Remove one or more images', load: () => import('./commands/image/rm.js') },
  { top: ['history'], group: { noun: 'image', verbs: ['history'] }, summary: 'Show the history of an image', load: () => import('./commands/image/history.js') },
  { top: ['build'], group: { noun: 'image', verbs: ['build'] }, summary: 'Build an image from a Dockerfile', load: () => import('./commands/image/build.js') },
  { top: ['load'], group: { noun: 'image', verbs: ['load'] }, summary: 'Load an image from a tar archive or STDIN', load: () => import('./commands/image/load.js') },
  { top: ['save'], group: { noun: 'image', verbs: ['save'] }, summary: 'Save one or more images to a tar archive (streamed to STDOUT by default)', load: () => import('./commands/image/save.js') },
  { top: ['import'], group: { noun: 'image', verbs: ['import'] }, summary: 'Import the contents from a tarball to create a filesystem image', load: () => import('./commands/image/import.js') },
  { top: ['pull'], group: { noun: 'image', verbs: ['pull'] }, summary: 'Download an image from a registry', load: () => import('./commands/image/pull.js') },
  { top: ['push'], group: { noun: 'image', verbs: ['push'] }, summary: 'Upload an image to a registry', load: () => import('./commands/image/push.js') },
  { top: ['search'], summary: 'Search Docker Hub for images', load: () => import('./commands/image/search.js') },
  { top: ['login'], summary: 'Authenticate to a registry', load: () => import('./commands/system/login.js') },
  { top: ['logout'], summary: 'Log out from a registry', load: () => import('./commands/system/logout.js') },
  { top: [], group: { noun: 'registry', verbs: ['serve'] }, summary: 'Serve an OCI distribution registry from a directory', load: () => import('./commands/registry/serve.js') },
  { top: [], group: { noun: 'registry', verbs: ['gc'] }, summary: 'Delete registry blobs no manifest references', load: () => import('./commands/registry/gc.js') },
  { top: [], group: { noun: 'image', verbs: ['prune'] }, summary: 'Remove unused images', load: () => import('./commands/image/prune.js') },
  { top: [], group: { noun: 'volume', verbs: ['create'] }, summary: 'Create a volume', load: () => import('./commands/volume/create.js') },
  { top: [], group: { noun: 'volume', verbs: ['inspect'] }, summary: 'Display detailed information on one or more volumes', load: () => import('./commands/volume/inspect.js') },
  { top: [], group: { noun: 'volume', verbs: ['ls', 'list'] }, summary: 'List volumes', load: () => import('./commands/volume/ls.js') },
  { top: [], group: { noun: 'volume', verbs: ['prune'] }, summary: 'Remove unused local volumes', load: () => import('./commands/volume/prune.js') },
  { top: [], group: { noun: 'volume', verbs: ['rm', 'remove'] }, summary: 'Remove one or more volumes', load: () => import('./commands/volume/rm.js') },
  { top: ['version'], summary: 'Show the Docker version information', load: () => import('./commands/system/version.js') },
  { top: ['info'], group: { noun: 'system', verbs: ['info'] }, summary: 'Display system-wide information', load: () => import('./commands/system/info.js') },
  { top: ['events'], group: { noun: 'system', verbs: ['events'] }, summary: 'Get real time events from the server', load: () => import('./commands/system/events.js') },
  { top: [], group: { noun: 'system', verbs: ['df'] }, summary: 'Show berth disk usage', load: () => import('./commands/system/df.js') },
  { top: [], group: { noun: 'system', verbs: ['prune'] }, summary: 'Remove unused data', load: () => import('./commands/system/prune.js') },
  { top: [], group: { noun: 'builder', verbs: ['build'] }, summary: 'Build an image from a Dockerfile', load: () => import('./commands/image/build.js') },
  { top: [], group: { noun: 'builder', verbs: ['prune'] }, summary: 'Remove build cache', load: () => import('./commands/builder/prune.js') },
  { top: [], group: { noun: 'context', verbs: ['create'] }, summary: 'Create a context', load: () => import('./commands/context/create.js') },
  { top: [], group: { noun: 'context', verbs: ['inspect'] }, summary: 'Display detailed information on one or more contexts', load: () => import('./commands/context/inspect.js') },
  { top: [], group: { noun: 'context', verbs: ['ls', 'list'] }, summary: 'List contexts', load: () => import('./commands/context/ls.js') },
  { top: [], group: { noun: 'context', verbs: ['rm', 'remove'] }, summary: 'Remove one or more contexts', load: () => import('./commands/context/rm.js') },
  { top: [], group: { noun: 'context', verbs: ['show'] }, summary: 'Print the name of the current context', load: () => import('./commands/context/show.js') },
  { top: [], group: { noun: 'context', verbs: ['update'] }, summary: 'Update a context', load: () => import('./commands/context/update.js') },
  { top: [], group: { noun: 'context', verbs: ['use'] }, summary: 'Set the current docker context', load: () => import('./commands/context/use.js') },
];

/** Management groups and their one-line summaries. */
export const GROUPS: Record<string, string> = {
  builder: 'Manage builds',
  container: 'Manage containers',
  context: 'Manage contexts',
  image: 'Manage images',
  network: 'Manage networks',
  system: 'Manage Docker',
  registry: 'Run the built-in image registry',
  volume: 'Manage volumes',
};

/** Finds the entry for `berth <word>` or `berth <noun> <verb>`. */
export function findCommand(words: string[]): { entry: CommandEntry; path: string[] } | undefined {
  const [a, b] = words;
  if (a === undefined) return undefined;
  if (GROUPS[a] !== undefined) {
    if (b === undefined) return undefined;
    const entry = COMMANDS.find((e) => e.group?.noun === a && e.group.verbs.includes(b));
    return entry ? { entry, path: [a, b] } : undefined;
  }
  const entry = COMMANDS.find((e) => e.top.includes(a));
  return entry ? { entry, path: [a] } : undefined;
}
