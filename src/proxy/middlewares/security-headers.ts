import { validateHeaderValue } from 'node:http';
import { SECURITY_HEADERS_PRESET, type SecurityHeadersOptions } from '../../model/route-middlewares.js';
import { invalidOption, isSecure, type Middleware } from './middleware.js';

export { SECURITY_HEADERS_PRESET } from '../../model/route-middlewares.js';

/**
 * Sets the security headers on every response of the route before forwarding. A header the upstream sends itself
 * replaces ours (the app knows better, e.g. a page meant to be framed). HSTS only goes out over https: browsers
 * ignore it on plain http. Bad values (control characters) fail here, at build time.
 */
export function securityHeaders(options: SecurityHeadersOptions = SECURITY_HEADERS_PRESET): Middleware {
  const always = headerList(options);
  const hsts = options.hsts === false ? undefined : hstsValue(options.hsts);
  return async (ctx, next) => {
    const { res } = ctx;
    for (const [name, value] of always) res.setHeader(name, value);
    if (hsts !== undefined && isSecure(ctx)) res.setHeader('strict-transport-security', hsts);
    await next();
  };
}

function headerList(options: SecurityHeadersOptions): ReadonlyArray<readonly [string, string]> {
  const list: Array<readonly [string, string, string]> = [];
  if (options.frameOptions !== false) list.push(['x-frame-options', options.frameOptions, 'frameOptions']);
  if (options.contentTypeOptions) list.push(['x-content-type-options', 'nosniff', 'contentTypeOptions']);
  if (options.referrerPolicy !== false) list.push(['referrer-policy', options.referrerPolicy, 'referrerPolicy']);
  if (options.permissionsPolicy !== false) list.push(['permissions-policy', options.permissionsPolicy, 'permissionsPolicy']);
  if (options.contentSecurityPolicy !== undefined) {
    list.push(['content-security-policy', options.contentSecurityPolicy, 'contentSecurityPolicy']);
  }
  for (const [name, value, key] of list) checkValue(name, value, key);
  return list.map(([name, value]) => [name, value] as const);
}

function hstsValue(hsts: { readonly maxAgeSeconds: number; readonly includeSubDomains: boolean; readonly preload: boolean }): string {
  if (!Number.isSafeInteger(hsts.maxAgeSeconds) || hsts.maxAgeSeconds < 0) {
    throw invalidOption('securityHeaders.hsts.maxAgeSeconds', `expected a whole number of seconds, got ${hsts.maxAgeSeconds}`);
  }
  if (hsts.preload && (!hsts.includeSubDomains || hsts.maxAgeSeconds < 31_536_000)) {
    throw invalidOption('securityHeaders.hsts.preload', 'HSTS preload needs includeSubDomains and a max-age of at least a year',
      'see https://hstspreload.org for the requirements');
  }
  return [`max-age=${hsts.maxAgeSeconds}`, ...(hsts.includeSubDomains ? ['includeSubDomains'] : []), ...(hsts.preload ? ['preload'] : [])].join('; ');
}

function checkValue(name: string, value: string, key: string): void {
  try {
    if (value.trim() === '') throw new Error('empty');
    validateHeaderValue(name, value);
  } catch {
    throw invalidOption(`securityHeaders.${key}`, `not a valid ${name} header value: ${JSON.stringify(value)}`);
  }
}
