import type { RestartPolicy } from '../model/stack.js';
import type { ExitInfo } from '../runtime/runtime.js';
import { formatDuration } from '../spec/duration.js';
import { assertNever } from './replica-status.js';

/**
 * Compose's restart policies (Docker's restart manager) as berth applies them to local processes. One row per
 * policy; "exit" is an exit the supervisor did not ask for (a crash, a kill -9, a job finishing).
 *
 * | policy           | exit 0       | exit ≠ 0 / killed        | after `berth stop`       | after berth restarts |
 * |------------------|--------------|--------------------------|--------------------------|----------------------|
 * | `no`             | stays exited | stays exited             | stays stopped            | started by next `up` |
 * | `always`         | restarted    | restarted                | stays stopped until `start`/`up` | started by next `up` |
 * | `unless-stopped` | stays exited | restarted                | stays stopped until `start`/`up` | stays stopped if the user had stopped it (`up` option `stoppedByUser`) |
 * | `on-failure[:N]` | stays exited | restarted, at most N times (N absent or 0: no limit), then `failed` "gave up after N restarts" | stays stopped | started by next `up` |
 *
 * `unless-stopped` follows seed 001's table, which our users read as the contract: a clean exit (code 0) is not
 * restarted (Docker itself would restart it). A replica killed by a signal counts as a non-zero exit, as Docker reports 128+signal.
 * Unhealthy replicas are not restarted (compose does not either); their health is reported.
 *
 * Backoff (Docker's): the first restart waits `initialDelayMs` (100ms), each further one twice the previous, capped
 * at `maxDelayMs` (10s here; Docker caps at 1 min, too slow for a development loop), and back to 100ms once the
 * replica had stayed up `resetAfterMs` (10s). `crashLoopExits` exits within `crashLoopWindowMs` mark a crash loop:
 * restarts go on (with the capped backoff) and `berth ps` says `restarting (crash loop: 5 exits in 30s)`.
 */
export interface RestartTiming {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly resetAfterMs: number;
  readonly crashLoopExits: number;
  readonly crashLoopWindowMs: number;
}

export const DEFAULT_RESTART_TIMING: RestartTiming = {
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  resetAfterMs: 10_000,
  crashLoopExits: 5,
  crashLoopWindowMs: 30_000,
};

/** What the policy remembers about one replica between exits; replaced, never mutated. */
export interface RestartMemory {
  /** Restarts the policy made since the replica was last started by the user (`up`, `start`, `restart`). */
  readonly restarts: number;
  /** The previous backoff delay; 0 before the first restart. */
  readonly delayMs: number;
  /** Times of recent unrequested exits (only those inside the crash-loop window are kept). */
  readonly exits: readonly number[];
}

export const FRESH_RESTART_MEMORY: RestartMemory = { restarts: 0, delayMs: 0, exits: [] };

export type RestartDecision =
  | { readonly kind: 'restart'; readonly delayMs: number }
  | { readonly kind: 'stay-exited' }
  | { readonly kind: 'give-up'; readonly reason: string };

export interface ExitContext {
  readonly policy: RestartPolicy;
  readonly exit: ExitInfo;
  readonly memory: RestartMemory;
  /** How long the replica had been running before this exit. */
  readonly ranMs: number;
  readonly now: number;
  readonly timing?: RestartTiming;
}

/** Applies the table above to one unrequested exit: what to do, and the memory to keep for the next exit. */
export function decideRestart(context: ExitContext): { decision: RestartDecision; memory: RestartMemory } {
  const timing = context.timing ?? DEFAULT_RESTART_TIMING;
  const exits = [...context.memory.exits, context.now].filter((at) => at > context.now - timing.crashLoopWindowMs);
  const memory = { ...context.memory, exits };
  if (!policyRestarts(context.policy, context.exit)) return { decision: { kind: 'stay-exited' }, memory };
  const max = context.policy.kind === 'on-failure' ? context.policy.maxRetries : undefined;
  if (max !== undefined && max > 0 && memory.restarts >= max) {
    return { decision: { kind: 'give-up', reason: `gave up after ${memory.restarts} restart${memory.restarts === 1 ? '' : 's'}` }, memory };
  }
  const delayMs = nextDelay(memory.delayMs, context.ranMs, timing);
  return { decision: { kind: 'restart', delayMs }, memory: { restarts: memory.restarts + 1, delayMs, exits } };
}

/** Whether the policy restarts after this exit, ignoring retry limits. */
export function policyRestarts(policy: RestartPolicy, exit: ExitInfo): boolean {
  switch (policy.kind) {
    case 'no':
      return false;
    case 'always':
      return true;
    case 'unless-stopped': // seed 001's table: a clean exit (code 0) is not restarted
    case 'on-failure':
      return exit.code !== 0;
    default:
      return assertNever(policy);
  }
}

/** 100ms, 200ms, 400ms, … capped; back to the initial delay after a run of at least `resetAfterMs`. */
export function nextDelay(previousMs: number, ranMs: number, timing: RestartTiming = DEFAULT_RESTART_TIMING): number {
  if (previousMs === 0 || ranMs >= timing.resetAfterMs) return timing.initialDelayMs;
  return Math.min(timing.maxDelayMs, previousMs * 2);
}

/** `crash loop: 5 exits in 30s` when the recent exits reach the threshold, else undefined. */
export function crashLoop(memory: RestartMemory, now: number, timing: RestartTiming = DEFAULT_RESTART_TIMING): string | undefined {
  const recent = memory.exits.filter((at) => at > now - timing.crashLoopWindowMs).length;
  if (recent < timing.crashLoopExits) return undefined;
  return `crash loop: ${recent} exits in ${formatDuration(timing.crashLoopWindowMs)}`;
}

/** Whether a replica the user stopped stays stopped when berth itself restarts (only `unless-stopped`). */
export function staysStoppedAcrossBerthRestart(policy: RestartPolicy): boolean {
  return policy.kind === 'unless-stopped';
}

/** How an exit reads in `berth ps` and messages: `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(exit: ExitInfo | undefined): string {
  if (!exit) return 'exited';
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return exit.signal ? `killed by ${exit.signal}` : 'exited (status unknown)';
}
