import { BerthError } from '../errors.js';
import type { Clock } from '../health/clock.js';
import type { Stack } from '../model/stack.js';
import { replicaKey } from '../plan/observed.js';
import { type DependencyGate, gateLabel, type PlanStep } from '../plan/plan.js';
import type { Runtime } from '../runtime/runtime.js';
import { formatDuration } from '../spec/duration.js';
import { evaluateGate, type Failure, type Verdict } from './dependency-gates.js';
import type { StepRunner } from './plan-executor.js';
import type { ReplicaLifecycle, SupervisorLogger } from './replica-lifecycle.js';
import type { ReplicaRecord } from './replica-record.js';
import type { ReplicaStore } from './replica-store.js';

export interface StepContext {
  readonly runtime: Runtime;
  readonly lifecycle: ReplicaLifecycle;
  readonly store: ReplicaStore;
  readonly clock: Clock;
  readonly log: SupervisorLogger;
  readonly stack: Stack;
  /** Replicas each service should have in this operation (scale overrides applied). */
  readonly desiredCount: (service: string) => number;
  readonly gateTimeoutMs: number;
  /** Stops in this operation are the user's (`berth stop`): the replicas stay down until started. */
  readonly stopsByUser: boolean;
  /** Replicas created by this operation that stay stopped (unless-stopped, stopped before berth restarted). */
  readonly keepStopped: ReadonlySet<string>;
  readonly signal?: AbortSignal;
}

/** Executes plan steps against the runtime through the replica lifecycle; starts pass their dependency gates first. */
export function stepRunner(context: StepContext): StepRunner {
  return async (step) => {
    switch (step.kind) {
      case 'create': {
        const record = await context.lifecycle.create(step.spec, context.signal);
        if (context.keepStopped.has(record.key)) {
          record.stoppedByUser = true;
          context.store.setStatus(record, 'stopped', 'stopped by the user before berth restarted');
        }
        return undefined;
      }
      case 'start': {
        const record = recordFor(context, step);
        if (!record) throw new BerthError('SUPERVISOR_START_FAILED', `${replicaKey(step.service, step.replica)} does not exist`);
        const failure = await passGates(step.gates, record, context);
        if (failure) return failure;
        await context.lifecycle.start(record, context.signal);
        return undefined;
      }
      case 'stop': {
        const record = recordFor(context, step);
        if (record) await context.lifecycle.stop(record, context.stopsByUser);
        else if (step.instance) await context.runtime.stop(step.instance, { signal: 'SIGTERM', graceMs: 10_000 });
        return undefined;
      }
      case 'remove': {
        const record = recordFor(context, step);
        if (record) await context.lifecycle.remove(record);
        else if (step.instance) await context.runtime.remove(step.instance);
        return undefined;
      }
    }
  };
}

/** The supervisor's record for the step's replica, if it is the same instance (leftovers have none). */
function recordFor(context: StepContext, step: PlanStep): ReplicaRecord | undefined {
  const record = context.store.get(replicaKey(step.service, step.replica));
  if (!record) return undefined;
  if (step.kind !== 'create' && step.instance !== undefined && step.instance !== record.id) return undefined;
  return record;
}

/**
 * Waits until every gate passes (optional ones that fail become warnings), a required one fails, the deadline
 * passes (SUPERVISOR_TIMEOUT, blamed on the first dependency still pending) or the operation is cancelled.
 * A replica whose gates fail stays `created`, with the reason as its detail.
 */
async function passGates(gates: readonly DependencyGate[], record: ReplicaRecord, context: StepContext): Promise<Failure | undefined> {
  if (gates.length === 0) return undefined;
  const { store, clock } = context;
  const labels = gates.map(gateLabel);
  store.setStatus(record, 'waiting', `waiting for ${labels.join(', ')}`);
  store.emit({ type: 'waiting', at: clock.now(), service: record.service, replica: record.replica, for: labels });
  const warned = new Set<string>();
  let verdict: Verdict;
  try {
    verdict = await store.waitFor(() => checkGates(gates, context, warned), {
      timeoutMs: context.gateTimeoutMs,
      onTimeout: () => ({ kind: 'failed', failure: timeoutFailure(gates, context) }),
      ...(context.signal ? { signal: context.signal } : {}),
    });
  } catch (error) {
    store.setStatus(record, 'created', 'not started: cancelled');
    throw error;
  }
  if (verdict.kind !== 'failed') return undefined;
  store.setStatus(record, 'created', `not started: ${verdict.failure.reason}`);
  return verdict.failure;
}

function checkGates(gates: readonly DependencyGate[], context: StepContext, warned: Set<string>): Verdict | undefined {
  let pending = false;
  for (const gate of gates) {
    const verdict = evaluateGate(gate, dependencyState(gate, context));
    if (verdict.kind === 'pending') pending = true;
    if (verdict.kind !== 'failed') continue;
    if (gate.required) return verdict;
    if (!warned.has(gate.service)) {
      warned.add(gate.service);
      const message = `optional dependency ${gate.service} is not ready: ${verdict.failure.reason}`;
      context.log.warn('optional dependency failed', { dependency: gate.service, reason: verdict.failure.reason });
      context.store.emit({ type: 'warning', at: context.clock.now(), service: gate.service, message });
    }
  }
  return pending ? undefined : { kind: 'ok' };
}

function dependencyState(gate: DependencyGate, context: StepContext): Parameters<typeof evaluateGate>[1] {
  const inStack = gate.service in context.stack.services;
  return { inStack, desired: inStack ? context.desiredCount(gate.service) : 0, records: context.store.ofService(gate.service) };
}

function timeoutFailure(gates: readonly DependencyGate[], context: StepContext): Failure {
  const waiting = gates.find((gate) => evaluateGate(gate, dependencyState(gate, context)).kind === 'pending') ?? gates[0];
  const label = waiting ? gateLabel(waiting) : 'dependencies';
  return {
    service: waiting?.service ?? 'unknown',
    code: 'SUPERVISOR_TIMEOUT',
    reason: `timed out after ${formatDuration(context.gateTimeoutMs)} waiting for ${label}`,
  };
}
