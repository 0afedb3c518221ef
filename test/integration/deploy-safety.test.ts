/*
 * What `berth deploy` does with a bad release, on real processes behind berth's edge proxy under a bounded load:
 * one that never passes health, one that answers 500 on 30% of requests, one 3× slower, a failing migration; and
 * long requests and an upgraded connection open across the switch.
 */
import net from 'node:net';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployStack, type DeployRun } from '../fixtures/deploy-stack/deploy-stack.js';
import { getRequests, mixedRequests, startLoad, summarize, type LoadRequest, type LoadSample } from '../support/load.js';

let stack: DeployStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** Runs `deploy` while a load of `request` goes through the proxy; the load goes on 1 s after the deploy ends. */
async function deployUnderLoad(s: DeployStack, args: readonly string[], env: Record<string, string>, request: (n: number) => LoadRequest): Promise<{ run: DeployRun; samples: readonly LoadSample[] }> {
  const load = startLoad({ port: s.port, concurrency: 16, rate: 150, durationMs: 90_000, request });
  try {
    await until(() => load.samples.length >= 50, 10_000);
    const run = await s.deploy(args, env);
    const ended = run.endedAt;
    await until(() => load.samples.some((x) => x.start > ended + 1000), 10_000);
    load.stop();
    return { run, samples: await load.done };
  } finally {
    load.stop();
  }
}

/**
 * How long after the watch began the rollback began, from the progress lines (`  0.6s ▶ app          watch: 8s`,
 * `  1.1s ▶ app          rollback: new release answered …`); undefined when either is missing.
 */
function rollbackAfterMs(stderr: string): number | undefined {
  const at = (phase: string): number | undefined => {
    const match = new RegExp(`^\\s*(\\d+\\.\\d)s ▶ app\\s+${phase}:`, 'm').exec(stderr);
    return match ? Number(match[1]) * 1000 : undefined;
  };
  const watch = at('watch');
  const rollback = at('rollback');
  return watch === undefined || rollback === undefined ? undefined : rollback - watch;
}

describe('berth deploy of a bad release', () => {
  it('never sends traffic to a release whose health check never passes, fails with the reason, and the old release keeps serving', { timeout: 90_000 }, async () => {
    stack = await DeployStack.start({ env: { HEALTH_TIMEOUT: '3s' } });
    const old = (await stack.get('/')).release;
    const { run, samples } = await deployUnderLoad(stack, ['app'], { APP_MODE: 'unhealthy' }, mixedRequests);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/DEPLOY_FAILED: release r\d+ failed: app: .*health/);
    expect(run.stderr).not.toMatch(/app\s+switch/);
    const summary = summarize(samples);
    expect(summary.failures, summary.firstFailures.join('\n')).toBe(0);
    expect(summary.releaseSequence).toEqual([old]);
    expect((await stack.get('/')).release).toBe(old);
    expect((await stack.ps()).filter((r) => r.service === 'app' && r.status === 'running').map((r) => r.release)).toEqual([old, old]);
    expect((await stack.releases()).find((r) => r.id === run.release)).toMatchObject({ status: 'failed' });
  });

  it('rolls back a release that answers 500 on 30% of requests inside the watch window, with no failed GET seen by clients', { timeout: 90_000 }, async () => {
    stack = await DeployStack.start();
    const old = (await stack.get('/')).release;
    const { run, samples } = await deployUnderLoad(stack, ['app', '--watch', '8s'], { APP_MODE: 'fail500' }, getRequests);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain('the previous release is serving');
    expect(run.stderr).toMatch(/app\s+rollback: .*5xx/);
    const after = rollbackAfterMs(run.stderr);
    expect(after, run.stderr).toBeDefined();
    expect(after).toBeLessThan(8000); // inside the watch window, not at its end
    const summary = summarize(samples);
    expect(summary.failures, summary.firstFailures.join('\n')).toBe(0);
    expect(summary.byRelease[run.release ?? '']).toBeGreaterThan(0); // it did take traffic: its 500s were retried on the old release
    expect(summary.releaseSequence).toEqual([old, run.release]);
    expect(samples.filter((s) => s.start > run.endedAt).every((s) => s.release === old)).toBe(true); // back on the old release
    expect((await stack.get('/')).release).toBe(old);
    expect((await stack.releases()).find((r) => r.id === run.release)).toMatchObject({ status: 'rolled-back' });
  });

  it('rolls back a release whose latency is 3 times the old one', { timeout: 90_000 }, async () => {
    stack = await DeployStack.start();
    const old = (await stack.get('/')).release;
    const { run, samples } = await deployUnderLoad(stack, ['app', '--watch', '8s'], { APP_MODE: 'slow' }, getRequests);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/app\s+rollback: .*(latency|p95)/i);
    expect(run.stderr).toContain('the previous release is serving');
    expect(rollbackAfterMs(run.stderr), run.stderr).toBeLessThan(8000);
    const summary = summarize(samples);
    expect(summary.failures, summary.firstFailures.join('\n')).toBe(0);
    expect(summary.byRelease[run.release ?? '']).toBeGreaterThan(0);
    expect((await stack.get('/')).release).toBe(old);
    expect((await stack.releases()).find((r) => r.id === run.release)).toMatchObject({ status: 'rolled-back' });
  });

  it('stops before any switch when the migration fails, and the old release keeps serving', { timeout: 90_000 }, async () => {
    stack = await DeployStack.start();
    const old = (await stack.get('/')).release;
    const { run, samples } = await deployUnderLoad(stack, ['app'], { MIGRATE_EXIT: '3', APP_VERSION: '2' }, mixedRequests);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/DEPLOY_FAILED: release r\d+ failed: migrate/);
    expect(run.stderr).not.toMatch(/app\s+(start|switch)/);
    const summary = summarize(samples);
    expect(summary.failures, summary.firstFailures.join('\n')).toBe(0);
    expect(summary.releaseSequence).toEqual([old]);
    expect((await stack.get('/')).body).toMatchObject({ release: old, version: '1' });
    expect((await stack.releases()).find((r) => r.id === run.release)?.status).toMatch(/^(failed|rolled-back)$/);
  });
});

