import type { HttpsRedirectOptions } from '../../model/route-middlewares.js';
import { invalidOption, isSecure, refuse, type Middleware } from './middleware.js';

export interface HttpsRedirectEnvironment {
  /** The port the proxy serves https on; left out of the Location when it is 443. */
  readonly httpsPort?: number;
}

/** Let's Encrypt and other ACME servers fetch HTTP-01 challenges over plain http, and follow no redirect to https. */
export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

const HOST_NAME = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])$/;

/**
 * Redirects plain-http requests to the same host and path (query included) on https, with 308 (method and body
 * kept) or 301. ACME HTTP-01 challenge paths pass through. A request whose Host is not a host name (no Host, a
 * userinfo, a path) is answered 400 rather than redirected somewhere it chose.
 */
export function httpsRedirect(options: HttpsRedirectOptions, env: HttpsRedirectEnvironment = {}): Middleware {
  const { status } = options;
  if (status !== 301 && status !== 308) throw invalidOption('httpsRedirect.status', `expected 301 or 308, got ${String(status)}`);
  const httpsPort = env.httpsPort ?? 443;
  if (!Number.isInteger(httpsPort) || httpsPort < 1 || httpsPort > 65535) {
    throw invalidOption('httpsRedirect', `the https port ${httpsPort} is not a port number`);
  }
  const portSuffix = httpsPort === 443 ? '' : `:${httpsPort}`;
  return async (ctx, next) => {
    if (isSecure(ctx)) return next();
    const target = pathOf(ctx.req.url ?? '/');
    if (target === undefined) return refuse(ctx, 400);
    if (target.startsWith(ACME_CHALLENGE_PREFIX)) return next();
    const hostname = hostnameOf(ctx.req.headers.host);
    if (hostname === undefined) return refuse(ctx, 400);
    const { res } = ctx;
    res.setHeader('location', `https://${hostname}${portSuffix}${target}`);
    if (!res.hasHeader('x-request-id')) res.setHeader('x-request-id', ctx.requestId);
    res.setHeader('content-length', '0');
    res.statusCode = status;
    res.end();
  };
}

/** `/a?b` as is; an absolute-form target (`http://host/a?b`) reduced to its path and query; anything else undefined. */
function pathOf(url: string): string | undefined {
  if (url.startsWith('/')) return url;
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return undefined;
  }
}

/** The Host header without its port, or undefined when it is not a plain host name or bracketed IPv6 address. */
function hostnameOf(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = bracket >= 0 ? host.indexOf(':', bracket) : host.indexOf(':');
  const name = colon >= 0 ? host.slice(0, colon) : host;
  const port = colon >= 0 ? host.slice(colon + 1) : '';
  if (!HOST_NAME.test(name) || !/^[0-9]{0,5}$/.test(port)) return undefined;
  return name.toLowerCase();
}
