/*
 * Forwarding one request: pick an endpoint, send, stream both ways with backpressure, retry by the policy.
 * Hot path: listeners are module-level functions that find their exchange through a symbol on the emitter, so
 * a request allocates its exchange, its header object and node's own objects, and nothing per chunk.
 */
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoint } from '../upstream/endpoint.js';
import type { UpstreamPool } from '../upstream/pool.js';
import { sendErrorResponse } from './error-response.js';
import { clientResponseHeaders } from './headers.js';
import type { ProxyContext } from './proxy-context.js';
import { isRetryableStatus, mayRetry, type RetryOptions, type TryFailure } from './retry-policy.js';
import type { ProxyTimeouts } from './timeouts.js';
import {
  kEx,
  kReq,
  onClientClose,
  onClientData,
  onConnectTimeout,
  onHeaderTimeout,
  onSocketConnect,
  onTotalTimeout,
  onUpstreamBodyError,
  onUpstreamData,
  onUpstreamEnd,
  onUpstreamError,
  onUpstreamIdle,
  onUpstreamRequestSent,
  onUpstreamResponse,
  onUpstreamSocket,
  type Tagged,
  type TaggedSocket,
} from './exchange-events.js';

/** Settings shared by all exchanges of one proxy. */
export interface ForwardConfig {
  readonly agent: http.Agent;
  readonly timeouts: ProxyTimeouts;
  readonly retry: RetryOptions;
  /** Request body limit in bytes (413); 0 = none. */
  readonly maxBodyBytes: number;
}


/** True when the client request carries a body (a declared length > 0 or a transfer coding). */
export function requestHasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  if (cl !== undefined) return cl !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Forwards `ctx.req` to `ctx.route.pool` and answers `ctx.res`. `onDone` runs once when the exchange is over
 * (response finished or abandoned); the caller tracks the response's `close` for logging.
 */
export function forwardRequest(
  ctx: ProxyContext,
  headers: OutgoingHttpHeaders,
  config: ForwardConfig,
  onDone?: () => void,
): void {
  new Exchange(ctx, headers, config, onDone).start();
}

