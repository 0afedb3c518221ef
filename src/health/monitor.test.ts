import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HealthState, HealthStatus } from './health-state.js';
import { HealthMonitor } from './monitor.js';
import { failed, type HealthTiming, passed, type Probe, type ProbeResult } from './probe.js';

/**
 * What the scripted probe does on each call: answer at once, answer after `slow` ms of (fake) time (or when
 * aborted), answer only when aborted (a well-behaved probe of a silent server), or ignore the abort until `release()`.
 */
type Step = 'pass' | 'fail' | { readonly slow: number } | 'silent' | 'stuck';

class ScriptedProbe implements Probe {
  readonly startedAt: number[] = [];
  readonly signals: AbortSignal[] = [];
  active = 0;
  maxActive = 0;
  #release: (() => void) | undefined;

  constructor(private readonly script: readonly Step[]) {}

  check(signal: AbortSignal): Promise<ProbeResult> {
    const step = this.script[this.startedAt.length] ?? 'fail';
    this.startedAt.push(Date.now());
    this.signals.push(signal);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    return this.run(step, signal).finally(() => this.active--);
  }

  release(): void {
    this.#release?.();
  }

  private run(step: Step, signal: AbortSignal): Promise<ProbeResult> {
    if (step === 'pass') return Promise.resolve(passed(0));
    if (step === 'fail') return Promise.resolve(failed(0, 'down'));
    if (step === 'stuck') return new Promise((resolve) => (this.#release = () => resolve(passed(0))));
    if (step === 'silent') {
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(failed(0, 'aborted')), { once: true }));
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(passed(step.slow)), step.slow);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(failed(0, 'aborted'));
      }, { once: true });
    });
  }
}

const TIMING: HealthTiming = { intervalMs: 1_000, timeoutMs: 500, retries: 3, startPeriodMs: 0, startIntervalMs: 100 };

function setup(script: readonly Step[], timing: Partial<HealthTiming> = {}, startedAt?: number) {
  const probe = new ScriptedProbe(script);
  const changes: string[] = [];
  const probes: HealthStatus[] = [];
  const onChange = (state: HealthState, result: ProbeResult): void => {
    changes.push(`${Date.now()} ${state}${result.ok ? '' : `: ${result.reason}`}`);
  };
  const monitor = new HealthMonitor({
    probe, timing: { ...TIMING, ...timing }, onChange, onProbe: (_result, status) => probes.push(status),
    ...(startedAt === undefined ? {} : { startedAt }),
  });
  monitors.push(monitor);
  return { probe, changes, probes, monitor };
}

