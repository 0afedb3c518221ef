/**
 * Typed `x-berth:` options. The loader validates them against their own schema (src/spec/berth-schema.ts);
 * later features add their options here and there, without touching the rest of the loader.
 */
export interface BerthStackOptions {
  /** Which runtime runs the stack; `process` (local processes) is the default. */
  readonly runtime?: 'process' | 'docker' | 'swarm';
  readonly proxy?: { readonly http?: number; readonly https?: number };
  /** Unknown-but-allowed keys that later features read. */
  readonly other: Readonly<Record<string, unknown>>;
}

export interface BerthServiceOptions {
  /** How to run the service as a local process when it has no runnable image. */
  readonly process?: { readonly command?: readonly string[]; readonly cwd?: string };
  readonly routes: readonly BerthRoute[];
  readonly other: Readonly<Record<string, unknown>>;
}

export interface BerthRoute {
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
  /** Container port the route sends traffic to; defaults to the service's first port. */
  readonly port?: number;
  readonly stripPrefix: boolean;
}
