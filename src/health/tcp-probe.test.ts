import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from './run-probe.js';
import { tcpProbe } from './tcp-probe.js';
import { closedPort, startTcpServer, type TestServer, waitFor } from './test-helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('tcpProbe', () => {
  it('passes when the port accepts a connection, and closes it at once', async () => {
    const server = await startTcpServer();
    servers.push(server);
    const result = await runProbe(tcpProbe(server.endpoint), { timeoutMs: 2_000 });
    expect(result).toEqual({ ok: true, ms: expect.any(Number) });
    expect(server.connections().accepted).toBe(1);
    await waitFor(() => server.connections().open === 0, 'the probe connection to close');
  });

  it('fails with "connection refused" when the port is closed', async () => {
    const endpoint = await closedPort();
    const result = await runProbe(tcpProbe(endpoint), { timeoutMs: 2_000 });
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: `connection refused by 127.0.0.1:${endpoint.port}` });
  });

  it('fails at once with the abort reason when the signal is already aborted', async () => {
    const server = await startTcpServer();
    servers.push(server);
    const controller = new AbortController();
    controller.abort(new Error('the health monitor was closed'));
    const result = await tcpProbe(server.endpoint).check(controller.signal);
    expect(result).toEqual({ ok: false, ms: expect.any(Number), reason: 'the health monitor was closed' });
  });
});
