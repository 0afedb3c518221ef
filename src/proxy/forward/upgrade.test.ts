import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InFlight } from '../upstream/in-flight.js';
import type { RequestRecord } from './proxy-context.js';
import { deadPort, okUpstream, pool, sendRaw, startProxy, waitFor } from './test-upstream.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A minimal WebSocket echo server: hand-made handshake, then every byte the client sends comes back. */
async function wsEchoServer(): Promise<{ port: number; upgrades: http.IncomingMessage[] }> {
  const upgrades: http.IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((_req, res) => res.writeHead(426).end('upgrade required'));
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    upgrades.push(req);
    sockets.add(socket);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key'] as string}${GUID}`).digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    if (head.length > 0) socket.write(unmaskToServerFrame(head));
    socket.on('data', (d: Buffer) => socket.write(unmaskToServerFrame(d)));
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as AddressInfo).port, upgrades };
}

/** Client frames are masked; the echo turns one small masked text frame into an unmasked one. */
function unmaskToServerFrame(frame: Buffer): Buffer {
  const len = (frame[1] as number) & 0x7f;
  const mask = frame.subarray(2, 6);
  const payload = Buffer.from(frame.subarray(6, 6 + len));
  for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

function readFrameText(buf: Buffer): string {
  return buf.subarray(2, 2 + ((buf[1] as number) & 0x7f)).toString();
}

/** Opens a WebSocket through `port` and returns the socket and the handshake response head. */
function wsConnect(port: number, key: string): Promise<{ socket: Socket; head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `GET /chat HTTP/1.1\r\nHost: ws.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    let data = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      data = Buffer.concat([data, d]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ socket, head: data.subarray(0, end).toString(), rest: data.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', reject);
    cleanups.push(() => void socket.destroy());
  });
}

function nextData(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('data', resolve));
}

describe('WebSocket upgrade passthrough', () => {
  it('completes the handshake through the proxy and echoes frames both ways', async () => {
    const ws = await wsEchoServer();
    const records: RequestRecord[] = [];
    // The first endpoint refuses connections: the upgrade is retried on the next one.
    const p = pool([{ host: '127.0.0.1', port: await deadPort() }, { host: '127.0.0.1', port: ws.port }]);
    const proxy = await startProxy(p, { observer: { onRequestDone: (r) => records.push(r) } });
    cleanups.push(() => proxy.close());
    const key = randomBytes(16).toString('base64');
    const { socket, head } = await wsConnect(proxy.port, key);
    const expected = createHash('sha1').update(key + GUID).digest('base64');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(head).toContain(`Sec-WebSocket-Accept: ${expected}`);
    expect(ws.upgrades[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(ws.upgrades[0]!.headers.upgrade).toBe('websocket');
    for (const msg of ['hello', 'through the proxy', 'x'.repeat(100)]) {
      const reply = nextData(socket);
      socket.write(clientFrame(msg));
      expect(readFrameText(await reply)).toBe(msg);
    }
    socket.destroy();
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 101, tries: 2, upstream: `127.0.0.1:${ws.port}` });
  });

  it('counts an open tunnel as in flight on its endpoint until it closes, and records the try that failed first', async () => {
    const ws = await wsEchoServer();
    const dead = await deadPort();
    const inFlight = new InFlight();
    const records: RequestRecord[] = [];
    const p = pool([{ host: '127.0.0.1', port: dead }, { host: '127.0.0.1', port: ws.port }], { inFlight });
    const proxy = await startProxy(p, { observer: { onRequestDone: (r) => records.push(r) } });
    cleanups.push(() => proxy.close());
    const wsKey = `127.0.0.1:${ws.port}`;
    const { socket } = await wsConnect(proxy.port, randomBytes(16).toString('base64'));
    expect(inFlight.count([wsKey])).toBe(1);
    expect(inFlight.count([`127.0.0.1:${dead}`])).toBe(0);
    // Taken out of the pool (a deploy switched away from it): the open tunnel still counts.
    p.update([]);
    expect(inFlight.count([wsKey])).toBe(1);
    socket.destroy();
    await waitFor(() => inFlight.count([wsKey]) === 0, 5_000, 'the tunnel to be released');
    await waitFor(() => records.length === 1);
    expect(records[0]).toMatchObject({ status: 101, upstream: wsKey, failures: [{ upstream: `127.0.0.1:${dead}`, status: 0 }] });
  });

  it('passes a refused upgrade through and closes', async () => {
    const u = await okUpstream();
    cleanups.push(() => u.close());
    const proxy = await startProxy(pool([u.endpoint]));
    cleanups.push(() => proxy.close());
    const out = await sendRaw(
      proxy.port,
      'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: eA==\r\n\r\n',
    );
    expect(out.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(out.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('answers 502 with the request id when no endpoint accepts the upgrade, and 404 without a route', async () => {
    const proxy = await startProxy(pool([{ host: '127.0.0.1', port: await deadPort() }]));
    cleanups.push(() => proxy.close());
    const up = 'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Request-Id: ws-1\r\n\r\n';
    const out = await sendRaw(proxy.port, up);
    expect(out.startsWith('HTTP/1.1 502 ')).toBe(true);
    expect(out).toContain('request id: ws-1');
    const none = await startProxy(pool([]), { resolve: () => undefined });
    cleanups.push(() => none.close());
    expect((await sendRaw(none.port, up)).startsWith('HTTP/1.1 404 ')).toBe(true);
  });

  it('close() ends open WebSocket tunnels', async () => {
    const ws = await wsEchoServer();
    const proxy = await startProxy(pool([{ host: '127.0.0.1', port: ws.port }]));
    const { socket } = await wsConnect(proxy.port, randomBytes(16).toString('base64'));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await proxy.close();
    await closed;
  });
});
