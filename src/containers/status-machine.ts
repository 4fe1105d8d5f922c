import type { ContainerStatus } from '../api/types.js';
import { EngineError } from '../shared/errors.js';

export type { ContainerStatus };

/** Operations whose allowed source statuses are checked before they run. */
export type Operation = 'start' | 'stop' | 'kill' | 'restart' | 'pause' | 'unpause' | 'remove' | 'force-remove' | 'rename' | 'resize' | 'attach';

/** Who the user asked about: the reference as typed plus the container's id and name. */
export interface Subject {
  ref: string;
  id: string;
  /** With leading slash. */
  name: string;
}

type Refusal = (s: Subject) => EngineError;

const notModified = (msg: string): Refusal => () => new EngineError('not-modified', msg);
const conflictMsg = (f: (s: Subject) => string): Refusal => (s) => new EngineError('conflict', f(s));
const notRunning = conflictMsg((s) => `Container ${s.id} is not running`);
const restarting = conflictMsg((s) => `Container ${s.id} is restarting, wait until the container is running`);
const markedForRemoval = conflictMsg(() => 'container is marked for removal and cannot be started');
const removalInProgress = conflictMsg((s) => `removal of container ${s.ref} is already in progress`);
const cannotRemove = (why: string): Refusal => conflictMsg((s) => `cannot remove container "${s.name}": ${why}`);

/** `true` = allowed; a function = refused with that error. Missing statuses are allowed. */
type Row = Partial<Record<ContainerStatus, Refusal>>;

/**
 * The transition table: for each operation, the statuses from which it is refused and the
 * error Docker gives (`not-modified` maps to HTTP 304, `conflict` to 409).
 */
const TABLE: Record<Operation, Row> = {
  start: {
    running: notModified('Container already started'),
    restarting: notModified('Container already started'),
    paused: conflictMsg(() => 'cannot start a paused container, try unpause instead'),
    removing: markedForRemoval,
    dead: markedForRemoval,
  },
  stop: {
    created: notModified('Container already stopped'),
    exited: notModified('Container already stopped'),
    dead: notModified('Container already stopped'),
    removing: notModified('Container already stopped'),
  },
  kill: {
    created: conflictMsg((s) => `Cannot kill container: ${s.ref}: Container ${s.id} is not running`),
    exited: conflictMsg((s) => `Cannot kill container: ${s.ref}: Container ${s.id} is not running`),
    dead: conflictMsg((s) => `Cannot kill container: ${s.ref}: Container ${s.id} is not running`),
    removing: conflictMsg((s) => `Cannot kill container: ${s.ref}: Container ${s.id} is not running`),
  },
  restart: {
    removing: markedForRemoval,
    dead: markedForRemoval,
  },
  pause: {
    created: notRunning,
    exited: notRunning,
    dead: notRunning,
    removing: notRunning,
    restarting,
    paused: conflictMsg((s) => `Container ${s.id} is already paused`),
  },
  unpause: {
    created: conflictMsg((s) => `Container ${s.id} is not paused`),
    running: conflictMsg((s) => `Container ${s.id} is not paused`),
    exited: conflictMsg((s) => `Container ${s.id} is not paused`),
    restarting: conflictMsg((s) => `Container ${s.id} is not paused`),
    dead: conflictMsg((s) => `Container ${s.id} is not paused`),
    removing: conflictMsg((s) => `Container ${s.id} is not paused`),
  },
  remove: {
    running: cannotRemove('container is running: stop the container before removing or force remove'),
    paused: cannotRemove('container is paused and must be unpaused first'),
    restarting: cannotRemove('container is restarting: stop the container before removing or force remove'),
    removing: removalInProgress,
  },
  'force-remove': {
    removing: removalInProgress,
  },
  rename: {
    removing: conflictMsg(() => "Can't rename container which is dead or marked for removal"),
    dead: conflictMsg(() => "Can't rename container which is dead or marked for removal"),
  },
  resize: {
    created: notRunning,
    exited: notRunning,
    dead: notRunning,
    removing: notRunning,
    restarting,
  },
  attach: {
    paused: conflictMsg((s) => `container ${s.ref} is paused, unpause the container before attach.`),
    restarting,
    removing: conflictMsg(() => 'container is marked for removal and cannot be attached'),
    dead: conflictMsg(() => 'container is marked for removal and cannot be attached'),
  },
};

/**
 * Checks that `op` may run on a container in `status`; throws Docker's error otherwise.
 *
 * @example
 *   checkTransition('stop', 'exited', subj) // throws EngineError('not-modified', 'Container already stopped')
 */
export function checkTransition(op: Operation, status: ContainerStatus, subject: Subject): void {
  const refuse = TABLE[op][status];
  if (refuse) throw refuse(subject);
}

/** Statuses with a live container process (the monitor is watching it). */
export function isActive(status: ContainerStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'restarting';
}
