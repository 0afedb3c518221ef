import net from 'node:net';
import { BerthError } from '../../../errors.js';
import type { Endpoint } from '../../runtime.js';

export interface TcpForwarderOptions {
  /** Where to listen (a service's virtual address and container port, or a published host port). */
  readonly host: string;
  /** 0 = any free port (read it back from `port` after `start`). */
  readonly port: number;
  /** The replicas to forward to, asked again for every connection (only running ones). */
  readonly backends: () => readonly Endpoint[];
  /** How long one connection attempt to a replica may take before the next one is tried. */
  readonly connectTimeoutMs?: number;
  /** What this forwarder is for, in error messages (`service web, port 8000`). */
  readonly label?: string;
  /** What to do when the port is taken (default: stop whatever uses it or pick another host port). */
  readonly inUseHint?: string;
}

/**
 * An L4 (TCP) forwarder: accepts connections and pipes each one to a backend chosen round-robin. A backend that
 * refuses (or does not answer in time) is skipped and the next one is tried, once each; a client for which no
 * backend connects is closed. Half-closes pass through. `close()` stops listening and drops open connections.
 */
export class TcpForwarder {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private next = 0;

  constructor(private readonly options: TcpForwarderOptions) {}

  /** The port listened on (the kernel's choice when `port` was 0). */
  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : this.options.port;
  }

  async start(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(this.listenError(error)));
      server.listen({ host: this.options.host, port: this.options.port, exclusive: true }, () => resolve());
    });
    server.on('error', () => undefined);
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const backends = this.options.backends();
    const start = this.next;
    this.next = backends.length === 0 ? 0 : (this.next + 1) % backends.length;
    void this.connect(backends, start, client);
  }

  private async connect(backends: readonly Endpoint[], start: number, client: net.Socket): Promise<void> {
    for (let attempt = 0; attempt < backends.length; attempt += 1) {
      const backend = backends[(start + attempt) % backends.length] as Endpoint;
      const upstream = await this.dial(backend);
      if (client.destroyed) {
        upstream?.destroy();
        return;
      }
      if (upstream) {
        this.pipe(client, upstream);
        return;
      }
    }
    client.destroy();
  }

  private dial(backend: Endpoint): Promise<net.Socket | undefined> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: backend.host, port: backend.port, allowHalfOpen: true });
      const timer = setTimeout(() => fail(), this.options.connectTimeoutMs ?? 3000);
      const fail = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(undefined);
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }

  private pipe(client: net.Socket, upstream: net.Socket): void {
    this.track(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    client.on('error', drop);
    // A side that is fully closed gets the other side ended (not destroyed: data still buffered is delivered).
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private listenError(error: NodeJS.ErrnoException): Error {
    const where = `${this.options.host}:${this.options.port}`;
    const what = this.options.label ? ` (${this.options.label})` : '';
    if (error.code === 'EADDRINUSE') {
      return new BerthError('RUNTIME_PORT_IN_USE', `cannot listen on ${where}${what}: the port is already in use`, {
        hint: this.options.inUseHint ?? 'stop whatever uses it (`ss -ltnp` shows it), or publish the service on another host port', cause: error,
      });
    }
    return new BerthError('RUNTIME_PORT_IN_USE', `cannot listen on ${where}${what}: ${error.code ?? error.message}`, {
      hint: error.code === 'EADDRNOTAVAIL' ? 'the address is not configured on this host; use 0.0.0.0 or 127.0.0.1' : 'check the address and port', cause: error,
    });
  }
}
