import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countingUpstream, echoHandler, RawClient, cleanupsAfterEach } from './engine-test-support.js';
import { pool, startProxy } from './test-upstream.js';

const { track, defer } = cleanupsAfterEach();

interface Plan {
  readonly method: 'GET' | 'POST';
  readonly chunked: boolean;
  readonly size: number;
  /** Sent in the same write as the request before it. */
  readonly pipelined: boolean;
  readonly seed: number;
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  method: fc.constantFrom('GET' as const, 'POST' as const),
  chunked: fc.boolean(),
  size: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 * 1024 })),
  pipelined: fc.boolean(),
  seed: fc.integer({ min: 0, max: 255 }),
});

/** Bytes of a request and its body; a chunked body is split into uneven chunks. */
function encode(plan: Plan, path: string): { bytes: Buffer; body: Buffer } {
  const body = Buffer.alloc(plan.method === 'GET' ? 0 : plan.size);
  for (let i = 0; i < body.length; i++) body[i] = (plan.seed + i * 31) & 0xff;
  if (plan.method === 'GET') return { bytes: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`), body };
  if (!plan.chunked) {
    return { bytes: Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body]), body };
  }
  const parts: Buffer[] = [Buffer.from(`POST ${path} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n`)];
  let at = 0;
  let n = 1 + (plan.seed % 7);
  while (at < body.length) {
    const len = Math.min(n, body.length - at);
    parts.push(Buffer.from(`${len.toString(16)}\r\n`), body.subarray(at, at + len), Buffer.from('\r\n'));
    at += len;
    n = n * 3 + 5;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return { bytes: Buffer.concat(parts), body };
}

describe('engine: concurrency', () => {
  it('200 mixed requests over 20 keep-alive connections each get their own body back', { timeout: 60_000 }, async () => {
    const u = track(await countingUpstream(echoHandler));
    const proxy = track(await startProxy(pool([u.endpoint])));
    const plans = fc.sample(fc.array(planArb, { minLength: 10, maxLength: 10 }), { numRuns: 20, seed: 20261125 });
    await Promise.all(
      plans.map(async (list, conn) => {
        const c = await RawClient.connect(proxy.port);
        defer(() => c.destroy());
        const expected: Buffer[] = [];
        const methods: string[] = [];
        let i = 0;
        while (i < list.length) {
          // One write: this request plus the pipelined ones right after it.
          const batch: Buffer[] = [];
          do {
            const plan = list[i] as Plan;
            const path = `/c${conn}/r${i}`;
            const { bytes, body } = encode(plan, path);
            batch.push(bytes);
            expected.push(Buffer.concat([Buffer.from(`${plan.method} ${path}\n`), body]));
            methods.push(plan.method);
            i++;
          } while (i < list.length && (list[i] as Plan).pipelined);
          c.write(Buffer.concat(batch));
          await c.responses(expected.length, methods, 30_000);
        }
        const got = await c.responses(expected.length, methods, 30_000);
        expect(got.map((r) => r.status)).toEqual(expected.map(() => 200));
        got.forEach((r, k) => expect(r.body.equals(expected[k] as Buffer), `conn ${conn} request ${k}`).toBe(true));
        expect(c.closed).toBe(false);
      }),
    );
    // Keep-alive both ways: never more upstream connections than clients in flight.
    expect(u.connections).toBeLessThanOrEqual(20);
  });
});
