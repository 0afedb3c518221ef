/**
 * The daemon's local HTTP API (over a unix socket in the project's state dir, mode 0600): the only door in for the
 * CLI and the dashboard. Request bodies and responses are JSON; long operations stream NDJSON: zero or more
 * `{ "event": … }` lines, then exactly one `{ "result": … }` or `{ "error": … }` line.
 */
export const API_VERSION = 'v1';

export interface SerializedProjectOptions {
  readonly files: readonly string[];
  readonly projectDirectory?: string;
  readonly projectName?: string;
  readonly envFiles: readonly string[];
  readonly profiles: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly workingDirectory: string;
}

export interface UpRequest {
  readonly project: SerializedProjectOptions;
  readonly services: readonly string[];
  readonly scale: Readonly<Record<string, number>>;
  readonly wait: boolean;
  /** `--http-port` / `--https-port` as given (the daemon resolves flag > env > file > default). */
  readonly proxyPorts?: { readonly http?: string; readonly https?: string };
}

export interface DeployApiRequest {
  readonly project: SerializedProjectOptions;
  readonly services: readonly string[];
  /** `--strategy`: one strategy for every service of this deploy. */
  readonly strategy?: 'blue-green' | 'rolling' | 'canary' | 'recreate';
  /** `--watch`: the watch window for every service of this deploy (ms; 0 = none). */
  readonly watchMs?: number;
}

export interface RollbackApiRequest {
  /** The release to go back to; absent = the one before the newest active release. */
  readonly release?: string;
  readonly watchMs?: number;
}

export interface ServicesRequest {
  readonly services: readonly string[];
}

export interface DownRequest extends ServicesRequest {
  readonly removeVolumes: boolean;
}

export interface ExecRequest {
  readonly service: string;
  readonly replica: number;
  readonly argv: readonly string[];
  readonly timeoutMs: number;
}

export interface DaemonInfo {
  readonly pid: number;
  readonly project: string;
  readonly projectDir: string;
  readonly startedAt: number;
  readonly version: string;
}

export interface ApiError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly issues?: readonly ApiError[];
}

export type StreamLine<E, R> = { readonly event: E } | { readonly result: R } | { readonly error: ApiError };
