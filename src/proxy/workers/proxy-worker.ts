/*
 * The serving side of a proxy worker process: the same ProxyHandler as the in-process proxy, fed with client
 * sockets the primary accepted, and a ServingConfig rebuilt from the routes and endpoints the primary sends.
 * Request records go back to the primary in batches (it owns the access log and the metrics).
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { ProxyHandler } from '../forward/proxy-handler.js';
import type { ProxyObserver, RequestRecord } from '../forward/proxy-context.js';
import type { ProxyTimeouts } from '../forward/timeouts.js';
import type { TokenDecision } from '../middlewares/rate-limit.js';
import { ServingConfig } from '../serving-config.js';
import { Http01Responder } from '../tls/acme/http01-responder.js';
import { CertificateTable, certificateEntry, SniCertificates } from '../tls/sni.js';
import type { FromWorker, ToWorker } from './messages.js';

/** Records are sent when this many wait, or after `RECORD_FLUSH_MS`. */
const RECORD_BATCH = 512;
const RECORD_FLUSH_MS = 100;

/** How long a worker waits for the primary's rate-limit answer before deciding with its own buckets. */
const TOKEN_WAIT_MS = 1_000;

export class ProxyWorker implements ProxyObserver {
  private readonly pendingTokens = new Map<number, (decision: TokenDecision | undefined) => void>();
  private nextTokenId = 1;
  private readonly config = new ServingConfig((routeId, key) => this.askToken(routeId, key));
  private readonly responder = new Http01Responder();
  private readonly sni = new SniCertificates();
  private timeouts: Partial<ProxyTimeouts> | undefined;
  private maxBodyBytes = 0;
  private http: ProxyHandler | undefined;
  private https: { handler: ProxyHandler; server: tls.Server } | undefined;
  private records: RequestRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (message: FromWorker) => void,
    /** Called once a drain finished (the process exits then). */
    private readonly onDrained: () => void = () => undefined,
  ) {}

  receive(message: ToWorker, handle: unknown): void {
    switch (message.type) {
      case 'settings':
        this.timeouts = message.timeouts;
        this.maxBodyBytes = message.maxBodyBytes ?? 0;
        return;
      case 'routes':
        try {
          this.config.prepare(message.routes, message.httpsPort).commit();
        } catch (error) {
          this.send({ type: 'rejected', message: error instanceof Error ? error.message : String(error) });
        }
        return;
      case 'endpoints':
        for (const [key, endpoints] of message.pools) this.config.setEndpoints(key, endpoints);
        return;
      case 'certificates': {
        const entries = message.entries.map((entry) => certificateEntry({ ...entry, notAfter: new Date(entry.notAfter) }));
        this.sni.swap(CertificateTable.compile(entries, message.defaultId === undefined ? {} : { defaultId: message.defaultId }));
        return;
      }
      case 'challenges':
        this.responder.replace(message.tokens);
        return;
      case 'connection':
        this.serve(handle as Socket, message.listener);
        return;
      case 'drain':
        void this.drain(message.graceMs).then(() => this.onDrained());
        return;
      case 'token':
        this.pendingTokens.get(message.id)?.(message.decision);
        this.pendingTokens.delete(message.id);
        return;
      case 'in-flight':
        this.send({ type: 'in-flight', id: message.id, count: this.config.inFlight(message.upstreams) });
        return;
    }
  }

  private askToken(routeId: string, key: string): Promise<TokenDecision | undefined> {
    const id = this.nextTokenId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingTokens.delete(id);
        resolve(undefined);
      }, TOKEN_WAIT_MS);
      this.pendingTokens.set(id, (decision) => {
        clearTimeout(timer);
        resolve(decision);
      });
      this.send({ type: 'take-token', id, routeId, key });
    });
  }

  onRequestDone(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length >= RECORD_BATCH) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), RECORD_FLUSH_MS);
  }

  /** Sends the waiting records now. */
  flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.records.length === 0) return;
    const records = this.records;
    this.records = [];
    this.send({ type: 'records', records });
  }

  private serve(socket: Socket | undefined, listener: 'http' | 'https'): void {
    if (socket === undefined) return;
    if (listener === 'http') {
      this.http ??= this.handler('http');
      this.http.handleConnection(socket);
      return;
    }
    if (this.https === undefined) {
      const handler = this.handler('https');
      const server = tls.createServer({ ...this.sni.serverOptions(), noDelay: true });
      handler.attach(server);
      this.sni.attach(server);
      this.https = { handler, server };
    }
    this.https.server.emit('connection', socket);
  }

  private handler(proto: 'http' | 'https'): ProxyHandler {
    return new ProxyHandler({
      proto,
      resolve: (req) => this.config.resolve(req),
      routeMiddleware: (route) => this.config.routeMiddleware(route),
      observer: this,
      maxBodyBytes: this.maxBodyBytes,
      ...(this.timeouts === undefined ? {} : { timeouts: this.timeouts }),
      ...(proto === 'http' ? { preRoute: (req, res) => this.responder.handle(req, res) } : {}),
    });
  }

  /** Lets requests in flight finish (up to `graceMs`), sends the last records. */
  async drain(graceMs: number): Promise<void> {
    const handlers = [this.http, this.https?.handler].filter((h): h is ProxyHandler => h !== undefined);
    for (const handler of handlers) {
      handler.drain();
      handler.closeTunnels();
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && handlers.some((h) => h.connectionCount > 0)) await new Promise((r) => setTimeout(r, 20));
    for (const handler of handlers) handler.close();
    this.flush();
  }
}
