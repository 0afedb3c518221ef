import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../forward/proxy-context.js';
import { okUpstream, send, waitFor, type TestUpstream } from '../forward/test-upstream.js';
import type { Route } from '../routing/route.js';
import { poolKey } from '../serving-config.js';
import { ServingConfig } from '../serving-config.js';
import { ProxyWorkers } from './proxy-workers.js';
import { silentLogger } from '../../log/logger.js';

const TSX = import.meta.resolve('tsx');
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const route = (over: Partial<Route> = {}): Route => ({
  id: 'app#0', service: 'app', hosts: [], pathPrefix: '/', stripPrefix: false, targetPort: 8000, options: {}, ...over,
});

async function startWorkers(count: number, records: RequestRecord[]): Promise<ProxyWorkers> {
  const workers = new ProxyWorkers({
    count,
    log: silentLogger,
    onRecords: (batch) => records.push(...batch),
    execArgv: ['--import', TSX],
  });
  cleanups.push(() => workers.close(1_000));
  await workers.start();
  return workers;
}

async function upstreams(n: number): Promise<TestUpstream[]> {
  const list: TestUpstream[] = [];
  for (let i = 0; i < n; i++) {
    const u = await okUpstream();
    cleanups.push(() => u.close());
    list.push(u);
  }
  return list;
}

describe('proxy workers', { timeout: 60_000 }, () => {
  it('serve the routes and endpoints the primary sends, and send back one record per request', async () => {
    const records: RequestRecord[] = [];
    const workers = await startWorkers(2, records);
    const [a, b] = await upstreams(2);
    workers.send({ type: 'routes', routes: [route()], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('app', 8000), [a!.endpoint, b!.endpoint]]] });
    const port = await workers.listen('http', 0, '127.0.0.1');
    for (let i = 0; i < 20; i++) expect((await send(port, { path: `/r${i}` })).status).toBe(200);
    expect(a!.seen.length + b!.seen.length).toBe(20);
    expect(a!.seen.length).toBeGreaterThan(0);
    expect(b!.seen.length).toBeGreaterThan(0);
    await waitFor(() => records.length === 20, 5_000, '20 records from the workers');
    expect(new Set(records.map((r) => r.path)).size).toBe(20);
    expect(records.every((r) => r.status === 200 && r.route === 'app#0')).toBe(true);
  });

  it('a new route table replaces the old one in every worker; a worker that dies is restarted with it', async () => {
    const workers = await startWorkers(2, []);
    const [a, b] = await upstreams(2);
    workers.send({ type: 'routes', routes: [route({ pathPrefix: '/a', id: 'a#0', service: 'a' })], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('a', 8000), [a!.endpoint]]] });
    const port = await workers.listen('http', 0, '127.0.0.1');
    expect((await send(port, { path: '/b' })).status).toBe(404);
    workers.send({ type: 'routes', routes: [route({ pathPrefix: '/b', id: 'b#0', service: 'b' })], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('b', 8000), [b!.endpoint]]] });
    // Fresh connections go to the workers in turn: wait until the one answering has the new table.
    await waitFor(async () => (await send(port, { path: '/b', agent: false })).status === 200, 5_000, 'the new table');
    const before = workers.pids;
    process.kill(before[0]!, 'SIGKILL');
    await waitFor(() => workers.pids.length === 2 && !workers.pids.includes(before[0]!), 10_000, 'the worker to be restarted');
    await waitFor(async () => (await send(port, { path: '/b', agent: false }).catch(() => ({ status: 0 }))).status === 200, 10_000, 'service again');
    expect((await send(port, { path: '/a' })).status).toBe(404);
  });

  it('spreads the connections of one client address over all workers', async () => {
    const workers = await startWorkers(2, []);
    const [a] = await upstreams(1);
    workers.send({ type: 'routes', routes: [route()], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('app', 8000), [a!.endpoint]]] });
    const port = await workers.listen('http', 0, '127.0.0.1');
    for (let i = 0; i < 10; i++) expect((await send(port, { agent: false })).status).toBe(200);
    // Each worker keeps its own keep-alive connection to the upstream: two workers, two upstream connections.
    expect(new Set(a!.seen.map((req) => req.socket.remotePort)).size).toBe(2);
  });

  it('keeps one rate limit per client across workers: the primary holds the buckets', async () => {
    const primary = new ServingConfig();
    const limited = route({ options: { rateLimit: { requests: 3, periodMs: 60_000 } } });
    primary.prepare([limited], 443).commit();
    const workers = new ProxyWorkers({
      count: 2, log: silentLogger, onRecords: () => undefined, execArgv: ['--import', TSX],
      takeToken: (routeId, key) => primary.takeToken(routeId, key),
    });
    cleanups.push(() => workers.close(1_000));
    await workers.start();
    const [a] = await upstreams(1);
    workers.send({ type: 'routes', routes: [limited], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('app', 8000), [a!.endpoint]]] });
    const port = await workers.listen('http', 0, '127.0.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(port, { agent: false })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('close() lets a request in flight finish, then the workers exit', async () => {
    const records: RequestRecord[] = [];
    const workers = await startWorkers(1, records);
    let release: (() => void) | undefined;
    const slow = http.createServer((_req, res) => (release = () => res.end('late')));
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => slow.close(resolve)));
    const slowPort = (slow.address() as { port: number }).port;
    workers.send({ type: 'routes', routes: [route()], httpsPort: 443 });
    workers.send({ type: 'endpoints', pools: [[poolKey('app', 8000), [{ host: '127.0.0.1', port: slowPort }]]] });
    const port = await workers.listen('http', 0, '127.0.0.1');
    const inflight = send(port);
    await waitFor(() => release !== undefined, 5_000, 'the request to reach the upstream');
    const pid = workers.pids[0]!;
    const closing = workers.close(5_000);
    release!();
    expect((await inflight).body).toBe('late');
    await closing;
    expect(() => process.kill(pid, 0)).toThrow();
    expect(records.length).toBe(1);
  });
});
