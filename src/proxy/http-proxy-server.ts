/*
 * The plain-HTTP listener of the edge proxy: a TCP server whose connections the proxy handler serves.
 * start() listens; close() stops accepting, ends idle connections, lets in-flight requests finish within a grace
 * period, then cuts what is left (including WebSocket tunnels) and frees upstream sockets.
 */
import net, { type AddressInfo } from 'node:net';
import { ProxyHandler, type ProxyHandlerOptions } from './forward/proxy-handler.js';

export interface HttpProxyServerOptions extends ProxyHandlerOptions {
  /** Listen address; default 0.0.0.0. */
  readonly host?: string;
  /** Listen port; 0 picks a free one (see `port` after start). */
  readonly port: number;
  /** How long close() waits for in-flight requests; default 10 s. */
  readonly closeGraceMs?: number;
}

export class HttpProxyServer {
  readonly handler: ProxyHandler;
  private readonly server: net.Server;
  private readonly options: HttpProxyServerOptions;
  private listening = false;

  constructor(options: HttpProxyServerOptions) {
    this.options = options;
    this.handler = new ProxyHandler(options);
    this.server = net.createServer({ noDelay: true });
    this.handler.attach(this.server);
  }

  /** The bound port (after start). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    await listen(this.server, this.options.port, this.options.host ?? '0.0.0.0');
    this.listening = true;
  }

  async close(): Promise<void> {
    if (this.listening) {
      this.listening = false;
      await closeGracefully(this.server, this.handler, this.options.closeGraceMs ?? 10_000);
    }
    this.handler.close();
  }
}

/** Listens on `port`/`host`; rejects with the listen error (port in use, no permission). */
export async function listen(server: net.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Stops accepting, drains the handler's connections for up to `graceMs`, then cuts the rest. */
export async function closeGracefully(server: net.Server, handler: ProxyHandler, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  handler.drain();
  handler.closeTunnels();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([closed, expired]);
  clearTimeout(timer);
  handler.close();
  await closed;
}
