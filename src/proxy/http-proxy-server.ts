/*
 * The plain-HTTP listener of the edge proxy: a node:http server with the proxy handler attached.
 * start() listens; close() stops accepting, lets in-flight requests finish within a grace period, then cuts
 * what is left (including WebSocket tunnels) and frees upstream sockets.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
  private readonly server: http.Server;
  private readonly options: HttpProxyServerOptions;
  private listening = false;

  constructor(options: HttpProxyServerOptions) {
    this.options = options;
    this.handler = new ProxyHandler(options);
    const t = this.handler.timeouts;
    this.server = http.createServer({
      // Slow headers are checked on this interval; keep it well below the headers timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(t.clientHeadersMs / 4) || 1_000)),
      noDelay: true,
      // The handler checks Host itself, so that its 400 carries a request id and reaches the observer.
      requireHostHeader: false,
    });
    this.handler.attach(this.server);
  }

  /** The bound port (after start). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.listening = true;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (this.listening) {
      this.listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = this.options.closeGraceMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, grace);
      });
      this.handler.closeTunnels();
      await Promise.race([closed, expired]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    }
    this.handler.close();
  }
}