describe('berth deploy with long connections open', () => {
  it('lets 5 s requests and an upgraded connection opened before the switch finish on the old release within the drain timeout', { timeout: 90_000 }, async () => {
    stack = await DeployStack.start({ env: { DRAIN_TIMEOUT: '10s', WATCH: '1s' } });
    const s = stack;
    const old = (await s.get('/')).release;
    const upgraded = await openUpgraded(s.port);
    expect(upgraded.release).toBe(old);
    expect(await upgraded.echo('before')).toBe('before');
    const long = Array.from({ length: 3 }, () => timedGet(s.port, '/slow?ms=5000'));
    const deploying = s.deploy(['app'], { APP_VERSION: '2' });
    let switchedAt = 0;
    await until(async () => {
      const now = await s.get('/');
      if (now.release === old) return false;
      switchedAt = Date.now();
      return true;
    }, 20_000);
    expect(await upgraded.echo('after the switch')).toBe('after the switch');
    const answers = await Promise.all(long);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.release).toBe(old);
      expect(answer.end).toBeGreaterThan(switchedAt); // they really were in flight across the switch
    }
    expect(await upgraded.echo('after the long requests')).toBe('after the long requests');
    const run = await deploying;
    expect(run.status, run.stderr).toBe(0);
    expect(run.endedAt).toBeGreaterThan(Math.max(...answers.map((a) => a.end))); // the drain waited for them
    await until(() => upgraded.closed, 15_000); // the old replica is gone at the end of the drain, and its connection with it
  });
});

interface Upgraded {
  readonly release: string | undefined;
  readonly closed: boolean;
  echo(text: string): Promise<string>;
}

/** Opens an upgraded (WebSocket-style) connection through the proxy; the app echoes raw bytes on it. */
function openUpgraded(port: number): Promise<Upgraded> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = '';
    let head: string | undefined;
    let closed = false;
    let waiter: (() => void) | undefined;
    socket.setTimeout(30_000, () => socket.destroy(new Error('upgraded connection idle for 30 s')));
    socket.on('error', (error) => { if (head === undefined) reject(error); });
    socket.on('close', () => { closed = true; waiter?.(); });
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (head === undefined) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        if (!/^HTTP\/1\.1 101/.test(head)) return reject(new Error(`no 101 through the proxy:\n${head}`));
        const release = /^x-release:\s*(\S+)/im.exec(head)?.[1];
        resolve({
          release,
          get closed() { return closed; },
          echo: (text) => new Promise((done, fail) => {
            buffered = '';
            waiter = () => {
              if (buffered.length >= text.length) { waiter = undefined; done(buffered); } else if (closed) { waiter = undefined; fail(new Error(`the upgraded connection closed; got ${JSON.stringify(buffered)}`)); }
            };
            socket.write(text);
          }),
        });
        return;
      }
      waiter?.();
    });
    socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  });
}

function timedGet(port: number, urlPath: string): Promise<{ status: number; release: string | undefined; end: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, release: res.headers['x-release'] as string | undefined, end: Date.now() }));
    });
    req.on('timeout', () => req.destroy(new Error(`${urlPath}: no answer within 30 s`)));
    req.on('error', reject);
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
