/*
 * Typed `x-berth:` options. The loader validates them against their own schema (src/spec/berth-options.ts);
 * later features add their options here and there, without touching the rest of the loader.
 */

import type { RouteMiddlewares } from './route-middlewares.js';

/** The top-level `x-berth`: stack-wide choices (runtime, proxy ports). */
export interface BerthStackOptions {
  /** Which runtime runs the stack; `process` (local processes) is the default. */
  readonly runtime?: 'process' | 'docker' | 'swarm';
  /** Proxy ports, and how many worker processes serve connections (`auto`: one per CPU). */
  readonly proxy?: { readonly http?: number; readonly https?: number; readonly workers?: number | 'auto' };
  /** HTTPS on the edge proxy: certificates from files and/or ACME (see src/spec/berth-tls.ts). */
  readonly tls?: BerthTls;
  /** Unknown-but-allowed keys that later features read. */
  readonly other: Readonly<Record<string, unknown>>;
}

/** A service's `x-berth`: how to run it as a process, which routes reach it, how berth probes it. */
export interface BerthServiceOptions {
  /** How to run the service as a local process when it has no runnable image. */
  readonly process?: { readonly command?: readonly string[]; readonly cwd?: string };
  readonly routes: readonly BerthRoute[];
  /** A berth-side health probe; when set it replaces the compose `healthcheck` (which runs in the replica). */
  readonly health?: BerthHealth;
  /** What the edge proxy does on each of the service's routes (security headers, CORS, rate limit, …). */
  readonly middlewares?: RouteMiddlewares;
  /** How `berth deploy` replaces the service's replicas (src/spec/berth-deploy.ts); absent = every default. */
  readonly deploy?: BerthDeploy;
  readonly other: Readonly<Record<string, unknown>>;
}

/** `x-berth.health`: what to probe and how often. Durations in ms, compose's healthcheck defaults filled in. */
export interface BerthHealth {
  readonly check: BerthHealthCheck;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
  readonly startIntervalMs: number;
}

/** `port` is a container port (default: the service's main one); `status` absent = any 2xx or 3xx. */
export type BerthHealthCheck =
  | { readonly kind: 'http'; readonly path: string; readonly port?: number; readonly status?: number }
  | { readonly kind: 'tcp'; readonly port?: number };

/** One `x-berth.routes` entry: requests for these hosts and path prefixes go to the service. */
export interface BerthRoute {
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
  /** Container port the route sends traffic to; defaults to the service's first port. */
  readonly port?: number;
  readonly stripPrefix: boolean;
}

/** `x-berth.tls`: paths as written (relative to the project folder); `renewBeforeMs` absent = the default policy. */
export interface BerthTls {
  readonly certificates: readonly { readonly cert: string; readonly key: string; readonly hosts?: readonly string[] }[];
  readonly acme?: { readonly directory: string; readonly email?: string; readonly renewBeforeMs?: number };
}

/** How `berth deploy` replaces a service's replicas (src/deploy/strategy.ts adds `job` for one-shot services). */
export type BerthDeployStrategy = 'blue-green' | 'rolling' | 'canary' | 'recreate';

/**
 * `x-berth.deploy` with berth's defaults filled in (durations in ms). Two choices depend on the rest of the service
 * and stay absent here unless written: `strategy` (blue-green with routes, else rolling) and the rolling
 * `parallelism` / `order` (compose's `deploy.update_config`, else 1 / start-first); src/deploy/strategy.ts
 * resolves them.
 */
export interface BerthDeploy {
  readonly strategy?: BerthDeployStrategy;
  /** How long the new release is watched after it takes all traffic; 0 = not watched. */
  readonly watchMs: number;
  /** How long old replicas get to finish in-flight requests once they stop receiving new ones. */
  readonly drainTimeoutMs: number;
  /** How long new replicas get to become healthy before the deploy fails. */
  readonly healthTimeoutMs: number;
  /** Paths GET-requested on each new replica before it takes traffic. */
  readonly warmup: readonly string[];
  readonly canary: BerthCanary;
  readonly rolling: BerthRolling;
  readonly thresholds: DeployThresholds;
}

/** Canary steps: percentages of traffic on the new release, ascending, the last one 100. */
export interface BerthCanary {
  readonly steps: readonly number[];
  /** How long each step below 100% is watched before the next one; the 100% step gets the regular watch. */
  readonly stepWatchMs: number;
}

/** Rolling replacement; `parallelism` and `order` absent = from compose's `deploy.update_config`, else berth's default. */
export interface BerthRolling {
  readonly parallelism?: number;
  readonly order?: 'start-first' | 'stop-first';
  /** How many replicas may be missing below the desired count while replacing. */
  readonly maxUnavailable: number;
}

/** When a watched release is judged bad (src/deploy/watch-verdict.ts). */
export interface DeployThresholds {
  /** Fraction (0–1) of the new release's requests answered 5xx or failed; trips above max(this, old rate × 2). */
  readonly errorRate: number;
  /** New p95 latency / old p95 latency above which the release is bad. */
  readonly latencyFactor: number;
  /** Below this many requests on a side, no error-rate or latency verdict is given. */
  readonly minRequests: number;
}
