/*
 * Response compression at the edge (`compress: true` on a route): text-like bodies the upstream sent uncompressed
 * are gzip- or brotli-encoded as the client accepts, streamed (never buffered whole) and sent chunked to HTTP/1.1
 * clients (close-delimited to HTTP/1.0 ones).
 */
import zlib from 'node:zlib';
import { encodeChunk, LAST_CHUNK } from '../http1/encode-chunk.js';
import type { BodyFraming } from '../http1/framing.js';
import { headerValue, type ResponseHead } from '../http1/head.js';
import type { ResponseHeadersHook } from './proxy-context.js';

export type Coding = 'gzip' | 'br';

/** Bodies declared shorter than this are not worth compressing. */
const MIN_LENGTH = 1_024;
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|xhtml\+xml|rss\+xml|atom\+xml|ld\+json|manifest\+json|wasm)|image\/svg\+xml)/i;

/** The coding for a request's Accept-Encoding: brotli when accepted, else gzip, else none. */
export function chooseCoding(acceptEncoding: string | undefined): Coding | undefined {
  if (acceptEncoding === undefined) return undefined;
  let gzip = false;
  for (const item of acceptEncoding.split(',')) {
    const [name = '', ...params] = item.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    if (refused) continue;
    if (name === 'br') return 'br';
    if (name === 'gzip' || name === '*') gzip = true;
  }
  return gzip ? 'gzip' : undefined;
}

/** Whether this response should be compressed: a body, text-like, not encoded already, not a range. */
export function shouldCompress(head: ResponseHead, framing: BodyFraming): boolean {
  if (framing.kind === 'none' || head.status < 200 || head.status === 204 || head.status === 206) return false;
  if (framing.kind === 'length' && framing.length < MIN_LENGTH) return false;
  if (headerValue(head, 'content-encoding') !== undefined) return false;
  if (/no-transform/i.test(headerValue(head, 'cache-control') ?? '')) return false;
  return COMPRESSIBLE.test(headerValue(head, 'content-type') ?? '');
}

/** The header changes of a compressed response: encoding, Vary, no length, a weak ETag. */
export function compressedHeaders(coding: Coding): ResponseHeadersHook {
  return (_status, headers) => {
    delete headers['content-length'];
    headers['content-encoding'] = coding;
    const vary = headers.vary === undefined ? '' : String(headers.vary);
    if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.vary = vary === '' ? 'Accept-Encoding' : `${vary}, Accept-Encoding`;
    const etag = headers.etag;
    if (typeof etag === 'string' && etag.startsWith('"')) headers.etag = `W/${etag}`;
  };
}

/** Compresses a body as it streams; `out` gets the bytes to send (chunk-framed when `chunked`). */
export class BodyCompressor {
  private readonly stream: zlib.Gzip | zlib.BrotliCompress;

  constructor(
    coding: Coding,
    private readonly chunked: boolean,
    private readonly out: (bytes: Buffer) => void,
  ) {
    this.stream = coding === 'br'
      ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })
      : zlib.createGzip({ level: 6 });
    this.stream.on('data', (data: Buffer) => {
      if (data.length === 0) return;
      this.out(this.chunked ? Buffer.concat(encodeChunk(data)) : data);
    });
    this.stream.on('error', () => undefined);
  }

  write(data: Buffer): void {
    if (data.length > 0) this.stream.write(data);
  }

  /** Flushes the rest and calls `done` once the last bytes (and the last chunk) were handed to `out`. */
  end(done: () => void): void {
    this.stream.once('end', () => {
      if (this.chunked) this.out(LAST_CHUNK);
      done();
    });
    this.stream.end();
  }

  destroy(): void {
    this.stream.destroy();
  }
}
