/*
 * Test support for the engine suites (not a test file): a raw TCP client that controls request bytes exactly and
 * parses the responses it gets back, raw upstreams that answer with exact bytes, and a node:http upstream that
 * counts its connections. Everything listens on 127.0.0.1 port 0 and is closed by `close()`.
 */
import http, { type RequestListener } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach } from 'vitest';

/** What the suites open and must close after each test, newest first. */
export interface Cleanups {
  /** Closes `x` after the test; returns it. */
  track<T extends { close(): Promise<void> | void }>(x: T): T;
  /** A raw client to `target`'s port, destroyed after the test. */
  client(target: { readonly port: number }): Promise<RawClient>;
  /** Runs `fn` after the test. */
  defer(fn: () => Promise<void> | void): void;
}

/** Registers an afterEach (call it at the top of a suite file) that undoes what was tracked, newest first. */
export function cleanupsAfterEach(): Cleanups {
  const list: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of list.splice(0).reverse()) await c();
  });
  return {
    track(x) {
      list.push(() => x.close());
      return x;
    },
    async client(target) {
      const c = await RawClient.connect(target.port);
      list.push(() => c.destroy());
      return c;
    },
    defer(fn) {
      list.push(fn);
    },
  };
}

/** One HTTP/1.x response as a client reads it. */
export interface ParsedResponse {
  readonly status: number;
  readonly version: string;
  /** Header lines in order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Trailer lines of a chunked body. */
  readonly trailers: readonly (readonly [string, string])[];
  /** How the body was framed on the wire. */
  readonly framing: 'none' | 'length' | 'chunked' | 'close';
}

/** The first value of header `name` (any case). */
export function headerOf(r: ParsedResponse, name: string): string | undefined {
  return valuesOf(r, name)[0];
}

/** Every value of header `name` (any case), one per line. */
export function valuesOf(r: ParsedResponse, name: string): string[] {
  const lower = name.toLowerCase();
  return r.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

export interface ParseResult {
  readonly responses: ParsedResponse[];
  /** Bytes after the last complete response. */
  readonly rest: Buffer;
}

/**
 * Reads as many complete responses from `data` as it holds. `methods[i]` is the method of the i-th final response
 * (HEAD has no body); `ended` says the connection closed (a close-delimited body is then complete).
 */
export function parseResponses(data: Buffer, methods: readonly string[] = [], ended = false): ParseResult {
  const responses: ParsedResponse[] = [];
  let at = 0;
  let finals = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const lines = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const m = /^(HTTP\/1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (m === null) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const status = Number(m[2]);
    const headers = lines.slice(1).map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i), l.slice(i + 1).trim()] as const;
    });
    let pos = headEnd + 4;
    const base = { status, version: m[1] as string, headers, trailers: [] as (readonly [string, string])[] };
    if (status < 200) {
      responses.push({ ...base, body: Buffer.alloc(0), framing: 'none' });
      at = pos;
      continue;
    }
    const method = methods[finals] ?? 'GET';
    const find = (name: string): string | undefined => headers.find(([n]) => n.toLowerCase() === name)?.[1];
    const te = find('transfer-encoding');
    const cl = find('content-length');
    let body: Buffer;
    let framing: ParsedResponse['framing'];
    if (method === 'HEAD' || status === 204 || status === 304) {
      body = Buffer.alloc(0);
      framing = 'none';
    } else if (te !== undefined && /chunked\s*$/i.test(te)) {
      const decoded = decodeChunked(data, pos);
      if (decoded === undefined) break;
      body = decoded.body;
      base.trailers = decoded.trailers;
      pos = decoded.end;
      framing = 'chunked';
    } else if (cl !== undefined) {
      const n = Number(cl);
      if (data.length - pos < n) break;
      body = data.subarray(pos, pos + n);
      pos += n;
      framing = 'length';
    } else {
      if (!ended) break;
      body = data.subarray(pos);
      pos = data.length;
      framing = 'close';
    }
    responses.push({ ...base, body, framing });
    finals++;
    at = pos;
  }
  return { responses, rest: data.subarray(at) };
}

function decodeChunked(data: Buffer, from: number): { body: Buffer; trailers: [string, string][]; end: number } | undefined {
  const parts: Buffer[] = [];
  let pos = from;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(pos, lineEnd).toString('latin1').split(';')[0] as string, 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size line');
    pos = lineEnd + 2;
    if (size === 0) break;
    if (data.length < pos + size + 2) return undefined;
    parts.push(data.subarray(pos, pos + size));
    pos += size + 2;
  }
  const trailers: [string, string][] = [];
  for (;;) {
    const lineEnd = data.indexOf('\r\n', pos);
    if (lineEnd < 0) return undefined;
    const line = data.subarray(pos, lineEnd).toString('latin1');
    pos = lineEnd + 2;
    if (line === '') break;
    const i = line.indexOf(':');
    trailers.push([line.slice(0, i), line.slice(i + 1).trim()]);
  }
  return { body: Buffer.concat(parts), trailers, end: pos };
}

