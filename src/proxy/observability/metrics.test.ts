import { afterEach, describe, expect, it } from 'vitest';
import { deadPort, okUpstream, pool, startProxy, waitFor } from '../forward/test-upstream.js';
import { send } from '../middlewares/test-server.js';
import { UpstreamPool } from '../upstream/pool.js';
import { poolHealth, ProxyMetrics, type UpstreamHealth } from './metrics.js';
import { fanOut, type RequestRecord } from './observers.js';

const cleanup: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of cleanup.splice(0).reverse()) await item.close();
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parseExposition(text: string): Sample[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return { name: match[1] ?? '', labels, value: Number(match[3]) };
  });
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string>): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const record = (over: Partial<RequestRecord>): RequestRecord => ({
  requestId: 'r', clientIp: '127.0.0.1', method: 'GET', host: 'h', path: '/', route: 'web', status: 200, durationMs: 3,
  upstream: '127.0.0.1:4001', tries: 1, bytesIn: 0, bytesOut: 100, ...over,
});

describe('ProxyMetrics', () => {
  it('counts requests by route and status class, times them per upstream and counts retries, through the proxy', async () => {
    const up = await okUpstream();
    cleanup.push(up);
    const dead = { host: '127.0.0.1', port: await deadPort() };
    const metrics = new ProxyMetrics();
    const records: RequestRecord[] = [];
    // The dead replica first: the first request is refused there and retried on the live one.
    const api = pool([dead, up.endpoint]);
    const proxy = await startProxy(api, {
      observer: fanOut([metrics, { onRequestDone: (r) => records.push(r) }]),
      resolve: (req) => (req.url === '/missing' ? undefined : { pool: api, forwardPath: req.url ?? '/', name: 'api' }),
    });
    cleanup.push(proxy);
    for (const path of ['/', '/', '/', '/missing']) await send(proxy.port, { path });
    await waitFor(() => records.length === 4, 5_000, '4 request records');
    const samples = parseExposition(await metrics.metrics());
    const retries = records.reduce((n, r) => n + Math.max(0, r.tries - 1), 0);
    expect(retries).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'berth_proxy_requests_total', { route: 'api', status_class: '2xx' })).toBe(3);
    expect(value(samples, 'berth_proxy_requests_total', { route: 'none', status_class: '4xx' })).toBe(1);
    expect(value(samples, 'berth_proxy_request_duration_seconds_count', { route: 'api', upstream: `127.0.0.1:${up.port}` })).toBe(3);
    expect(value(samples, 'berth_proxy_request_duration_seconds_bucket', { route: 'api', upstream: `127.0.0.1:${up.port}`, le: '+Inf' })).toBe(3);
    expect(value(samples, 'berth_proxy_retries_total', { route: 'api' })).toBe(retries);
  });

  it('puts latencies in the right buckets, and unrouted requests and clients that left under their labels', async () => {
    const metrics = new ProxyMetrics({ buckets: [0.01, 0.1] });
    metrics.onRequestDone(record({ durationMs: 5 }));
    metrics.onRequestDone(record({ durationMs: 50 }));
    metrics.onRequestDone(record({ durationMs: 500, status: 503, tries: 3 }));
    metrics.onRequestDone(record({ route: undefined, upstream: undefined, status: 404, tries: 0 }));
    metrics.onRequestDone(record({ status: 499 }));
    const samples = parseExposition(await metrics.metrics());
    const bucket = (le: string) => value(samples, 'berth_proxy_request_duration_seconds_bucket', { route: 'web', upstream: '127.0.0.1:4001', le });
    expect([bucket('0.01'), bucket('0.1'), bucket('+Inf')]).toEqual([2, 3, 4]);
    expect(value(samples, 'berth_proxy_requests_total', { route: 'web', status_class: '5xx' })).toBe(1);
    expect(value(samples, 'berth_proxy_requests_total', { route: 'web', status_class: '4xx' })).toBe(1);
    expect(value(samples, 'berth_proxy_requests_total', { route: 'none', status_class: '4xx' })).toBe(1);
    expect(value(samples, 'berth_proxy_request_duration_seconds_count', { route: 'none', upstream: 'none' })).toBe(1);
    expect(value(samples, 'berth_proxy_retries_total', { route: 'web' })).toBe(2);
  });

  it('reads upstream health at each scrape, so replicas that are gone vanish', async () => {
    let upstreams: UpstreamHealth[] = [
      { service: 'web', upstream: '127.0.0.1:4001', healthy: true },
      { service: 'web', upstream: '127.0.0.1:4002', healthy: false },
    ];
    const metrics = new ProxyMetrics({ upstreams: () => upstreams });
    let samples = parseExposition(await metrics.metrics());
    expect(value(samples, 'berth_proxy_upstream_healthy', { upstream: '127.0.0.1:4001' })).toBe(1);
    expect(value(samples, 'berth_proxy_upstream_healthy', { upstream: '127.0.0.1:4002' })).toBe(0);
    upstreams = [{ service: 'web', upstream: '127.0.0.1:4003', healthy: true }];
    samples = parseExposition(await metrics.metrics());
    expect(samples.filter((s) => s.name === 'berth_proxy_upstream_healthy').map((s) => s.labels.upstream)).toEqual(['127.0.0.1:4003']);
  });

  it('reads a pool\'s replicas as healthy unless active health took one out or passive health has it down', () => {
    const web = new UpstreamPool({ name: 'web', endpoints: [{ host: '127.0.0.1', port: 4001 }, { host: '127.0.0.1', port: 4002 }, { host: '::1', port: 4003 }] });
    const [, second, third] = web.endpoints();
    if (second) second.healthy = false;
    if (third) third.downUntil = 2_000;
    expect(poolHealth([web], 1_000)).toEqual([
      { service: 'web', upstream: '127.0.0.1:4001', healthy: true },
      { service: 'web', upstream: '127.0.0.1:4002', healthy: false },
      { service: 'web', upstream: '[::1]:4003', healthy: false },
    ]);
    expect(poolHealth([web], 2_000)[2]?.healthy).toBe(true);
  });

  it('drops the latency series of a forgotten upstream', async () => {
    const metrics = new ProxyMetrics();
    metrics.onRequestDone(record({ upstream: '127.0.0.1:4001' }));
    metrics.onRequestDone(record({ upstream: '127.0.0.1:4002' }));
    metrics.forgetUpstream('127.0.0.1:4001');
    const upstreams = new Set(parseExposition(await metrics.metrics())
      .filter((s) => s.name.startsWith('berth_proxy_request_duration_seconds')).map((s) => s.labels.upstream));
    expect([...upstreams]).toEqual(['127.0.0.1:4002']);
  });

  it('adds Node process metrics when asked, in its own registry', async () => {
    const withProcess = parseExposition(await new ProxyMetrics({ processMetrics: true }).metrics());
    expect(withProcess.some((s) => s.name === 'berth_process_resident_memory_bytes' || s.name === 'berth_nodejs_heap_size_used_bytes')).toBe(true);
    const without = parseExposition(await new ProxyMetrics().metrics());
    expect(without.some((s) => s.name.startsWith('berth_process_'))).toBe(false);
  });
});

describe('fanOut', () => {
  it('tells every observer, in order', () => {
    const seen: string[] = [];
    fanOut([{ onRequestDone: () => seen.push('a') }, { onRequestDone: () => seen.push('b') }]).onRequestDone(record({}));
    expect(seen).toEqual(['a', 'b']);
  });
});
