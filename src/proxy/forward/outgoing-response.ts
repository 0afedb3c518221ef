/*
 * The response side of one request. Middlewares set headers on it before forwarding (merged into the proxied
 * response, the upstream's own header of the same name winning) or answer with `writeHead` + `end`. The forwarder
 * writes proxied responses to the connection itself and only marks this object as sent.
 */
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { ProxyResponse } from './proxy-context.js';

/** Where a response goes: the client connection. */
export interface ResponseSink {
  /** True when the connection will be closed after this response (the head then says `connection: close`). */
  closesAfterResponse(): boolean;
  /** True for an HTTP/1.0 client whose connection stays open (the head then says `connection: keep-alive`). */
  announcesKeepAlive(): boolean;
  /** Writes a complete response (head and body) and ends the exchange; `close` ends the connection after it. */
  writeWholeResponse(head: string, body: string | Buffer | undefined, close: boolean): void;
  destroy(): void;
}

type HeaderValue = number | string | readonly string[];

export class OutgoingResponse implements ProxyResponse {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  /** Headers set by middlewares: lowercase name → [name as given, value]. Undefined until one is set. */
  pending: Map<string, readonly [string, HeaderValue]> | undefined = undefined;
  private headHeaders: OutgoingHttpHeaders | undefined;
  private closeAsked = false;

  constructor(private readonly sink: ResponseSink) {}

  setHeader(name: string, value: HeaderValue): this {
    (this.pending ??= new Map()).set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): number | string | string[] | undefined {
    const value = this.pending?.get(name.toLowerCase())?.[1];
    return Array.isArray(value) ? [...(value as readonly string[])] : (value as number | string | undefined);
  }

  hasHeader(name: string): boolean {
    return this.pending?.has(name.toLowerCase()) === true;
  }

  removeHeader(name: string): void {
    this.pending?.delete(name.toLowerCase());
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = statusCode;
    this.headersSent = true;
    if (headers !== undefined) this.headHeaders = headers;
    return this;
  }

  end(body?: string | Buffer): this {
    if (this.writableEnded) return this;
    this.headersSent = true;
    this.writableEnded = true;
    this.writableFinished = true;
    const head = this.serializeHead(body);
    this.sink.writeWholeResponse(head, body, this.closeAsked);
    return this;
  }

  destroy(): this {
    this.sink.destroy();
    return this;
  }

  /** Marks the response as started by the forwarder with the upstream's status. */
  markSent(status: number): void {
    this.statusCode = status;
    this.headersSent = true;
  }

  markFinished(): void {
    this.writableEnded = true;
    this.writableFinished = true;
  }

  private serializeHead(body: string | Buffer | undefined): string {
    const status = this.statusCode;
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    const given = this.headHeaders;
    const seen = new Set<string>();
    if (given !== undefined) {
      for (const name in given) {
        const value = given[name];
        if (value === undefined) continue;
        const lower = name.toLowerCase();
        seen.add(lower);
        if (lower === 'connection' && String(value).toLowerCase() === 'close') this.closeAsked = true;
        head += headerLines(name, value);
      }
    }
    if (this.pending !== undefined) {
      for (const [lower, [name, value]] of this.pending) {
        if (seen.has(lower)) continue;
        seen.add(lower);
        head += headerLines(name, value);
      }
    }
    if (!seen.has('content-length') && !seen.has('transfer-encoding') && status >= 200 && status !== 204 && status !== 304) {
      head += `content-length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`;
    }
    if (!seen.has('date')) head += `date: ${httpDate()}\r\n`;
    if (!seen.has('connection')) {
      if (this.sink.closesAfterResponse()) head += 'connection: close\r\n';
      else if (this.sink.announcesKeepAlive()) head += 'connection: keep-alive\r\n';
    }
    return `${head}\r\n`;
  }
}

/** `name: value` lines; a list value gives one line per item (as node writes `set-cookie`). */
export function headerLines(name: string, value: HeaderValue): string {
  if (typeof value !== 'object') return `${name}: ${value}\r\n`;
  let out = '';
  for (const item of value) out += `${name}: ${item}\r\n`;
  return out;
}

let dateCache = '';
let dateSecond = 0;

/** The IMF-fixdate of now, computed once a second. */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1_000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateCache = new Date(now).toUTCString();
  }
  return dateCache;
}
