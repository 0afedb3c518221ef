import { describe, expect, it } from 'vitest';
import type { DeployThresholds } from '../model/berth-options.js';
import { WatchVerdict, type RequestRecord, type Side } from './watch-verdict.js';

const THRESHOLDS: DeployThresholds = { errorRate: 0.05, latencyFactor: 2, minRequests: 20 };
const SIDES: Readonly<Record<string, Side>> = { 'old-1': 'old', 'old-2': 'old', 'new-1': 'new', 'new-2': 'new' };
const sideOf = (upstream: string): Side | undefined => SIDES[upstream];

function verdict(thresholds: Partial<DeployThresholds> = {}): WatchVerdict {
  return new WatchVerdict({ ...THRESHOLDS, ...thresholds }, sideOf);
}

/** `count` records built by `make(i)`. */
function times(count: number, make: (i: number) => RequestRecord): RequestRecord[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

const ok = (upstream: string, durationMs = 50): RequestRecord => ({ status: 200, durationMs, upstream });

describe('WatchVerdict error rate', () => {
  it('passes a release that answers like the old one', () => {
    const v = verdict();
    times(100, () => ok('old-1')).forEach((r) => v.baseline(r));
    times(100, () => ok('new-1')).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
  });

  it('fails a release that answers 31% of its requests with 5xx, saying how many and against what', () => {
    const v = verdict();
    times(100, () => ok('old-1')).forEach((r) => v.baseline(r));
    times(412, (i) => (i < 128 ? { status: 502, durationMs: 5, upstream: 'new-1' } : ok('new-2'))).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release answered 31.1% of 412 requests with 5xx (old: 0%, limit 5%)' });
  });

  it('still fails when 30% of the new release\'s answers were 500s retried on the old release', () => {
    const v = verdict();
    times(100, (i) => (i < 30
      ? { status: 200, durationMs: 80, upstream: 'old-1', failures: [{ upstream: 'new-1', status: 500 }] }
      : ok('new-1'))).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release answered 30% of 100 requests with 5xx (old: 0%, limit 5%)' });
    expect(v.summary()).toMatchObject({ old: { requests: 30, errors: 0 }, new: { requests: 100, errors: 30 } });
  });

  it('counts a connection the new release refused as an error and says there was no response', () => {
    const v = verdict();
    times(40, (i) => (i < 10
      ? { status: 200, durationMs: 3, upstream: 'old-2', failures: [{ upstream: 'new-2', status: 0 }] }
      : ok('new-2'))).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release answered 25% of 40 requests with 5xx or no response (old: 0%, limit 5%)' });
  });

  it('does not charge the new release for failures of old replicas', () => {
    const v = verdict();
    times(50, () => ({ status: 200, durationMs: 5, upstream: 'new-1', failures: [{ upstream: 'old-1', status: 503 }] })).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
    expect(v.summary().old).toMatchObject({ requests: 50, errors: 50 });
  });

  it('charges an answer to the side of the replica that gave it, and an unknown replica to the routed side', () => {
    const v = verdict({ minRequests: 1 });
    v.observe({ status: 500, durationMs: 1, upstream: 'old-1' }, 'new');
    v.observe({ status: 500, durationMs: 1, upstream: 'gone-7' }, 'old');
    expect(v.summary()).toMatchObject({ old: { requests: 2, errors: 2 }, new: { requests: 0, errors: 0 } });
    v.observe({ status: 500, durationMs: 1, upstream: 'gone-7' }, 'new');
    expect(v.summary().new).toMatchObject({ requests: 1, errors: 1 });
  });

  it('takes a sideOf per window instead of a side, leaving other services\' requests uncounted', () => {
    const v = new WatchVerdict(THRESHOLDS);
    times(100, (i) => (i < 30
      ? { status: 200, durationMs: 80, upstream: 'old-1', failures: [{ upstream: 'new-1', status: 500 }] }
      : ok('new-1'))).forEach((r) => v.observe(r, sideOf));
    times(50, () => ({ status: 500, durationMs: 5, upstream: 'db-admin-1', failures: [{ upstream: 'db-admin-2', status: 0 }] })).forEach((r) => v.observe(r, sideOf));
    expect(v.summary()).toMatchObject({ old: { requests: 30, errors: 0 }, new: { requests: 100, errors: 30 } });
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release answered 30% of 100 requests with 5xx (old: 0%, limit 5%)' });
  });

  it('tolerates twice the old release\'s error rate when that is above the limit', () => {
    const v = verdict();
    times(100, (i) => (i < 10 ? { status: 500, durationMs: 5, upstream: 'old-1' } : ok('old-1'))).forEach((r) => v.baseline(r));
    times(100, (i) => (i < 19 ? { status: 500, durationMs: 5, upstream: 'new-1' } : ok('new-1'))).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
    times(10, () => ({ status: 500, durationMs: 5, upstream: 'new-1' })).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release answered 26.4% of 110 requests with 5xx (old: 10%, limit 20%)' });
  });

  it('counts the old side\'s requests during the watch into the old rate (canary)', () => {
    const v = verdict();
    times(50, (i) => (i < 10 ? { status: 503, durationMs: 5, upstream: 'old-1' } : ok('old-1'))).forEach((r) => v.observe(r, 'old'));
    times(50, (i) => (i < 15 ? { status: 503, durationMs: 5, upstream: 'new-1' } : ok('new-1'))).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
  });

  it('gives no verdict on fewer new requests than min_requests, however bad', () => {
    const v = verdict();
    times(19, () => ({ status: 500, durationMs: 5, upstream: 'new-1' })).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
    v.observe({ status: 500, durationMs: 5, upstream: 'new-1' }, 'new');
    expect(v.verdict().ok).toBe(false);
  });

  it('counts a failed baseline request as an old error even when a retry saved it', () => {
    const v = verdict();
    times(20, () => ({ status: 200, durationMs: 5, upstream: 'old-2', failures: [{ upstream: 'old-1', status: 502 }] })).forEach((r) => v.baseline(r));
    expect(v.summary().baseline).toEqual({ requests: 20, errors: 20 });
  });
});

describe('WatchVerdict latency', () => {
  it('fails a release 3× slower at p95, naming both latencies', () => {
    const v = verdict();
    times(100, (i) => ok('old-1', i < 95 ? 100 : 150)).forEach((r) => v.baseline(r));
    times(100, (i) => ok('new-1', i < 95 ? 300 : 900)).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release p95 latency 300 ms vs 100 ms before (limit ×2)' });
  });

  it('passes a release under the latency factor', () => {
    const v = verdict({ latencyFactor: 1.5 });
    times(40, () => ok('old-1', 100)).forEach((r) => v.baseline(r));
    times(40, () => ok('new-1', 140)).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
    times(40, () => ok('new-1', 160)).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: false, reason: 'new release p95 latency 160 ms vs 100 ms before (limit ×1.5)' });
  });

  it('ignores slowdowns of a few milliseconds on a fast service', () => {
    const v = verdict();
    times(40, () => ok('old-1', 1)).forEach((r) => v.baseline(r));
    times(40, () => ok('new-1', 9)).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
  });

  it('measures only successful requests the new release answered', () => {
    const v = verdict({ errorRate: 1 });
    times(40, () => ok('old-1', 100)).forEach((r) => v.baseline(r));
    times(40, () => ok('new-1', 100)).forEach((r) => v.observe(r, 'new'));
    times(20, () => ({ status: 504, durationMs: 30_000, upstream: 'new-1' })).forEach((r) => v.observe(r, 'new'));
    times(20, () => ({ status: 200, durationMs: 30_000, upstream: 'old-1', failures: [{ upstream: 'new-1', status: 0 }] })).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
    expect(v.summary().new.p95Ms).toBe(100);
  });

  it.each([
    ['few new requests', 19, 40],
    ['few baseline requests', 40, 19],
  ])('gives no latency verdict with %s', (_name, fresh, before) => {
    const v = verdict();
    times(before, () => ok('old-1', 10)).forEach((r) => v.baseline(r));
    times(fresh, () => ok('new-1', 500)).forEach((r) => v.observe(r, 'new'));
    expect(v.verdict()).toEqual({ ok: true });
  });
});
