import { BerthError, type ErrorCode } from '../errors.js';
import type { InstanceId } from '../model/ids.js';
import type { PlanStep } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Failure } from './dependency-gates.js';
import type { StepOutcome } from './plan-executor.js';

/** One service that made `up` fail, with the last lines of its log. */
export interface UpFailure {
  /** The service at fault (the failing job, the unhealthy dependency), not the dependents that did not start. */
  readonly service: string;
  /** `migrate exited with code 1; dependents api, worker were not started`. */
  readonly reason: string;
  readonly logTail: readonly string[];
  readonly code: ErrorCode;
  /** What to do about it, when known (e.g. the `chmod` that lets postgres reach its data). */
  readonly hint?: string;
}

export type UpResult = { readonly ok: true } | { readonly ok: false; readonly failures: readonly UpFailure[] };

/** How many log lines a failure carries. */
export const LOG_TAIL_LINES = 20;

interface Blame {
  readonly failure: Failure;
  readonly dependents: Set<string>;
}

/**
 * Folds step outcomes and readiness failures into an UpResult: one entry per service at fault, naming the services
 * that were not started because of it, with its log tail (read through `runtime.logs`).
 */
export async function buildUpResult(
  steps: readonly { readonly step: PlanStep; readonly outcome: StepOutcome }[],
  readinessFailures: readonly Failure[],
  logs: { readonly runtime: Runtime; readonly instanceOf: (service: string) => InstanceId | undefined },
): Promise<UpResult> {
  const blames = new Map<string, Blame>();
  const blame = (failure: Failure): Blame => {
    const known = blames.get(failure.service);
    if (known) {
      // A dependent's gate may report the failure first, without the hint its own start step carries.
      if (!known.failure.hint && failure.hint) {
        const better = { failure, dependents: known.dependents };
        blames.set(failure.service, better);
        return better;
      }
      return known;
    }
    const fresh = { failure, dependents: new Set<string>() };
    blames.set(failure.service, fresh);
    return fresh;
  };
  for (const { step, outcome } of steps) {
    if (outcome.kind === 'done') continue;
    const entry = blame(outcome.failure);
    if (step.kind === 'start' && step.service !== outcome.failure.service) entry.dependents.add(step.service);
  }
  readinessFailures.forEach(blame);
  if (blames.size === 0) return { ok: true };
  const failures = await Promise.all([...blames.values()].map(async ({ failure, dependents }) => ({
    service: failure.service,
    reason: `${failure.reason}${dependentsText([...dependents])}`,
    code: failure.code,
    ...(failure.hint ? { hint: failure.hint } : {}),
    logTail: await logTail(logs.runtime, failure.instance ?? logs.instanceOf(failure.service)),
  })));
  return { ok: false, failures };
}

/** The error to raise for a failed `up`: the first failure's code, every reason, and where to look. */
export function upFailureError(result: Extract<UpResult, { ok: false }>): BerthError {
  const [first] = result.failures;
  const services = result.failures.map((f) => f.service).join(' ');
  const message = result.failures.length === 1 && first ? first.reason : result.failures.map((f) => `${f.service}: ${f.reason}`).join('; ');
  return new BerthError(first?.code ?? 'SUPERVISOR_START_FAILED', message, { hint: `see: berth logs ${services}` });
}

function dependentsText(dependents: readonly string[]): string {
  if (dependents.length === 0) return '';
  if (dependents.length === 1) return `; dependent ${dependents[0]} was not started`;
  return `; dependents ${dependents.join(', ')} were not started`;
}

async function logTail(runtime: Runtime, instance: InstanceId | undefined): Promise<string[]> {
  if (instance === undefined) return [];
  const lines: string[] = [];
  try {
    for await (const line of runtime.logs(instance, { follow: false, tail: LOG_TAIL_LINES })) lines.push(line.text);
  } catch {
    // The replica may be gone (removed by a concurrent `down`): the failure still stands without its log.
  }
  return lines.slice(-LOG_TAIL_LINES);
}
