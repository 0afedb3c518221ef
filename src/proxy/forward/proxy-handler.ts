/*
 * The request entry point of the proxy, independent of the listening server (plain TCP or TLS attach the same
 * handler): connections, request id, route resolution, request checks, the middleware chain, forwarding,
 * upgrades, unreadable requests, and the observer record of every finished request.
 */
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import tls from 'node:tls';
import { UpstreamConnections } from '../upstream/upstream-connections.js';
import { ClientConnection, type ConnectionHandler } from './client-connection.js';
import { Deadlines } from './deadlines.js';
import { sendErrorResponse, writeRawError } from './error-response.js';
import { Exchange, type ForwardConfig } from './exchange.js';
import { requestIdFrom } from './headers.js';
import type { IncomingRequest } from './incoming-request.js';
import type { OutgoingResponse } from './outgoing-response.js';
import {
  ProxyContext,
  type FailedTry,
  type Middleware,
  type ProxyObserver,
  type ProxyRequest,
  type ProxyResponse,
  type RequestRecord,
  type ResolvedRoute,
  type ResolveRoute,
} from './proxy-context.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import { resolveTimeouts, type ProxyTimeouts } from './timeouts.js';
import { forwardUpgrade } from './upgrade.js';

export interface ProxyHandlerOptions {
  /** Maps a request to its route; undefined → 404. Called once per request. */
  readonly resolve: ResolveRoute;
  /** Run in order around forwarding, for every request; see `Middleware`. */
  readonly middlewares?: readonly Middleware[];
  /** The chain of a route's own middlewares (undefined: none, the request goes straight to forwarding). */
  readonly routeMiddleware?: (route: ResolvedRoute) => Middleware | undefined;
  readonly observer?: ProxyObserver;
  readonly timeouts?: Partial<ProxyTimeouts>;
  readonly retry?: Partial<RetryOptions>;
  /** Request body limit in bytes (413), checked on Content-Length and while streaming; 0 (default) = none. */
  readonly maxBodyBytes?: number;
  /** Largest request (and upstream response) head; default 16 KiB (431 beyond). */
  readonly maxHeadBytes?: number;
  /** What this listener is, for X-Forwarded-Proto. */
  readonly proto?: 'http' | 'https';
  /** Upstream keep-alive connections; by default the handler's own (closed by `close()`). */
  readonly connections?: UpstreamConnections;
  /**
   * Runs first for every request, before routing and the middlewares (e.g. ACME HTTP-01 challenges); returns true
   * when it has answered the request itself. Such requests are not seen by the observer.
   */
  readonly preRoute?: (req: ProxyRequest, res: ProxyResponse) => boolean;
}

/** Handles the connections of one proxy listener. Its listeners are pre-bound: pass them to a server directly. */
export class ProxyHandler implements ConnectionHandler {
  readonly timeouts: ProxyTimeouts;
  readonly maxHeadBytes: number;
  private readonly config: ForwardConfig;
  private readonly resolve: ResolveRoute;
  private readonly middlewares: readonly Middleware[];
  private readonly routeMiddleware: ProxyHandlerOptions['routeMiddleware'];
  private readonly observer: ProxyObserver | undefined;
  private readonly ownsConnections: boolean;
  private readonly preRoute: ProxyHandlerOptions['preRoute'];
  private readonly clients = new Set<ClientConnection>();
  private readonly tunnels = new Set<Socket>();
  private readonly contexts = new WeakMap<OutgoingResponse, ProxyContext>();
  private readonly deadlines: Deadlines;
  private draining = false;

