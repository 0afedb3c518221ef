import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { upstream, type TestUpstream } from './test-upstream.js';

const SIZE = 100 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const LIMIT = 50 * 1024 * 1024;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `size` bytes generated on demand (nothing held beyond one shared chunk). */
function generated(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, CHUNK.length);
      left -= n;
      this.push(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n));
    },
  });
}

interface ChildProxy {
  readonly port: number;
  ask(msg: 'reset' | 'peak'): Promise<{ base: number; peak?: number }>;
}

/** The proxy in its own process, so that its RSS is not mixed with the test's client and upstream. */
async function childProxy(u: TestUpstream): Promise<ChildProxy> {
  const file = fileURLToPath(new URL('./test-proxy-child.ts', import.meta.url));
  const child: ChildProcess = fork(file, [String(u.port)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  const next = (): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child proxy did not answer')), 20_000);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as Record<string, number>);
      });
    });
  const { port } = await next();
  // Warm up (parser, agent, JIT) so that the measurement sees the streaming, not first-request setup.
  for (let i = 0; i < 20; i++) {
    for (const method of ['GET', 'POST']) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: '/warm', agent: false }, (res) =>
          res.resume().on('end', resolve),
        );
        req.on('error', reject);
        if (method === 'POST') generated(1024 * 1024).pipe(req);
        else req.end();
      });
    }
  }
  return {
    port: port as number,
    ask: (msg) => {
      const answer = next();
      child.send(msg);
      return answer as Promise<{ base: number; peak?: number }>;
    },
  };
}

// 100 MB three hops in one run plus a child process start: generous on a loaded 2-core machine.
describe('streaming through the proxy', { timeout: 90_000 }, () => {
  it('streams a 100 MB download without holding it (proxy RSS growth < 50 MB)', async () => {
    const u = await upstream((req, res) => {
      // Answer once the request body (warm-up POSTs) is read, as a well-behaved server does.
      req.resume().on('end', () => {
        const size = req.url === '/warm' ? 1024 * 1024 : SIZE;
        res.writeHead(200, { 'content-length': String(size) });
        generated(size).pipe(res);
      });
    });
    cleanups.push(() => u.close());
    const proxy = await childProxy(u);
    await proxy.ask('reset');
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: proxy.port, path: '/big', agent: false }, (res) => {
          res.on('data', (c: Buffer) => (received += c.length));
          res.on('end', resolve);
          res.on('error', reject);
        })
        .on('error', reject);
    });
    const { base, peak } = await proxy.ask('peak');
    expect(received).toBe(SIZE);
    expect((peak as number) - base).toBeLessThan(LIMIT);
  });

  it('streams a 100 MB chunked upload without holding it (proxy RSS growth < 50 MB)', async () => {
    let received = 0;
    const u = await upstream((req, res) => {
      if (req.url === '/warm') return void req.resume().on('end', () => res.end('warm'));
      req.on('data', (c: Buffer) => (received += c.length));
      req.on('end', () => res.end(String(received)));
    });
    cleanups.push(() => u.close());
    const proxy = await childProxy(u);
    await proxy.ask('reset');
    let answer = '';
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/upload', agent: false }, (res) => {
        res.on('data', (c: Buffer) => (answer += c.toString()));
        res.on('end', resolve);
      });
      req.on('error', reject);
      generated(SIZE).pipe(req);
    });
    const { base, peak } = await proxy.ask('peak');
    expect(received).toBe(SIZE);
    expect(answer).toBe(String(SIZE));
    expect((peak as number) - base).toBeLessThan(LIMIT);
  });
});
