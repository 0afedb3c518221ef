import { describe, expect, it } from 'vitest';
import type { HttpProxyServer } from '../http-proxy-server.js';
import type { EndpointSpec } from '../upstream/endpoint.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { RequestRecord } from './proxy-context.js';
import { deadPort, okUpstream, pool, send, startProxy, upstream, waitFor, type TestUpstream } from './test-upstream.js';
import { cleanupsAfterEach } from './engine-test-support.js';

const { track } = cleanupsAfterEach();

/** An upstream that answers every request with `status` and the body `from <status>`. */
async function answering(status: number): Promise<TestUpstream> {
  return track(await upstream((req, res) => req.resume().on('end', () => res.writeHead(status).end(`from ${status}`))));
}

/** A proxy in front of `p` that keeps the records of the requests it finished. */
async function recordingProxy(p: UpstreamPool): Promise<{ proxy: HttpProxyServer; records: RequestRecord[] }> {
  const records: RequestRecord[] = [];
  const proxy = track(await startProxy(p, { observer: { onRequestDone: (r) => records.push(r) } }));
  return { proxy, records };
}

async function lastRecord(records: RequestRecord[], n: number): Promise<RequestRecord> {
  await waitFor(() => records.length >= n, 5_000, `${n} records`);
  return records[n - 1] as RequestRecord;
}

const standby = (u: TestUpstream): EndpointSpec => ({ ...u.endpoint, standby: true });

describe('retrying 5xx answers on standby endpoints', () => {
  it.each([500, 501, 502, 503, 504, 599])('a GET answered %i by the new release is answered by the standby one, and the record keeps the failed try', async (status) => {
    const bad = await answering(status);
    const old = track(await okUpstream());
    const { proxy, records } = await recordingProxy(pool([bad.endpoint, standby(old)]));
    const r = await send(proxy.port);
    expect([r.status, r.body, r.headers['x-upstream-port']]).toEqual([200, 'ok', String(old.port)]);
    expect([bad.seen.length, old.seen.length]).toEqual([1, 1]);
    const record = await lastRecord(records, 1);
    expect(record).toMatchObject({ status: 200, upstream: `127.0.0.1:${old.port}`, tries: 2 });
    expect(record.failures).toEqual([{ upstream: `127.0.0.1:${bad.port}`, status }]);
  });

  it('does not retry a 4xx, a POST, or a 5xx the standby endpoint gave itself', async () => {
    const notFound = await answering(404);
    const bad = await answering(500);
    const old = track(await okUpstream());
    const get404 = await recordingProxy(pool([notFound.endpoint, standby(old)]));
    expect((await send(get404.proxy.port)).status).toBe(404);
    const post = await recordingProxy(pool([bad.endpoint, standby(old)]));
    expect((await send(post.proxy.port, { method: 'POST', body: 'x' })).body).toBe('from 500');
    expect(old.seen.length).toBe(0);
    const onlyStandby = await recordingProxy(pool([standby(bad), standby(old)]));
    expect((await send(onlyStandby.proxy.port)).body).toBe('from 500');
    expect((await lastRecord(onlyStandby.records, 1)).failures).toBeUndefined();
  });

  it('passes the 5xx on when no standby endpoint is available', async () => {
    const bad = await answering(500);
    const old = track(await okUpstream());
    const p = pool([bad.endpoint, standby(old)]);
    p.setHealthy(old.endpoint.host, old.endpoint.port, false);
    const { proxy, records } = await recordingProxy(p);
    expect((await send(proxy.port)).body).toBe('from 500');
    expect(old.seen.length).toBe(0);
    expect(await lastRecord(records, 1)).not.toHaveProperty('failures');
  });

  it('without standby endpoints retries only 502/503/504, as before', async () => {
    const bad = await answering(500);
    const busy = await answering(503);
    const good = track(await okUpstream());
    const fiveHundred = await recordingProxy(pool([bad.endpoint, good.endpoint]));
    expect((await send(fiveHundred.proxy.port)).body).toBe('from 500');
    expect(good.seen.length).toBe(0);
    const fiveOThree = await recordingProxy(pool([busy.endpoint, good.endpoint]));
    expect((await send(fiveOThree.proxy.port)).body).toBe('ok');
    expect((await lastRecord(fiveOThree.records, 1)).failures).toEqual([{ upstream: `127.0.0.1:${busy.port}`, status: 503 }]);
  });

  it('a 500 does not count against passive health: the new release keeps getting every first try', async () => {
    const bad = await answering(500);
    const old = track(await okUpstream());
    const { proxy } = await recordingProxy(pool([bad.endpoint, standby(old)], { passiveHealth: { maxFails: 2, failTimeoutMs: 60_000 } }));
    for (let i = 0; i < 6; i++) expect((await send(proxy.port)).status).toBe(200);
    expect([bad.seen.length, old.seen.length]).toEqual([6, 6]);
  });

  it('a 503 still counts against passive health while standby endpoints take its retries', async () => {
    const busy = await answering(503);
    const old = track(await okUpstream());
    const { proxy } = await recordingProxy(pool([busy.endpoint, standby(old)], { passiveHealth: { maxFails: 2, failTimeoutMs: 60_000 } }));
    for (let i = 0; i < 6; i++) expect((await send(proxy.port)).status).toBe(200);
    // Two failures took it out: the standby endpoint answered the rest directly.
    expect([busy.seen.length, old.seen.length]).toEqual([2, 6]);
  });
});

describe('failed tries in the request record', () => {
  it('has no failures key when the first try answered', async () => {
    const good = track(await okUpstream());
    const { proxy, records } = await recordingProxy(pool([good.endpoint]));
    await send(proxy.port);
    expect(Object.keys(await lastRecord(records, 1))).not.toContain('failures');
  });

  it('records a connect error as status 0, also for the try whose error is the answer', async () => {
    const dead = await deadPort();
    const good = track(await okUpstream());
    const retried = await recordingProxy(pool([{ host: '127.0.0.1', port: dead }, good.endpoint]));
    expect((await send(retried.proxy.port)).status).toBe(200);
    expect((await lastRecord(retried.records, 1)).failures).toEqual([{ upstream: `127.0.0.1:${dead}`, status: 0 }]);
    const alone = await recordingProxy(pool([{ host: '127.0.0.1', port: dead }]));
    expect((await send(alone.proxy.port)).status).toBe(502);
    expect(await lastRecord(alone.records, 1)).toMatchObject({ status: 502, failures: [{ upstream: `127.0.0.1:${dead}`, status: 0 }] });
  });

  it('records a response the upstream cut short as status 0', async () => {
    const cutter = track(await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    }));
    const { proxy, records } = await recordingProxy(pool([cutter.endpoint]));
    await send(proxy.port).catch(() => undefined);
    expect(await lastRecord(records, 1)).toMatchObject({ status: 200, failures: [{ upstream: `127.0.0.1:${cutter.port}`, status: 0 }] });
  });
});
