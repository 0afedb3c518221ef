import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Stack } from '../model/stack.js';
import { loadStack } from '../spec/load.js';
import { defaultProjectOptions } from '../spec/project-options.js';
import { EdgeProxy } from './edge-proxy.js';
import type { EdgeTls } from './tls/edge-tls.js';
import { makeTestCertificate, type TestCertificate } from './tls/test-certificates.js';

let dir: string;
let shop: TestCertificate;
let other: TestCertificate;
let upstream: http.Server;
let upstreamPort: number;
let proxy: EdgeProxy | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-edge-proxy-'));
  shop = await makeTestCertificate(dir, { file: 'shop', names: ['shop.test'] });
  other = await makeTestCertificate(dir, { file: 'other', names: ['other.test'] });
  upstream = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, proto: req.headers['x-forwarded-proto'], host: req.headers.host }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A stack loaded from a compose file in its own folder under `dir`; certificate paths relative to the project. */
async function stackWith(name: string, tls: string | undefined, middlewares = '{}'): Promise<Stack> {
  const project = await mkdtemp(path.join(dir, `${name}-`));
  const yaml = [
    `name: ${name}`,
    'services:',
    '  web:',
    '    image: example/web',
    '    x-berth:',
    '      routes: [{host: [shop.test, other.test], port: 3000}]',
    `      middlewares: ${middlewares}`,
    ...(tls === undefined ? [] : ['x-berth:', `  tls: ${tls}`]),
    '',
  ].join('\n');
  await writeFile(path.join(project, 'compose.yml'), yaml);
  return loadStack(defaultProjectOptions({ workingDirectory: project, environment: { HOME: '/home/user' } })).stack;
}

function relative(file: string): string {
  return path.join('..', path.basename(file));
}

/** Processes serving connections in the tests that run both ways (1: the proxy's own process). */
let workers = 1;
const TSX = import.meta.resolve('tsx');

function newProxy(log: Logger = silentLogger): EdgeProxy {
  return new EdgeProxy({
    httpPort: 0, httpsPort: 0, host: '127.0.0.1', adminPort: 0,
    accessLogFile: path.join(dir, 'access.log'), tlsStateDir: path.join(dir, 'tls-state'), log,
    workers, workerExecArgv: ['--import', TSX],
  });
}

async function startProxy(stack: Stack): Promise<EdgeProxy> {
  const started = newProxy();
  proxy = started;
  await started.start();
  await started.applyStack(stack);
  started.updateReplicas([{ service: 'web', ready: true, endpoints: { 3000: { host: '127.0.0.1', port: upstreamPort } } }]);
  return started;
}

interface Reply { readonly status: number; readonly body: { url?: string; proto?: string; host?: string }; readonly peerCertificateCn?: string }

function get(url: string, options: { readonly servername?: string; readonly host: string; readonly ca?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const agent = secure ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
    const req = (secure ? https : http).get(url, {
      agent, headers: { host: options.host }, timeout: 5_000,
      ...(secure ? { servername: options.servername ?? options.host, ca: options.ca } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      const socket = res.socket as { getPeerCertificate?: () => { subject?: { CN?: string } } };
      const cn = socket.getPeerCertificate?.().subject?.CN;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        agent.destroy();
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) as Reply['body'] : {}, ...(cn ? { peerCertificateCn: cn } : {}) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (error) => {
      agent.destroy();
      reject(error);
    });
  });
}

