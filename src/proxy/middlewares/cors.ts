import type { CorsOptions } from '../../model/route-middlewares.js';
import type { ResponseHeadersHook } from '../forward/proxy-context.js';
import { appendHeader, appendToList, invalidOption, type Middleware, type ProxyContext } from './middleware.js';

/**
 * CORS answered at the edge. A request without `Origin` is not cross-origin and passes untouched. A preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) is answered here with 204 and never reaches the upstream; from an
 * origin that is not allowed it gets no `Access-Control-*` headers, so the browser refuses the real request. Other
 * requests from an allowed origin get `Access-Control-Allow-Origin` (and friends) and are forwarded.
 *
 * With `credentials`, the allowed origin is echoed (browsers refuse `*` with credentials) and `Vary: Origin` is
 * added to the upstream's own Vary so caches keep answers per origin; the literal origin `null` (sandboxed pages,
 * files) is never echoed. Berth's decision is final: the upstream's own `Access-Control-Allow-Origin/-Credentials`
 * answers to cross-origin requests are replaced (and, for origins that are not allowed, removed with its
 * `Access-Control-Expose-Headers`); the upstream's expose list stays when berth is given none.
 */
export function cors(options: CorsOptions): Middleware {
  const allows = originMatcher(options.origins);
  const anyOrigin = options.origins.includes('*');
  const star = anyOrigin && !options.credentials;
  const methods = tokenList(options.methods, 'cors.methods').join(', ');
  const headers = options.headers === undefined ? undefined : tokenList(options.headers, 'cors.headers').join(', ');
  const expose = options.exposeHeaders.length === 0 ? undefined : tokenList(options.exposeHeaders, 'cors.exposeHeaders').join(', ');
  const maxAge = options.maxAgeSeconds === undefined ? undefined : String(checkMaxAge(options.maxAgeSeconds));
  if (methods === '') throw invalidOption('cors.methods', 'no method is allowed', 'list the methods, e.g. [GET, POST]');

  /** The allow headers of an allowed origin's request: on the response now, for the proxy's own answers. */
  const allowOrigin = (ctx: ProxyContext, origin: string): void => {
    ctx.res.setHeader('access-control-allow-origin', star ? '*' : origin);
    if (options.credentials) ctx.res.setHeader('access-control-allow-credentials', 'true');
  };
  // The same decisions applied over the upstream's headers (hooks are built once, not per request).
  const overAllowed: ResponseHeadersHook = (_status, upstream, ctx) => {
    delete upstream['access-control-allow-credentials'];
    upstream['access-control-allow-origin'] = star ? '*' : ctx.req.headers.origin;
    if (options.credentials) upstream['access-control-allow-credentials'] = 'true';
    if (expose !== undefined) upstream['access-control-expose-headers'] = expose;
    if (!star) upstream.vary = appendToList(upstream.vary, 'Origin');
  };
  const overRefused: ResponseHeadersHook = (_status, upstream) => {
    for (const name of UPSTREAM_CORS) delete upstream[name];
    upstream.vary = appendToList(upstream.vary, 'Origin');
  };

  return async (ctx, next) => {
    const origin = ctx.req.headers.origin;
    if (origin === undefined) return next();
    const allowed = star || (origin !== 'null' && (anyOrigin || allows(origin)));
    if (!star) appendHeader(ctx, 'vary', 'Origin');
    if (ctx.req.method === 'OPTIONS' && ctx.req.headers['access-control-request-method'] !== undefined) {
      const { res } = ctx;
      if (allowed) {
        allowOrigin(ctx, origin);
        res.setHeader('access-control-allow-methods', methods);
        const requested = ctx.req.headers['access-control-request-headers'];
        if (headers !== undefined) res.setHeader('access-control-allow-headers', headers);
        else if (requested !== undefined) {
          res.setHeader('access-control-allow-headers', requested);
          appendHeader(ctx, 'vary', 'Access-Control-Request-Headers');
        }
        if (maxAge !== undefined) res.setHeader('access-control-max-age', maxAge);
      }
      res.setHeader('x-request-id', ctx.requestId);
      res.setHeader('content-length', '0');
      res.statusCode = 204;
      res.end();
      return;
    }
    if (allowed) {
      allowOrigin(ctx, origin);
      if (expose !== undefined) ctx.res.setHeader('access-control-expose-headers', expose);
    }
    ctx.onResponseHeaders(allowed ? overAllowed : overRefused);
    return next();
  };
}

/** Upstream headers that would contradict berth's answer to a cross-origin request. */
const UPSTREAM_CORS = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-expose-headers'];

const ORIGIN = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;
const HOST_LABELS = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;

/** Exact origins in a set; `scheme://*.domain[:port]` matches one or more labels before `.domain`, same scheme and port. */
function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  if (origins.length === 0) throw invalidOption('cors.origins', 'no origin is allowed', 'list origins like https://app.example.com, or `*`');
  const exact = new Set<string>();
  const wildcards: Array<{ readonly prefix: string; readonly suffix: string }> = [];
  origins.forEach((raw, i) => {
    if (raw === '*') return;
    const origin = raw.toLowerCase();
    const match = ORIGIN.exec(origin);
    if (!match) {
      throw invalidOption(`cors.origins[${i}]`, `expected an origin like https://app.example.com (scheme and host, no path), got ${JSON.stringify(raw)}`);
    }
    if (match[2] === undefined) exact.add(origin);
    else wildcards.push({ prefix: `${match[1]}://`, suffix: `.${match[3]}${match[4] ?? ''}` });
  });
  return (origin) => {
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    return wildcards.some(({ prefix, suffix }) => lower.startsWith(prefix) && lower.endsWith(suffix)
      && HOST_LABELS.test(lower.slice(prefix.length, lower.length - suffix.length)));
  };
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function tokenList(items: readonly string[], path: string): string[] {
  items.forEach((item, i) => {
    if (!TOKEN.test(item)) throw invalidOption(`${path}[${i}]`, `expected a method or header name, got ${JSON.stringify(item)}`);
  });
  return [...new Set(items)];
}

function checkMaxAge(seconds: number): number {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw invalidOption('cors.maxAgeSeconds', `expected a whole number of seconds, got ${seconds}`);
  }
  return seconds;
}
