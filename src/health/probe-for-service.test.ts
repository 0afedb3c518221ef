import { afterEach, describe, expect, it } from 'vitest';
import { instanceId, stackName } from '../model/ids.js';
import type { Endpoint, ExecCommand, ExecOptions, ExecResult, Instance, Runtime } from '../runtime/runtime.js';
import { loadWeb } from '../spec/normalize/test-helpers.js';
import { mainPort, probeForService } from './probe-for-service.js';
import { startHttpServer, startTcpServer, type TestServer } from './test-helpers.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function httpServer(body: string): Promise<Endpoint> {
  const server = await startHttpServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end(body));
  servers.push(server);
  return server.endpoint;
}

function replica(endpoints: Record<number, Endpoint>): Instance {
  return { id: instanceId('demo-web-1'), stack: stackName('demo'), service: 'web', replica: 1, state: 'running', endpoints };
}

/** Records the exec calls and answers with `result`; only `exec` of a runtime is used. */
function execRecorder(result: ExecResult) {
  const calls: { id: string; command: ExecCommand; timeoutMs: number }[] = [];
  const runtime: Pick<Runtime, 'exec'> = {
    exec: (id, command, options: ExecOptions) => {
      calls.push({ id, command, timeoutMs: options.timeoutMs });
      return Promise.resolve(result);
    },
  };
  return { runtime, calls };
}

const noExec = execRecorder({ exitCode: 0, output: '', timedOut: false }).runtime;
const signal = () => new AbortController().signal;
const HEALTHCHECK = { test: ['CMD-SHELL', 'curl -f localhost:8000/health'], interval: '2s', retries: 5 };

describe('probeForService', () => {
  it('uses x-berth http on the main port over the compose healthcheck, with the x-berth timings', async () => {
    const { web } = loadWeb({
      image: 'app', ports: ['8000:8000'], expose: ['9000'], healthcheck: HEALTHCHECK,
      'x-berth': { health: { http: '/health', interval: '1s', start_period: '10s' } },
    });
    const main = await httpServer('main');
    const other = await httpServer('other');
    const picked = probeForService(web, replica({ 8000: main, 9000: other }), noExec);
    expect(picked && { ...picked, probe: undefined }).toEqual({
      probe: undefined, source: 'x-berth', description: `GET http://127.0.0.1:${main.port}/health`,
      timing: { intervalMs: 1_000, timeoutMs: 30_000, retries: 3, startPeriodMs: 10_000, startIntervalMs: 5_000 },
    });
    expect(await picked?.probe.check(signal())).toEqual({ ok: true, ms: expect.any(Number) });
  });

  it('checks the given container port and expected status', async () => {
    const { web } = loadWeb({ image: 'app', ports: ['8000:8000'], 'x-berth': { health: { http: { path: '/health', port: 9000, status: 204 } } } });
    const admin = await httpServer('admin');
    const picked = probeForService(web, replica({ 8000: await httpServer('main'), 9000: admin }), noExec);
    expect(picked?.description).toBe(`GET http://127.0.0.1:${admin.port}/health`);
    expect(await picked?.probe.check(signal())).toEqual({ ok: false, ms: expect.any(Number), reason: 'HTTP 200 OK (expected 204): admin' });
  });

  it('uses x-berth tcp on the first exposed port', async () => {
    const { web } = loadWeb({ image: 'redis', expose: ['6379'], 'x-berth': { health: { tcp: null } } });
    const server = await startTcpServer();
    servers.push(server);
    const picked = probeForService(web, replica({ 6379: server.endpoint }), noExec);
    expect(picked?.description).toBe(`tcp 127.0.0.1:${server.endpoint.port}`);
    expect(await picked?.probe.check(signal())).toEqual({ ok: true, ms: expect.any(Number) });
  });

  it('runs the compose healthcheck through runtime.exec, with its timings and compose defaults', async () => {
    const { web } = loadWeb({ image: 'app', ports: ['8000:8000'], healthcheck: HEALTHCHECK });
    const { runtime, calls } = execRecorder({ exitCode: 22, output: 'curl: (22) The requested URL returned error: 503\n', timedOut: false });
    const picked = probeForService(web, replica({ 8000: { host: '127.0.0.1', port: 1 } }), runtime);
    expect(picked && { ...picked, probe: undefined }).toEqual({
      probe: undefined, source: 'healthcheck', description: 'CMD-SHELL curl -f localhost:8000/health',
      timing: { intervalMs: 2_000, timeoutMs: 30_000, retries: 5, startPeriodMs: 0, startIntervalMs: 5_000 },
    });
    expect(await picked?.probe.check(signal())).toEqual({
      ok: false, ms: expect.any(Number), reason: 'exit code 22: curl: (22) The requested URL returned error: 503',
    });
    expect(calls).toEqual([{ id: 'demo-web-1', command: { kind: 'shell', command: 'curl -f localhost:8000/health' }, timeoutMs: 30_000 }]);
  });

  it('describes an exec-form test as CMD', () => {
    const { web } = loadWeb({ image: 'postgres', healthcheck: { test: ['CMD', 'pg_isready', '-U', 'app'] } });
    expect(probeForService(web, replica({}), noExec)?.description).toBe('CMD pg_isready -U app');
  });

  it('gives no probe when the service has neither x-berth health nor a healthcheck', () => {
    const { web } = loadWeb({ image: 'app', ports: ['8000:8000'], healthcheck: { test: ['NONE'] } });
    expect(probeForService(web, replica({ 8000: { host: '127.0.0.1', port: 1 } }), noExec)).toBeUndefined();
  });

  it('gives a probe that always fails, saying why, when the replica has no address for the port', async () => {
    const { web } = loadWeb({ image: 'app', ports: ['8000:8000'], 'x-berth': { health: { tcp: { port: 9000 } } } });
    const picked = probeForService(web, replica({ 8000: { host: '127.0.0.1', port: 1 } }), noExec);
    const reason = 'the replica has no address for container port 9000 (it has: 8000)';
    expect(picked?.description).toBe(reason);
    expect(await picked?.probe.check(signal())).toEqual({ ok: false, ms: 0, reason });
    const portless = loadWeb({ image: 'app', 'x-berth': { health: { http: '/health' } } }).web;
    expect(await probeForService(portless, replica({}), noExec)?.probe.check(signal())).toEqual({
      ok: false, ms: 0, reason: 'the service has no port to check: give `port` in its x-berth health',
    });
  });
});

describe('mainPort', () => {
  it('is the first ports target, else the first expose, else the lowest port the replica has', () => {
    expect(mainPort(loadWeb({ image: 'a', ports: ['8080:80', '443'], expose: ['9000'] }).web, replica({}))).toBe(80);
    expect(mainPort(loadWeb({ image: 'a', expose: ['9000-9001/tcp'] }).web, replica({}))).toBe(9000);
    const adapterDefault = replica({ 5432: { host: '127.0.0.1', port: 40001 }, 80: { host: '127.0.0.1', port: 40002 } });
    expect(mainPort(loadWeb({ image: 'postgres' }).web, adapterDefault)).toBe(80);
    expect(mainPort(loadWeb({ image: 'a' }).web, replica({}))).toBeUndefined();
  });
});
