import { describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoint.js';
import { UpstreamPool, type PoolEvent } from './pool.js';

const A = { host: '10.0.0.1', port: 80 };
const B = { host: '10.0.0.2', port: 80 };
const C = { host: '10.0.0.3', port: 80 };

function counts(picks: (Endpoint | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of picks) if (e) out[e.key] = (out[e.key] ?? 0) + 1;
  return out;
}

function pickN(pool: UpstreamPool, n: number): (Endpoint | undefined)[] {
  return Array.from({ length: n }, () => pool.pick());
}

describe('UpstreamPool balancing', () => {
  it('round robin cycles through endpoints in order', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B, C] });
    expect(pickN(pool, 6).map((e) => e?.host)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('weighted round robin is smooth and proportional (5:1:1)', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [{ ...A, weight: 5 }, { ...B, weight: 1 }, { ...C, weight: 1 }] });
    const seq = pickN(pool, 7).map((e) => e?.host.slice(-1));
    expect(seq).toEqual(['1', '1', '2', '1', '3', '1', '1']);
    expect(counts(pickN(pool, 700))).toEqual({ '10.0.0.1:80': 500, '10.0.0.2:80': 100, '10.0.0.3:80': 100 });
  });

  it('weight 0 gets no requests', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, { ...B, weight: 0 }] });
    expect(counts(pickN(pool, 10))).toEqual({ '10.0.0.1:80': 10 });
  });

  it('least-conn picks the endpoint with the fewest requests in flight, relative to weight', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B, C], balancer: 'least-conn' });
    const [a, b, c] = pool.endpoints() as [Endpoint, Endpoint, Endpoint];
    pool.acquire(a);
    pool.acquire(a);
    pool.acquire(b);
    expect(pool.pick()).toBe(c);
    pool.acquire(c);
    pool.acquire(c);
    expect(pool.pick()).toBe(b);
    const w = new UpstreamPool({ name: 'w', endpoints: [{ ...A, weight: 3 }, B], balancer: 'least-conn' });
    const [wa, wb] = w.endpoints() as [Endpoint, Endpoint];
    w.acquire(wa);
    w.acquire(wa);
    w.acquire(wb);
    // 2/3 < 1/1
    expect(w.pick()).toBe(wa);
  });

  it('least-conn spreads an idle pool evenly', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B, C], balancer: 'least-conn' });
    expect(counts(pickN(pool, 300))).toEqual({ '10.0.0.1:80': 100, '10.0.0.2:80': 100, '10.0.0.3:80': 100 });
  });

  it('never picks an endpoint already tried, and undefined when all were', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B] });
    const first = pool.pick() as Endpoint;
    const second = pool.pick([first]) as Endpoint;
    expect(second).not.toBe(first);
    expect(pool.pick([first, second])).toBeUndefined();
  });

  it('an empty pool picks nothing', () => {
    expect(new UpstreamPool({ name: 'p' }).pick()).toBeUndefined();
  });
});

describe('UpstreamPool passive health', () => {
  function clockPool(): { pool: UpstreamPool; clock: { t: number }; events: PoolEvent[] } {
    const clock = { t: 1_000 };
    const pool = new UpstreamPool({
      name: 'p',
      endpoints: [A, B],
      passiveHealth: { maxFails: 2, failTimeoutMs: 1_000 },
      now: () => clock.t,
    });
    const events: PoolEvent[] = [];
    pool.onEvent((e) => events.push(e));
    return { pool, clock, events };
  }

  it('takes an endpoint out after max_fails within fail_timeout, for fail_timeout', () => {
    const { pool, clock, events } = clockPool();
    const a = pool.endpoints()[0] as Endpoint;
    pool.reportFailure(a);
    expect(pool.isUp(a)).toBe(true);
    clock.t += 500;
    pool.reportFailure(a);
    expect(pool.isUp(a)).toBe(false);
    expect(events).toEqual([{ kind: 'down', endpoint: '10.0.0.1:80', untilMs: 2_500 }]);
    expect(counts(pickN(pool, 4))).toEqual({ '10.0.0.2:80': 4 });
    clock.t += 999;
    expect(pool.isUp(a)).toBe(false);
    clock.t += 1;
    expect(pool.isUp(a)).toBe(true);
    expect(counts(pickN(pool, 4))).toEqual({ '10.0.0.1:80': 2, '10.0.0.2:80': 2 });
  });

  it('failures further apart than fail_timeout do not add up', () => {
    const { pool, clock } = clockPool();
    const a = pool.endpoints()[0] as Endpoint;
    pool.reportFailure(a);
    clock.t += 1_001;
    pool.reportFailure(a);
    expect(pool.isUp(a)).toBe(true);
  });

  it('a success clears the failure count', () => {
    const { pool } = clockPool();
    const a = pool.endpoints()[0] as Endpoint;
    pool.reportFailure(a);
    pool.reportSuccess(a);
    pool.reportFailure(a);
    expect(pool.isUp(a)).toBe(true);
  });

  it('when every endpoint is out, still tries one rather than failing for sure', () => {
    const { pool } = clockPool();
    for (const e of pool.endpoints()) {
      pool.reportFailure(e);
      pool.reportFailure(e);
    }
    expect(pool.pick()).toBeDefined();
  });
});

describe('UpstreamPool updates and active health', () => {
  it('update replaces the set at once and keeps state of endpoints that stay', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B], passiveHealth: { maxFails: 1, failTimeoutMs: 60_000 } });
    const before = pool.endpoints();
    const b = before[1] as Endpoint;
    pool.reportFailure(b);
    pool.acquire(b);
    pool.update([{ ...B, weight: 4 }, C]);
    const after = pool.endpoints();
    expect(before.map((e) => e.key)).toEqual(['10.0.0.1:80', '10.0.0.2:80']);
    expect(after.map((e) => e.key)).toEqual(['10.0.0.2:80', '10.0.0.3:80']);
    expect(after[0]).toBe(b);
    expect(b.weight).toBe(4);
    expect(b.active).toBe(1);
    expect(pool.isUp(b)).toBe(false);
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('rejects a negative weight and leaves the old set', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A] });
    expect(() => pool.update([{ ...B, weight: -1 }])).toThrow(RangeError);
    expect(pool.endpoints().map((e) => e.key)).toEqual(['10.0.0.1:80']);
  });

  it('setHealthy(false) removes an endpoint from rotation until setHealthy(true)', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B] });
    const events: PoolEvent[] = [];
    pool.onEvent((e) => events.push(e));
    pool.setHealthy('10.0.0.1', 80, false);
    expect(counts(pickN(pool, 4))).toEqual({ '10.0.0.2:80': 4 });
    pool.setHealthy('10.0.0.2', 80, false);
    expect(pool.pick()).toBeUndefined();
    pool.setHealthy('10.0.0.1', 80, true);
    expect(counts(pickN(pool, 2))).toEqual({ '10.0.0.1:80': 2 });
    expect(events.map((e) => e.kind)).toEqual(['unhealthy', 'unhealthy', 'healthy']);
  });
});
