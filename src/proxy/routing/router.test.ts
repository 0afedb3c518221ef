import { describe, expect, it } from 'vitest';
import type { Route } from './route.js';
import { RouteTable } from './route-table.js';
import { Router } from './router.js';

function table(service: string, port: number): RouteTable {
  const route: Route = { id: `${service}#0`, service, hosts: ['app.example.com'], pathPrefix: '/', stripPrefix: false, targetPort: port, options: {} };
  return RouteTable.compile([route]);
}

describe('Router', () => {
  it('serves the initial table and returns the previous one on swap', () => {
    const blue = table('blue', 8000);
    const green = table('green', 8001);
    const router = new Router(blue);
    expect(router.current).toBe(blue);
    expect(router.swap(green)).toBe(blue);
    expect(router.current).toBe(green);
    expect(router.swap(blue)).toBe(green);
  });

  it('lets a request that took the old table keep using it after a swap', () => {
    const router = new Router(table('blue', 8000));
    const table1 = router.current; // what the proxy does once per request
    router.swap(table('green', 8001));
    expect(table1.match('app.example.com', '/retry')?.route.service).toBe('blue');
    expect(router.current.match('app.example.com', '/')?.route.service).toBe('green');
  });

  it('gives each of many interleaved requests one whole table across a series of swaps', async () => {
    const tables = Array.from({ length: 20 }, (_, i) => table(`svc${i}`, 8000 + i));
    const router = new Router(tables[0] as RouteTable);
    const request = async (_: unknown, arrival: number): Promise<Set<string>> => {
      for (let tick = 0; tick < arrival % 25; tick++) await Promise.resolve(); // requests arrive over time
      const current = router.current;
      const seen = new Set<string>();
      for (let step = 0; step < 5; step++) {
        const match = current.match('app.example.com', `/step/${step}`);
        seen.add(`${match?.route.service}:${match?.route.targetPort}`);
        await Promise.resolve(); // lets swaps and other requests run between the steps of this request
      }
      return seen;
    };
    const swaps = (async () => {
      for (const next of tables.slice(1)) {
        router.swap(next);
        await Promise.resolve();
      }
    })();
    const results = await Promise.all([...Array.from({ length: 200 }, request), swaps]);
    const perRequest = results.filter((r): r is Set<string> => r instanceof Set);
    expect(perRequest.every((seen) => seen.size === 1)).toBe(true);
    expect(new Set(perRequest.flatMap((seen) => [...seen])).size).toBeGreaterThan(1);
  });
});
