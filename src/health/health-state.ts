import type { ProbeResult } from './probe.js';

/**
 * The health of one replica, as Docker reports it: `starting` until the first success (or until failures outside
 * the start period reach `retries`), then `healthy` or `unhealthy`. A replica never goes back to `starting`:
 * a restarted replica gets a new monitor.
 */
export type HealthState = 'starting' | 'healthy' | 'unhealthy';

/** Every allowed change of state; staying in the same state is always allowed. */
export const HEALTH_TRANSITIONS: { readonly [From in HealthState]: readonly HealthState[] } = {
  starting: ['healthy', 'unhealthy'],
  healthy: ['unhealthy'],
  unhealthy: ['healthy'],
};

export function canTransition(from: HealthState, to: HealthState): boolean {
  return from === to || HEALTH_TRANSITIONS[from].includes(to);
}

/** A state plus the count of consecutive failures that counted (Docker's FailingStreak). */
export interface HealthStatus {
  readonly state: HealthState;
  readonly failingStreak: number;
}

export const INITIAL_HEALTH: HealthStatus = { state: 'starting', failingStreak: 0 };

export interface ProbeContext {
  /** Consecutive counted failures that make the replica unhealthy (at least 1). */
  readonly retries: number;
  /** Whether the probe began inside the start period. */
  readonly inStartPeriod: boolean;
}

/**
 * Docker's rule for one probe result: a success makes the replica healthy and clears the streak; a failure counts,
 * except while still `starting` inside the start period, and `retries` counted failures in a row make it unhealthy.
 */
export function applyProbeResult(status: HealthStatus, result: ProbeResult, context: ProbeContext): HealthStatus {
  if (result.ok) return moveTo(status, 'healthy', 0);
  const forgiven = status.state === 'starting' && context.inStartPeriod;
  if (forgiven) return status;
  const failingStreak = status.failingStreak + 1;
  return moveTo(status, failingStreak >= context.retries ? 'unhealthy' : status.state, failingStreak);
}

function moveTo(status: HealthStatus, state: HealthState, failingStreak: number): HealthStatus {
  if (!canTransition(status.state, state)) throw new Error(`health cannot go from ${status.state} to ${state}`);
  return { state, failingStreak };
}

/** For the `default` of a switch over a union: a compile error when a member is not handled. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
