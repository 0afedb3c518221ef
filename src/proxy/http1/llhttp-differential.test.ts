import fc from 'fast-check';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkedScanner } from './chunked-scanner.js';
import { requestFraming } from './framing.js';
import { parseRequestHead } from './parse-request-head.js';
import { mutatedMessages } from './mutated-messages.js';

type Verdict = 'accept' | 'reject' | 'undecided';

/**
 * Our decision on the bytes as a client's stream of requests: accept when they are whole valid messages (head,
 * framing, body), reject when one is invalid, undecided when the last one is incomplete.
 */
function ourVerdict(bytes: Buffer): Verdict {
  let start = 0;
  while (start < bytes.length) {
    const end = messageEnd(bytes, start);
    if (end < 0) return end === -2 ? 'reject' : 'undecided';
    start = end;
  }
  return 'accept';
}

/** The end of the request message at `start`: its end offset, -1 when incomplete, -2 when invalid. */
function messageEnd(bytes: Buffer, start: number): number {
  const parsed = parseRequestHead(bytes, start, 16 * 1024);
  if (parsed.kind !== 'done') return parsed.kind === 'error' ? -2 : -1;
  const bodyStart = start + parsed.length;
  const framing = requestFraming(parsed.head);
  switch (framing.kind) {
    case 'error':
      return -2;
    case 'none':
    case 'close':
      return bodyStart;
    case 'length':
      return bytes.length - bodyStart >= framing.length ? bodyStart + framing.length : -1;
    case 'chunked':
      return new ChunkedScanner().scan(bytes, bodyStart, bytes.length);
  }
}

/** How long Node may take to decide on a complete message before the case is counted as undecided. */
const DECISION_DEADLINE_MS = 5000;

/**
 * Node's decision (llhttp behind http.createServer, default options): the server answers 200 once the whole
 * request (body included) is read; a parse error makes Node answer 400 or close.
 */
function nodeVerdict(port: number, bytes: Buffer): Promise<Verdict> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const finish = (verdict: Verdict) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish('undecided'), DECISION_DEADLINE_MS);
    const statusVerdict = () => (received.startsWith('HTTP/1.1 200 ') ? 'accept' : 'reject');
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (received.includes('\r\n')) finish(statusVerdict());
    });
    socket.on('error', () => finish(statusVerdict()));
    socket.on('close', () => finish(statusVerdict()));
    socket.write(bytes);
  });
}

const CORPUS: readonly string[] = [
  'GET / HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET / HTTP/1.0\r\n\r\n',
  '\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: caf\xe9\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A:\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\tb\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: v\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x5\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5 5\r\n\r\nhello',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n',
  'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n',
  'GET / HTTP/1.1\nHost: h\n\n',
  'GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fb\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-A: b\r\n c\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX A: b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\n: b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: h\r\nX-\xe9: b\r\n\r\n',
  'GET  / HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET / HTTP/1.1 \r\nHost: h\r\n\r\n',
  'GET / HTTP/2.0\r\nHost: h\r\n\r\n',
  'GET / HTTP/1.2\r\nHost: h\r\n\r\n',
  'GET / http/1.1\r\nHost: h\r\n\r\n',
  'GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n',
  'G@T / HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET / HTTP/1.1\r\nX-A: b\r\n\r\n',
  'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
];

/** Bytes that matter to a parser: whitespace, line ends, separators, controls, obs-text, digits and letters. */
const INTERESTING = [
  0x20, 0x09, 0x0d, 0x0a, 0x00, 0x0b, 0x7f, 0x80, 0xff, 0x3a, 0x2c, 0x3b, 0x3d, 0x22, 0x5c, 0x2f, 0x3f, 0x23, 0x25, 0x40,
  0x2b, 0x2d, 0x30, 0x35, 0x61, 0x41, 0x46, 0x7a,
];
const TEMPLATES = [
  ...CORPUS.slice(0, 8),
  'GET http://example.com:8080/a?b#c HTTP/1.1\r\nHost: example.com\r\n\r\n',
  'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
  'OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n',
  'GET /p%20a/t;h?q=1&r[]=2#f HTTP/1.1\r\nHost: h\r\nCookie: a=b; c="d"\r\n\r\n',
  'GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
  'POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;q="a\\"b"\r\nabc\r\n0\r\n\r\n',
  'PUT /x HTTP/1.0\r\nContent-Length: 3\r\nX-A:  v \r\n\r\nabc',
].map((text) => Buffer.from(text, 'latin1'));

const mutatedMessage = mutatedMessages(TEMPLATES, INTERESTING, 4);

describe("differential against Node's parser (llhttp)", () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
      req.on('error', () => res.destroy());
    });
    // CONNECT and Upgrade requests leave the parser once their head is read: answering 200 means accepted.
    server.on('connect', (_req, socket) => socket.end('HTTP/1.1 200 OK\r\n\r\n'));
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 200 OK\r\n\r\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sees Node accept a valid request and reject a smuggling attempt (the harness can tell them apart)', async () => {
    expect(await nodeVerdict(port, Buffer.from(CORPUS[0] as string))).toBe('accept');
    expect(await nodeVerdict(port, Buffer.from(CORPUS[8] as string))).toBe('reject');
  });

  it('rejects every corpus message that Node rejects', async () => {
    const disagreements: string[] = [];
    for (const text of CORPUS) {
      const bytes = Buffer.from(text, 'latin1');
      const ours = ourVerdict(bytes);
      if (ours === 'undecided') disagreements.push(`we cannot decide on a complete message: ${JSON.stringify(text)}`);
      if (ours === 'accept' && (await nodeVerdict(port, bytes)) === 'reject') disagreements.push(JSON.stringify(text));
    }
    expect(disagreements).toEqual([]);
  });

  it('never accepts a mutated message that Node rejects', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedMessage, async (bytes) => {
        if (ourVerdict(bytes) !== 'accept') return;
        expect(await nodeVerdict(port, bytes), JSON.stringify(bytes.toString('latin1'))).not.toBe('reject');
      }),
      { numRuns: Number(process.env['HTTP1_DIFFERENTIAL_RUNS'] ?? 300) },
    );
  });
});
