/*
 * Typed `x-berth.middlewares` of a service: what the edge proxy does to each request of the service's routes before
 * (or instead of) forwarding it. Plain readonly data; the loader fills it (src/spec/berth-middlewares.ts), the proxy
 * builds one middleware per set option (src/proxy/middlewares/build.ts), in a fixed order that berth decides.
 */

/** Every option is off when absent. */
export interface RouteMiddlewares {
  readonly securityHeaders?: SecurityHeadersOptions;
  readonly httpsRedirect?: HttpsRedirectOptions;
  readonly ipAllowList?: IpAllowListOptions;
  readonly rateLimit?: RateLimitOptions;
  readonly cors?: CorsOptions;
  readonly basicAuth?: BasicAuthOptions;
  /** Largest request body in bytes; the forwarder answers 413 past it. */
  readonly maxBodyBytes?: number;
  /** Compress text-like responses (gzip or brotli, as the client accepts) that the upstream sent uncompressed. */
  readonly compress?: boolean;
}

/** Response headers added to every response; `false` leaves a header out. HSTS is only sent over https. */
export interface SecurityHeadersOptions {
  readonly frameOptions: 'DENY' | 'SAMEORIGIN' | false;
  readonly contentTypeOptions: boolean;
  readonly referrerPolicy: string | false;
  readonly permissionsPolicy: string | false;
  readonly hsts: { readonly maxAgeSeconds: number; readonly includeSubDomains: boolean; readonly preload: boolean } | false;
  /** No default: a policy that fits every app does not exist. */
  readonly contentSecurityPolicy?: string;
}

/**
 * `security_headers: true`: seed 001's table (X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy
 * origin-when-cross-origin), a Permissions-Policy that turns off powerful features most sites never use, and HSTS
 * for a year on https (without includeSubDomains: that would break sibling sites still on plain http).
 */
export const SECURITY_HEADERS_PRESET: SecurityHeadersOptions = Object.freeze({
  frameOptions: 'DENY',
  contentTypeOptions: true,
  referrerPolicy: 'origin-when-cross-origin',
  permissionsPolicy: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  hsts: Object.freeze({ maxAgeSeconds: 31_536_000, includeSubDomains: false, preload: false }),
});

/** Plain-http requests are redirected to https (ACME HTTP-01 challenges excepted). */
export interface HttpsRedirectOptions {
  /** 308 keeps the method and body; 301 for old clients. */
  readonly status: 301 | 308;
}

/** Only clients whose address is in one of `ranges` (`10.0.0.0/8`, `::1`, `2001:db8::/32`) get through; others get 403. */
export interface IpAllowListOptions {
  readonly ranges: readonly string[];
}

/** At most `requests` per `periodMs` per client IP, in bursts of up to `burst` (default `requests`); then 429. */
export interface RateLimitOptions {
  readonly requests: number;
  readonly periodMs: number;
  readonly burst?: number;
}

/**
 * Cross-origin requests from `origins` (`https://app.example.com`, `https://*.example.com`, or `*` for any) are
 * allowed; the proxy answers preflights itself. With `credentials` the request's origin is echoed, never `*`.
 */
export interface CorsOptions {
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  /** Request headers allowed in preflights; absent = whatever the preflight asks for. */
  readonly headers?: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly credentials: boolean;
  readonly maxAgeSeconds?: number;
}

/** HTTP basic authentication. Passwords are kept as SHA-256 digests (hex) only, never as written. */
export interface BasicAuthOptions {
  readonly realm: string;
  readonly users: readonly BasicAuthUser[];
}

export interface BasicAuthUser {
  readonly name: string;
  /** Lower-case hex SHA-256 of the UTF-8 password. */
  readonly sha256: string;
}
