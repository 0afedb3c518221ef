/*
 * Forwarding one request: pick an endpoint, send the head (and stream the body) on a keep-alive upstream
 * connection, read the response head, stream the response body to the client with backpressure both ways, and
 * retry by the policy. Deadlines are fields checked by the listener's sweep, not timers.
 */
import type { BodyFraming } from '../http1/framing.js';
import { responseFraming } from '../http1/framing.js';
import { ChunkedScanner } from '../http1/chunked-scanner.js';
import { parseResponseHead } from '../http1/parse-response-head.js';
import { headerValue, type ResponseHead } from '../http1/head.js';
import type { Endpoint } from '../upstream/endpoint.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { UpstreamConnection, UpstreamConnections, UpstreamUser } from '../upstream/upstream-connections.js';
import type { BodySink, ClientConnection, ConnectionUser } from './client-connection.js';
import { sendErrorResponse } from './error-response.js';
import type { IncomingRequest } from './incoming-request.js';
import { hasToken } from './headers.js';
import { BodyCompressor, compressedHeaders, shouldCompress } from './response-compression.js';
import { clientResponseHead, joinHeadAndBody, upstreamRequestHead, type ClientBody } from './message-heads.js';
import type { OutgoingResponse } from './outgoing-response.js';
import type { ProxyContext, ResolvedRoute } from './proxy-context.js';
import { isRetryableStatus, mayRetry, type RetryOptions, type TryFailure } from './retry-policy.js';
import type { ProxyTimeouts } from './timeouts.js';

/** Settings shared by all exchanges of one listener. */
export interface ForwardConfig {
  readonly connections: UpstreamConnections;
  readonly timeouts: ProxyTimeouts;
  readonly retry: RetryOptions;
  /** Request body limit in bytes (413); 0 = none. */
  readonly maxBodyBytes: number;
  /** What the listener is, for X-Forwarded-Proto. */
  readonly proto: 'http' | 'https';
  /** Largest response head accepted from an upstream. */
  readonly maxHeadBytes: number;
}

type Phase = 'trying' | 'responding' | 'done';

/** Bodies up to this size are copied behind the head for a single write. */
const SMALL_BODY = 16 * 1024;

