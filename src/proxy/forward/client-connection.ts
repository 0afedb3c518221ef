/*
 * One client connection of the proxy: reads request heads, hands each request to the handler, feeds the request
 * body to whoever forwards it, writes responses, and keeps the connection alive between requests. One request
 * at a time: bytes of a pipelined next request wait in the buffer (reading pauses when too many wait).
 * Deadlines (client headers, whole request, keep-alive idle, inactivity) are checked by the listener's sweep.
 */
import type { Socket } from 'node:net';
import { parseRequestHead } from '../http1/parse-request-head.js';
import { requestFraming, type BodyFraming } from '../http1/framing.js';
import { ChunkedScanner } from '../http1/chunked-scanner.js';
import type { HasDeadlines } from './deadlines.js';
import { hasToken } from './headers.js';
import { joinHeadAndBody } from './message-heads.js';
import { IncomingRequest } from './incoming-request.js';
import { OutgoingResponse, type ResponseSink } from './outgoing-response.js';
import type { ProxyTimeouts } from './timeouts.js';

/** What the connection asks of the proxy handler. */
export interface ConnectionHandler {
  readonly timeouts: ProxyTimeouts;
  readonly maxHeadBytes: number;
  /** A parsed request (`upgrade` when it asks for a protocol switch). The response must end or the socket close. */
  request(conn: ClientConnection, req: IncomingRequest, res: OutgoingResponse, upgrade: boolean): void;
  /** The head could not be parsed or framed: answer `status` and close. */
  badRequest(conn: ClientConnection, status: number): void;
  /** Exactly once per request: its response ended, or the connection closed before it did. */
  requestDone(conn: ClientConnection, req: IncomingRequest, res: OutgoingResponse): void;
  connectionClosed(conn: ClientConnection): void;
}

/** Receives the request body from the connection, in order. */
export interface BodySink {
  /** False asks the connection to stop reading until `resumeBody()`. */
  bodyData(chunk: Buffer): boolean;
  bodyEnd(): void;
  /** Malformed chunked encoding. */
  bodyMalformed(): void;
  /** More than the allowed bytes. */
  bodyTooLarge(): void;
}

/** The exchange in progress on the connection: told about client-side events. */
export interface ConnectionUser extends HasDeadlines {
  clientDrained(): void;
  clientClosed(): void;
}

/** Bytes of pipelined requests held while a response is in progress, before reading pauses. */
const MAX_WAITING_BYTES = 64 * 1024;

type State = 'idle' | 'head' | 'active' | 'closed';

export class ClientConnection implements ResponseSink {
  user: ConnectionUser | undefined = undefined;
  private state: State = 'idle';
  private buf: Buffer | undefined = undefined;
  private req: IncomingRequest | undefined = undefined;
  private res: OutgoingResponse | undefined = undefined;
  private framing: BodyFraming = NONE;
  private remaining = 0;
  private scanner: ChunkedScanner | undefined = undefined;
  private sink: BodySink | undefined = undefined;
  private bodyBytes = 0;
  private maxBodyBytes = 0;
  private bodyPaused = false;
  private closeAfter = false;
  private draining = false;
  private detached = false;
  /** Deadline (ms since epoch, 0 = none) and what it ends. */
  private deadline = 0;
  private deadlineKind: 'headers' | 'keep-alive' | 'request' = 'keep-alive';
  private lastActivity = 0;

