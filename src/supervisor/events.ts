import type { HealthState } from '../health/health-state.js';
import type { StepKind } from '../plan/plan.js';
import type { ExitInfo } from '../runtime/runtime.js';
import type { ReplicaStatus } from './replica-status.js';

/**
 * Progress of a supervisor operation, for the CLI's progress lines and the daemon's log. Every event names the
 * replica it is about (except `plan` and stack-wide warnings) and carries the time it happened (`at`, ms).
 * - `plan`: the plan about to run, as `Plan.toString()` text;
 * - `step`: a Runtime call began, finished, failed, or was skipped because something it needed failed;
 * - `waiting`: a start waits for dependency gates (`db healthy`, `migrate completed`);
 * - `status`: the replica's status changed (`detail` says why: `gave up after 3 restarts`, `crash loop: …`);
 * - `health`: its health changed (`reason` is the probe's failure, if any);
 * - `restart`: the restart policy will start it again after `delayMs` (`restarts` counts them);
 * - `warning`: something the user should know that does not fail the operation (an optional dependency failed).
 */
export type SupervisorEvent =
  | { readonly type: 'plan'; readonly at: number; readonly text: string; readonly steps: number }
  | {
      readonly type: 'step'; readonly at: number; readonly kind: StepKind; readonly phase: 'begin' | 'done' | 'failed' | 'skipped';
      readonly service: string; readonly replica: number; readonly reason?: string;
    }
  | { readonly type: 'waiting'; readonly at: number; readonly service: string; readonly replica: number; readonly for: readonly string[] }
  | {
      readonly type: 'status'; readonly at: number; readonly service: string; readonly replica: number;
      readonly status: ReplicaStatus; readonly detail?: string; readonly exit?: ExitInfo;
    }
  | { readonly type: 'health'; readonly at: number; readonly service: string; readonly replica: number; readonly health: HealthState; readonly reason?: string }
  | {
      readonly type: 'restart'; readonly at: number; readonly service: string; readonly replica: number;
      readonly restarts: number; readonly delayMs: number; readonly exit: ExitInfo;
    }
  | { readonly type: 'warning'; readonly at: number; readonly service?: string; readonly message: string };

export type EventSink = (event: SupervisorEvent) => void;

/** Calls every sink; a sink that throws is not allowed to break the operation that reports progress. */
export function fanOut(...sinks: readonly (EventSink | undefined)[]): EventSink {
  return (event) => {
    for (const sink of sinks) {
      try {
        sink?.(event);
      } catch {
        // A broken progress consumer (a closed HTTP stream) must not stop the supervisor.
      }
    }
  };
}