/** A TCP client that writes exact bytes and keeps everything it receives. */
export class RawClient {
  /** Everything received since the last `clear()`. */
  data: Buffer = Buffer.alloc(0);
  closed = false;
  /** Responses already read from the start of `data`, and the bytes they took. */
  private parsed: ParsedResponse[] = [];
  private parsedBytes = 0;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.data = Buffer.concat([this.data, d])));
    socket.on('error', () => undefined);
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  /** Connects to 127.0.0.1:`port`. */
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
    });
  }

  /** `data` as latin1 text (one character per byte). */
  get text(): string {
    return this.data.toString('latin1');
  }

  /** Writes `bytes` as they are (a string as latin1). */
  write(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /**
   * Waits until `n` complete responses arrived since the last `clear()` (1xx counted), given the methods of the
   * final ones; returns all of them.
   */
  async responses(n: number, methods: readonly string[] = [], deadlineMs = 10_000): Promise<ParsedResponse[]> {
    // Incremental: only the bytes after the responses already read are parsed again.
    const parse = (): ParsedResponse[] => {
      const finals = this.parsed.filter((r) => r.status >= 200).length;
      const { responses, rest } = parseResponses(this.data.subarray(this.parsedBytes), methods.slice(finals), this.closed);
      this.parsed.push(...responses);
      this.parsedBytes = this.data.length - rest.length;
      return [...this.parsed];
    };
    let got = parse();
    if (got.length < n && !this.closed) {
      await new Promise<void>((resolve, reject) => {
        const check = (): void => {
          got = parse();
          if (got.length >= n || this.closed) done();
        };
        const done = (): void => {
          clearTimeout(timer);
          this.socket.off('data', check);
          this.socket.off('close', check);
          resolve();
        };
        const timer = setTimeout(() => {
          this.socket.off('data', check);
          this.socket.off('close', check);
          reject(new Error(`timed out waiting for ${n} responses; got: ${this.text.slice(0, 500)}`));
        }, deadlineMs);
        // Registered after the constructor's listeners: `data` is already appended when this runs.
        this.socket.on('data', check);
        this.socket.on('close', check);
      });
    }
    if (got.length < n) throw new Error(`connection closed after ${got.length} of ${n} responses: ${this.text.slice(0, 500)}`);
    return got;
  }

  /** Sends one request and returns its response (the data buffer is reset first). */
  async request(raw: string | Buffer, method = 'GET'): Promise<ParsedResponse> {
    this.clear();
    this.write(raw);
    const [r] = await this.responses(1, [method]);
    return r as ParsedResponse;
  }

  /** Forgets what was received so far. */
  clear(): void {
    this.data = Buffer.alloc(0);
    this.parsed = [];
    this.parsedBytes = 0;
  }

  /** Resolves when the server closed the connection; throws after `deadlineMs`. */
  async waitClosed(deadlineMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('connection was not closed')), deadlineMs);
    });
    try {
      await Promise.race([this.closedPromise, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A server on 127.0.0.1:0 that counts and remembers its connections, and destroys them when it closes. */
abstract class LocalServer {
  port = 0;
  connections = 0;
  readonly sockets = new Set<Socket>();

  constructor(private readonly server: net.Server) {
    server.on('connection', (s: Socket) => {
      this.connections++;
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get endpoint(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

/** A TCP server on 127.0.0.1:0 that hands each connection to `onConnection` with its index. */
export class RawServer extends LocalServer {
  constructor(onConnection: (socket: Socket, index: number) => void) {
    let next = 0;
    super(net.createServer((s) => onConnection(s, next++)));
  }
}

/** A request as a raw upstream received it: the head text (exact bytes) and the body. */
export interface RawRequest {
  readonly head: string;
  readonly method: string;
  readonly target: string;
  readonly body: Buffer;
}

/**
 * An upstream that reads requests (no body, a Content-Length or a chunked body) and answers each with the exact bytes
 * `reply` writes on the socket. `received` holds every request in arrival order.
 */
export class ScriptedUpstream extends RawServer {
  readonly received: RawRequest[] = [];

  constructor(reply: (req: RawRequest, socket: Socket, connIndex: number) => void) {
    super((socket, index) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end + 4).toString('latin1');
          const [method = '', target = ''] = head.split(' ');
          let body: Buffer;
          if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
            const decoded = decodeChunked(buf, end + 4);
            if (decoded === undefined) return;
            body = decoded.body;
            buf = buf.subarray(decoded.end);
          } else {
            const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
            const n = cl === null ? 0 : Number(cl[1]);
            if (buf.length < end + 4 + n) return;
            body = buf.subarray(end + 4, end + 4 + n);
            buf = buf.subarray(end + 4 + n);
          }
          const req = { head, method, target, body };
          this.received.push(req);
          reply(req, socket, index);
        }
      });
    });
  }
}

export function scriptedUpstream(reply: (req: RawRequest, socket: Socket, connIndex: number) => void): Promise<ScriptedUpstream> {
  return new ScriptedUpstream(reply).start();
}

/** A node:http upstream that counts the TCP connections it accepted. */
export class CountingUpstream extends LocalServer {
  constructor(handler: RequestListener) {
    const server = http.createServer(handler);
    server.keepAliveTimeout = 60_000;
    super(server);
  }
}

export function countingUpstream(handler: RequestListener): Promise<CountingUpstream> {
  return new CountingUpstream(handler).start();
}

/** Answers with the request's method, path and body: `${method} ${url}\n${body}`. */
export const echoHandler: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat([Buffer.from(`${req.method ?? ''} ${req.url ?? ''}\n`), ...chunks]);
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
};

/** A complete HTTP/1.1 request as bytes: `Host: t` plus `headers`, and `body` with a Content-Length when given. */
export function rawRequest(method: string, path: string, headers: readonly string[] = [], body?: string): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: t', ...headers];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  return `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
}
