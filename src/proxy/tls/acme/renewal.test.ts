import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger } from '../../../log/logger.js';
import { DEFAULT_RENEWAL_POLICY, RenewalScheduler, renewalDelay, type RenewalState } from './renewal.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2030, 0, 1);

const fresh: RenewalState = { notAfter: undefined, failures: 0, lastFailureAt: undefined, lastSuccessAt: undefined };

describe('renewalDelay', () => {
  const policy = DEFAULT_RENEWAL_POLICY;

  it('is 0 without a certificate, and otherwise waits until 30 days before expiry', () => {
    expect(renewalDelay(fresh, policy, START)).toBe(0);
    expect(renewalDelay({ ...fresh, notAfter: new Date(START + 90 * DAY) }, policy, START)).toBe(60 * DAY);
    expect(renewalDelay({ ...fresh, notAfter: new Date(START + 10 * DAY) }, policy, START)).toBe(0);
    expect(renewalDelay({ ...fresh, notAfter: new Date(START + 90 * DAY) }, { ...policy, renewBeforeMs: 100 * DAY }, START)).toBe(0);
  });

  it('backs off exponentially after failures, up to the maximum', () => {
    const failed = (failures: number): RenewalState => ({ ...fresh, notAfter: new Date(START + DAY), failures, lastFailureAt: START });
    expect([1, 2, 3, 4, 10, 30].map((n) => renewalDelay(failed(n), policy, START))).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 6 * HOUR, 6 * HOUR]);
    expect(renewalDelay(failed(2), policy, START + MINUTE)).toBe(MINUTE);
  });

  it('waits the minimum interval after a success even when the certificate is already due', () => {
    const renewed: RenewalState = { ...fresh, notAfter: new Date(START + 10 * DAY), lastSuccessAt: START };
    expect(renewalDelay(renewed, policy, START)).toBe(HOUR);
    expect(renewalDelay(renewed, policy, START + 2 * HOUR)).toBe(0);
  });
});

