/*
 * What the edge proxy offers zero-downtime deploys: weights, standby replicas and their retries, failed tries in
 * the records, record listeners, in-flight counts for draining, and atomic pool switches — in the daemon's own
 * process and with worker processes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Stack } from '../model/stack.js';
import { loadStack } from '../spec/load.js';
import { defaultProjectOptions } from '../spec/project-options.js';
import { EdgeProxy, type ProxyReplica } from './edge-proxy.js';
import type { RequestRecord } from './forward/proxy-context.js';
import { okUpstream, send, upstream, waitFor, type Reply, type TestUpstream } from './forward/test-upstream.js';

const TSX = import.meta.resolve('tsx');
const HOST = { host: 'shop.test' };
let dir: string;
let stack: Stack;
const cleanups: (() => Promise<unknown> | void)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-edge-deploy-'));
  await writeFile(path.join(dir, 'compose.yml'), [
    'name: deploy',
    'services:',
    '  web:',
    '    image: example/web',
    '    x-berth:',
    '      routes: [{host: shop.test, port: 3000}]',
    '',
  ].join('\n'));
  stack = loadStack(defaultProjectOptions({ workingDirectory: dir, environment: { HOME: '/home/user' } })).stack;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let logCount = 0;

async function startEdge(workers: number, log: Logger = silentLogger): Promise<{ edge: EdgeProxy; accessLog: string }> {
  const accessLog = path.join(dir, `access-${++logCount}.log`);
  const edge = new EdgeProxy({ httpPort: 0, host: '127.0.0.1', adminPort: 0, accessLogFile: accessLog, log, workers, workerExecArgv: ['--import', TSX] });
  cleanups.push(() => edge.close());
  await edge.start();
  await edge.applyStack(stack);
  return { edge, accessLog };
}

function replica(u: { readonly port: number }, over: Partial<ProxyReplica> = {}): ProxyReplica {
  return { service: 'web', ready: true, endpoints: { 3000: { host: '127.0.0.1', port: u.port } }, ...over };
}

async function tracked(u: Promise<TestUpstream>): Promise<TestUpstream> {
  const started = await u;
  cleanups.push(() => started.close());
  return started;
}

const key = (u: { readonly port: number }): string => `127.0.0.1:${u.port}`;

/** An upstream that holds every request and upgrade until `release()`; WebSocket-like upgrades stay open. */
async function holdingUpstream(): Promise<{ port: number; held: () => number; release: () => void }> {
  const waiting: http.ServerResponse[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => waiting.push(res));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  }));
  return {
    port: (server.address() as AddressInfo).port,
    held: () => waiting.length,
    release: () => {
      for (const res of waiting.splice(0)) res.end('late');
    },
  };
}

/** Opens an upgraded connection through the proxy; resolves once the 101 arrived. */
function openTunnel(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /ws HTTP/1.1\r\nHost: shop.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: eA==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    socket.once('data', (d: Buffer) => (d.toString('latin1').startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(d.toString('latin1')))));
    socket.on('error', reject);
    cleanups.push(() => void socket.destroy());
  });
}

