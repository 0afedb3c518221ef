import { describe, expect, it } from 'vitest';
import type { Probe } from './probe.js';
import { passed } from './probe.js';
import { runProbe, startProbe } from './run-probe.js';

/** Answers only when aborted, with the abort reason, like a well-behaved probe that never gets a reply. */
const silent: Probe = {
  check: (signal) => new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve({ ok: false, ms: 0, reason: `probe saw: ${String((signal.reason as Error).message)}` }));
  }),
};

describe('runProbe', () => {
  it('returns the probe result when it answers in time', async () => {
    expect(await runProbe({ check: () => Promise.resolve(passed(3)) }, { timeoutMs: 1_000 })).toEqual({ ok: true, ms: 3 });
  });

  it('aborts the probe at the deadline and fails with "timed out after …"', async () => {
    const result = await runProbe(silent, { timeoutMs: 50 });
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'timed out after 50ms' });
  });

  it('passes an outer abort on to the probe', async () => {
    const controller = new AbortController();
    const running = runProbe(silent, { timeoutMs: 10_000, signal: controller.signal });
    controller.abort(new Error('closing'));
    const result = await running;
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'closing' });
  });

  it('turns a probe that throws into a failure', async () => {
    const throwing: Probe = { check: () => Promise.reject(new Error('boom')) };
    expect(await runProbe(throwing, { timeoutMs: 1_000 })).toEqual({ ok: false, ms: expect.any(Number), reason: 'the probe failed: boom' });
  });

  it('reports the deadline even when the probe ignores its abort, and says when the probe has finished', async () => {
    let finish = (): void => undefined;
    const stuck: Probe = { check: () => new Promise((resolve) => (finish = () => resolve(passed(0)))) };
    const running = startProbe(stuck, { timeoutMs: 20 });
    expect(await running.result).toEqual({ ok: false, ms: expect.any(Number), reason: 'timed out after 20ms' });
    let settled = false;
    void running.settled.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish();
    await running.settled;
  });
});