  constructor(
    readonly socket: Socket,
    private readonly handler: ConnectionHandler,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.user?.clientDrained());
    this.lastActivity = Date.now();
    this.setDeadline('headers', handler.timeouts.clientHeadersMs);
  }

  /** True while a request is being answered. */
  get busy(): boolean {
    return this.state === 'active';
  }

  get remoteAddress(): string {
    const ip = this.socket.remoteAddress ?? '';
    return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  }

  /** Writes response bytes; false when the client is slow (wait for `clientDrained`). */
  write(data: Buffer | string): boolean {
    this.lastActivity = Date.now();
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  /** The connection closes after the current response (the client asked, or the proxy is stopping, or the body was not read). */
  closesAfterResponse(): boolean {
    const req = this.req;
    if (req !== undefined && !req.complete && this.sink === undefined) this.skipBufferedBody(req);
    // A response that starts before the request body was read ends the connection: say so (RFC 9112 §9.6).
    if (req !== undefined && !req.complete) this.closeAfter = true;
    return this.closeAfter || this.draining;
  }

  /** An HTTP/1.0 client that asked for keep-alive must be told the connection persists (RFC 9112 §9.3). */
  announcesKeepAlive(): boolean {
    return this.req?.httpVersionMinor === 0 && !this.closesAfterResponse();
  }

  /** Ends the connection after the current response, or now when idle (the listener is closing). */
  drain(): void {
    this.draining = true;
    if (this.state !== 'active') this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Starts passing the request body to `sink` (bytes already buffered first). `maxBytes` > 0 limits it. Sends
   * `100 Continue` first when the client waits for it.
   */
  startBody(sink: BodySink, maxBytes: number): void {
    const req = this.req;
    if (req === undefined || req.complete || this.sink !== undefined) return;
    this.sink = sink;
    this.maxBodyBytes = maxBytes;
    if (req.httpVersionMinor === 1 && req.header('expect')?.toLowerCase() === '100-continue') {
      this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    }
    const buffered = this.buf;
    this.buf = undefined;
    if (buffered !== undefined) this.feedBody(buffered);
  }

  /** The body sink drained: read again. */
  resumeBody(): void {
    if (!this.bodyPaused) return;
    this.bodyPaused = false;
    this.socket.resume();
  }

  /** Stops feeding the body (the exchange failed or answered early); the connection closes after the response. */
  abandonBody(): void {
    if (this.sink === undefined) return;
    this.sink = undefined;
    this.closeAfter = true;
    this.resumeBody();
  }

  /** A proxied response finished (`close`: the response was close-delimited, the connection must end). */
  endResponse(close: boolean): void {
    if (close) this.closeAfter = true;
    this.res?.markFinished();
    this.finishRequest();
  }

  /** ResponseSink: an own answer (errors, middlewares, redirects). */
  writeWholeResponse(head: string, body: string | Buffer | undefined, close: boolean): void {
    if (this.state === 'closed') return;
    if (close) this.closeAfter = true;
    const socket = this.socket;
    const isHead = this.req?.method === 'HEAD';
    if (body === undefined || isHead || body.length === 0) socket.write(head, 'latin1');
    else socket.write(joinHeadAndBody(head, typeof body === 'string' ? Buffer.from(body) : body));
    this.finishRequest();
  }

  /**
   * Takes the socket over for a protocol switch: the connection stops reading and forgets it. Returns the bytes
   * the client sent after the head.
   */
  detach(): Buffer {
    this.detached = true;
    this.state = 'closed';
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.socket.removeAllListeners('drain');
    const rest = this.buf ?? Buffer.alloc(0);
    this.buf = undefined;
    this.handler.connectionClosed(this);
    return rest;
  }

  checkDeadlines(now: number): void {
    if (this.state === 'closed') return;
    const t = this.handler.timeouts;
    if (this.deadline > 0 && now >= this.deadline) {
      if (this.deadlineKind === 'keep-alive') this.socket.destroy();
      else if (this.deadlineKind === 'headers') this.timedOut(408);
      else this.timedOut(408);
      return;
    }
    if (this.state === 'active') {
      if (t.clientIdleMs > 0 && now - this.lastActivity >= t.clientIdleMs) {
        this.socket.destroy();
        return;
      }
      this.user?.checkDeadlines(now);
    }
  }

  private timedOut(status: number): void {
    if (this.state === 'active' && this.res?.headersSent === true) {
      this.socket.destroy();
      return;
    }
    if (this.state === 'active') {
      // The request is being forwarded but the client is too slow sending it.
      this.closeAfter = true;
      const res = this.res as OutgoingResponse;
      this.user?.clientClosed();
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`${status} Request Timeout\n`);
      }
      return;
    }
    if (this.buf === undefined && this.state === 'idle') {
      this.socket.destroy();
      return;
    }
    this.refuse(status);
  }

  /** The request cannot be read: answer and close, reading nothing more. */
  private refuse(status: number): void {
    this.state = 'closed';
    this.buf = undefined;
    this.socket.removeAllListeners('data');
    this.handler.badRequest(this, status);
  }

  private setDeadline(kind: 'headers' | 'keep-alive' | 'request', ms: number): void {
    this.deadlineKind = kind;
    this.deadline = ms > 0 ? Date.now() + ms : 0;
  }

  private onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    switch (this.state) {
      case 'idle':
        this.state = 'head';
        if (this.deadlineKind === 'keep-alive') this.setDeadline('headers', this.handler.timeouts.clientHeadersMs);
        this.buf = chunk;
        this.parseHead();
        return;
      case 'head':
        this.buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
        this.parseHead();
        return;
      case 'active':
        if (this.sink !== undefined && this.req?.complete === false) this.feedBody(chunk);
        else this.hold(chunk);
        return;
      default:
        return;
    }
  }

  /** Keeps bytes that arrived while a request is answered (its unread body, or a pipelined request). */
  private hold(chunk: Buffer): void {
    this.buf = this.buf === undefined ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_WAITING_BYTES) this.socket.pause();
  }

  private parseHead(): void {
    const buf = this.buf as Buffer;
    const result = parseRequestHead(buf, 0, this.handler.maxHeadBytes);
    if (result.kind === 'incomplete') return;
    if (result.kind === 'error') {
      this.refuse(result.status);
      return;
    }
    const framing = requestFraming(result.head);
    if (framing.kind === 'error') {
      this.refuse(framing.status);
      return;
    }
    this.buf = result.length < buf.length ? buf.subarray(result.length) : undefined;
    const req = new IncomingRequest(result.head, this.socket);
    const res = new OutgoingResponse(this);
    this.req = req;
    this.res = res;
    this.state = 'active';
    this.framing = framing;
    this.bodyBytes = 0;
    this.sink = undefined;
    this.scanner = undefined;
    if (framing.kind === 'length') this.remaining = framing.length;
    else if (framing.kind === 'chunked') this.scanner = new ChunkedScanner();
    else req.complete = true;
    this.closeAfter = wantsClose(req);
    // The whole-request deadline runs while the client still owes body bytes.
    this.setDeadline('request', req.complete ? 0 : this.handler.timeouts.clientRequestMs);
    const upgrade = req.header('upgrade') !== undefined && hasToken(req.header('connection'), 'upgrade');
    this.handler.request(this, req, res, upgrade);
  }

  private feedBody(chunk: Buffer): void {
    const sink = this.sink as BodySink;
    const req = this.req as IncomingRequest;
    let end = chunk.length;
    let rest: Buffer | undefined;
    if (this.framing.kind === 'length') {
      if (chunk.length > this.remaining) {
        end = this.remaining;
        rest = chunk.subarray(end);
      }
      this.remaining -= end;
      this.bodyBytes += end;
    } else {
      const scanner = this.scanner as ChunkedScanner;
      const at = scanner.scan(chunk, 0, chunk.length);
      if (at === -2) {
        this.sink = undefined;
        this.closeAfter = true;
        sink.bodyMalformed();
        return;
      }
      if (at >= 0) {
        end = at;
        if (at < chunk.length) rest = chunk.subarray(at);
      }
      this.bodyBytes = scanner.dataBytes;
    }
    if (this.maxBodyBytes > 0 && this.bodyBytes > this.maxBodyBytes) {
      this.sink = undefined;
      this.closeAfter = true;
      sink.bodyTooLarge();
      return;
    }
    const done = this.framing.kind === 'length' ? this.remaining === 0 : (this.scanner as ChunkedScanner).done;
    const part = end === chunk.length ? chunk : chunk.subarray(0, end);
    const more = part.length === 0 ? true : sink.bodyData(part);
    if (rest !== undefined) this.hold(rest);
    if (done) {
      req.complete = true;
      this.deadline = 0;
      this.sink = undefined;
      sink.bodyEnd();
    } else if (!more && !this.bodyPaused) {
      this.bodyPaused = true;
      this.socket.pause();
    }
  }

  private finishRequest(): void {
    const req = this.req;
    const res = this.res;
    if (req === undefined || res === undefined) return;
    this.req = undefined;
    this.res = undefined;
    this.user = undefined;
    this.sink = undefined;
    this.handler.requestDone(this, req, res);
    if (this.state === 'closed') return;
    if (!req.complete) this.skipBufferedBody(req);
    if (this.closeAfter || this.draining || !req.complete) {
      this.state = 'closed';
      this.socket.end();
      return;
    }
    this.state = 'idle';
    this.setDeadline('keep-alive', this.handler.timeouts.keepAliveMs);
    if (this.bodyPaused) this.resumeBody();
    if (this.buf !== undefined) {
      // A pipelined request is waiting; parse it on the next turn (no recursion through the handler).
      setImmediate(() => this.nextPipelined());
    } else if (this.socket.isPaused()) this.socket.resume();
  }

  /** An unforwarded body that is already fully buffered is skipped, so that the connection can stay open. */
  private skipBufferedBody(req: IncomingRequest): void {
    const buf = this.buf;
    if (this.framing.kind !== 'length' || buf === undefined || buf.length < this.remaining) return;
    this.buf = buf.length > this.remaining ? buf.subarray(this.remaining) : undefined;
    this.remaining = 0;
    req.complete = true;
  }

  private nextPipelined(): void {
    if (this.state !== 'idle' || this.buf === undefined) return;
    this.state = 'head';
    this.setDeadline('headers', this.handler.timeouts.clientHeadersMs);
    if (this.socket.isPaused()) this.socket.resume();
    this.parseHead();
  }

  private onEnd(): void {
    // The client's FIN. As nginx does (proxy_ignore_client_abort off), a client that closes while its request is
    // answered has left: the connection closes and the exchange stops (499 when nothing was sent yet).
    if (this.state === 'active') this.socket.destroy();
    else this.socket.end();
  }

  private onClose(): void {
    if (this.detached) return;
    const wasActive = this.state === 'active';
    this.state = 'closed';
    const user = this.user;
    this.user = undefined;
    if (wasActive) {
      user?.clientClosed();
      const req = this.req;
      const res = this.res;
      this.req = undefined;
      this.res = undefined;
      if (req !== undefined && res !== undefined) this.handler.requestDone(this, req, res);
    }
    this.handler.connectionClosed(this);
  }
}

const NONE: BodyFraming = { kind: 'none' };

/** HTTP/1.0 without `Connection: keep-alive`, or `Connection: close`. */
function wantsClose(req: IncomingRequest): boolean {
  const connection = req.header('connection');
  if (req.httpVersionMinor === 0) return !hasToken(connection, 'keep-alive');
  return connection !== undefined && hasToken(connection, 'close');
}
