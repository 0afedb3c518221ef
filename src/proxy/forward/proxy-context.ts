/*
 * What the proxy core shares with the helpers around it: the route a request resolved to, the per-request
 * context middlewares see, and the record the access log and metrics receive.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { UpstreamPool } from '../upstream/pool.js';

/**
 * The request as middlewares, resolvers and the ACME responder see it: the subset of node's `IncomingMessage`
 * they use, so that the proxy engine's own request and node's both fit.
 */
export interface ProxyRequest {
  readonly method?: string | undefined;
  /** The request target as sent (path + query). */
  readonly url?: string | undefined;
  /** Lowercased names; repeated headers joined as node joins them. */
  readonly headers: IncomingHttpHeaders;
  /** The Host header, when the engine read it already (saves building `headers` on the request path). */
  readonly host?: string | undefined;
  readonly httpVersionMinor: number;
  readonly socket: Socket;
  /** True once the whole request body has been read. */
  readonly complete: boolean;
}

/**
 * The response as middlewares see it: headers set before `next()` are merged into the proxied response (the
 * upstream's own header of the same name wins); `writeHead` + `end` answer without the upstream.
 */
export interface ProxyResponse {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  getHeader(name: string): number | string | string[] | undefined;
  hasHeader(name: string): boolean;
  removeHeader(name: string): void;
  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): ProxyResponse;
  end(body?: string | Buffer): unknown;
  /** Cuts the client connection (a response already under way cannot be turned into an error). */
  destroy(): unknown;
}

/** Where a request goes. Built by the routing layer; the core does not know how routes are matched. */
export interface ResolvedRoute {
  readonly pool: UpstreamPool;
  /** Path + query to send upstream (after any prefix strip). */
  readonly forwardPath: string;
  /** A name for logs and metrics (e.g. the service); optional. */
  readonly name?: string;
  /** This route's request body limit in bytes (413), instead of the listener's; 0 = none. */
  readonly maxBodyBytes?: number;
}

/** `resolve(req)`: undefined = no route (404). Called once per request; it must not throw. */
export type ResolveRoute = (req: ProxyRequest) => ResolvedRoute | undefined;

/**
 * The state of one request, shared by middlewares and the forwarder. Middlewares may set response headers with
 * `res.setHeader()` before calling `next()` (they are merged into the proxied response), or answer themselves
 * and not call `next()` (short-circuit).
 */
export class ProxyContext {
  /** Upstream `host:port` of the last try; undefined when no upstream was tried. */
  upstream: string | undefined = undefined;
  tries = 0;
  /** The tries whose answer the client did not get, in order; undefined while there is none (the usual case). */
  failures: FailedTry[] | undefined = undefined;
  /** Request body bytes read from the client. */
  bytesIn = 0;
  /** Response body bytes received from the upstream and written to the client. */
  bytesOut = 0;
  /** `performance.now()` at arrival, for durations. */
  readonly startHr: number;
  /** Wall clock (ms since epoch) at arrival. */
  readonly startTime: number;
  /** Set by the compress middleware: the coding the client accepts, for responses worth compressing. */
  compression: 'gzip' | 'br' | undefined = undefined;
  /** See `onResponseHeaders`; undefined until a middleware registers one (the usual case costs nothing). */
  responseHooks: ResponseHeadersHook[] | undefined = undefined;

  constructor(
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
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

  /** Notes a try given up: `status` is the upstream's answer that was discarded, 0 when there was none. */
  failedTry(upstream: string, status: number): void {
    (this.failures ??= []).push({ upstream, status });
  }
}

/**
 * One try whose answer the client did not get: the upstream's status (a 5xx retried on another endpoint), or 0
 * when there was no (complete) answer — connect error, reset, timeout, malformed answer, or a response the
 * upstream cut short. Tries ended because of the client (it left, its body was too large or malformed) and a
 * repeat of a request on a fresh connection after a stale keep-alive one are not failures of the upstream.
 */
export interface FailedTry {
  readonly upstream: string;
  readonly status: number;
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
  /** The tries given up before the answer the client got (or did not get); absent when there was none. */
  readonly failures?: readonly FailedTry[];
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
