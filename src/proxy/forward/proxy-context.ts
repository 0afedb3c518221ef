/*
 * What the proxy core shares with the helpers around it: the route a request resolved to, the per-request
 * context middlewares see, and the record the access log and metrics receive.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { UpstreamPool } from '../upstream/pool.js';

/** Where a request goes. Built by the routing layer; the core does not know how routes are matched. */
export interface ResolvedRoute {
  readonly pool: UpstreamPool;
  /** Path + query to send upstream (after any prefix strip). */
  readonly forwardPath: string;
  /** A name for logs and metrics (e.g. the service); optional. */
  readonly name?: string;
}

/** `resolve(req)`: undefined = no route (404). Called once per request; it must not throw. */
export type ResolveRoute = (req: IncomingMessage) => ResolvedRoute | undefined;

/**
 * The state of one request, shared by middlewares and the forwarder. Middlewares may set response headers with
 * `res.setHeader()` before calling `next()` (they are merged into the proxied response), or answer themselves
 * and not call `next()` (short-circuit).
 */
export class ProxyContext {
  /** Upstream `host:port` of the last try; undefined when no upstream was tried. */
  upstream: string | undefined = undefined;
  tries = 0;
  /** Request body bytes read from the client. */
  bytesIn = 0;
  /** Response body bytes received from the upstream and written to the client. */
  bytesOut = 0;
  /** `performance.now()` at arrival, for durations. */
  readonly startHr: number;
  /** Wall clock (ms since epoch) at arrival. */
  readonly startTime: number;
  /** See `onResponseHeaders`; undefined until a middleware registers one (the usual case costs nothing). */
  responseHooks: ResponseHeadersHook[] | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: ResolvedRoute | undefined,
    readonly requestId: string,
    readonly clientIp: string,
  ) {
    this.startHr = performance.now();
    this.startTime = Date.now();
  }

  /**
   * Registers a hook that sees (and may change) the upstream's status and headers just before they are sent to
   * the client — e.g. to override a header the upstream set. Not called for the proxy's own error answers (set
   * headers with `res.setHeader()` before `next()` for those).
   */
  onResponseHeaders(hook: ResponseHeadersHook): void {
    (this.responseHooks ??= []).push(hook);
  }
}

/** Mutates `headers` in place; `status` is the upstream's. */
export type ResponseHeadersHook = (status: number, headers: OutgoingHttpHeaders, ctx: ProxyContext) => void;

/** Koa-style: code before `await next()` runs on the request, code after it once the response has finished. */
export type Middleware = (ctx: ProxyContext, next: () => Promise<void>) => Promise<void>;

/** One finished request (answered, failed, or abandoned by the client: status 499 when nothing was sent). */
export interface RequestRecord {
  readonly requestId: string;
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly route: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly upstream: string | undefined;
  readonly tries: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly clientIp: string;
}

/**
 * Told about every finished request, after the response ended or the connection closed. Must not throw and must
 * be quick (it runs on the request path); it does not see request or response bodies.
 */
export interface ProxyObserver {
  onRequestDone(record: RequestRecord): void;
}