function getText(url: string, host: string): Promise<{ status: number; text: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive: false });
    const req = http.get(url, { agent, headers: { host }, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        agent.destroy();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ...(location ? { location } : {}) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (error) => {
      agent.destroy();
      reject(error);
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const SHOP_TLS = () => `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(shop.keyFile)}}]}`;

// The same behaviour whether the daemon serves connections itself or hands them to worker processes.
describe.each([1, 2])('EdgeProxy with %i serving process(es)', (count) => {
  beforeAll(() => {
    workers = count;
  });
  afterAll(() => {
    workers = 1;
  });

  describe('EdgeProxy with TLS', () => {
    it('serves HTTPS with the file certificate chosen by SNI (X-Forwarded-Proto https), and HTTP as before', async () => {
      const stack = await stackWith('tls-one', `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(shop.keyFile)}}, {cert: ${relative(other.certFile)}, key: ${relative(other.keyFile)}}]}`);
      const edge = await startProxy(stack);
      expect(edge.httpsPort).toBeGreaterThan(0);

      const secure = await get(`https://127.0.0.1:${edge.httpsPort}/cart?x=1`, { host: 'shop.test', ca: shop.cert });
      expect(secure).toEqual({ status: 200, body: { url: '/cart?x=1', proto: 'https', host: 'shop.test' }, peerCertificateCn: 'shop.test' });

      const second = await get(`https://127.0.0.1:${edge.httpsPort}/`, { host: 'other.test', ca: other.cert });
      expect(second).toEqual({ status: 200, body: { url: '/', proto: 'https', host: 'other.test' }, peerCertificateCn: 'other.test' });

      const plain = await get(`http://127.0.0.1:${edge.httpPort}/`, { host: 'shop.test' });
      expect(plain).toEqual({ status: 200, body: { url: '/', proto: 'http', host: 'shop.test' } });
      expect((await get(`http://127.0.0.1:${edge.httpPort}/`, { host: 'nowhere.test' })).status).toBe(404);
    });

    it('rejects a stack whose certificate file is bad and keeps the old configuration serving', async () => {
      const edge = await startProxy(await stackWith('tls-good', `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(shop.keyFile)}}]}`));
      const bad = await stackWith('tls-bad', `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(other.keyFile)}}]}`);
      await expect(edge.applyStack(bad)).rejects.toMatchObject({ code: 'SPEC_BERTH', path: 'x-berth.tls.certificates[0]' });
      const missing = await stackWith('tls-missing', '{certificates: [{cert: nope.crt, key: nope.key}]}');
      await expect(edge.applyStack(missing)).rejects.toMatchObject({ code: 'SPEC_BERTH' });

      const secure = await get(`https://127.0.0.1:${edge.httpsPort}/still`, { host: 'shop.test', ca: shop.cert });
      expect(secure).toEqual({ status: 200, body: { url: '/still', proto: 'https', host: 'shop.test' }, peerCertificateCn: 'shop.test' });
      expect((await get(`http://127.0.0.1:${edge.httpPort}/still`, { host: 'shop.test' })).status).toBe(200);
    });

    it('answers ACME HTTP-01 challenges on the HTTP listener before routing and the https redirect', async () => {
      const edge = await startProxy(await stackWith('tls-redirect', `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(shop.keyFile)}}]}`, '{https_redirect: true}'));
      // The responder is EdgeTls's; an ACME order would set the token the same way.
      const tls = (edge as unknown as { tls: EdgeTls }).tls;
      tls.responder.set('token-1', 'token-1.thumbprint');
      const challenge = await getText(`http://127.0.0.1:${edge.httpPort}/.well-known/acme-challenge/token-1`, 'shop.test');
      expect(challenge).toEqual({ status: 200, text: 'token-1.thumbprint' });
      // A token berth does not hold is the app's own: it goes through (the redirect lets challenge paths pass).
      expect(await get(`http://127.0.0.1:${edge.httpPort}/.well-known/acme-challenge/unknown`, { host: 'shop.test' })).toEqual({
        status: 200, body: { url: '/.well-known/acme-challenge/unknown', proto: 'http', host: 'shop.test' },
      });
      const redirect = await getText(`http://127.0.0.1:${edge.httpPort}/cart?x=1`, 'shop.test');
      expect(redirect).toEqual({ status: 308, text: '', location: `https://shop.test:${edge.httpsPort}/cart?x=1` });
      const secure = await get(`https://127.0.0.1:${edge.httpsPort}/cart`, { host: 'shop.test', ca: shop.cert });
      expect(secure.status).toBe(200);
    });

    it('does not open an HTTPS listener for a stack without tls', async () => {
      const project = await mkdtemp(path.join(dir, 'plain-'));
      await writeFile(path.join(project, 'compose.yml'), 'services:\n  web:\n    image: example/web\n    x-berth:\n      routes: [{host: shop.test, port: 3000}]\n');
      const edge = await startProxy(loadStack(defaultProjectOptions({ workingDirectory: project, environment: { HOME: '/home/user' } })).stack);
      expect(edge.httpsPort).toBe(0);
      expect((await get(`http://127.0.0.1:${edge.httpPort}/`, { host: 'shop.test' })).body.proto).toBe('http');
    });
  });


  describe('EdgeProxy HTTPS listener follows the stack', () => {
    it('closes the HTTPS listener when a stack drops TLS, and opens one again when TLS comes back', async () => {
      const edge = await startProxy(await stackWith('tls-on', SHOP_TLS()));
      const first = edge.httpsPort;
      expect((await get(`https://127.0.0.1:${first}/`, { host: 'shop.test', ca: shop.cert })).status).toBe(200);

      expect(await edge.applyStack(await stackWith('tls-off', undefined))).toEqual([]);
      expect(edge.httpsPort).toBe(0);
      expect(await listening(first)).toBe(false);
      expect((await get(`http://127.0.0.1:${edge.httpPort}/`, { host: 'shop.test' })).body.proto).toBe('http');

      await edge.applyStack(await stackWith('tls-again', SHOP_TLS()));
      expect(edge.httpsPort).toBeGreaterThan(0);
      const again = await get(`https://127.0.0.1:${edge.httpsPort}/back`, { host: 'shop.test', ca: shop.cert });
      expect(again).toEqual({ status: 200, body: { url: '/back', proto: 'https', host: 'shop.test' }, peerCertificateCn: 'shop.test' });
    });

    it('redirects to the HTTPS port of the listener that is up, after TLS was dropped and added again', async () => {
      const edge = await startProxy(await stackWith('redirect-on', SHOP_TLS(), '{https_redirect: true}'));
      await edge.applyStack(await stackWith('redirect-off', undefined, '{https_redirect: true}'));
      await edge.applyStack(await stackWith('redirect-again', SHOP_TLS(), '{https_redirect: true}'));
      const redirect = await getText(`http://127.0.0.1:${edge.httpPort}/x`, 'shop.test');
      expect(redirect.location).toBe(`https://shop.test:${edge.httpsPort}/x`);
    });

    it('says in the error that the old certificates keep serving when a new stack has a bad certificate file', async () => {
      const edge = await startProxy(await stackWith('kept-good', SHOP_TLS()));
      const missing = await stackWith('kept-missing', '{certificates: [{cert: nope.crt, key: nope.key}]}');
      const error: unknown = await edge.applyStack(missing).then(() => undefined, (caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'SPEC_BERTH', path: 'x-berth.tls.certificates[0].cert', message: expect.stringMatching(/^cannot read the certificate file .*nope\.crt: ENOENT$/) as unknown });
      expect((error as { hint?: string }).hint).toMatch(/^check the path .*; the edge proxy keeps serving its previous certificates and routes until a stack with good files is applied$/);
      expect((await get(`https://127.0.0.1:${edge.httpsPort}/`, { host: 'shop.test', ca: shop.cert })).status).toBe(200);
    });

    it('marks TLS warnings apart from route warnings', async () => {
      const edge = await startProxy(await stackWith('warn-tls', SHOP_TLS()));
      const warnings = await edge.applyStack(await stackWith('warn-tls-2', SHOP_TLS()));
      expect(warnings).toEqual([expect.objectContaining({ topic: 'tls', path: 'x-berth.tls', message: expect.stringContaining('no TLS certificate for other.test') as unknown })]);
    });
  });

  describe('EdgeProxy rate limits across stack changes', () => {
    const LIMIT = '{rate_limit: {requests: 2, period: 60}}';
    const status = async (edge: EdgeProxy): Promise<number> => (await get(`http://127.0.0.1:${edge.httpPort}/`, { host: 'shop.test' })).status;

    it('keeps counting a client across a swap to an equal route table, so reloads do not reset the limit', async () => {
      const edge = await startProxy(await stackWith('limit-1', undefined, LIMIT));
      expect([await status(edge), await status(edge)]).toEqual([200, 200]);
      await edge.applyStack(await stackWith('limit-2', undefined, LIMIT));
      expect(await status(edge)).toBe(429);
    });

    it('starts fresh buckets when the limit changes, and forgets the buckets of a route that went away', async () => {
      const edge = await startProxy(await stackWith('limit-a', undefined, LIMIT));
      expect([await status(edge), await status(edge), await status(edge)]).toEqual([200, 200, 429]);
      await edge.applyStack(await stackWith('limit-b', undefined, '{rate_limit: {requests: 3, period: 60}}'));
      expect([await status(edge), await status(edge), await status(edge), await status(edge)]).toEqual([200, 200, 200, 429]);
      await edge.applyStack(await stackWith('limit-none', undefined, '{}'));
      expect(await status(edge)).toBe(200);
      await edge.applyStack(await stackWith('limit-c', undefined, LIMIT));
      expect([await status(edge), await status(edge), await status(edge)]).toEqual([200, 200, 429]);
    });

    it('keeps the counts when a new stack is refused', async () => {
      const edge = await startProxy(await stackWith('limit-kept', undefined, LIMIT));
      expect([await status(edge), await status(edge)]).toEqual([200, 200]);
      await expect(edge.applyStack(await stackWith('limit-bad', '{certificates: [{cert: nope.crt, key: nope.key}]}', LIMIT))).rejects.toMatchObject({ code: 'SPEC_BERTH' });
      expect(await status(edge)).toBe(429);
    });
  });
});

describe('EdgeProxy close while a stack is being applied', () => {
  /** Records the ports the proxy says it listens on. */
  function portLog(): { log: Logger; ports: number[] } {
    const ports: number[] = [];
    const log: Logger = {
      ...silentLogger,
      info: (_message, fields) => {
        for (const value of [fields?.http, fields?.https, fields?.admin]) if (typeof value === 'number') ports.push(value);
      },
      child: () => log,
    };
    return { log, ports };
  }

  it('leaves no listener open and nothing unhandled, wherever in applyStack close() comes', async () => {
    const stack = await stackWith('closing', `{certificates: [{cert: ${relative(shop.certFile)}, key: ${relative(shop.keyFile)}}], acme: {directory: "https://127.0.0.1:1/directory"}}`);
    for (let turns = 0; turns < 12; turns += 1) {
      const { log, ports } = portLog();
      const edge = newProxy(log);
      proxy = edge; // closed again after the test (close is idempotent) should an expectation fail first
      await edge.start();
      const applied = edge.applyStack(stack).then(() => 'applied', (error: unknown) => (error as Error).message);
      for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
      await edge.close();
      expect(await applied).toMatch(/^(applied|the edge proxy was closed before the stack was applied)$/);
      expect(edge.httpsPort).toBe(0);
      expect(ports.length).toBeGreaterThanOrEqual(2); // http and admin at least
      for (const port of ports) expect(await listening(port)).toBe(false);
      await expect(edge.applyStack(stack)).rejects.toThrow('the edge proxy was closed before the stack was applied');
    }
  });

  it('closes the HTTPS listener that was being opened when close() came', async () => {
    const { log, ports } = portLog();
    const edge = newProxy(log);
    proxy = edge;
    await edge.start();
    const listen = net.Server.prototype.listen;
    let closing: Promise<void> | undefined;
    // The next listener to open is the HTTPS one: close() comes right after its listen() call, before it listens.
    const spy = vi.spyOn(net.Server.prototype, 'listen').mockImplementation(function (this: net.Server, ...args: unknown[]) {
      const result = (listen as (...a: unknown[]) => net.Server).apply(this, args);
      closing ??= edge.close();
      return result;
    });
    try {
      const applied = edge.applyStack(await stackWith('closing-listen', SHOP_TLS()));
      await expect(applied).rejects.toThrow('the edge proxy was closed before the stack was applied');
      await closing;
    } finally {
      spy.mockRestore();
    }
    expect(closing).toBeDefined();
    expect(ports).toHaveLength(3); // http, admin, and the HTTPS listener that came up during close()
    for (const port of ports) expect(await listening(port)).toBe(false);
  });

  it('rejects a stack queued behind one in flight when close() comes, and opens nothing for it', async () => {
    const { log, ports } = portLog();
    const edge = newProxy(log);
    proxy = edge;
    await edge.start();
    const first = edge.applyStack(await stackWith('queued-1', undefined));
    const second = edge.applyStack(await stackWith('queued-2', SHOP_TLS()));
    const closing = edge.close();
    await first;
    await expect(second).rejects.toThrow('the edge proxy was closed before the stack was applied');
    await closing;
    expect(ports).toHaveLength(2); // http and admin: no HTTPS listener was opened for the queued stack
    for (const port of ports) expect(await listening(port)).toBe(false);
  });
});
