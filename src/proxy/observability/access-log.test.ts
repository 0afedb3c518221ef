import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpProxyServer } from '../http-proxy-server.js';
import { okUpstream, pool, startProxy, upstream, waitFor, type TestUpstream } from '../forward/test-upstream.js';
import { send } from '../middlewares/test-server.js';
import { AccessLog, formatAccessLine } from './access-log.js';
import type { RequestRecord } from './observers.js';

const cleanup: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of cleanup.splice(0).reverse()) await item.close();
});

function track<T extends { close(): Promise<void> }>(item: T): T {
  cleanup.push(item);
  return item;
}

/** An access log writing into an array; `entries(n)` waits (up to 5 s) for n lines and parses them. */
function collectedLog() {
  const lines: string[] = [];
  const log = new AccessLog({ write: (line: string) => lines.push(line) });
  const entries = async (n: number) => {
    await waitFor(() => lines.length >= n, 5_000, `${n} access log lines`);
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  return { log, lines, entries };
}

async function proxyTo(up: TestUpstream, log: AccessLog): Promise<HttpProxyServer> {
  return track(await startProxy(pool([up.endpoint]), {
    observer: log,
    resolve: (req) => (req.url?.startsWith('/missing') ? undefined : { pool: pool([up.endpoint]), forwardPath: req.url ?? '/', name: 'api' }),
  }));
}

describe('access log', () => {
  it('writes one JSON line per request through the proxy: id, method, host, path without query, status, timing, upstream, tries, bytes', async () => {
    const up = track(await okUpstream());
    const { log, lines, entries } = collectedLog();
    const proxy = await proxyTo(up, log);
    const res = await send(proxy.port, { method: 'POST', path: '/items/7?token=secret', headers: { host: 'api.example.com' }, body: 'hello' });
    const [entry] = await entries(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(lines[0]).not.toContain('secret');
    expect(Object.keys(entry ?? {})).toEqual([
      'time', 'request_id', 'client_ip', 'method', 'host', 'path', 'status', 'duration_ms', 'route', 'upstream', 'tries', 'bytes_in', 'bytes_out',
    ]);
    expect(entry).toMatchObject({
      request_id: res.headers['x-request-id'], client_ip: '127.0.0.1', method: 'POST', host: 'api.example.com', path: '/items/7',
      status: 200, route: 'api', upstream: `127.0.0.1:${up.port}`, tries: 1, bytes_in: 5, bytes_out: 2,
    });
    expect(new Date(String(entry?.time)).toISOString()).toBe(entry?.time);
    expect(entry?.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('logs the proxy\'s own answers with their status, the request id of the error page, no upstream and 0 tries', async () => {
    const up = track(await okUpstream());
    const { log, entries } = collectedLog();
    const proxy = await proxyTo(up, log);
    const res = await send(proxy.port, { path: '/missing' });
    const [entry] = await entries(1);
    expect(entry).toMatchObject({ status: 404, tries: 0, path: '/missing' });
    expect(entry).not.toHaveProperty('upstream');
    expect(entry).not.toHaveProperty('route');
    expect(res.body).toContain(`request id: ${String(entry?.request_id)}`);
  });

  it('logs a request whose client left before any answer with status 499', async () => {
    let arrived = (): void => undefined;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    // Never answers: the request stays in flight until the client leaves.
    const silent = track(await upstream(() => arrived()));
    const { log, entries } = collectedLog();
    const proxy = await proxyTo(silent, log);
    const req = request({ host: '127.0.0.1', port: proxy.port, path: '/slow', agent: false });
    req.on('error', () => undefined);
    req.end();
    await inFlight;
    req.destroy();
    const [entry] = await entries(1);
    expect(entry).toMatchObject({ status: 499, path: '/slow', route: 'api' });
  });

  it('loses the line, not the request, when the sink throws', async () => {
    const up = track(await okUpstream());
    const proxy = await proxyTo(up, new AccessLog({ write: () => { throw new Error('disk full'); } }));
    expect((await send(proxy.port, {})).body).toBe('ok');
  });

  it('formats durations to 3 decimals, strips the query and leaves out absent keys', () => {
    const record: RequestRecord = {
      requestId: 'r1', clientIp: '::1', method: 'GET', host: 'h', path: '/a?b=c', route: undefined, status: 502,
      durationMs: 1.23456, upstream: undefined, tries: 3, bytesIn: 0, bytesOut: 10,
    };
    expect(formatAccessLine(record, Date.UTC(2026, 0, 1))).toBe(
      '{"time":"2026-01-01T00:00:00.000Z","request_id":"r1","client_ip":"::1","method":"GET","host":"h","path":"/a",'
        + '"status":502,"duration_ms":1.235,"tries":3,"bytes_in":0,"bytes_out":10}',
    );
  });

  it('writes the failed tries after tries when a record has them', () => {
    const record: RequestRecord = {
      requestId: 'r2', clientIp: '::1', method: 'GET', host: 'h', path: '/', route: 'web#0', status: 200,
      durationMs: 2, upstream: '10.0.0.1:80', tries: 3, bytesIn: 0, bytesOut: 2,
      failures: [{ upstream: '10.0.0.2:80', status: 500 }, { upstream: '10.0.0.3:80', status: 0 }],
    };
    expect(formatAccessLine(record, Date.UTC(2026, 0, 1))).toBe(
      '{"time":"2026-01-01T00:00:00.000Z","request_id":"r2","client_ip":"::1","method":"GET","host":"h","path":"/",'
        + '"status":200,"duration_ms":2,"route":"web#0","upstream":"10.0.0.1:80","tries":3,'
        + '"failures":[{"upstream":"10.0.0.2:80","status":500},{"upstream":"10.0.0.3:80","status":0}],"bytes_in":0,"bytes_out":2}',
    );
  });
});
