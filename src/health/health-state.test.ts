import { describe, expect, it } from 'vitest';
import { applyProbeResult, canTransition, HEALTH_TRANSITIONS, type HealthState, INITIAL_HEALTH } from './health-state.js';
import { failed, passed } from './probe.js';

const STATES: readonly HealthState[] = ['starting', 'healthy', 'unhealthy'];
const pass = passed(1);
const fail = failed(1, 'down');

describe('health state', () => {
  it('allows exactly the transitions of the table, and never a return to starting', () => {
    const allowed = STATES.flatMap((from) => STATES.filter((to) => from !== to && canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed).toEqual(['starting->healthy', 'starting->unhealthy', 'healthy->unhealthy', 'unhealthy->healthy']);
    expect(Object.keys(HEALTH_TRANSITIONS)).toEqual([...STATES]);
  });

  it('a success makes any state healthy and clears the streak', () => {
    for (const state of STATES) {
      expect(applyProbeResult({ state, failingStreak: 2 }, pass, { retries: 3, inStartPeriod: false })).toEqual({ state: 'healthy', failingStreak: 0 });
    }
  });

  it('a failure while starting inside the start period does not count', () => {
    expect(applyProbeResult(INITIAL_HEALTH, fail, { retries: 1, inStartPeriod: true })).toBe(INITIAL_HEALTH);
  });

  it('a failure counts once healthy, even inside the start period', () => {
    expect(applyProbeResult({ state: 'healthy', failingStreak: 0 }, fail, { retries: 2, inStartPeriod: true })).toEqual({ state: 'healthy', failingStreak: 1 });
  });

  it('the failure that reaches `retries` makes the replica unhealthy, from starting or healthy', () => {
    const context = { retries: 2, inStartPeriod: false };
    const once = applyProbeResult(INITIAL_HEALTH, fail, context);
    expect(once).toEqual({ state: 'starting', failingStreak: 1 });
    expect(applyProbeResult(once, fail, context)).toEqual({ state: 'unhealthy', failingStreak: 2 });
    expect(applyProbeResult({ state: 'healthy', failingStreak: 1 }, fail, context)).toEqual({ state: 'unhealthy', failingStreak: 2 });
    expect(applyProbeResult({ state: 'unhealthy', failingStreak: 2 }, fail, context)).toEqual({ state: 'unhealthy', failingStreak: 3 });
  });
});
