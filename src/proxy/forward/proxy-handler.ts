/*
 * The request entry point of the proxy, independent of the listening server (plain HTTP or TLS attach the same
 * handler): request id, route resolution, request checks, the middleware chain, forwarding, upgrades, parse
 * errors, and the observer record of every finished request.
 */
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createUpstreamAgent } from '../upstream/agent.js';
import { sendErrorResponse, writeRawError } from './error-response.js';
import { forwardRequest, type ForwardConfig } from './forward-request.js';
import { clientIpOf, hasDuplicateHost, requestIdFor, upstreamRequestHeaders } from './headers.js';
import { ProxyContext, type Middleware, type ProxyObserver, type ResolvedRoute, type ResolveRoute } from './proxy-context.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry-policy.js';
import { resolveTimeouts, type ProxyTimeouts } from './timeouts.js';
import { forwardUpgrade } from './upgrade.js';

export interface ProxyHandlerOptions {
  /** Maps a request to its route; undefined → 404. Called once per request. */
  readonly resolve: ResolveRoute;
  /** Run in order around forwarding; see `Middleware`. */
  readonly middlewares?: readonly Middleware[];
  readonly observer?: ProxyObserver;
  readonly timeouts?: Partial<ProxyTimeouts>;
  readonly retry?: Partial<RetryOptions>;
  /** Request body limit in bytes (413), checked on Content-Length and while streaming; 0 (default) = none. */
  readonly maxBodyBytes?: number;
  /** What this listener is, for X-Forwarded-Proto. */
  readonly proto?: 'http' | 'https';
  /** Upstream keep-alive agent; by default one tuned agent per handler (closed by `close()`). */
  readonly agent?: http.Agent;
  /**
   * Runs first for every request, before routing and the middlewares (e.g. ACME HTTP-01 challenges); returns true
   * when it has answered the request itself. Such requests are not seen by the observer.
   */
  readonly preRoute?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

const kCtx = Symbol('berth.context');
type TaggedResponse = ServerResponse & { [kCtx]?: ProxyContext; [kObserver]?: ProxyObserver };
const kObserver = Symbol('berth.observer');

/** Handles requests for one proxy listener. Its listeners are pre-bound: pass them to a server directly. */
export class ProxyHandler {
  readonly timeouts: ProxyTimeouts;
  private readonly config: ForwardConfig;
  private readonly resolve: ResolveRoute;
  private readonly middlewares: readonly Middleware[];
  private readonly observer: ProxyObserver | undefined;
  private readonly proto: 'http' | 'https';
  private readonly ownsAgent: boolean;
  private readonly upgraded = new Set<Socket>();
  private readonly preRoute: ProxyHandlerOptions['preRoute'];

  constructor(options: ProxyHandlerOptions) {
    this.timeouts = resolveTimeouts(options.timeouts);
    const retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(retry.maxTries >= 1)) throw new RangeError('retry.maxTries must be ≥ 1');
    this.ownsAgent = options.agent === undefined;
    this.config = {
      agent: options.agent ?? createUpstreamAgent(),
      timeouts: this.timeouts,
      retry,
      maxBodyBytes: options.maxBodyBytes ?? 0,
    };
    this.resolve = options.resolve;
    this.middlewares = options.middlewares ?? [];
    this.observer = options.observer;
    this.proto = options.proto ?? 'http';
    this.preRoute = options.preRoute;
  }

  /** Wires the handler and its client-side timeouts into a node:http (or https) server. */
  attach(server: http.Server): void {
    const t = this.timeouts;
    server.headersTimeout = t.clientHeadersMs;
    server.requestTimeout = t.clientRequestMs;
    server.keepAliveTimeout = t.keepAliveMs;
    server.timeout = t.clientIdleMs;
    server.on('request', this.handleRequest);
    server.on('upgrade', this.handleUpgrade);
    server.on('clientError', this.handleClientError);
  }

  /** Ends upgraded (WebSocket) connections: they have no request boundary to drain at. */
  closeTunnels(): void {
    for (const s of this.upgraded) s.destroy();
    this.upgraded.clear();
  }

  /** Ends upgraded connections and frees upstream sockets (the agent, when the handler made it). */
  close(): void {
    this.closeTunnels();
    if (this.ownsAgent) this.config.agent.destroy();
  }

