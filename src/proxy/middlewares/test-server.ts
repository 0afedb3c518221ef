/*
 * Test support (not shipped code): runs a middleware chain on a real HTTP(S) server on 127.0.0.1:0 in front of a
 * stand-in forwarder that answers 200 `upstream` the way the real one answers (response hooks run over the
 * upstream's headers, then writeHead), and sends requests to it on fresh connections.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProxyContext } from '../forward/proxy-context.js';
import { makeTestCertificate } from '../tls/test-certificates.js';
import { chain, type Middleware } from './middleware.js';

export interface TestServer {
  readonly port: number;
  /** Requests that reached the stand-in forwarder. */
  readonly forwarded: ProxyContext[];
  send(options: TestRequest): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Serve https with this certificate (a self-signed one from makeTestCertificate). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** The stand-in upstream's response headers (before response hooks run over them). */
  readonly upstreamHeaders?: OutgoingHttpHeaders;
}

export interface TestRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let nextId = 0;

/** `x-test-client-ip` stands for the address the proxy would have seen; without it, the socket's. */
function contextFor(req: IncomingMessage, res: ServerResponse): ProxyContext {
  const header = req.headers['x-test-client-ip'];
  const ip = typeof header === 'string' ? header : (req.socket.remoteAddress ?? '');
  return new ProxyContext(req, res, undefined, `req-${(nextId += 1)}`, ip);
}

export async function serveMiddlewares(middlewares: readonly Middleware[], options: TestServerOptions = {}): Promise<TestServer> {
  const forwarded: ProxyContext[] = [];
  const run = chain(middlewares);
  const forward = async (ctx: ProxyContext): Promise<void> => {
    forwarded.push(ctx);
    ctx.upstream = '127.0.0.1:1';
    ctx.tries = 1;
    const headers: OutgoingHttpHeaders = { 'content-type': 'text/plain', ...options.upstreamHeaders };
    for (const hook of ctx.responseHooks ?? []) hook(200, headers, ctx);
    ctx.res.writeHead(200, headers).end('upstream');
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = contextFor(req, res);
    void run(ctx, () => forward(ctx));
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const secure = options.tls !== undefined;
  return {
    port,
    forwarded,
    send: (req) => send(port, req, secure),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One request on a fresh connection, Host `example.com` unless given; https accepts any certificate. */
export function send(port: number, options: TestRequest, secure = false): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const request = secure ? https.request : http.request;
    const req = request({
      host: '127.0.0.1', port, agent: false, method: options.method ?? 'GET', path: options.path ?? '/',
      headers: { host: 'example.com', ...options.headers }, signal: AbortSignal.timeout(10_000),
      ...(secure ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What `build` throws (for tests of option checks), or undefined. */
export function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A self-signed certificate for `example.com` in a temporary directory; `remove()` deletes the directory. */
export async function testCertificate(): Promise<{ cert: string; key: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'berth-middlewares-'));
  const made = await makeTestCertificate(dir, { file: 'edge', names: ['example.com'] });
  return { cert: made.cert, key: made.key, remove: () => rm(dir, { recursive: true, force: true }) };
}
