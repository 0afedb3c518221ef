import type { ExecCommand } from '../../runtime.js';

/** An OS account to run a replica as (only when berth runs as root). */
export interface SpawnUser {
  readonly uid: number;
  readonly gid: number;
  readonly name?: string;
  readonly home?: string;
}

export interface PrepareContext {
  /** Writes a line to the replica's log (initialisation output belongs there, as in a container's log). */
  readonly log: (stream: 'o' | 'e', line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * How to run one replica as a local process: the result of resolving its service (x-berth command, build
 * context, or image adapter). Plain data plus an optional `prepare` step that runs before each start
 * (postgres: initdb on first start).
 */
export interface LaunchPlan {
  /** How the command was found, for messages: `x-berth.process.command`, `build context`, `image adapter postgres`. */
  readonly how: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly user?: SpawnUser;
  readonly prepare?: (context: PrepareContext) => Promise<void>;
  /** Added to the environment of healthchecks and `exec` (postgres: PGHOST, PGPORT, …). */
  readonly probeEnv: Readonly<Record<string, string>>;
  /** The adapter's own rewriting of probe commands, after the general one (redis-cli: `-p <port>`). */
  readonly probeRewrite?: (command: ExecCommand) => ExecCommand;
  /** Signal the image would stop with (its STOPSIGNAL), used when the default SIGTERM is asked for. */
  readonly stopSignal?: NodeJS.Signals;
}
