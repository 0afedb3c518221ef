import http from 'node:http';
import net from 'node:net';
import type { Endpoint } from '../runtime/runtime.js';

/** Polls `condition` until it holds; fails with `what` when `timeoutMs` passes first. For tests with real time. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface TestServer {
  readonly endpoint: Endpoint;
  /** Connections accepted so far, and how many are still open. */
  readonly connections: () => { readonly accepted: number; readonly open: number };
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0; `close` drops open connections too. */
export async function startHttpServer(handler: http.RequestListener): Promise<TestServer> {
  return listen(http.createServer(handler));
}

/** A real TCP server on 127.0.0.1, port 0, that accepts connections and says nothing. */
export async function startTcpServer(): Promise<TestServer> {
  return listen(net.createServer(() => undefined));
}

async function listen(server: net.Server): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (socket: net.Socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: { host: '127.0.0.1', port },
    connections: () => ({ accepted, open: sockets.size }),
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<Endpoint> {
  const server = await startTcpServer();
  await server.close();
  return server.endpoint;
}
