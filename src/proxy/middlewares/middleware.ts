import type { OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { BerthError } from '../../errors.js';
import { sendErrorResponse } from '../forward/error-response.js';
import type { Middleware, ProxyContext } from '../forward/proxy-context.js';

/*
 * What the middlewares share: the core's Middleware and ProxyContext (src/proxy/forward/proxy-context.ts), how a
 * list of them becomes one route's chain, and the small things each of them does (refuse a request, add to a
 * list header, report a bad option).
 */

export type { Middleware, ProxyContext } from '../forward/proxy-context.js';

/** Runs `middlewares` in order as one middleware; the last one's `next` is the outer `next` (the forwarder). */
export function chain(middlewares: readonly Middleware[]): Middleware {
  if (middlewares.length === 1 && middlewares[0] !== undefined) return middlewares[0];
  return (ctx, next) => {
    const step = (i: number): Promise<void> => {
      const middleware = middlewares[i];
      return middleware === undefined ? next() : middleware(ctx, () => step(i + 1));
    };
    return step(0);
  };
}

/** True when the request came in over TLS (the https listener), whatever the client claims in headers. */
export function isSecure(ctx: ProxyContext): boolean {
  return (ctx.req.socket as Partial<TLSSocket>).encrypted === true;
}

/**
 * Answers the request with the proxy's error page (status, text, request id, as the forwarder's own errors), plus
 * `headers`. Headers middlewares set before (security headers, CORS) are kept.
 */
export function refuse(ctx: ProxyContext, status: number, headers: Readonly<Record<string, string>> = {}): void {
  for (const [name, value] of Object.entries(headers)) ctx.res.setHeader(name, value);
  sendErrorResponse(ctx.res, status, ctx.requestId);
}

/** `current` with `value` added to a comma-separated list such as `Vary`, once (case-insensitively). */
export function appendToList(current: OutgoingHttpHeaders[string], value: string): string {
  if (current === undefined) return value;
  const text = Array.isArray(current) ? current.join(', ') : String(current);
  if (text.trim() === '') return value;
  const has = text.split(',').some((item) => {
    const token = item.trim().toLowerCase();
    return token === value.toLowerCase() || token === '*';
  });
  return has ? text : `${text}, ${value}`;
}

/** Adds `value` to a list header already set on the response (for the proxy's own answers). */
export function appendHeader(ctx: ProxyContext, name: string, value: string): void {
  ctx.res.setHeader(name, appendToList(ctx.res.getHeader(name), value));
}

/** A bad middleware option found while building a route table (the old table keeps serving). */
export function invalidOption(path: string, message: string, hint?: string): BerthError {
  return new BerthError('SPEC_BERTH', message, { path: `middlewares.${path}`, ...(hint === undefined ? {} : { hint }) });
}
