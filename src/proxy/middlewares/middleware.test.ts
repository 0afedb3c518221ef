import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxyContext, type ResolvedRoute } from '../forward/proxy-context.js';
import { appendHeader, appendToList, chain, refuse, type Middleware } from './middleware.js';
import { serveMiddlewares, type TestServer } from './test-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A context for tests that never touch the request or response. */
function bareContext(route?: ResolvedRoute): ProxyContext {
  return new ProxyContext({} as IncomingMessage, {} as ServerResponse, route, 'req-x', '127.0.0.1');
}

function recorder(steps: string[], name: string): Middleware {
  return async (_ctx, next) => {
    steps.push(`${name} in`);
    await next();
    steps.push(`${name} out`);
  };
}

describe('chain', () => {
  it('runs middlewares in order around the outer next, each resuming after its next()', async () => {
    const steps: string[] = [];
    await chain([recorder(steps, 'a'), recorder(steps, 'b')])(bareContext(), async () => {
      steps.push('forward');
    });
    expect(steps).toEqual(['a in', 'b in', 'forward', 'b out', 'a out']);
  });

  it('stops at a middleware that answers without calling next', async () => {
    let forwarded = false;
    await chain([async () => undefined])(bareContext(), async () => {
      forwarded = true;
    });
    expect(forwarded).toBe(false);
  });

  it('goes straight on when empty', async () => {
    let forwarded = false;
    await chain([])(bareContext(), async () => {
      forwarded = true;
    });
    expect(forwarded).toBe(true);
  });
});

describe('refuse and appendHeader', () => {
  const teapot: Middleware = async (ctx) => {
    appendHeader(ctx, 'vary', 'Origin');
    appendHeader(ctx, 'vary', 'origin');
    appendHeader(ctx, 'vary', 'Accept');
    refuse(ctx, 418, { 'x-extra': '1' });
  };

  it('answers with the proxy\'s error page naming the request id, keeping headers set before', async () => {
    server = await serveMiddlewares([teapot]);
    const res = await server.send({});
    expect(res.status).toBe(418);
    expect(res.body).toMatch(/^418 I'm a Teapot\nrequest id: (req-\d+)\n$/);
    expect(res.headers['x-request-id']).toBe(/request id: (req-\d+)/.exec(res.body)?.[1]);
    expect(res.headers['x-extra']).toBe('1');
    expect(res.headers.vary).toBe('Origin, Accept');
    expect(server.forwarded).toHaveLength(0);
  });

  it('sends no body to HEAD requests', async () => {
    server = await serveMiddlewares([teapot]);
    const res = await server.send({ method: 'HEAD' });
    expect([res.status, res.body]).toEqual([418, '']);
  });

  it.each([
    [undefined, 'Origin', 'Origin'],
    ['', 'Origin', 'Origin'],
    ['Accept-Encoding', 'Origin', 'Accept-Encoding, Origin'],
    ['accept-encoding, origin', 'Origin', 'accept-encoding, origin'],
    ['*', 'Origin', '*'],
    [['Accept', 'Cookie'], 'Origin', 'Accept, Cookie, Origin'],
  ])('adds to the list %j the value %s once', (current, value, expected) => {
    expect(appendToList(current, value)).toBe(expected);
  });
});