/** One client request's way through the proxy, across its tries. Listeners live in exchange-events.ts. */
export class Exchange {
  private readonly pool: UpstreamPool;
  private readonly method: string;
  private readonly hasBody: boolean;
  private readonly tried: Endpoint[] = [];
  private endpoint: Endpoint | undefined;
  /** The try in flight; events of abandoned tries see a different value and are ignored. */
  private preq: ClientRequest | undefined;
  private connected = false;
  private bodyStarted = false;
  private responding = false;
  private finished = false;
  private pendingFailure: TryFailure | undefined;
  private lastStatus = 502;
  private connectTimer: NodeJS.Timeout | undefined;
  private headerTimer: NodeJS.Timeout | undefined;
  private totalTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ctx: ProxyContext,
    private readonly headers: OutgoingHttpHeaders,
    readonly config: ForwardConfig,
    private readonly onDone: (() => void) | undefined,
  ) {
    this.pool = (ctx.route as NonNullable<ProxyContext['route']>).pool;
    this.method = ctx.req.method ?? 'GET';
    this.hasBody = requestHasBody(ctx.req);
  }

  start(): void {
    const res = this.ctx.res as Tagged<http.ServerResponse>;
    res[kEx] = this;
    res.once('close', onClientClose);
    const total = this.config.timeouts.totalMs;
    if (total > 0) this.totalTimer = setTimeout(onTotalTimeout, total, this);
    this.attempt();
  }

  private attempt(picked?: Endpoint): void {
    const ep = picked ?? this.pool.pick(this.tried);
    if (ep === undefined) {
      this.fail(this.tried.length === 0 ? 503 : this.lastStatus);
      return;
    }
    const ctx = this.ctx;
    this.tried.push(ep);
    ctx.tries = this.tried.length;
    ctx.upstream = ep.key;
    this.endpoint = ep;
    this.connected = false;
    this.pendingFailure = undefined;
    this.pool.acquire(ep);
    const preq = http.request({
      host: ep.host,
      port: ep.port,
      method: this.method,
      path: (ctx.route as NonNullable<ProxyContext['route']>).forwardPath,
      headers: this.headers,
      agent: this.config.agent,
    }) as Tagged<ClientRequest>;
    preq[kEx] = this;
    this.preq = preq;
    preq.on('socket', onUpstreamSocket);
    preq.on('response', onUpstreamResponse);
    preq.on('error', onUpstreamError);
    preq.on('finish', onUpstreamRequestSent);
    const idle = this.config.timeouts.idleMs;
    if (idle > 0) preq.setTimeout(idle, onUpstreamIdle);
    // Without a body the request can be queued before the socket connects: nothing is lost if connecting fails.
    if (!this.hasBody) preq.end();
  }

  /** The socket is connected (new) or was taken from the keep-alive pool: the body may flow now. */
  connectedTo(preq: ClientRequest): void {
    if (preq !== this.preq) return;
    this.clearTimer('connect');
    this.connected = true;
    if (this.hasBody && !this.bodyStarted) {
      this.bodyStarted = true;
      const req = this.ctx.req as Tagged<IncomingMessage>;
      req[kEx] = this;
      req.on('data', onClientData);
      req.pipe(preq);
    }
  }

  startConnectTimer(preq: ClientRequest, socket: Socket): void {
    const ms = this.config.timeouts.connectMs;
    if (ms > 0) this.connectTimer = setTimeout(onConnectTimeout, ms, this, preq);
    const tagged = socket as TaggedSocket;
    tagged[kEx] = this;
    tagged[kReq] = preq;
    socket.once('connect', onSocketConnect);
  }

  startHeaderTimer(preq: ClientRequest): void {
    const ms = this.config.timeouts.responseHeaderMs;
    if (preq === this.preq && !this.responding && ms > 0 && this.headerTimer === undefined) {
      this.headerTimer = setTimeout(onHeaderTimeout, ms, this, preq);
    }
  }

  isCurrent(preq: ClientRequest): boolean {
    return preq === this.preq && !this.finished;
  }

  response(pres: IncomingMessage): void {
    const ep = this.endpoint as Endpoint;
    this.clearTimer('header');
    const status = pres.statusCode ?? 502;
    if (isRetryableStatus(status)) {
      this.pool.reportFailure(ep);
      this.lastStatus = status;
      // Only discard this answer when another endpoint will really be tried; otherwise it is the best one.
      const next = this.retryAllowed('status') ? this.pool.pick(this.tried) : undefined;
      if (next !== undefined) {
        // Drain the discarded answer so that its socket goes back to the keep-alive pool.
        pres.resume();
        this.endTry();
        this.attempt(next);
        return;
      }
    } else {
      this.pool.reportSuccess(ep);
    }
    this.responding = true;
    const res = this.ctx.res;
    const headers = clientResponseHeaders(pres.headers, this.ctx.requestId);
    const hooks = this.ctx.responseHooks;
    if (hooks !== undefined) for (const hook of hooks) hook(status, headers, this.ctx);
    res.writeHead(status, headers);
    const tagged = pres as Tagged<IncomingMessage>;
    tagged[kEx] = this;
    pres.on('data', onUpstreamData);
    pres.on('error', onUpstreamBodyError);
    pres.on('end', onUpstreamEnd);
    pres.pipe(res);
  }

  /** A try failed before the response started (error or one of our timers). */
  tryFailed(preq: ClientRequest, err: NodeJS.ErrnoException | undefined): void {
    if (this.responding) {
      // Headers are out: the client must see the response cut, not completed.
      this.finish();
      this.ctx.res.destroy();
      return;
    }
    const failure: TryFailure = this.pendingFailure ?? (this.connected ? 'reset' : 'connect');
    const ep = this.endpoint as Endpoint;
    // A keep-alive socket the upstream closed while idle says nothing about the upstream's health.
    const staleSocket = failure === 'reset' && preq.reusedSocket && err?.code === 'ECONNRESET';
    if (!staleSocket) this.pool.reportFailure(ep);
    this.lastStatus = failure === 'timeout' || (failure === 'connect' && this.pendingFailure === 'connect') ? 504 : 502;
    this.endTry();
    preq.destroy();
    if (this.retryAllowed(failure)) this.attempt();
    else this.fail(this.lastStatus);
  }

  /** Our own timers end a try by failing it first (so the error event that follows is ignored). */
  timeoutTry(preq: ClientRequest, failure: TryFailure): void {
    if (preq !== this.preq || this.finished) return;
    this.pendingFailure = failure;
    this.tryFailed(preq, undefined);
  }

  idle(preq: ClientRequest): void {
    if (!this.isCurrent(preq)) return;
    if (this.responding) {
      this.finish();
      preq.destroy();
      this.ctx.res.destroy();
      return;
    }
    this.timeoutTry(preq, this.connected ? 'timeout' : 'connect');
  }

  countIn(length: number): void {
    const ctx = this.ctx;
    ctx.bytesIn += length;
    const max = this.config.maxBodyBytes;
    if (max > 0 && ctx.bytesIn > max && !this.finished) this.tooLarge();
  }

  countOut(length: number): void {
    this.ctx.bytesOut += length;
  }

  upstreamEnded(): void {
    this.finish();
  }

  upstreamBodyFailed(): void {
    if (this.finished) return;
    this.finish();
    this.ctx.res.destroy();
  }

  clientClosed(): void {
    if (this.finished) return;
    // The client went away (or the response finished and this is its close): stop the upstream side.
    const preq = this.preq;
    const done = this.ctx.res.writableFinished;
    this.finish();
    if (!done && preq !== undefined) preq.destroy();
  }

  totalTimeout(): void {
    if (this.finished) return;
    const preq = this.preq;
    const responding = this.responding;
    this.fail(504);
    if (preq !== undefined) preq.destroy();
    if (responding) this.ctx.res.destroy();
  }

  private tooLarge(): void {
    const preq = this.preq;
    const req = this.ctx.req;
    if (preq !== undefined) req.unpipe(preq);
    this.fail(413, true);
    if (preq !== undefined) preq.destroy();
  }

  private retryAllowed(failure: TryFailure): boolean {
    return mayRetry(
      failure,
      {
        method: this.method,
        bodyStarted: this.bodyStarted,
        tries: this.tried.length,
        elapsedMs: performance.now() - this.ctx.startHr,
      },
      this.config.retry,
    );
  }

  /** Forget the try in flight: its late events are ignored from now on. */
  private endTry(): void {
    this.clearTimer('connect');
    this.clearTimer('header');
    const ep = this.endpoint;
    if (ep !== undefined) this.pool.release(ep);
    this.endpoint = undefined;
    this.preq = undefined;
  }

  private fail(status: number, close = false): void {
    const unreadBody = this.hasBody && !this.ctx.req.complete;
    this.finish();
    sendErrorResponse(this.ctx.res, status, this.ctx.requestId, close || unreadBody);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endTry();
    if (this.totalTimer !== undefined) clearTimeout(this.totalTimer);
    this.totalTimer = undefined;
    this.onDone?.();
  }

  private clearTimer(which: 'connect' | 'header'): void {
    if (which === 'connect') {
      if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
      this.connectTimer = undefined;
    } else {
      if (this.headerTimer !== undefined) clearTimeout(this.headerTimer);
      this.headerTimer = undefined;
    }
  }
}
