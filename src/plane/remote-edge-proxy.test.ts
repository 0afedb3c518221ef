import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from '../model/stack.js';
import type { RequestRecord } from '../proxy/forward/proxy-context.js';
import { waitForLine } from '../runtime/conformance.js';
import type { Instance } from '../runtime/runtime.js';
import { eventually, leftovers, nodeService, specOf } from '../runtime/process/test-helpers.js';
import { loadStack } from '../spec/load.js';
import { defaultProjectOptions } from '../spec/project-options.js';
import { connectPlane } from './launch-plane.js';
import type { PlaneClient } from './plane-client.js';
import type { PlaneProxyOptions } from './plane-protocol.js';
import { startTestPlane, type TestPlane } from './test-plane.js';

const WEB = `require('http').createServer((q, s) => s.end('replica ' + process.env.BERTH_REPLICA)).listen(Number(process.env.PORT), process.env.HOST, () => console.log('listening'));`;

let plane: TestPlane | undefined;
const pgids: number[] = [];

afterEach(async () => {
  await plane?.stop();
  plane = undefined;
  expect(leftovers(pgids.splice(0))).toEqual([]);
});

function shopStack(dir: string): Stack {
  writeFileSync(path.join(dir, 'compose.yml'), 'name: shop\nservices:\n  web:\n    image: example/web\n    x-berth:\n      routes: [{host: shop.test, port: 3000}]\n');
  return loadStack(defaultProjectOptions({ workingDirectory: dir, environment: { HOME: '/home/user' } })).stack;
}

function proxyOptions(test: TestPlane): PlaneProxyOptions {
  return {
    httpPort: 0, httpsPort: 0, host: '127.0.0.1', adminPort: 0,
    accessLogFile: path.join(test.stateDir.root, 'access.log'), tlsStateDir: path.join(test.stateDir.root, 'tls'),
  };
}

async function web(client: PlaneClient, dir: string, replica: number): Promise<Instance> {
  const service = nodeService('web', WEB, dir, { expose: ['3000'] });
  const instance = await client.runtime.start((await client.runtime.create(specOf({ stack: 'shop', projectDir: dir, service, replica }))).id);
  if (instance.pid) pgids.push(instance.pid);
  await waitForLine(client.runtime, instance.id, (l) => l.text === 'listening');
  return instance;
}

function get(port: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host: 'shop.test' }, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

describe('remote edge proxy', () => {
  it('keeps serving while no client is connected, and a new client attaches to it and updates its replicas', async () => {
    plane = await startTestPlane();
    const { client, dir } = plane;
    const one = await web(client, dir, 1);
    expect(await client.proxy.attach()).toBeUndefined();
    const started = await client.proxy.start(proxyOptions(plane));
    expect(started.httpPort).toBeGreaterThan(0);
    expect(client.proxy.httpPort).toBe(started.httpPort);
    expect(client.proxy.adminPort).toBeGreaterThan(0);
    expect(await client.proxy.applyStack(shopStack(dir))).toEqual([]);
    await client.proxy.updateReplicas([{ service: 'web', ready: true, endpoints: one.endpoints }]);
    expect(await get(started.httpPort)).toEqual({ status: 200, text: 'replica 1' });

    await client.close();
    expect(await get(started.httpPort)).toEqual({ status: 200, text: 'replica 1' });

    const next = await connectPlane(plane.stateDir);
    if (!next) throw new Error('no plane answers');
    plane.client = next;
    expect(next.proxy.httpPort).toBe(0);
    expect(await next.proxy.attach()).toMatchObject({ httpPort: started.httpPort, adminPort: started.adminPort });
    expect(next.proxy.httpPort).toBe(started.httpPort);
    const records: RequestRecord[] = [];
    const unsubscribe = next.proxy.onRecord((record) => records.push(record));
    const two = await web(next, dir, 2);
    await next.proxy.updateReplicas([{ service: 'web', ready: true, endpoints: two.endpoints }]);
    expect(await get(started.httpPort)).toEqual({ status: 200, text: 'replica 2' });
    expect(await eventually(async () => records.length, (n) => n >= 1, 10_000)).toBeGreaterThanOrEqual(1);
    expect(records[0]).toMatchObject({ host: 'shop.test', status: 200, upstream: `${two.endpoints[3000]?.host}:${two.endpoints[3000]?.port}` });
    unsubscribe();
    expect(await next.proxy.inFlight([`${one.endpoints[3000]?.host}:${one.endpoints[3000]?.port}`])).toBe(0);
  });

  it('reports a bad weight as a RangeError and a call before start as an error, changing nothing', async () => {
    plane = await startTestPlane();
    await expect(plane.client.proxy.applyStack(shopStack(plane.dir))).rejects.toMatchObject({ code: 'PROXY_LISTEN' });
    await plane.client.proxy.start(proxyOptions(plane));
    await expect(plane.client.proxy.updateReplicas([{ service: 'web', ready: true, endpoints: {}, weight: -1 }])).rejects.toBeInstanceOf(RangeError);
    expect(await plane.client.proxy.inFlight([])).toBe(0);
  });

  it('closes the proxy in the plane on close: its port stops answering', async () => {
    plane = await startTestPlane();
    const { httpPort } = await plane.client.proxy.start(proxyOptions(plane));
    await plane.client.proxy.applyStack(shopStack(plane.dir));
    expect((await get(httpPort)).status).toBe(503);
    await plane.client.proxy.close();
    await expect(get(httpPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await plane.client.proxy.attach()).toBeUndefined();
  });
});