  readonly handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.preRoute?.(req, res) === true) return;
    const requestId = requestIdFor(req);
    const clientIp = clientIpOf(req);
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
    const ctx = new ProxyContext(req, res, route, requestId, clientIp);
    if (this.observer !== undefined) {
      const tagged = res as TaggedResponse;
      tagged[kCtx] = ctx;
      tagged[kObserver] = this.observer;
      res.once('close', onResponseClose);
    }
    if (malformed || resolveFailed) {
      sendErrorResponse(res, malformed ? 400 : 500, requestId, malformed);
      return;
    }
    if (route === undefined) {
      sendErrorResponse(res, 404, requestId);
      return;
    }
    const max = this.config.maxBodyBytes;
    if (max > 0) {
      const cl = req.headers['content-length'];
      if (cl !== undefined && Number(cl) > max) {
        sendErrorResponse(res, 413, requestId, true);
        return;
      }
    }
    if (this.middlewares.length === 0) this.forward(ctx, undefined);
    else this.runChain(ctx);
  };

  readonly handleUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    const requestId = requestIdFor(req);
    const clientIp = clientIpOf(req);
    if (hasBadHost(req)) {
      writeRawError(socket, 400, requestId);
      return;
    }
    let route: ResolvedRoute | undefined;
    try {
      route = this.resolve(req);
    } catch {
      writeRawError(socket, 500, requestId);
      return;
    }
    if (route === undefined) {
      writeRawError(socket, 404, requestId);
      return;
    }
    this.upgraded.add(socket);
    const startHr = performance.now();
    forwardUpgrade({
      req,
      socket,
      head,
      route,
      info: { clientIp, proto: this.proto, requestId },
      timeouts: this.timeouts,
      retry: this.config.retry,
      onClose: (status, upstream, tries) => {
        this.upgraded.delete(socket);
        this.observer?.onRequestDone({
          requestId,
          method: req.method ?? 'GET',
          host: req.headers.host ?? '',
          path: req.url ?? '/',
          route: route.name,
          status,
          durationMs: performance.now() - startHr,
          upstream,
          tries,
          bytesIn: socket.bytesRead,
          bytesOut: socket.bytesWritten,
          clientIp,
        });
      },
    });
  };

  /** Malformed and smuggling-style requests (node's parser rejects them), slow headers, oversized headers. */
  readonly handleClientError = (err: NodeJS.ErrnoException, socket: Socket): void => {
    const message = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || message?.headersSent === true) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const requestId = randomUUID();
    writeRawError(socket, status, requestId);
    // The request could not be parsed: method, host and path are unknown.
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
      clientIp: (socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
    });
  };

  private forward(ctx: ProxyContext, onDone: (() => void) | undefined): void {
    const headers = upstreamRequestHeaders(ctx.req, {
      clientIp: ctx.clientIp,
      proto: this.proto,
      requestId: ctx.requestId,
    });
    forwardRequest(ctx, headers, this.config, onDone);
  }

  private runChain(ctx: ProxyContext): void {
    const mws = this.middlewares;
    let reached = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= reached) return Promise.reject(new Error('next() called twice by a middleware'));
      reached = i;
      const mw = mws[i];
      if (mw !== undefined) return mw(ctx, () => dispatch(i + 1));
      return new Promise<void>((resolve) => this.forward(ctx, resolve));
    };
    dispatch(0).catch(() => {
      if (!ctx.res.writableEnded) sendErrorResponse(ctx.res, 500, ctx.requestId);
    });
  }
}

/** RFC 9112 §3.2: HTTP/1.1 requires exactly one Host header (node:http's own check is off to answer with an id). */
function hasBadHost(req: IncomingMessage): boolean {
  return (req.headers.host === undefined && req.httpVersionMinor === 1) || hasDuplicateHost(req.rawHeaders);
}

function onResponseClose(this: TaggedResponse): void {
  const ctx = this[kCtx];
  const observer = this[kObserver];
  if (ctx === undefined || observer === undefined) return;
  const req = ctx.req;
  observer.onRequestDone({
    requestId: ctx.requestId,
    method: req.method ?? 'GET',
    host: req.headers.host ?? '',
    path: req.url ?? '/',
    route: ctx.route?.name,
    // 499 (nginx): the client closed the connection before any response was sent.
    status: this.headersSent ? this.statusCode : 499,
    durationMs: performance.now() - ctx.startHr,
    upstream: ctx.upstream,
    tries: ctx.tries,
    bytesIn: ctx.bytesIn,
    bytesOut: ctx.bytesOut,
    clientIp: ctx.clientIp,
  });
}
