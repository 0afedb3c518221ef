/*
 * Test support for the proxy suites (not a test file): real upstream servers on 127.0.0.1 port 0 that can be
 * killed and brought back on the same port, a proxy started in front of them, and small HTTP clients.
 */
import http, { type IncomingHttpHeaders, type RequestListener } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { HttpProxyServer, type HttpProxyServerOptions } from '../http-proxy-server.js';
import { UpstreamPool, type UpstreamPoolOptions } from '../upstream/pool.js';

export class TestUpstream {
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** Requests this upstream received (headers included). */
  readonly seen: http.IncomingMessage[] = [];

  constructor(private readonly handler: RequestListener) {}

  async start(port = this.port): Promise<this> {
    const server = http.createServer((req, res) => {
      this.seen.push(req);
      this.handler(req, res);
    });
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  get endpoint(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Like SIGKILL of a replica: stop listening and reset every open connection. */
  async kill(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.resetAndDestroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.kill();
  }
}

export function upstream(handler: RequestListener): Promise<TestUpstream> {
  return new TestUpstream(handler).start();
}

/** An upstream that answers 200 with its own port in `x-upstream-port` and the body `ok`. */
export function okUpstream(): Promise<TestUpstream> {
  const u = new TestUpstream((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'x-upstream-port': String(u.port) }).end('ok'));
  });
  return u.start();
}

/** A port with nothing listening (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export function pool(endpoints: readonly { host: string; port: number; weight?: number }[], options: Partial<UpstreamPoolOptions> = {}): UpstreamPool {
  return new UpstreamPool({ name: 'test', endpoints, ...options });
}

/** A proxy on 127.0.0.1:0 that sends every request to `p` (path unchanged) unless `resolve` is given. */
export async function startProxy(
  p: UpstreamPool,
  options: Partial<HttpProxyServerOptions> = {},
): Promise<HttpProxyServer> {
  const proxy = new HttpProxyServer({
    host: '127.0.0.1',
    port: 0,
    closeGraceMs: 200,
    resolve: (req) => ({ pool: p, forwardPath: req.url ?? '/', name: 'test' }),
    ...options,
  });
  await proxy.start();
  return proxy;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
  readonly agent?: http.Agent | false;
}

export function send(port: number, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes `raw` on a new connection and returns everything the server sends until it closes (or `deadlineMs`). */
export function sendRaw(port: number, raw: string, deadlineMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(raw));
    let data = '';
    const timer = setTimeout(() => c.destroy(), deadlineMs);
    c.on('data', (d: Buffer) => (data += d.toString('latin1')));
    c.on('error', () => undefined);
    c.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** Polls `cond` until true; throws after `deadlineMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, deadlineMs = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
