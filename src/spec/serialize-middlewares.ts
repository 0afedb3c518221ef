import type { RouteMiddlewares } from '../model/route-middlewares.js';
import { formatDuration } from './duration.js';

/**
 * `x-berth.middlewares` in the shape MIDDLEWARES_FIELD reads, defaults written out (for `berth config`):
 * parsing the result gives `middlewares` back. Passwords appear only as their digests.
 */
export function serializeMiddlewares(middlewares: RouteMiddlewares): Record<string, unknown> {
  const { securityHeaders: headers, cors } = middlewares;
  const defined = (dict: Record<string, unknown>) => Object.fromEntries(Object.entries(dict).filter(([, v]) => v !== undefined));
  return defined({
    security_headers: headers && defined({
      frame_options: headers.frameOptions,
      content_type_options: headers.contentTypeOptions,
      referrer_policy: headers.referrerPolicy,
      permissions_policy: headers.permissionsPolicy,
      content_security_policy: headers.contentSecurityPolicy,
      hsts: headers.hsts && { max_age: headers.hsts.maxAgeSeconds, include_subdomains: headers.hsts.includeSubDomains, preload: headers.hsts.preload },
    }),
    https_redirect: middlewares.httpsRedirect && { status: middlewares.httpsRedirect.status },
    ip_allow_list: middlewares.ipAllowList && [...middlewares.ipAllowList.ranges],
    rate_limit: middlewares.rateLimit && defined({
      requests: middlewares.rateLimit.requests, period: formatDuration(middlewares.rateLimit.periodMs), burst: middlewares.rateLimit.burst,
    }),
    cors: cors && defined({
      origins: [...cors.origins], methods: [...cors.methods], headers: cors.headers && [...cors.headers],
      expose_headers: cors.exposeHeaders.length === 0 ? undefined : [...cors.exposeHeaders], credentials: cors.credentials, max_age: cors.maxAgeSeconds,
    }),
    basic_auth: middlewares.basicAuth && {
      realm: middlewares.basicAuth.realm, users: middlewares.basicAuth.users.map((user) => `${user.name}:sha256:${user.sha256}`),
    },
    max_body_size: middlewares.maxBodyBytes,
    compress: middlewares.compress,
  });
}