describe.each([1, 2])('EdgeProxy deploy support with %i serving process(es)', (workers) => {
  it('splits new requests by replica weight; a replica that is not ready gets none whatever its weight', async () => {
    const { edge } = await startEdge(workers);
    const [a, b, c] = await Promise.all([tracked(okUpstream()), tracked(okUpstream()), tracked(okUpstream())]);
    edge.updateReplicas([replica(a!, { weight: 3 }), replica(b!), replica(c!, { weight: 5, ready: false })]);
    for (let i = 0; i < 40; i++) expect((await send(edge.httpPort, { headers: HOST })).status).toBe(200);
    expect([a!.seen.length, b!.seen.length, c!.seen.length]).toEqual([30, 10, 0]);
  });

  it('answers from the standby release what the new one failed with a 500, and reports the failed try to listeners and the access log', async () => {
    const { edge, accessLog } = await startEdge(workers);
    const failing = await tracked(upstream((req, res) => req.resume().on('end', () => res.writeHead(500).end('broken'))));
    const old = await tracked(okUpstream());
    const records: RequestRecord[] = [];
    const stop = edge.onRecord((record) => records.push(record));
    cleanups.push(stop);
    edge.updateReplicas([replica(failing), replica(old, { standby: true })]);
    const replies: Reply[] = [];
    for (let i = 0; i < 4; i++) replies.push(await send(edge.httpPort, { headers: HOST, path: `/r${i}` }));
    expect(replies.map((r) => [r.status, r.headers['x-upstream-port']])).toEqual(Array.from({ length: 4 }, () => [200, String(old.port)]));
    // The new release got every first try: a 500 does not take it out by passive health.
    expect([failing.seen.length, old.seen.length]).toEqual([4, 4]);
    await waitFor(() => records.length === 4, 5_000, '4 records');
    for (const record of records) {
      expect(record).toMatchObject({ status: 200, upstream: key(old), tries: 2, failures: [{ upstream: key(failing), status: 500 }] });
    }
    await waitFor(async () => (await readFile(accessLog, 'utf8')).trim().split('\n').length === 4, 5_000, '4 access log lines');
    const lines = (await readFile(accessLog, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.failures)).toEqual(Array.from({ length: 4 }, () => [{ upstream: key(failing), status: 500 }]));
  });

  it('stops telling a listener about records once it unsubscribed, and keeps telling the others', async () => {
    const { edge } = await startEdge(workers);
    const u = await tracked(okUpstream());
    edge.updateReplicas([replica(u)]);
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = edge.onRecord((r) => first.push(r.path));
    cleanups.push(edge.onRecord((r) => second.push(r.path)));
    await send(edge.httpPort, { headers: HOST, path: '/one' });
    await waitFor(() => first.length === 1 && second.length === 1, 5_000, 'the first record');
    stopFirst();
    stopFirst();
    await send(edge.httpPort, { headers: HOST, path: '/two' });
    await waitFor(() => second.length === 2, 5_000, 'the second record');
    expect([first, second]).toEqual([['/one'], ['/one', '/two']]);
  });

  it('counts requests and open tunnels in flight to an upstream until they end, also after its replica left the pool', async () => {
    const { edge } = await startEdge(workers);
    const slow = await holdingUpstream();
    const next = await tracked(okUpstream());
    expect(await edge.inFlight([key(slow)])).toBe(0);
    edge.updateReplicas([replica(slow)]);
    const requests = [0, 1, 2].map(() => send(edge.httpPort, { headers: HOST }));
    const tunnel = await openTunnel(edge.httpPort);
    await waitFor(() => slow.held() === 3, 5_000, 'the requests to reach the upstream');
    expect(await edge.inFlight([key(slow)])).toBe(4);
    // The deploy switches to the next release: what was sent to the old one still counts until it ends.
    edge.updateReplicas([replica(next)]);
    expect((await send(edge.httpPort, { headers: HOST })).headers['x-upstream-port']).toBe(String(next.port));
    expect(await edge.inFlight([key(slow), key(next)])).toBe(4);
    expect(await edge.inFlight([key(next)])).toBe(0);
    slow.release();
    expect((await Promise.all(requests)).map((r) => r.body)).toEqual(['late', 'late', 'late']);
    await waitFor(async () => (await edge.inFlight([key(slow)])) === 1, 5_000, 'only the tunnel in flight');
    tunnel.destroy();
    await waitFor(async () => (await edge.inFlight([key(slow)])) === 0, 5_000, 'nothing in flight');
  });

  it('switches a pool from A to B under load: no request fails, each is answered by A or B, then only by B', async () => {
    const { edge } = await startEdge(workers);
    const [a, b] = await Promise.all([tracked(okUpstream()), tracked(okUpstream())]);
    edge.updateReplicas([replica(a!)]);
    const agents = Array.from({ length: 8 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    cleanups.push(() => agents.forEach((agent) => agent.destroy()));
    const answeredBy: string[] = [];
    const failures: unknown[] = [];
    let sent = 0;
    const loop = async (agent: http.Agent): Promise<void> => {
      while (sent < 600) {
        sent++;
        if (sent === 300) edge.updateReplicas([replica(b!)]);
        try {
          const r = await send(edge.httpPort, { headers: HOST, agent });
          if (r.status !== 200) failures.push(r.status);
          answeredBy.push(String(r.headers['x-upstream-port']));
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(agents.map(loop));
    expect(failures).toEqual([]);
    expect(answeredBy).toHaveLength(600);
    expect(new Set(answeredBy)).toEqual(new Set([String(a!.port), String(b!.port)]));
    const after = await Promise.all(agents.map((agent) => send(edge.httpPort, { headers: HOST, agent })));
    expect(after.map((r) => r.headers['x-upstream-port'])).toEqual(agents.map(() => String(b!.port)));
  });
});

describe('EdgeProxy.inFlight with worker processes', () => {
  it('counts a worker that does not answer within a second as 0, and logs it', { timeout: 30_000 }, async () => {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (message) => warnings.push(message), child: () => log };
    const { edge } = await startEdge(2, log);
    const slow = await holdingUpstream();
    edge.updateReplicas([replica(slow)]);
    // Fresh connections go to the workers in turn: one request each.
    const requests = [send(edge.httpPort, { headers: HOST }), send(edge.httpPort, { headers: HOST })];
    await waitFor(() => slow.held() === 2, 5_000, 'both requests to reach the upstream');
    expect(await edge.inFlight([key(slow)])).toBe(2);
    const stopped = edge.workerPids[0] as number;
    process.kill(stopped, 'SIGSTOP');
    try {
      expect(await edge.inFlight([key(slow)])).toBe(1);
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
    expect(warnings).toContain('proxy worker did not say what it has in flight; counted as 0');
    slow.release();
    await Promise.all(requests);
  });
});