const monitors: HealthMonitor[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((monitor) => monitor.close()));
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('HealthMonitor', () => {
  it('starts as starting, probes one interval after start, and one success makes it healthy', async () => {
    const { probe, changes, monitor } = setup(['pass']);
    monitor.start();
    expect(monitor.state).toBe('starting');
    await advance(999);
    expect(probe.startedAt).toEqual([]);
    await advance(1);
    expect(probe.startedAt).toEqual([1_000]);
    expect(changes).toEqual(['1000 healthy']);
    expect(monitor.lastResult).toEqual({ ok: true, ms: 0 });
  });

  it('becomes unhealthy on the `retries`-th failure in a row, and healthy again after one success', async () => {
    const { changes, probes, monitor } = setup(['fail', 'fail', 'fail', 'fail', 'pass']);
    monitor.start();
    await advance(5_000);
    expect(changes).toEqual(['3000 unhealthy: down', '5000 healthy']);
    expect(probes.map((s) => `${s.state}/${s.failingStreak}`)).toEqual([
      'starting/1', 'starting/2', 'unhealthy/3', 'unhealthy/4', 'healthy/0',
    ]);
  });

  it('a success clears the failure streak', async () => {
    const { changes, monitor } = setup(['fail', 'fail', 'pass', 'fail', 'fail', 'pass']);
    monitor.start();
    await advance(6_000);
    expect(changes).toEqual(['3000 healthy']);
    expect(monitor.status).toEqual({ state: 'healthy', failingStreak: 0 });
  });

  it('forgives failures inside the start period, probing every start interval, then counts them', async () => {
    const { probe, changes, probes, monitor } = setup([], { startPeriodMs: 1_000, startIntervalMs: 100, retries: 1 });
    monitor.start();
    await advance(2_000);
    expect(probe.startedAt).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000, 2_000]);
    expect(probes.slice(0, 9).every((s) => s.state === 'starting' && s.failingStreak === 0)).toBe(true);
    expect(changes).toEqual(['1000 unhealthy: down']);
  });

  it('a success inside the start period makes it healthy at once; after that failures count and the interval applies', async () => {
    const { probe, changes, monitor } = setup(['fail', 'pass', 'fail'], { startPeriodMs: 10_000, startIntervalMs: 100, retries: 1 });
    monitor.start();
    await advance(1_200);
    expect(probe.startedAt).toEqual([100, 200, 1_200]);
    expect(changes).toEqual(['200 healthy', '1200 unhealthy: down']);
  });

  it('counts the start period from the replica start time when given', async () => {
    const { changes, monitor } = setup([], { startPeriodMs: 1_000, startIntervalMs: 100, retries: 1 }, -900);
    monitor.start();
    await advance(100);
    expect(changes).toEqual(['100 unhealthy: down']);
  });

  it('fails a probe that does not answer at the timeout, aborting it', async () => {
    const { probe, changes, monitor } = setup(['silent'], { retries: 1, timeoutMs: 500 });
    monitor.start();
    await advance(1_500);
    expect(changes).toEqual(['1500 unhealthy: timed out after 500ms']);
    expect(probe.signals[0]?.aborted).toBe(true);
  });

  it('counts each interval from the end of the previous probe', async () => {
    const slow = { slow: 300 };
    const { probe, monitor } = setup([slow, slow, slow]);
    monitor.start();
    await advance(3_600);
    expect(probe.startedAt).toEqual([1_000, 2_300, 3_600]);
  });

  it('never starts a probe while the previous one runs, even one that ignores its abort', async () => {
    const { probe, changes, monitor } = setup(['stuck', 'pass'], { retries: 1, timeoutMs: 500 });
    monitor.start();
    await advance(5_000);
    expect(changes).toEqual(['1500 unhealthy: timed out after 500ms']);
    expect(probe.startedAt).toEqual([1_000]);
    probe.release();
    await advance(1_000);
    expect(probe.startedAt).toEqual([1_000, 6_000]);
    expect(changes).toEqual(['1500 unhealthy: timed out after 500ms', '6000 healthy']);
    expect(probe.maxActive).toBe(1);
  });

  it('close() aborts the probe in flight, resolves once it has finished, and nothing is reported after', async () => {
    const { probe, changes, probes, monitor } = setup(['silent', 'pass'], { timeoutMs: 10_000 });
    monitor.start();
    await advance(1_000);
    expect(probe.active).toBe(1);
    await monitor.close();
    expect(probe.active).toBe(0);
    expect((probe.signals[0]?.reason as Error).message).toBe('the health monitor was closed');
    await advance(20_000);
    expect(probe.startedAt).toEqual([1_000]);
    expect(changes).toEqual([]);
    expect(probes).toEqual([]);
    expect(monitor.state).toBe('starting');
  });

  it('close() is safe before start() and twice; start() after close() and a second start() do nothing', async () => {
    const closedEarly = setup(['pass']);
    await closedEarly.monitor.close();
    await closedEarly.monitor.close();
    closedEarly.monitor.start();
    const twice = setup(['pass', 'pass']);
    twice.monitor.start();
    twice.monitor.start();
    await advance(1_000);
    expect(closedEarly.probe.startedAt).toEqual([]);
    expect(twice.probe.startedAt).toEqual([1_000]);
  });

  it('uses Docker defaults for timings of 0: 30s interval and timeout, 3 retries', async () => {
    const { probe, changes, monitor } = setup(['silent', 'fail', 'fail'], { intervalMs: 0, timeoutMs: 0, retries: 0, startIntervalMs: 0 });
    monitor.start();
    await advance(29_999);
    expect(probe.startedAt).toEqual([]);
    await advance(120_000);
    expect(probe.startedAt).toEqual([30_000, 90_000, 120_000]);
    expect(changes).toEqual(['120000 unhealthy: down']);
  });
});