/** One client request's way through the proxy, across its tries. */
export class Exchange implements UpstreamUser, BodySink, ConnectionUser {
  private readonly pool: UpstreamPool;
  private readonly route: ResolvedRoute;
  private readonly req: IncomingRequest;
  private readonly res: OutgoingResponse;
  private readonly method: string;
  private readonly hasBody: boolean;
  private readonly tried: Endpoint[] = [];
  private endpoint: Endpoint | undefined;
  private up: UpstreamConnection | undefined;
  private phase: Phase = 'trying';
  private headText: string | undefined;
  private bodyStarted = false;
  private requestSent = false;
  /** Response bytes received on this try (a reused connection that fails before any is a keep-alive race). */
  private gotBytes = false;
  /** A try on a stale keep-alive connection was repeated on a fresh one (once per request). */
  private staleRetried = false;
  private lastStatus = 502;
  private pendingFailure: TryFailure | undefined;
  private rbuf: Buffer | undefined;
  private clientBody: ClientBody = 'none';
  private upstreamFraming: BodyFraming['kind'] = 'none';
  private remaining = 0;
  private scanner: ChunkedScanner | undefined;
  private decode = false;
  private reusable = true;
  /** The client connection ends after this response. */
  private closeClient = false;
  /** Set when the response body is compressed at the edge. */
  private compressor: BodyCompressor | undefined;
  private connectDeadline = 0;
  private headerDeadline = 0;
  private totalDeadline = 0;
  private lastUpActivity = 0;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly conn: ClientConnection,
    private readonly config: ForwardConfig,
    private readonly onDone: (() => void) | undefined,
  ) {
    this.route = ctx.route as ResolvedRoute;
    this.pool = this.route.pool;
    this.req = ctx.req as IncomingRequest;
    this.res = ctx.res as OutgoingResponse;
    this.method = this.req.method;
    this.hasBody = !this.req.complete;
  }

  start(): void {
    this.conn.user = this;
    const total = this.config.timeouts.totalMs;
    if (total > 0) this.totalDeadline = Date.now() + total;
    this.attempt(undefined);
  }

  private attempt(picked: Endpoint | undefined, fresh = false): void {
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
    this.pendingFailure = undefined;
    this.gotBytes = false;
    this.rbuf = undefined;
    this.pool.acquire(ep);
    const up = this.config.connections.get(ep.host, ep.port, ep.key, this, fresh);
    this.up = up;
    if (up.connected) this.send(up);
    else {
      const ms = this.config.timeouts.connectMs;
      this.connectDeadline = ms > 0 ? Date.now() + ms : 0;
    }
  }

  upstreamConnected(up: UpstreamConnection): void {
    if (up !== this.up) return;
    this.connectDeadline = 0;
    this.send(up);
  }

  private send(up: UpstreamConnection): void {
    this.lastUpActivity = Date.now();
    const framing = this.hasBody ? (this.req.head.lowerNames.includes('transfer-encoding') ? 'chunked' : 'length') : 'none';
    this.headText ??= upstreamRequestHead(this.req.head, this.route.forwardPath, {
      clientIp: this.ctx.clientIp,
      proto: this.config.proto,
      requestId: this.ctx.requestId,
    }, framing, up.key);
    if (!this.hasBody) {
      up.socket.write(this.headText, 'latin1');
      this.requestSent = true;
      this.startHeaderDeadline();
      return;
    }
    this.bodyStarted = true;
    up.socket.cork();
    up.socket.write(this.headText, 'latin1');
    this.conn.startBody(this, this.route.maxBodyBytes ?? this.config.maxBodyBytes);
    up.socket.uncork();
  }

  private startHeaderDeadline(): void {
    const ms = this.config.timeouts.responseHeaderMs;
    if (this.phase === 'trying' && ms > 0) this.headerDeadline = Date.now() + ms;
  }

  // BodySink: the client's body, streamed to the upstream of the current try.
  bodyData(chunk: Buffer): boolean {
    this.ctx.bytesIn += chunk.length;
    const up = this.up;
    if (up === undefined) return true;
    this.lastUpActivity = Date.now();
    return up.socket.write(chunk);
  }

  bodyEnd(): void {
    this.requestSent = true;
    this.startHeaderDeadline();
  }

  bodyMalformed(): void {
    this.abort(400);
  }

  bodyTooLarge(): void {
    this.abort(413);
  }

  upstreamDrained(up: UpstreamConnection): void {
    if (up === this.up) this.conn.resumeBody();
  }

  clientDrained(): void {
    this.up?.socket.resume();
  }

  upstreamData(up: UpstreamConnection, chunk: Buffer): void {
    if (up !== this.up) return;
    this.lastUpActivity = Date.now();
    this.gotBytes = true;
    if (this.phase === 'responding') {
      this.forwardBody(chunk);
      return;
    }
    this.rbuf = this.rbuf === undefined ? chunk : Buffer.concat([this.rbuf, chunk]);
    this.readHead();
  }

  private readHead(): void {
    for (;;) {
      const buf = this.rbuf as Buffer;
      const result = parseResponseHead(buf, 0, this.config.maxHeadBytes);
      if (result.kind === 'incomplete') return;
      if (result.kind === 'error') {
        this.badUpstream();
        return;
      }
      const rest = result.length < buf.length ? buf.subarray(result.length) : undefined;
      const head = result.head;
      if (head.status < 200) {
        if (head.status === 101) {
          this.badUpstream();
          return;
        }
        // Informational answers (103 Early Hints) go on to HTTP/1.1 clients; 100 Continue was handled by the edge.
        if (head.status !== 100 && this.req.httpVersionMinor === 1) this.conn.write(clientResponseHead(head, this.res, this.ctx, 'none', undefined));
        this.rbuf = rest;
        if (rest === undefined) return;
        continue;
      }
      this.rbuf = undefined;
      this.response(head, rest);
      return;
    }
  }

  private response(head: ResponseHead, rest: Buffer | undefined): void {
    const ep = this.endpoint as Endpoint;
    this.headerDeadline = 0;
    const framing = responseFraming(head, this.method);
    if (framing.kind === 'error') {
      this.badUpstream();
      return;
    }
    const status = head.status;
    const retryable = isRetryableStatus(status);
    // Passive health counts what nginx counts (502/503/504), not a 500: that is the app's answer, not an outage.
    if (retryable) this.pool.reportFailure(ep);
    else this.pool.reportSuccess(ep);
    if (retryable || (status >= 500 && status <= 599 && !ep.standby && this.pool.hasStandby)) {
      this.lastStatus = status;
      const next = this.nextAfterStatus(ep, retryable);
      if (next !== undefined) {
        this.ctx.failedTry(ep.key, status);
        this.endTry(false);
        this.attempt(next);
        return;
      }
    }
    this.phase = 'responding';
    this.upstreamFraming = framing.kind;
    const http10 = this.req.httpVersionMinor === 0;
    let close = this.conn.closesAfterResponse();
    switch (framing.kind) {
      case 'none':
        this.clientBody = 'none';
        break;
      case 'length':
        this.clientBody = 'length';
        this.remaining = framing.length;
        break;
      case 'chunked':
        this.scanner = new ChunkedScanner();
        this.decode = http10;
        this.clientBody = http10 ? 'close' : 'chunked';
        if (http10) close = true;
        break;
      case 'close':
        this.clientBody = 'close';
        this.reusable = false;
        close = true;
        break;
    }
    const coding = this.ctx.compression;
    if (coding !== undefined && this.method !== 'HEAD' && shouldCompress(head, framing)) {
      this.compressor = new BodyCompressor(coding, !http10, this.writeCompressed);
      this.decode = true;
      this.clientBody = http10 ? 'close' : 'chunked';
      if (http10) close = true;
      this.ctx.onResponseHeaders(compressedHeaders(coding));
    }
    // The upstream ends this connection after the response (HTTP/1.0 without keep-alive, or Connection: close).
    if (upstreamCloses(head)) this.reusable = false;
    this.res.markSent(status);
    const connection = close ? 'close' : this.conn.announcesKeepAlive() ? 'keep-alive' : undefined;
    const text = clientResponseHead(head, this.res, this.ctx, this.clientBody, connection);
    if (close) this.closeClient = true;
    if (framing.kind === 'none') {
      this.conn.write(text);
      if (rest !== undefined) this.reusable = false;
      this.complete();
      return;
    }
    if (rest === undefined) {
      this.conn.write(text);
      return;
    }
    if (framing.kind === 'length' && rest.length === this.remaining && rest.length <= SMALL_BODY && this.compressor === undefined) {
      // The usual small answer, complete in one read: head and body go out in one write.
      this.remaining = 0;
      this.ctx.bytesOut += rest.length;
      this.conn.write(joinHeadAndBody(text, rest));
      this.complete();
      return;
    }
    this.conn.cork();
    this.conn.write(text);
    this.forwardBody(rest);
    this.conn.uncork();
  }

  /**
   * Where to repeat a request whose answer was a 5xx, or undefined when that answer is the best one: another
   * endpoint will only be tried when the policy allows it. While a pool has standby endpoints (the old release in
   * a deploy's watch window), any 5xx of another endpoint is retried on a standby one; without one, only
   * 502/503/504 are retried, on any endpoint not tried yet.
   */
  private nextAfterStatus(ep: Endpoint, retryable: boolean): Endpoint | undefined {
    if (!this.retryAllowed('status')) return undefined;
    const standby = !ep.standby && this.pool.hasStandby ? this.pool.pickStandby(this.tried) : undefined;
    return standby ?? (retryable ? this.pool.pick(this.tried) : undefined);
  }

  private forwardBody(chunk: Buffer): void {
    let more = true;
    switch (this.upstreamFraming) {
      case 'length': {
        let part = chunk;
        if (chunk.length >= this.remaining) {
          if (chunk.length > this.remaining) this.reusable = false;
          part = chunk.length === this.remaining ? chunk : chunk.subarray(0, this.remaining);
        }
        this.remaining -= part.length;
        more = this.emit(part);
        if (this.remaining === 0) {
          this.complete();
          return;
        }
        break;
      }
      case 'chunked': {
        const scanner = this.scanner as ChunkedScanner;
        const at = this.decode
          ? scanner.scan(chunk, 0, chunk.length, this.writeDecoded)
          : scanner.scan(chunk, 0, chunk.length);
        if (at === -2) {
          this.cut(true);
          return;
        }
        const end = at >= 0 ? at : chunk.length;
        if (!this.decode) {
          this.ctx.bytesOut = scanner.dataBytes;
          more = this.conn.write(end === chunk.length ? chunk : chunk.subarray(0, end));
        }
        if (at >= 0) {
          if (at < chunk.length) this.reusable = false;
          this.complete();
          return;
        }
        break;
      }
      case 'close':
        more = this.emit(chunk);
        break;
      default:
        return;
    }
    if (!more) this.up?.socket.pause();
  }

  private readonly writeDecoded = (buf: Buffer, start: number, end: number): void => {
    // Backpressure is applied after the scan (this runs inside it).
    if (!this.emit(buf.subarray(start, end))) this.up?.socket.pause();
  };

  /** Body bytes for the client: as they are, or into the compressor. False when the client is slow. */
  private emit(data: Buffer): boolean {
    if (this.compressor !== undefined) {
      this.compressor.write(data);
      return true;
    }
    this.ctx.bytesOut += data.length;
    return this.conn.write(data);
  }

  private readonly writeCompressed = (bytes: Buffer): void => {
    if (this.compressor === undefined) return;
    this.ctx.bytesOut += bytes.length;
    if (!this.conn.write(bytes)) this.up?.socket.pause();
  };

  /** The response ended at a message boundary. */
  private complete(): void {
    const up = this.up;
    const reuse = this.reusable && this.requestSent && up !== undefined;
    this.phase = 'done';
    this.endTry(reuse);
    const compressor = this.compressor;
    if (compressor !== undefined) {
      // The upstream is done; the client's answer ends when the compressor has flushed.
      compressor.end(() => {
        if (this.compressor === undefined) return;
        this.compressor = undefined;
        this.finish();
        this.conn.endResponse(this.closeClient);
      });
      return;
    }
    this.finish();
    this.conn.endResponse(this.closeClient);
  }

  upstreamEnded(up: UpstreamConnection): void {
    if (up !== this.up) return;
    if (this.phase === 'responding' && this.upstreamFraming === 'close') {
      this.reusable = false;
      this.complete();
      return;
    }
    up.socket.destroy();
  }

  upstreamClosed(up: UpstreamConnection): void {
    if (up !== this.up || this.phase === 'done') return;
    if (this.phase === 'responding') {
      if (this.upstreamFraming === 'close') {
        this.reusable = false;
        this.complete();
      } else this.cut(true);
      return;
    }
    this.tryFailed(up);
  }

  /** A try failed before its response started. */
  private tryFailed(up: UpstreamConnection): void {
    const failure: TryFailure = this.pendingFailure ?? (up.connected ? 'reset' : 'connect');
    const ep = this.endpoint as Endpoint;
    // A keep-alive connection the upstream closed while idle says nothing about the upstream's health.
    const staleSocket = failure === 'reset' && up.reused && !this.gotBytes && this.pendingFailure === undefined;
    if (staleSocket && !this.staleRetried) {
      // Try the same endpoint once more on a new connection (as nginx does): it may be the only one.
      this.staleRetried = true;
      this.tried.pop();
      this.endTry(false);
      if (this.retryAllowed('reset')) {
        this.attempt(ep, true);
        return;
      }
      this.tried.push(ep);
    }
    if (!staleSocket) {
      this.pool.reportFailure(ep);
      this.ctx.failedTry(ep.key, 0);
    }
    this.lastStatus = failure === 'timeout' || (failure === 'connect' && this.pendingFailure === 'connect') ? 504 : 502;
    this.endTry(false);
    if (this.retryAllowed(failure)) this.attempt(undefined);
    else this.fail(this.lastStatus);
  }

  private badUpstream(): void {
    const up = this.up as UpstreamConnection;
    this.pool.reportFailure(this.endpoint as Endpoint);
    this.lastStatus = 502;
    this.pendingFailure = 'reset';
    this.tryFailed(up);
  }

  clientClosed(): void {
    const compressor = this.compressor;
    this.compressor = undefined;
    if (compressor !== undefined) {
      compressor.destroy();
      if (this.phase === 'done') this.finish();
    }
    if (this.phase === 'done') return;
    // The client went away: stop the upstream side.
    this.phase = 'done';
    this.endTry(false);
    this.finish();
  }

  checkDeadlines(now: number): void {
    if (this.phase === 'done') return;
    const t = this.config.timeouts;
    if (this.totalDeadline > 0 && now >= this.totalDeadline) {
      this.totalTimeout();
      return;
    }
    const up = this.up;
    if (up === undefined) return;
    if (this.connectDeadline > 0 && now >= this.connectDeadline) {
      this.timeoutTry('connect');
      return;
    }
    if (this.headerDeadline > 0 && now >= this.headerDeadline) {
      this.timeoutTry('timeout');
      return;
    }
    if (up.connected && t.idleMs > 0 && now - this.lastUpActivity >= t.idleMs) {
      if (this.phase === 'responding') this.cut(true);
      else this.timeoutTry('timeout');
    }
  }

  private timeoutTry(failure: TryFailure): void {
    const up = this.up;
    if (up === undefined || this.phase !== 'trying') return;
    this.pendingFailure = failure;
    this.tryFailed(up);
  }

  private totalTimeout(): void {
    if (this.phase === 'responding') {
      this.cut(true);
      return;
    }
    if (this.endpoint !== undefined) this.ctx.failedTry(this.endpoint.key, 0);
    this.fail(504);
  }

  /** Ends the request early with the proxy's own answer (bad or too large body), closing the connection. */
  private abort(status: number): void {
    if (this.phase === 'done') return;
    if (this.phase === 'responding') {
      this.cut(false);
      return;
    }
    this.fail(status, true);
  }

  /**
   * Headers are out and the response cannot complete: the client must see it cut, not completed. `byUpstream`:
   * the upstream's answer broke (not the client's request), so the try counts as failed.
   */
  private cut(byUpstream: boolean): void {
    if (byUpstream && this.endpoint !== undefined) this.ctx.failedTry(this.endpoint.key, 0);
    this.compressor?.destroy();
    this.compressor = undefined;
    this.phase = 'done';
    this.endTry(false);
    this.finish();
    this.conn.destroy();
  }

  private retryAllowed(failure: TryFailure): boolean {
    // Body bytes read from the client went to the failed try: they cannot be sent again.
    if (this.ctx.bytesIn > 0) return false;
    return mayRetry(
      failure,
      {
        method: this.method,
        bodyStarted: this.bodyStarted && this.ctx.bytesIn > 0,
        tries: this.tried.length,
        elapsedMs: performance.now() - this.ctx.startHr,
      },
      this.config.retry,
    );
  }

  /** Forgets the try in flight: its connection goes back to the keep-alive pool (`reuse`) or is closed. */
  private endTry(reuse: boolean): void {
    this.connectDeadline = 0;
    this.headerDeadline = 0;
    const ep = this.endpoint;
    if (ep !== undefined) this.pool.release(ep);
    this.endpoint = undefined;
    const up = this.up;
    this.up = undefined;
    if (up === undefined) return;
    if (reuse) {
      up.socket.resume();
      this.config.connections.release(up);
    } else {
      up.user = undefined;
      up.socket.destroy();
    }
  }

  private fail(status: number, close = false): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.endTry(false);
    if (this.hasBody && !this.req.complete) this.conn.abandonBody();
    this.finish();
    sendErrorResponse(this.res, status, this.ctx.requestId, close);
  }

  private finish(): void {
    this.totalDeadline = 0;
    if (this.conn.user === this) this.conn.user = undefined;
    this.onDone?.();
  }
}

/** True when the upstream closes its connection after this response. */
function upstreamCloses(head: ResponseHead): boolean {
  const connection = headerValue(head, 'connection');
  if (head.versionMinor === 0) return !hasToken(connection, 'keep-alive');
  return hasToken(connection, 'close');
}
