/**
 * The one error type of berth. Every failure a user can see carries a stable `code` (listed here, each one
 * tested), a message that says what is wrong, and where possible a `hint` that says what to do.
 * Only the CLI and daemon entry points turn these into exit statuses.
 */
export const ERROR_CODES = {
  USAGE: 'bad command-line usage',
  SPEC_NOT_FOUND: 'no compose file found',
  SPEC_READ: 'a compose, env or Procfile could not be read',
  SPEC_YAML: 'YAML syntax error',
  SPEC_DUPLICATE_KEY: 'a mapping key appears twice',
  SPEC_SCHEMA: 'the file does not match the compose schema',
  SPEC_UNKNOWN_KEY: 'a key compose does not know',
  SPEC_TYPE: 'a value of the wrong type or shape',
  SPEC_INTERPOLATION: 'a ${VAR} expression is malformed or a required variable is missing',
  SPEC_DOTENV: 'an env file has a syntax error',
  SPEC_MERGE: 'overlay files cannot be merged',
  SPEC_EXTENDS: 'an extends reference cannot be resolved',
  SPEC_REFERENCE: 'a reference to an undefined service, network, volume, secret or config',
  SPEC_CYCLE: 'a dependency cycle',
  SPEC_DURATION: 'a duration that cannot be parsed',
  SPEC_PORT: 'a port that cannot be parsed',
  SPEC_PROCFILE: 'a Procfile line cannot be parsed',
  SPEC_BERTH: 'an x-berth extension is invalid',
  SPEC_INVALID: 'the stack has errors (see the list)',
  RUNTIME_UNRUNNABLE: 'the process runtime does not know how to run a service as a local process',
  RUNTIME_MISSING_BINARY: 'a program an image adapter needs (postgres, redis-server) is not installed',
  RUNTIME_UNKNOWN_INSTANCE: 'no replica with this id',
  RUNTIME_INSTANCE_STATE: 'the replica is not in a state that allows the operation',
  RUNTIME_PORT_IN_USE: 'a published port or service address cannot be listened on',
  RUNTIME_START_FAILED: 'a replica could not be started (program not found, initialisation failed)',
  RUNTIME_STATE: 'the runtime state file cannot be read',
  SUPERVISOR_UNKNOWN_SERVICE: 'a command names a service that is not in the stack',
  SUPERVISOR_START_FAILED: 'the runtime could not create or start a replica',
  SUPERVISOR_STOP_FAILED: 'the runtime could not stop or remove a replica',
  SUPERVISOR_JOB_FAILED: 'a one-shot dependency (service_completed_successfully) exited with a non-zero code',
  SUPERVISOR_EXITED: 'a replica exited, gave up restarting or crash-looped before it was ready',
  SUPERVISOR_UNHEALTHY: 'a replica turned unhealthy while something waited for it to be healthy',
  SUPERVISOR_DEPENDENCY: 'a dependency cannot be waited for (missing, no healthcheck, stopped by the user)',
  SUPERVISOR_TIMEOUT: 'a wait for replicas passed its deadline',
  SUPERVISOR_ABORTED: 'a supervisor operation was cancelled',
  SUPERVISOR_STATE: 'an impossible replica state transition (a bug in berth)',
  DAEMON_UNREACHABLE: 'no daemon answers for this project',
  DAEMON_START: 'the daemon could not be started',
  STACK_FAILED: 'a service failed to start or become healthy',
  PROXY_LISTEN: 'the edge proxy cannot listen on its port',
  DEPLOY_FAILED: 'a deploy did not complete: the old release keeps serving (or serves again after a rollback)',
  DEPLOY_BUSY: 'another deploy of the same service is under way',
  DEPLOY_RELEASE_STATE: 'an impossible release status change (a bug in berth)',
  STATE_CORRUPT: 'a state file of berth cannot be read or parsed',
  DEPLOY_NO_RELEASE: 'the release asked for does not exist or cannot be rolled back to',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where in a file something came from. Lines and columns are 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface BerthErrorOptions {
  readonly hint?: string;
  readonly cause?: unknown;
  readonly source?: SourcePosition;
  /** Dotted path into the compose model, e.g. `services.web.ports[0]`. */
  readonly path?: string;
  /** For aggregate errors (SPEC_INVALID): the individual problems. */
  readonly issues?: readonly BerthError[];
}

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly source: SourcePosition | undefined;
  readonly path: string | undefined;
  readonly issues: readonly BerthError[];

  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    this.hint = options.hint;
    this.source = options.source;
    this.path = options.path;
    this.issues = options.issues ?? [];
  }

  /** `compose.yml:12:7 SPEC_TYPE services.web.ports[0]: expected "HOST:CONTAINER"` plus the hint on its own line. */
  format(): string {
    const where = this.source ? `${formatPosition(this.source)} ` : '';
    const path = this.path ? ` ${this.path}` : '';
    const head = `${where}${this.code}${path}: ${this.message}`;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function formatPosition(source: SourcePosition): string {
  return `${source.file}:${source.line}:${source.column}`;
}

/** A problem that does not stop loading; shown to the user beside the result. */
export interface Warning {
  readonly message: string;
  readonly source?: SourcePosition;
  readonly path?: string;
}

export function formatWarning(warning: Warning): string {
  const where = warning.source ? `${formatPosition(warning.source)} ` : '';
  const path = warning.path ? `${warning.path}: ` : '';
  return `${where}warning: ${path}${warning.message}`;
}

export function isBerthError(value: unknown): value is BerthError {
  return value instanceof BerthError;
}

/** Wraps a list of problems found while loading into one error, or returns the single one. */
export function aggregate(issues: readonly BerthError[]): BerthError {
  if (issues.length === 1 && issues[0]) return issues[0];
  return new BerthError('SPEC_INVALID', `${issues.length} problems found`, { issues });
}
