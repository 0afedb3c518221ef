import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { okUpstream, pool, send, startProxy, waitFor } from '../forward/test-upstream.js';
import type { PoolEvent } from './pool.js';
import { cleanupsAfterEach } from '../forward/engine-test-support.js';

const { track, defer } = cleanupsAfterEach();

describe('passive health under load', { timeout: 90_000 }, () => {
  it('loses no GET when one of 3 upstreams is killed mid-run; marks it down, then takes it back', async () => {
    const us = await Promise.all([okUpstream(), okUpstream(), okUpstream()]).then((a) => a.map(track));
    const failTimeoutMs = 400;
    const p = pool(
      us.map((u) => u.endpoint),
      { passiveHealth: { maxFails: 2, failTimeoutMs } },
    );
    const events: PoolEvent[] = [];
    p.onEvent((e) => events.push(e));
    const proxy = track(await startProxy(p));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    defer(() => agent.destroy());

    const victim = us[1]!;
    const total = 2_000;
    let started = 0;
    let done = 0;
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      while (started < total) {
        started++;
        if (started === 500) void victim.kill();
        try {
          const r = await send(proxy.port, { agent });
          if (r.status !== 200) failures.push(`status ${r.status}`);
        } catch (err) {
          failures.push(String(err));
        }
        done++;
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(done).toBe(total);
    expect(failures).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'down', endpoint: `127.0.0.1:${victim.port}` }));

    // The replica comes back on the same port; after fail_timeout it gets traffic again.
    const before = victim.seen.length;
    await victim.start();
    await waitFor(
      async () => {
        await send(proxy.port, { agent });
        return victim.seen.length > before;
      },
      10_000,
      'the revived upstream to receive requests',
    );
    const ep = p.endpoints().find((e) => e.port === victim.port)!;
    expect(p.isUp(ep)).toBe(true);
  });
});
