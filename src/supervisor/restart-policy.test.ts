import { describe, expect, it } from 'vitest';
import type { RestartPolicy } from '../model/stack.js';
import {
  crashLoop, decideRestart, DEFAULT_RESTART_TIMING, describeExit, FRESH_RESTART_MEMORY, nextDelay, policyRestarts, type RestartMemory,
  staysStoppedAcrossBerthRestart,
} from './restart-policy.js';

const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({ code, signal, at: 0 });
const NO: RestartPolicy = { kind: 'no' };
const ALWAYS: RestartPolicy = { kind: 'always' };
const UNLESS: RestartPolicy = { kind: 'unless-stopped' };
const ON_FAILURE: RestartPolicy = { kind: 'on-failure' };

describe('the restart policy table', () => {
  it.each([
    ['no', NO, exit(0), false],
    ['no', NO, exit(1), false],
    ['always', ALWAYS, exit(0), true],
    ['always', ALWAYS, exit(137), true],
    ['unless-stopped', UNLESS, exit(0), false],
    ['unless-stopped', UNLESS, exit(null, 'SIGKILL'), true],
    ['on-failure', ON_FAILURE, exit(0), false],
    ['on-failure', ON_FAILURE, exit(1), true],
    ['on-failure (killed by a signal counts as a failure)', ON_FAILURE, exit(null, 'SIGKILL'), true],
  ])('%s after %j restarts: %s', (_name, policy, how, restarts) => {
    expect(policyRestarts(policy, how)).toBe(restarts);
  });

  it('keeps only unless-stopped replicas stopped across a berth restart', () => {
    expect([NO, ALWAYS, UNLESS, ON_FAILURE].map(staysStoppedAcrossBerthRestart)).toEqual([false, false, true, false]);
  });
});

describe('decideRestart', () => {
  const decide = (policy: RestartPolicy, memory: RestartMemory, code = 1, ranMs = 0, now = 1_000) =>
    decideRestart({ policy, exit: exit(code), memory, ranMs, now });

  it('gives up on-failure:3 after 3 restarts and says so', () => {
    let memory = FRESH_RESTART_MEMORY;
    const decisions: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const next = decide({ kind: 'on-failure', maxRetries: 3 }, memory);
      decisions.push(next.decision.kind === 'give-up' ? next.decision.reason : next.decision.kind);
      memory = next.memory;
    }
    expect(decisions).toEqual(['restart', 'restart', 'restart', 'gave up after 3 restarts']);
    expect(decide({ kind: 'on-failure', maxRetries: 1 }, { ...FRESH_RESTART_MEMORY, restarts: 1 }).decision).toEqual({ kind: 'give-up', reason: 'gave up after 1 restart' });
  });

  it('treats on-failure:0 as no limit, like Docker', () => {
    expect(decide({ kind: 'on-failure', maxRetries: 0 }, { ...FRESH_RESTART_MEMORY, restarts: 50 }).decision.kind).toBe('restart');
  });

  it('leaves the replica exited when the policy does not restart, still counting the exit', () => {
    const { decision, memory } = decide(NO, FRESH_RESTART_MEMORY);
    expect(decision).toEqual({ kind: 'stay-exited' });
    expect(memory.exits).toEqual([1_000]);
    expect(memory.restarts).toBe(0);
  });

  it('backs off 100ms, 200ms, 400ms … capped at 10s, and resets after 10s of uptime', () => {
    const delays: number[] = [];
    let memory = FRESH_RESTART_MEMORY;
    for (let i = 0; i < 9; i += 1) {
      const next = decide(ALWAYS, memory);
      if (next.decision.kind === 'restart') delays.push(next.decision.delayMs);
      memory = next.memory;
    }
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    const afterLongRun = decide(ALWAYS, memory, 1, DEFAULT_RESTART_TIMING.resetAfterMs);
    expect(afterLongRun.decision).toEqual({ kind: 'restart', delayMs: 100 });
    expect(nextDelay(800, 9_999)).toBe(1600);
  });

  it('detects a crash loop from the exits inside the window only', () => {
    let memory = FRESH_RESTART_MEMORY;
    for (const at of [0, 40_000, 41_000, 42_000, 43_000]) memory = decide(ALWAYS, memory, 1, 0, at).memory;
    expect(crashLoop(memory, 43_000)).toBeUndefined();
    memory = decide(ALWAYS, memory, 1, 0, 44_000).memory;
    expect(crashLoop(memory, 44_000)).toBe('crash loop: 5 exits in 30s');
    expect(crashLoop(memory, 80_000)).toBeUndefined();
  });

  it('describes exits for people', () => {
    expect([describeExit(exit(1)), describeExit(exit(null, 'SIGKILL')), describeExit(exit(null)), describeExit(undefined)])
      .toEqual(['exited with code 1', 'killed by SIGKILL', 'exited (status unknown)', 'exited']);
  });
});
