import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointSpec } from './endpoint.js';
import { InFlight } from './in-flight.js';
import { UpstreamPool } from './pool.js';

const A = { host: '10.0.0.1', port: 80 };
const B = { host: '10.0.0.2', port: 80 };
const S = { host: '10.0.1.1', port: 80, standby: true };
const T = { host: '10.0.1.2', port: 80, standby: true };

function keys(picks: readonly (Endpoint | undefined)[]): (string | undefined)[] {
  return picks.map((e) => e?.key);
}

/** A pool with a fake clock whose endpoints go down after one failure, for one minute. */
function clockPool(endpoints: readonly EndpointSpec[]): { pool: UpstreamPool; byKey: (key: string) => Endpoint } {
  const pool = new UpstreamPool({ name: 'p', endpoints, passiveHealth: { maxFails: 1, failTimeoutMs: 60_000 }, now: () => 1_000 });
  const byKey = (key: string): Endpoint => pool.endpoints().find((e) => e.key === key) as Endpoint;
  return { pool, byKey };
}

describe('UpstreamPool standby endpoints', () => {
  it('pick never chooses a standby endpoint while another one is available', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, S, B, T] });
    expect(keys(Array.from({ length: 6 }, () => pool.pick()))).toEqual([
      '10.0.0.1:80', '10.0.0.2:80', '10.0.0.1:80', '10.0.0.2:80', '10.0.0.1:80', '10.0.0.2:80',
    ]);
  });

  // What makes the non-standby endpoints unavailable → what pick falls back to.
  const fallbacks: ReadonlyArray<{ readonly why: string; readonly specs: readonly EndpointSpec[]; readonly setup: (pool: UpstreamPool, byKey: (key: string) => Endpoint) => Endpoint[] }> = [
    { why: 'all tried', specs: [A, B, S], setup: (_p, byKey) => [byKey('10.0.0.1:80'), byKey('10.0.0.2:80')] },
    { why: 'out by passive health', specs: [A, B, S], setup: (p, byKey) => (p.reportFailure(byKey('10.0.0.1:80')), p.reportFailure(byKey('10.0.0.2:80')), []) },
    { why: 'actively unhealthy', specs: [A, S], setup: (p) => (p.setHealthy(A.host, A.port, false), []) },
    { why: 'none exist', specs: [S], setup: () => [] },
  ];
  it.each(fallbacks)('pick falls back to a standby endpoint when the others are $why', ({ specs, setup }) => {
    const { pool, byKey } = clockPool(specs);
    const tried = setup(pool, byKey);
    expect(pool.pick(tried)?.key).toBe('10.0.1.1:80');
  });

  it('prefers an available standby endpoint to a passively down one, and still tries a down one as a last resort', () => {
    const { pool, byKey } = clockPool([A, S]);
    pool.reportFailure(byKey('10.0.0.1:80'));
    expect(pool.pick()?.key).toBe('10.0.1.1:80');
    pool.reportFailure(byKey('10.0.1.1:80'));
    expect(pool.pick()?.key).toBe('10.0.0.1:80');
    expect(pool.pick([byKey('10.0.0.1:80')])?.key).toBe('10.0.1.1:80');
  });

  it('pickStandby picks round robin among available standby endpoints only, never a tried or down one', () => {
    const { pool, byKey } = clockPool([A, S, T]);
    expect(keys([pool.pickStandby(), pool.pickStandby(), pool.pickStandby()])).toEqual(['10.0.1.1:80', '10.0.1.2:80', '10.0.1.1:80']);
    expect(pool.pickStandby([byKey('10.0.1.2:80')])?.key).toBe('10.0.1.1:80');
    pool.reportFailure(byKey('10.0.1.1:80'));
    expect(keys([pool.pickStandby(), pool.pickStandby()])).toEqual(['10.0.1.2:80', '10.0.1.2:80']);
    pool.setHealthy(T.host, T.port, false);
    expect(pool.pickStandby()).toBeUndefined();
  });

  it('pickStandby finds nothing and hasStandby is false in a pool without standby endpoints', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, B] });
    expect(pool.hasStandby).toBe(false);
    expect(pool.pickStandby()).toBeUndefined();
  });

  it('an update turns endpoints into standby ones and back, keeping their state; hasStandby follows', () => {
    const { pool, byKey } = clockPool([A, B]);
    const a = byKey('10.0.0.1:80');
    pool.acquire(a);
    pool.update([{ ...A, standby: true }, B]);
    expect(pool.hasStandby).toBe(true);
    expect(byKey('10.0.0.1:80')).toBe(a);
    expect(a.standby).toBe(true);
    expect(a.active).toBe(1);
    expect(keys([pool.pick(), pool.pick()])).toEqual(['10.0.0.2:80', '10.0.0.2:80']);
    pool.update([A, B]);
    expect(pool.hasStandby).toBe(false);
    expect(a.standby).toBe(false);
  });

  it('a bad weight anywhere in an update changes nothing, not even the endpoints before it', () => {
    const pool = new UpstreamPool({ name: 'p', endpoints: [A, S] });
    const s = pool.endpoints()[1] as Endpoint;
    expect(() => pool.update([{ ...S, standby: false, weight: 3 }, { ...B, weight: Number.NaN }])).toThrow(RangeError);
    expect(s.standby).toBe(true);
    expect(s.weight).toBe(1);
    expect(pool.hasStandby).toBe(true);
  });
});

describe('InFlight', () => {
  it('counts what pools have in flight per upstream, also to endpoints a pool dropped, until they are released', () => {
    const inFlight = new InFlight();
    const web = new UpstreamPool({ name: 'web', endpoints: [A, B], inFlight });
    const api = new UpstreamPool({ name: 'api', endpoints: [A], inFlight });
    const [wa, wb] = web.endpoints() as [Endpoint, Endpoint];
    const aa = api.endpoints()[0] as Endpoint;
    web.acquire(wa);
    web.acquire(wa);
    web.acquire(wb);
    api.acquire(aa);
    expect(inFlight.count(['10.0.0.1:80'])).toBe(3);
    expect(inFlight.count(['10.0.0.1:80', '10.0.0.2:80'])).toBe(4);
    expect(inFlight.count(['10.0.0.9:80'])).toBe(0);
    web.update([B]);
    expect(inFlight.count(['10.0.0.1:80'])).toBe(3);
    web.release(wa);
    web.release(wa);
    web.release(wa); // one release too many is ignored
    api.release(aa);
    expect(inFlight.count(['10.0.0.1:80'])).toBe(0);
    expect(inFlight.count(['10.0.0.2:80'])).toBe(1);
  });
});
