import type { InstanceId, StackName } from '../model/ids.js';
import type { Service } from '../model/stack.js';

/**
 * What the supervisor asks a runtime to create: one replica of one service. Runtime-neutral: each runtime
 * decides how to run the service (a local process with an image adapter, a container, a swarm task).
 */
export interface InstanceSpec {
  readonly stack: StackName;
  /** The project directory (relative paths of the model are already absolute; this is for state and defaults). */
  readonly projectDir: string;
  readonly service: Service;
  /** 1-based replica number, stable for the life of the replica. */
  readonly replica: number;
  /** Extra environment berth adds (BERTH_SERVICE, BERTH_REPLICA, later BERTH_RELEASE). */
  readonly env: Readonly<Record<string, string>>;
}

/** Where a replica can be reached from the host, per container port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export type InstanceState = 'created' | 'running' | 'exited';

export interface ExitInfo {
  /** Exit code, or null when the process was killed by a signal or its status is unknown. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

export interface Instance {
  readonly id: InstanceId;
  readonly stack: StackName;
  readonly service: string;
  readonly replica: number;
  readonly state: InstanceState;
  /** Host-reachable address of each container port the service declares (ports / expose / adapter default). */
  readonly endpoints: Readonly<Record<number, Endpoint>>;
  readonly pid?: number;
  readonly startedAt?: number;
  readonly exit?: ExitInfo;
  /** The spec it was created from, when the runtime keeps it: a restarted berth supervises it again from this. */
  readonly spec?: InstanceSpec;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Only lines at or after this time (ms since epoch). */
  readonly since?: number;
  /** Only the last N lines (before following). */
  readonly tail?: number;
  readonly signal?: AbortSignal;
}

export interface LogLine {
  readonly instance: InstanceId;
  readonly service: string;
  readonly replica: number;
  readonly stream: 'stdout' | 'stderr';
  readonly time: number;
  readonly text: string;
}

export type RuntimeEvent =
  | { readonly type: 'started'; readonly id: InstanceId; readonly at: number }
  | { readonly type: 'exited'; readonly id: InstanceId; readonly exit: ExitInfo };

export interface ExecOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Extra environment for the command (on top of the instance's). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ExecResult {
  readonly exitCode: number | null;
  /** Combined stdout and stderr, truncated to a few KiB. */
  readonly output: string;
  readonly timedOut: boolean;
}

export type ExecCommand = { readonly kind: 'exec'; readonly argv: readonly string[] } | { readonly kind: 'shell'; readonly command: string };

/**
 * The one interface between the supervisor and the thing that runs replicas. Only the supervisor calls it.
 * Contract (checked by runtime/conformance.ts for every implementation):
 * - `create` prepares a replica without starting it; `start` runs it and resolves once it is running (not healthy);
 * - `stop` sends `how.signal` to the whole replica (process group / container), waits up to `graceMs`, then kills
 *   it, and resolves with its exit; stopping a replica that is not running resolves with its last exit;
 * - `events` reports every start and every exit, including exits the supervisor did not ask for;
 * - `list` finds the stack's replicas again after a restart of berth (from labels or durable state);
 * - `exec` runs a command in the replica's context (its environment, working directory and addresses), used by
 *   healthchecks and `berth exec`;
 * - `remove` forgets a stopped replica and frees what it held (ports, temp files), keeping volumes.
 * It does not restart anything, does not order services and does not check health: the supervisor does.
 */
export interface Runtime {
  readonly kind: 'process' | 'docker' | 'swarm' | 'memory';
  list(stack: StackName, signal?: AbortSignal): Promise<Instance[]>;
  create(spec: InstanceSpec, signal?: AbortSignal): Promise<Instance>;
  start(id: InstanceId, signal?: AbortSignal): Promise<Instance>;
  stop(id: InstanceId, how: { readonly signal: NodeJS.Signals; readonly graceMs: number }): Promise<ExitInfo>;
  remove(id: InstanceId): Promise<void>;
  exec(id: InstanceId, command: ExecCommand, options: ExecOptions): Promise<ExecResult>;
  logs(id: InstanceId, options: LogOptions): AsyncIterable<LogLine>;
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
  /** Releases what the runtime itself holds (listeners, file handles); replicas keep running unless stopped. */
  close(): Promise<void>;
}
