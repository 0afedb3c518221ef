import { afterEach, describe, expect, it } from 'vitest';
import type { HealthState } from './health-state.js';
import { httpProbe } from './http-probe.js';
import { HealthMonitor } from './monitor.js';
import { startHttpServer, type TestServer, waitFor } from './test-helpers.js';

let server: TestServer | undefined;
let monitor: HealthMonitor | undefined;
afterEach(async () => {
  await monitor?.close();
  await server?.close();
});

describe('HealthMonitor in real time', () => {
  it('follows a real HTTP server from starting to healthy, unhealthy and healthy again', async () => {
    let status = 200;
    server = await startHttpServer((_req, res) => res.writeHead(status).end(status === 200 ? 'ok' : 'db down'));
    const changes: string[] = [];
    monitor = new HealthMonitor({
      probe: httpProbe({ endpoint: server.endpoint, path: '/health' }),
      timing: { intervalMs: 20, timeoutMs: 1_000, retries: 2, startPeriodMs: 0, startIntervalMs: 20 },
      onChange: (state: HealthState, result) => changes.push(result.ok ? state : `${state}: ${result.reason}`),
    });
    monitor.start();
    await waitFor(() => monitor?.state === 'healthy', 'healthy');
    status = 500;
    await waitFor(() => monitor?.state === 'unhealthy', 'unhealthy');
    status = 200;
    await waitFor(() => monitor?.state === 'healthy', 'healthy again');
    await monitor.close();
    expect(changes).toEqual(['healthy', 'unhealthy: HTTP 500 Internal Server Error (expected 2xx or 3xx): db down', 'healthy']);
    await waitFor(() => server?.connections().open === 0, 'every probe connection to close');
  });
});
