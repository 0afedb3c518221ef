import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../errors.js';
import { send } from '../middlewares/test-server.js';
import { AdminServer, type AdminHealth } from './admin-server.js';
import { ProxyMetrics } from './metrics.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

async function start(health?: () => AdminHealth) {
  const metrics = new ProxyMetrics({ upstreams: () => [{ service: 'web', upstream: '127.0.0.1:4001', healthy: true }] });
  const admin = new AdminServer({ registry: metrics.registry, port: 0, ...(health === undefined ? {} : { health }) });
  cleanup.push(() => admin.close());
  const address = await admin.start();
  return { admin, metrics, address };
}

describe('AdminServer', () => {
  it('listens on 127.0.0.1 by default', async () => {
    const { address } = await start();
    expect(address.host).toBe('127.0.0.1');
    expect(address.port).toBeGreaterThan(0);
  });

  it('serves the registry as Prometheus text on /metrics', async () => {
    const { address } = await start();
    const res = await send(address.port, { path: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE berth_proxy_requests_total counter');
    expect(res.body).toContain('berth_proxy_upstream_healthy{service="web",upstream="127.0.0.1:4001"} 1');
  });

  it('answers /healthz with 200 ok, or 503 with the detail when unhealthy', async () => {
    let ok = true;
    const { address } = await start(() => ({ ok, detail: { routes: 3 } }));
    const healthy = await send(address.port, { path: '/healthz' });
    expect([healthy.status, JSON.parse(healthy.body)]).toEqual([200, { status: 'ok', routes: 3 }]);
    ok = false;
    const sick = await send(address.port, { path: '/healthz?verbose=1' });
    expect([sick.status, JSON.parse(sick.body)]).toEqual([503, { status: 'unhealthy', routes: 3 }]);
  });

  it('answers 404 to other paths, 405 to other methods, and no body to HEAD', async () => {
    const { address } = await start();
    expect((await send(address.port, { path: '/' })).status).toBe(404);
    const post = await send(address.port, { method: 'POST', path: '/metrics' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    const head = await send(address.port, { method: 'HEAD', path: '/healthz' });
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('fails to start with DAEMON_START on a port in use, and closes safely afterwards', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const { port } = blocker.address() as AddressInfo;
    const admin = new AdminServer({ registry: new ProxyMetrics().registry, port });
    const error = await admin.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BerthError);
    expect(error).toMatchObject({ code: 'DAEMON_START' });
    await admin.close();
  });

  it('closes with a keep-alive client still connected', async () => {
    const { admin, address } = await start();
    const agent = new Agent({ keepAlive: true });
    cleanup.push(async () => agent.destroy());
    await new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port: address.port, path: '/healthz', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject).end();
    });
    await admin.close();
  });
});