describe('RenewalScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** A renew function whose calls the test settles one by one. */
  function controlledRenew() {
    const calls: { name: string; at: number; signal: AbortSignal; resolve: (notAfter: Date) => void; reject: (error: Error) => void }[] = [];
    const renew = (name: string, signal: AbortSignal): Promise<Date> => new Promise((resolve, reject) => {
      calls.push({ name, at: Date.now(), signal, resolve, reject });
    });
    return { calls, renew };
  }

  it('issues at once for a name without a certificate, then renews 30 days before the new one expires', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew });
    scheduler.track('app.example.test', undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.name)).toEqual(['app.example.test']);
    expect(scheduler.nextAttemptAt('app.example.test')).toBeUndefined(); // running
    calls[0]?.resolve(new Date(START + 90 * DAY));
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.nextAttemptAt('app.example.test')).toBe(START + 60 * DAY);
    await vi.advanceTimersByTimeAsync(60 * DAY - 1);
    expect(calls).toHaveLength(1); // also proves waits longer than setTimeout's 24.8-day limit are not cut short
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.at).toBe(START + 60 * DAY);
    scheduler.close();
  });

  it('does nothing for a certificate that is not near expiry, whatever the number of timer steps', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew });
    scheduler.track('app.example.test', new Date(START + 365 * DAY));
    await vi.advanceTimersByTimeAsync(334 * DAY);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1 * DAY);
    expect(calls).toHaveLength(1);
    scheduler.close();
  });

  it('retries a failing renewal with exponential backoff and resets it after a success', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew, policy: { retryInitialMs: 10 * MINUTE, retryMaxMs: 30 * MINUTE, minIntervalMs: 0 } });
    scheduler.track('app.example.test', new Date(START + 20 * DAY));
    const failAndMeasure = async (): Promise<number> => {
      const before = calls.length;
      calls.at(-1)?.reject(new Error('CA down'));
      const failedAt = Date.now();
      while (calls.length === before) await vi.advanceTimersByTimeAsync(MINUTE);
      return Date.now() - failedAt;
    };
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    expect([await failAndMeasure(), await failAndMeasure(), await failAndMeasure(), await failAndMeasure()])
      .toEqual([10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE]);
    expect(scheduler.state('app.example.test')?.failures).toBe(4);
    calls.at(-1)?.resolve(new Date(Date.now() + 90 * DAY));
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.state('app.example.test')?.failures).toBe(0);
    expect(scheduler.nextAttemptAt('app.example.test')).toBe(Date.now() + 60 * DAY);
    scheduler.close();
  });

  it('treats a renew function that throws synchronously as a failure, not a crash', async () => {
    let attempts = 0;
    const scheduler = new RenewalScheduler({
      renew: () => {
        attempts++;
        throw new Error('bad');
      },
    });
    scheduler.track('app.example.test', undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(attempts).toBe(2);
    scheduler.close();
  });

  it('abandons an attempt that hangs past its deadline, counts it as a failure and retries with backoff', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew, policy: { attemptTimeoutMs: 5 * MINUTE, retryInitialMs: MINUTE } });
    scheduler.track('app.example.test', undefined);
    await vi.advanceTimersByTimeAsync(5 * MINUTE - 1);
    expect(calls[0]?.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls[0]?.signal.aborted).toBe(true);
    expect(scheduler.state('app.example.test')?.failures).toBe(1);
    calls[0]?.resolve(new Date(Date.now() + 90 * DAY)); // too late: ignored
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(calls).toHaveLength(2);
    expect(scheduler.state('app.example.test')?.notAfter).toBeUndefined();
    scheduler.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('renews at most once per minimum interval when the renewal window is longer than the certificate lifetime', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew, policy: { renewBeforeMs: 100 * DAY, minIntervalMs: HOUR } });
    scheduler.track('app.example.test', new Date(START + 90 * DAY));
    await vi.advanceTimersByTimeAsync(0);
    calls[0]?.resolve(new Date(Date.now() + 90 * DAY));
    await vi.advanceTimersByTimeAsync(HOUR - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    scheduler.close();
  });

  it('cancels the timer and aborts the attempt in flight on untrack and close', async () => {
    const { calls, renew } = controlledRenew();
    const scheduler = new RenewalScheduler({ renew });
    scheduler.track('a.example.test', undefined);
    scheduler.track('b.example.test', new Date(START + 40 * DAY));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.name)).toEqual(['a.example.test']);
    scheduler.untrack('b.example.test');
    scheduler.close();
    expect(calls[0]?.signal.aborted).toBe(true);
    calls[0]?.reject(new Error('aborted'));
    await vi.advanceTimersByTimeAsync(100 * DAY);
    expect(calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RenewalScheduler failure logs', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function recordingLog(): { log: Logger; warnings: { message: string; fields: Record<string, unknown> }[] } {
    const warnings: { message: string; fields: Record<string, unknown> }[] = [];
    const log: Logger = { ...silentLogger, warn: (message, fields = {}) => warnings.push({ message, fields }), child: () => log };
    return { log, warnings };
  }

  it('says a failed first issuance leaves the host without a certificate of its own, naming it and what to check', async () => {
    const { log, warnings } = recordingLog();
    const scheduler = new RenewalScheduler({ renew: () => Promise.reject(new Error('connection refused')), log });
    scheduler.track('app.example.test', undefined);
    await vi.advanceTimersByTimeAsync(0);
    scheduler.close();
    expect(warnings).toEqual([{
      message: expect.stringMatching(/^TLS certificate not obtained from the ACME CA: HTTPS clients of this host get the default certificate$/) as unknown,
      fields: expect.objectContaining({ name: 'app.example.test', error: 'connection refused', failures: 1, retryInMs: MINUTE }) as unknown,
    }]);
    expect(warnings[0]?.fields.hint).toMatch(/app\.example\.test resolves to this machine.*port 80.*x-berth\.tls\.acme\.directory/);
    expect(warnings[0]?.fields).not.toHaveProperty('servingUntil');
  });

  it('says a failed renewal keeps the current certificate serving, and until when', async () => {
    const { log, warnings } = recordingLog();
    const scheduler = new RenewalScheduler({ renew: () => Promise.reject(new Error('rate limited')), log });
    scheduler.track('app.example.test', new Date(START + 10 * DAY)); // due: inside the 30 days before expiry
    await vi.advanceTimersByTimeAsync(0);
    scheduler.close();
    expect(warnings.map((w) => w.message)).toEqual(['TLS certificate renewal failed: the current certificate keeps serving until it expires']);
    expect(warnings[0]?.fields).toMatchObject({ name: 'app.example.test', error: 'rate limited', servingUntil: new Date(START + 10 * DAY).toISOString() });
  });
});
