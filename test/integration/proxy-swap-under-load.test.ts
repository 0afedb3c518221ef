/*
 * Atomic route-table swap under load: two real upstreams ("old", "new"), a proxy whose resolve() reads the
 * Router's table once per request, a bounded keep-alive load while the table is swapped between the two every
 * few milliseconds. Every request must succeed, carry exactly one upstream's whole answer, and be
 * answered by the upstream of the table it resolved with.
 * (Killing a replica under load is covered by src/proxy/upstream/passive-health.test.ts.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpProxyServer } from '../../src/proxy/http-proxy-server.js';
import type { Route } from '../../src/proxy/routing/route.js';
import { RouteTable } from '../../src/proxy/routing/route-table.js';
import { Router } from '../../src/proxy/routing/router.js';
import { UpstreamPool } from '../../src/proxy/upstream/pool.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An upstream that answers its name, written in two chunks so that a torn response would show. */
async function namedUpstream(name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(name.length) });
      res.write(name.slice(0, 1));
      setImmediate(() => res.end(name.slice(1)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return (server.address() as AddressInfo).port;
}

function table(service: string, port: number): RouteTable {
  const route: Route = { id: `${service}#0`, service, hosts: [], pathPrefix: '/', stripPrefix: false, targetPort: port, options: {} };
  return RouteTable.compile([route]);
}

function get(port: number, agent: http.Agent): Promise<{ status: number; table: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/x', agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, table: String(res.headers['x-table']), body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('route table swap under load', { timeout: 90_000 }, () => {
  it('loses no request and never mixes tables while the table is swapped every few ms', async () => {
    const oldPort = await namedUpstream('old');
    const newPort = await namedUpstream('new');
    const pools = new Map<string, UpstreamPool>([
      ['old', new UpstreamPool({ name: 'old', endpoints: [{ host: '127.0.0.1', port: oldPort }] })],
      ['new', new UpstreamPool({ name: 'new', endpoints: [{ host: '127.0.0.1', port: newPort }] })],
    ]);
    const oldTable = table('old', oldPort);
    const newTable = table('new', newPort);
    const router = new Router(oldTable);
    const proxy = new HttpProxyServer({
      host: '127.0.0.1',
      port: 0,
      closeGraceMs: 500,
      resolve: (req) => {
        const current = router.current; // once per request
        const match = current.match(req.headers.host, req.url ?? '/');
        const pool = match === undefined ? undefined : pools.get(match.route.service);
        return match && pool ? { pool, forwardPath: match.forwardPath, name: match.route.service } : undefined;
      },
      // Tells the client which table the request resolved with, to compare with the upstream that answered.
      middlewares: [
        async (ctx, next) => {
          ctx.res.setHeader('x-table', ctx.route?.name ?? '');
          await next();
        },
      ],
    });
    await proxy.start();
    cleanups.push(() => proxy.close());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
    cleanups.push(async () => agent.destroy());

    const total = 3_000;
    const maxSwaps = 100;
    let started = 0;
    let finished = false;
    let swaps = 0;
    const failures: string[] = [];
    const seen = new Map<string, number>();
    const worker = async (): Promise<void> => {
      while (started < total) {
        started++;
        try {
          const r = await get(proxy.port, agent);
          if (r.status !== 200) failures.push(`status ${r.status}: ${r.body}`);
          else if (r.body !== r.table) failures.push(`resolved with table ${r.table} but ${r.body} answered`);
          seen.set(r.body, (seen.get(r.body) ?? 0) + 1);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const swapper = async (): Promise<void> => {
      while (!finished && swaps < maxSwaps) {
        await sleep(2);
        router.swap(router.current === oldTable ? newTable : oldTable);
        swaps++;
      }
    };
    const swapping = swapper();
    await Promise.all(Array.from({ length: 20 }, worker));
    finished = true;
    await swapping;

    expect(failures).toEqual([]);
    expect([...seen.keys()].sort()).toEqual(['new', 'old']);
    expect((seen.get('old') ?? 0) + (seen.get('new') ?? 0)).toBe(total);
    expect(swaps).toBeGreaterThan(1);
  });
});
