/**
 * Ends a command with an exit status. `message` (if any) goes to stderr as is;
 * an empty message exits silently (e.g. `run` passing the container's exit code through).
 *
 * @example throw new CliError(1, 'Error response from daemon: No such container: x');
 */
export class CliError extends Error {
  readonly status: number;

  constructor(status: number, message = '') {
    super(message);
    this.name = 'CliError';
    this.status = status;
  }
}
