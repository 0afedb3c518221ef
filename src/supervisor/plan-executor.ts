import { isBerthError } from '../errors.js';
import type { Plan, PlanStep } from '../plan/plan.js';
import type { Failure } from './dependency-gates.js';
import type { EventSink } from './events.js';
import { abortError } from './replica-store.js';

export type StepOutcome =
  | { readonly kind: 'done' }
  /** The step ran and failed, or a gate it waited for failed. */
  | { readonly kind: 'failed'; readonly failure: Failure }
  /** A step it needed failed (the failure is the root cause, passed down the DAG). */
  | { readonly kind: 'skipped'; readonly failure: Failure };

/** Runs one step; resolves with a Failure when it could not do its job (a failed gate), throws on errors. */
export type StepRunner = (step: PlanStep) => Promise<Failure | undefined>;

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  readonly emit: EventSink;
  readonly now: () => number;
}

/**
 * Executes a Plan: every step starts as soon as its predecessors are done, so replicas of a service and
 * independent branches run in parallel. A step whose required predecessor failed or was skipped is skipped with
 * that predecessor's root failure; optional predecessors only order. After an abort no new step begins.
 * Resolves with one outcome per step, never rejects.
 */
export async function executePlan(plan: Plan, run: StepRunner, options: ExecuteOptions): Promise<StepOutcome[]> {
  const outcomes: Promise<StepOutcome>[] = [];
  for (const step of plan.steps) {
    outcomes.push(runStep(step, outcomes, run, options));
  }
  return Promise.all(outcomes);
}

async function runStep(step: PlanStep, outcomes: readonly Promise<StepOutcome>[], run: StepRunner, options: ExecuteOptions): Promise<StepOutcome> {
  const required = await Promise.all(step.after.map((id) => outcomes[id] as Promise<StepOutcome>));
  await Promise.all(step.afterOptional.map((id) => outcomes[id] as Promise<StepOutcome>));
  const report = (phase: 'begin' | 'done' | 'failed' | 'skipped', reason?: string): void =>
    options.emit({ type: 'step', at: options.now(), kind: step.kind, phase, service: step.service, replica: step.replica, ...(reason ? { reason } : {}) });
  const blocked = required.find((outcome): outcome is Exclude<StepOutcome, { kind: 'done' }> => outcome.kind !== 'done');
  if (blocked) {
    report('skipped', blocked.failure.reason);
    return { kind: 'skipped', failure: blocked.failure };
  }
  if (options.signal?.aborted) {
    const failure = errorFailure(step, abortError(options.signal));
    report('skipped', failure.reason);
    return { kind: 'skipped', failure };
  }
  report('begin');
  try {
    const failure = await run(step);
    if (failure) {
      report('failed', failure.reason);
      return { kind: 'failed', failure };
    }
    report('done');
    return { kind: 'done' };
  } catch (error) {
    const failure = errorFailure(step, error);
    report('failed', failure.reason);
    return { kind: 'failed', failure };
  }
}

function errorFailure(step: PlanStep, error: unknown): Failure {
  const instance = step.kind === 'create' ? undefined : step.instance;
  if (isBerthError(error)) {
    return { service: step.service, code: error.code, reason: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(instance ? { instance } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = step.kind === 'create' || step.kind === 'start' ? 'SUPERVISOR_START_FAILED' : 'SUPERVISOR_STOP_FAILED';
  return { service: step.service, code, reason: `${step.kind} ${step.service}#${step.replica} failed: ${message}`, ...(instance ? { instance } : {}) };
}
