/*
 * The edge proxy's listeners in the daemon's own process: a plain TCP server and, when there is TLS, a TLS server,
 * both served by ProxyHandlers that read the edge proxy's ServingConfig directly.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { ProxyObserver } from '../forward/proxy-context.js';
import { ProxyHandler, type ProxyHandlerOptions } from '../forward/proxy-handler.js';
import { closeGracefully, HttpProxyServer, listen } from '../http-proxy-server.js';
import type { ServingConfig } from '../serving-config.js';
import type { EdgeTls } from '../tls/edge-tls.js';
import type { ProxyListeners } from './proxy-listeners.js';

const CLOSE_GRACE_MS = 10_000;

export class InProcessListeners implements ProxyListeners {
  private http: HttpProxyServer | undefined;
  private https: { server: tls.Server; handler: ProxyHandler } | undefined;
  private tls: EdgeTls | undefined;

  constructor(
    private readonly serving: ServingConfig,
    private readonly observer: ProxyObserver,
  ) {}

  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  get httpsPort(): number {
    return (this.https?.server.address() as AddressInfo | null | undefined)?.port ?? 0;
  }

  async openHttp(port: number, host: string): Promise<void> {
    const server = new HttpProxyServer({
      ...this.handlerOptions(),
      port,
      host,
      closeGraceMs: CLOSE_GRACE_MS,
      // ACME HTTP-01 challenges are answered before routing (and before any https redirect).
      preRoute: (req, res) => this.tls?.responder.handle(req, res) ?? false,
    });
    await server.start();
    this.http = server;
  }

  async openHttps(port: number, host: string, edgeTls: EdgeTls): Promise<void> {
    const handler = new ProxyHandler({ ...this.handlerOptions(), proto: 'https' });
    const server = tls.createServer({ ...edgeTls.sni.serverOptions(), noDelay: true });
    handler.attach(server);
    edgeTls.sni.attach(server);
    try {
      await listen(server, port, host);
    } catch (error) {
      handler.close();
      throw error;
    }
    this.https = { server, handler };
  }

  async closeHttps(): Promise<void> {
    const https = this.https;
    this.https = undefined;
    if (https !== undefined) await closeGracefully(https.server, https.handler, CLOSE_GRACE_MS);
  }

  useTls(edgeTls: EdgeTls | undefined): void {
    this.tls = edgeTls;
  }

  configured(): void {
    // The handlers read the ServingConfig itself.
  }

  endpointsChanged(): void {
    // The pools are the ones the handlers use.
  }

  inFlight(upstreams: readonly string[]): Promise<number> {
    return Promise.resolve(this.serving.inFlight(upstreams));
  }

  async close(): Promise<void> {
    await Promise.all([this.http?.close(), this.closeHttps()]);
    this.http = undefined;
  }

  private handlerOptions(): ProxyHandlerOptions {
    return {
      resolve: (req) => this.serving.resolve(req),
      routeMiddleware: (route) => this.serving.routeMiddleware(route),
      observer: this.observer,
    };
  }
}
