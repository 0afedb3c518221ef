import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { BerthError } from '../../errors.js';

/** What /healthz reports: 200 when ok, 503 otherwise; `detail` goes into the JSON body. */
export interface AdminHealth {
  readonly ok: boolean;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AdminServerOptions {
  readonly registry: Registry;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Loopback by default: metrics name hosts and replicas, so they are not published unless the user asks. */
  readonly host?: string;
  /** Defaults to always ok (the process answers, so the proxy is up). */
  readonly health?: () => AdminHealth;
}

/**
 * The proxy's admin port: `GET /metrics` (Prometheus exposition text of `registry`) and `GET /healthz`
 * (`{"status":"ok"}` or 503 `{"status":"unhealthy",...}`). Anything else is 404, other methods 405.
 * It serves no proxy traffic and shares nothing with it but the registry. `close()` is safe after a failed `start()`.
 */
export class AdminServer {
  private readonly server: Server;
  private listening = false;

  constructor(private readonly options: AdminServerOptions) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  /** Listens; resolves with the bound address. Fails with DAEMON_START when the port cannot be listened on. */
  async start(): Promise<{ host: string; port: number }> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(new BerthError('DAEMON_START', `the admin port ${host}:${this.options.port} cannot be listened on`, {
        cause: error, hint: 'pick another admin port or stop what uses it',
      }));
      this.server.once('error', onError);
      this.server.listen(this.options.port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.listening = true;
    const address = this.server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz') return send(res, req, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (path === '/healthz') {
      const health = this.options.health?.() ?? { ok: true };
      const body = JSON.stringify({ status: health.ok ? 'ok' : 'unhealthy', ...health.detail });
      return send(res, req, health.ok ? 200 : 503, 'application/json', `${body}\n`);
    }
    try {
      const text = await this.options.registry.metrics();
      send(res, req, 200, this.options.registry.contentType, text);
    } catch {
      send(res, req, 500, 'text/plain; charset=utf-8', 'metrics could not be collected\n');
    }
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
