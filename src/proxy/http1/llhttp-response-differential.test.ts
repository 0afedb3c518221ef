import fc from 'fast-check';
import { get } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkedScanner } from './chunked-scanner.js';
import { responseFraming } from './framing.js';
import { parseResponseHead } from './parse-response-head.js';
import { mutatedMessages } from './mutated-messages.js';

type Verdict = 'accept' | 'reject' | 'skip';

/**
 * Our decision on a whole response to a GET that the upstream sends and then closes: accept when head, framing and
 * body are valid and the body ends exactly at the close; skip 1xx (Node waits for a final response) and bytes left
 * after the body (a protocol error of the connection, not of this response).
 */
function ourVerdict(bytes: Buffer): Verdict {
  const parsed = parseResponseHead(bytes, 0, 16 * 1024);
  if (parsed.kind !== 'done') return 'reject';
  if (parsed.head.status < 200) return 'skip';
  const framing = responseFraming(parsed.head, 'GET');
  const rest = bytes.length - parsed.length;
  switch (framing.kind) {
    case 'error':
      return 'reject';
    case 'close':
      return 'accept';
    case 'none':
      return rest === 0 ? 'accept' : 'skip';
    case 'length':
      return rest < framing.length ? 'reject' : rest === framing.length ? 'accept' : 'skip';
    case 'chunked': {
      const end = new ChunkedScanner().scan(bytes, parsed.length, bytes.length);
      return end === bytes.length ? 'accept' : end >= 0 ? 'skip' : 'reject';
    }
  }
}

const DECISION_DEADLINE_MS = 5000;

/** Node's decision (llhttp behind http.get): the response ends cleanly, or the request fails. */
function nodeVerdict(port: number): Promise<Verdict | 'undecided'> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (verdict: Verdict | 'undecided') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(verdict);
    };
    const timer = setTimeout(() => finish('undecided'), DECISION_DEADLINE_MS);
    const request = get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => finish('accept'));
      res.on('error', () => finish('reject'));
      res.on('aborted', () => finish('reject'));
    });
    request.on('error', () => finish('reject'));
  });
}

const TEMPLATES = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\nX-T: v\r\n\r\n',
  'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nmissing',
  'HTTP/1.0 200 OK\r\nServer: s\r\n\r\nbody',
  'HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n',
].map((text) => Buffer.from(text, 'latin1'));

const INTERESTING = [0x20, 0x09, 0x0d, 0x0a, 0x00, 0x0b, 0x7f, 0xff, 0x3a, 0x2c, 0x3b, 0x3d, 0x22, 0x30, 0x35, 0x31, 0x61, 0x46];

const mutatedResponse = mutatedMessages(TEMPLATES, INTERESTING, 3);

describe("response differential against Node's parser (llhttp)", () => {
  let server: Server;
  let port: number;
  /** The response the upstream sends to the next connection. */
  let next = Buffer.alloc(0);
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      // Answer once the request head is in, then close: a close-delimited body ends there.
      socket.once('data', () => socket.end(next));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts the unmutated templates, as Node does, and both reject conflicting lengths', async () => {
    for (const bytes of TEMPLATES) {
      next = bytes;
      expect([ourVerdict(bytes), await nodeVerdict(port)]).toEqual(['accept', 'accept']);
    }
    next = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect([ourVerdict(next), await nodeVerdict(port)]).toEqual(['reject', 'reject']);
  });

  it('never accepts a mutated response that Node rejects', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedResponse, async (bytes) => {
        if (ourVerdict(bytes) !== 'accept') return;
        next = bytes;
        expect(await nodeVerdict(port), JSON.stringify(bytes.toString('latin1'))).not.toBe('reject');
      }),
      { numRuns: Number(process.env['HTTP1_DIFFERENTIAL_RUNS'] ?? 200) },
    );
  });
});
