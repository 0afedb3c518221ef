import { afterEach, describe, expect, it } from 'vitest';
import type { RateLimitOptions } from '../../model/route-middlewares.js';
import { RateLimitStates } from './rate-limit-states.js';
import { rateLimit, RateLimitState } from './rate-limit.js';
import { serveMiddlewares, thrown, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A clock the test moves by hand, so refills do not depend on how fast the machine is. */
function manualClock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function serve(options: RateLimitOptions, clock = manualClock(), maxClients?: number) {
  server = await serveMiddlewares([rateLimit(options, { now: clock.now, ...(maxClients === undefined ? {} : { maxClients }) })]);
  return { s: server, clock };
}

const from = (ip: string) => ({ headers: { 'x-test-client-ip': ip } });

describe('rateLimit', () => {
  it('lets N requests per period through, then answers 429 with Retry-After without forwarding', async () => {
    const { s } = await serve({ requests: 3, periodMs: 60_000 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await s.send({});
      statuses.push(res.status);
      expect(res.headers['x-ratelimit-limit']).toBe('3');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const refused = await s.send({});
    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.headers['x-ratelimit-reset']).toBe('60');
    expect(refused.body).toMatch(/^429 Too Many Requests\nrequest id: req-\d+\n$/);
    expect(s.forwarded).toHaveLength(3);
  });

  it('refills at requests per period: one more request after period/N', async () => {
    const { s, clock } = await serve({ requests: 3, periodMs: 60_000 });
    for (let i = 0; i < 3; i += 1) await s.send({});
    expect((await s.send({})).status).toBe(429);
    clock.advance(19_000);
    expect((await s.send({})).headers['retry-after']).toBe('1');
    clock.advance(1_000);
    expect((await s.send({})).status).toBe(200);
    expect((await s.send({})).status).toBe(429);
  });

  it('allows a burst larger than the per-period count when asked', async () => {
    const { s } = await serve({ requests: 1, periodMs: 1_000, burst: 4 });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await s.send({})).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('counts each client on its own, IPv4-mapped addresses as IPv4 and IPv6 clients by /64', async () => {
    const { s } = await serve({ requests: 1, periodMs: 60_000 });
    expect((await s.send(from('10.0.0.1'))).status).toBe(200);
    expect((await s.send(from('::ffff:10.0.0.1'))).status).toBe(429);
    expect((await s.send(from('10.0.0.2'))).status).toBe(200);
    expect((await s.send(from('2001:db8:1:2::1'))).status).toBe(200);
    expect((await s.send(from('2001:db8:1:2:ffff::9'))).status).toBe(429);
    expect((await s.send(from('2001:db8:1:3::1'))).status).toBe(200);
  });

  it('forgets the least recently seen client when it remembers maxClients', async () => {
    const { s } = await serve({ requests: 1, periodMs: 60_000 }, manualClock(), 2);
    await s.send(from('10.0.0.1'));
    await s.send(from('10.0.0.2'));
    expect((await s.send(from('10.0.0.1'))).status).toBe(429); // seen again: now the most recent
    await s.send(from('10.0.0.3')); // forgets 10.0.0.2
    expect((await s.send(from('10.0.0.2'))).status).toBe(200);
  });

  it('keeps counting across a rebuild on the same state: a rebuilt middleware does not refill every client', async () => {
    const clock = manualClock();
    const state = new RateLimitState();
    const options = { requests: 2, periodMs: 60_000 };
    server = await serveMiddlewares([rateLimit(options, { now: clock.now, state })]);
    expect([(await server.send({})).status, (await server.send({})).status]).toEqual([200, 200]);
    await server.close();
    server = await serveMiddlewares([rateLimit(options, { now: clock.now, state })]);
    expect((await server.send({})).status).toBe(429);
    expect(state.size).toBe(1);
    await server.close();
    server = await serveMiddlewares([rateLimit(options, { now: clock.now })]); // no state given: fresh buckets
    expect((await server.send({})).status).toBe(200);
  });

  it.each([
    [{ requests: 0, periodMs: 1000 }, 'middlewares.rateLimit.requests'],
    [{ requests: 1.5, periodMs: 1000 }, 'middlewares.rateLimit.requests'],
    [{ requests: 10, periodMs: 0 }, 'middlewares.rateLimit.periodMs'],
    [{ requests: 10, periodMs: 1000, burst: 0 }, 'middlewares.rateLimit.burst'],
  ])('refuses bad options when it is built (%#)', (options, path) => {
    expect(thrown(() => rateLimit(options))).toMatchObject({ code: 'SPEC_BERTH', path });
  });
});

describe('RateLimitStates', () => {
  const limit = { requests: 10, periodMs: 1_000 };

  it('hands the same buckets to the same route with the same options, across generations', () => {
    const states = new RateLimitStates();
    const first = states.begin();
    const state = first.stateFor('web#0', limit);
    first.commit();
    const second = states.begin();
    expect(second.stateFor('web#0', { ...limit })).toBe(state);
    expect(second.stateFor('web#0', limit)).toBe(state); // asked twice in one rebuild: still one state
  });

  it('hands fresh buckets when the options change or the route is another one', () => {
    const states = new RateLimitStates();
    const first = states.begin();
    const state = first.stateFor('web#0', limit);
    first.commit();
    const next = states.begin();
    expect(next.stateFor('web#0', { ...limit, requests: 11 })).not.toBe(state);
    expect(next.stateFor('web#0', { ...limit, burst: 20 })).not.toBe(state);
    expect(next.stateFor('api#0', limit)).not.toBe(state);
  });

  it('forgets the buckets of routes a committed generation did not ask for, and keeps all of them when a rebuild is abandoned', () => {
    const states = new RateLimitStates();
    const first = states.begin();
    const kept = first.stateFor('web#0', limit);
    first.stateFor('gone#0', limit);
    first.commit();
    expect(states.size).toBe(2);
    const abandoned = states.begin();
    abandoned.stateFor('other#0', limit); // never committed (the new table failed to build)
    expect(states.size).toBe(2);
    const second = states.begin();
    expect(second.stateFor('web#0', limit)).toBe(kept);
    second.commit();
    expect(states.size).toBe(1);
    const third = states.begin();
    expect(third.stateFor('gone#0', limit)).not.toBe(kept);
  });
});