  constructor(options: ProxyHandlerOptions) {
    this.timeouts = resolveTimeouts(options.timeouts);
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(retry.maxTries >= 1)) throw new RangeError('retry.maxTries must be ≥ 1');
    this.maxHeadBytes = options.maxHeadBytes ?? 16 * 1024;
    this.ownsConnections = options.connections === undefined;
    this.config = {
      connections: options.connections ?? new UpstreamConnections(),
      timeouts: this.timeouts,
      retry,
      maxBodyBytes: options.maxBodyBytes ?? 0,
      proto: options.proto ?? 'http',
      maxHeadBytes: this.maxHeadBytes,
    };
    this.resolve = options.resolve;
    this.middlewares = options.middlewares ?? [];
    this.routeMiddleware = options.routeMiddleware;
    this.observer = options.observer;
    this.preRoute = options.preRoute;
    const t = this.timeouts;
    const shortest = Math.min(
      ...[t.connectMs, t.responseHeaderMs, t.idleMs, t.totalMs, t.clientHeadersMs, t.clientRequestMs, t.clientIdleMs, t.keepAliveMs].filter(
        (ms) => ms > 0,
      ),
    );
    this.deadlines = new Deadlines(Deadlines.tickFor(shortest));
  }

  /** Takes the connections of a plain TCP server, or the secure connections of a TLS server. */
  attach(server: Server): void {
    server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', this.handleConnection);
  }

  readonly handleConnection = (socket: Socket): void => {
    if (this.draining) {
      socket.destroy();
      return;
    }
    const conn = new ClientConnection(socket, this);
    this.clients.add(conn);
    this.deadlines.add(conn);
  };

  /** Connections open now (for tests and shutdown). */
  get connectionCount(): number {
    return this.clients.size;
  }

  /** Ends idle connections now and the others after their current response. */
  drain(): void {
    this.draining = true;
    for (const conn of this.clients) conn.drain();
  }

  /** Ends upgraded (WebSocket) connections: they have no request boundary to drain at. */
  closeTunnels(): void {
    for (const s of this.tunnels) s.destroy();
    this.tunnels.clear();
  }

  /** Cuts every connection and frees upstream sockets (the pool, when the handler made it). */
  close(): void {
    this.draining = true;
    this.closeTunnels();
    for (const conn of this.clients) conn.destroy();
    this.deadlines.stop();
    if (this.ownsConnections) this.config.connections.close();
  }

  connectionClosed(conn: ClientConnection): void {
    this.clients.delete(conn);
    this.deadlines.delete(conn);
  }

  request(conn: ClientConnection, req: IncomingRequest, res: OutgoingResponse, upgrade: boolean): void {
    if (this.preRoute?.(req, res) === true) return;
    const requestId = requestIdFrom(req.header('x-request-id'));
    const malformed = hasBadHost(req);
    let route: ResolvedRoute | undefined;
    let resolveFailed = false;
    if (!malformed) {
      try {
        route = this.resolve(req);
      } catch {
        // A resolver bug must cost one request, not the process.
        resolveFailed = true;
      }
    }
    const ctx = new ProxyContext(req, res, route, requestId, conn.remoteAddress);
    if (this.observer !== undefined) this.contexts.set(res, ctx);
    if (malformed || resolveFailed) {
      sendErrorResponse(res, malformed ? 400 : 500, requestId, malformed);
      return;
    }
    if (route === undefined) {
      sendErrorResponse(res, 404, requestId);
      return;
    }
    const max = route.maxBodyBytes ?? this.config.maxBodyBytes;
    if (max > 0) {
      const cl = req.header('content-length');
      if (cl !== undefined && Number(cl) > max) {
        sendErrorResponse(res, 413, requestId, true);
        return;
      }
    }
    const own = this.routeMiddleware?.(route);
    if (this.middlewares.length === 0 && own === undefined) this.forward(ctx, conn, upgrade, undefined);
    else this.runChain(ctx, conn, upgrade, own);
  }

  badRequest(conn: ClientConnection, status: number): void {
    const requestId = randomUUID();
    writeRawError(conn.socket, status, requestId);
    // The request could not be read: method, host and path are unknown.
    this.observer?.onRequestDone({
      requestId,
      method: '',
      host: '',
      path: '',
      route: undefined,
      status,
      durationMs: 0,
      upstream: undefined,
      tries: 0,
      bytesIn: 0,
      bytesOut: 0,
      clientIp: conn.remoteAddress,
    });
  }

  requestDone(_conn: ClientConnection, req: IncomingRequest, res: OutgoingResponse): void {
    const ctx = this.contexts.get(res);
    if (ctx === undefined || this.observer === undefined) return;
    this.contexts.delete(res);
    const record: RequestRecord = {
      requestId: ctx.requestId,
      method: req.method,
      host: req.host ?? '',
      path: req.url,
      route: ctx.route?.name,
      // 499 (nginx): the client closed the connection before any response was sent.
      status: res.headersSent ? res.statusCode : 499,
      durationMs: performance.now() - ctx.startHr,
      upstream: ctx.upstream,
      tries: ctx.tries,
      bytesIn: ctx.bytesIn,
      bytesOut: ctx.bytesOut,
      clientIp: ctx.clientIp,
    };
    this.observer.onRequestDone(withFailures(record, ctx.failures));
  }

  private forward(ctx: ProxyContext, conn: ClientConnection, upgrade: boolean, onDone: (() => void) | undefined): void {
    if (upgrade) this.upgrade(ctx, conn, onDone);
    else new Exchange(ctx, conn, this.config, onDone).start();
  }

  private upgrade(ctx: ProxyContext, conn: ClientConnection, onDone: (() => void) | undefined): void {
    const req = ctx.req as IncomingRequest;
    const socket = conn.socket;
    const head = conn.detach();
    this.contexts.delete(ctx.res as OutgoingResponse);
    this.tunnels.add(socket);
    forwardUpgrade({
      req,
      socket,
      head,
      route: ctx.route as ResolvedRoute,
      info: { clientIp: ctx.clientIp, proto: this.config.proto, requestId: ctx.requestId },
      timeouts: this.timeouts,
      retry: this.config.retry,
      onClose: (status, upstream, tries, failures) => {
        this.tunnels.delete(socket);
        onDone?.();
        this.observer?.onRequestDone(withFailures({
          requestId: ctx.requestId,
          method: req.method,
          host: req.host ?? '',
          path: req.url,
          route: ctx.route?.name,
          status,
          durationMs: performance.now() - ctx.startHr,
          upstream,
          tries,
          bytesIn: socket.bytesRead,
          bytesOut: socket.bytesWritten,
          clientIp: ctx.clientIp,
        }, failures));
      },
    });
  }

  private runChain(ctx: ProxyContext, conn: ClientConnection, upgrade: boolean, own: Middleware | undefined): void {
    const mws = own === undefined ? this.middlewares : [...this.middlewares, own];
    let reached = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= reached) return Promise.reject(new Error('next() called twice by a middleware'));
      reached = i;
      const mw = mws[i];
      if (mw !== undefined) return mw(ctx, () => dispatch(i + 1));
      return new Promise<void>((resolve) => this.forward(ctx, conn, upgrade, resolve));
    };
    dispatch(0).catch(() => {
      if (!ctx.res.writableEnded) sendErrorResponse(ctx.res, 500, ctx.requestId);
    });
  }
}

/** The record with its failed tries; the usual record, without any, stays as it is (no `failures` key). */
function withFailures(record: RequestRecord, failures: readonly FailedTry[] | undefined): RequestRecord {
  return failures === undefined || failures.length === 0 ? record : { ...record, failures };
}

/** RFC 9112 §3.2: HTTP/1.1 requires exactly one Host header. */
function hasBadHost(req: IncomingRequest): boolean {
  const names = req.head.lowerNames;
  const first = names.indexOf('host');
  if (first < 0) return req.httpVersionMinor === 1;
  return names.indexOf('host', first + 1) >= 0;
}
