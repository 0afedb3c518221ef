import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { SchemaObject } from 'ajv';
import {
  SECURITY_HEADERS_PRESET, type BasicAuthOptions, type BasicAuthUser, type CorsOptions, type HttpsRedirectOptions,
  type IpAllowListOptions, type RateLimitOptions, type RouteMiddlewares, type SecurityHeadersOptions,
} from '../model/route-middlewares.js';
import { readDuration } from './duration.js';
import type { ModelPath } from './model-path.js';
import { parseBytes } from './normalize/bytes.js';
import type { StageContext } from './stage-context.js';

/**
 * `x-berth.middlewares` of a service: applied to each of its routes by the edge proxy, in berth's order (see
 * src/proxy/middlewares/build.ts). The schema checks shapes; the conversion fills defaults and checks what a schema
 * cannot say (origins, CIDR ranges, password entries). Errors are SPEC_BERTH at their position; a middleware with
 * errors is left out and the loader fails as a whole.
 *
 * ```yaml
 * middlewares:
 *   security_headers: true                 # seed 001's table; or a mapping overriding single headers
 *   https_redirect: true                   # or {status: 301}
 *   ip_allow_list: [10.0.0.0/8, "::1"]
 *   rate_limit: {requests: ${RATE_LIMIT_REQUESTS}, period: ${RATE_LIMIT_PERIOD}, enabled: ${RATE_LIMIT_ENABLED}}
 *   cors: {origins: ${ALLOWED_ORIGINS}, credentials: true, max_age: 10m}
 *   basic_auth: {realm: admin, users: ["alice:sha256:<hex of sha256(password)>"]}
 *   max_body_size: 10m
 * ```
 */

const BOOLEAN: SchemaObject = {
  type: ['boolean', 'string'],
  pattern: '^([Tt]rue|TRUE|[Ff]alse|FALSE|[Yy]es|YES|[Nn]o|NO|[Oo]n|ON|[Oo]ff|OFF|[YyNn])$',
  message: 'expected true or false',
};
const COUNT: SchemaObject = { type: ['integer', 'string'], pattern: '^[0-9]+$', message: 'expected a whole number' };
/** A duration (`10s`, `1m`) or a number of seconds (`60`, as seed 003's RATE_LIMIT_PERIOD). */
const SECONDS: SchemaObject = { type: ['integer', 'string'], minLength: 1 };
const TEXT_OR_OFF: SchemaObject = { type: ['string', 'boolean'], minLength: 1 };
const LIST: SchemaObject = { type: ['string', 'array'], items: { type: 'string', minLength: 1 }, minLength: 1, minItems: 1 };

export const MIDDLEWARES_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    security_headers: {
      type: ['boolean', 'object'],
      properties: {
        frame_options: { type: ['string', 'boolean'], enum: ['DENY', 'SAMEORIGIN', 'deny', 'sameorigin', false] },
        content_type_options: BOOLEAN,
        referrer_policy: TEXT_OR_OFF,
        permissions_policy: TEXT_OR_OFF,
        content_security_policy: { type: 'string', minLength: 1 },
        hsts: {
          type: ['boolean', 'object'],
          properties: { max_age: SECONDS, include_subdomains: BOOLEAN, preload: BOOLEAN },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
    https_redirect: {
      type: ['boolean', 'object'],
      properties: { status: { type: ['integer', 'string'] } },
      additionalProperties: false,
    },
    ip_allow_list: LIST,
    rate_limit: {
      type: 'object',
      required: ['requests', 'period'],
      properties: { enabled: BOOLEAN, requests: COUNT, period: SECONDS, burst: COUNT },
      additionalProperties: false,
    },
    cors: {
      type: 'object',
      required: ['origins'],
      properties: {
        origins: LIST, methods: LIST, headers: LIST, expose_headers: LIST, credentials: BOOLEAN, max_age: SECONDS,
      },
      additionalProperties: false,
    },
    basic_auth: {
      type: 'object',
      required: ['users'],
      properties: { realm: { type: 'string', minLength: 1 }, users: LIST },
      additionalProperties: false,
    },
    max_body_size: { type: ['integer', 'string'], minLength: 1 },
    compress: BOOLEAN,
  },
  additionalProperties: false,
};

type Raw = Readonly<Record<string, unknown>>;

/** The `middlewares` entry of SERVICE_FIELDS: undefined when absent or empty. */
export const MIDDLEWARES_FIELD = {
  schema: MIDDLEWARES_SCHEMA,
  parse: (raw: unknown, ctx: StageContext, path: ModelPath): RouteMiddlewares | undefined => {
    if (raw === undefined || raw === null) return undefined;
    const given = raw as Raw;
    const at = (key: string): ModelPath => [...path, key];
    const out: { -readonly [K in keyof RouteMiddlewares]: RouteMiddlewares[K] } = {};
    if (given.security_headers !== undefined) out.securityHeaders = toSecurityHeaders(given.security_headers, ctx, at('security_headers'));
    if (given.https_redirect !== undefined && given.https_redirect !== false) {
      out.httpsRedirect = toHttpsRedirect(given.https_redirect as true | Raw, ctx, at('https_redirect'));
    }
    if (given.ip_allow_list !== undefined) out.ipAllowList = toAllowList(given.ip_allow_list as string | string[], ctx, at('ip_allow_list'));
    if (given.rate_limit !== undefined) out.rateLimit = toRateLimit(given.rate_limit as Raw, ctx, at('rate_limit'));
    if (given.cors !== undefined) out.cors = toCors(given.cors as Raw, ctx, at('cors'));
    if (given.basic_auth !== undefined) out.basicAuth = toBasicAuth(given.basic_auth as Raw, ctx, at('basic_auth'));
    if (given.max_body_size !== undefined) out.maxBodyBytes = toBytes(given.max_body_size, ctx, at('max_body_size'));
    if (toBoolean(given.compress) === true) out.compress = true;
    const set = Object.fromEntries(Object.entries(out).filter(([, value]) => value !== undefined)) as RouteMiddlewares;
    return Object.keys(set).length === 0 ? undefined : set;
  },
};

const PRESET = SECURITY_HEADERS_PRESET;

/** `true` = seed 001's preset; a mapping overrides single headers of it (`false` leaves one out). */
function toSecurityHeaders(raw: unknown, ctx: StageContext, path: ModelPath): SecurityHeadersOptions | undefined {
  if (raw === false) return undefined;
  if (raw === true) return PRESET;
  const given = raw as Raw;
  const text = (value: unknown, preset: string | false): string | false => (value === undefined || value === true ? preset : value as string | false);
  const frame = given.frame_options;
  const hsts = toHsts(given.hsts, ctx, [...path, 'hsts']);
  return {
    frameOptions: frame === undefined || frame === true ? PRESET.frameOptions : frame === false ? false : (String(frame).toUpperCase() as 'DENY' | 'SAMEORIGIN'),
    contentTypeOptions: toBoolean(given.content_type_options) ?? true,
    referrerPolicy: text(given.referrer_policy, PRESET.referrerPolicy),
    permissionsPolicy: text(given.permissions_policy, PRESET.permissionsPolicy),
    hsts,
    ...(typeof given.content_security_policy === 'string' ? { contentSecurityPolicy: given.content_security_policy } : {}),
  };
}

function toHsts(raw: unknown, ctx: StageContext, path: ModelPath): SecurityHeadersOptions['hsts'] {
  if (raw === undefined || raw === true) return PRESET.hsts;
  if (raw === false) return false;
  const given = raw as Raw;
  const hsts = {
    maxAgeSeconds: given.max_age === undefined ? 31_536_000 : readSeconds(given.max_age, ctx, [...path, 'max_age']) ?? 31_536_000,
    includeSubDomains: toBoolean(given.include_subdomains) ?? false,
    preload: toBoolean(given.preload) ?? false,
  };
  if (hsts.preload && (!hsts.includeSubDomains || hsts.maxAgeSeconds < 31_536_000)) {
    ctx.error('SPEC_BERTH', [...path, 'preload'], 'HSTS preload needs include_subdomains: true and a max_age of at least a year', {
      hint: 'see https://hstspreload.org for the requirements',
    });
  }
  return hsts;
}

function toHttpsRedirect(raw: true | Raw, ctx: StageContext, path: ModelPath): HttpsRedirectOptions | undefined {
  const status = raw === true || raw.status === undefined ? 308 : Number(raw.status);
  if (status === 301 || status === 308) return { status };
  ctx.error('SPEC_BERTH', [...path, 'status'], `expected 301 or 308, got ${JSON.stringify((raw as Raw).status)}`, {
    hint: '308 keeps the method and body of the request; 301 is for clients too old to know 308',
  });
  return undefined;
}

/** Seed 003's RATE_LIMIT_ENABLED / RATE_LIMIT_REQUESTS / RATE_LIMIT_PERIOD (seconds) map onto enabled / requests / period. */
function toRateLimit(raw: Raw, ctx: StageContext, path: ModelPath): RateLimitOptions | undefined {
  if (toBoolean(raw.enabled) === false) return undefined;
  const requests = Number(raw.requests);
  if (requests < 1) ctx.error('SPEC_BERTH', [...path, 'requests'], `expected at least 1 request per period, got ${JSON.stringify(raw.requests)}`);
  const periodMs = readMs(raw.period, ctx, [...path, 'period']);
  if (periodMs === 0) ctx.error('SPEC_BERTH', [...path, 'period'], 'expected a period longer than 0', { hint: 'e.g. 60 (seconds) or 1m' });
  const burst = raw.burst === undefined ? undefined : Number(raw.burst);
  if (burst === 0) ctx.error('SPEC_BERTH', [...path, 'burst'], 'expected a burst of at least 1 request');
  if (requests < 1 || !periodMs || burst === 0) return undefined;
  return { requests, periodMs, ...(burst === undefined ? {} : { burst }) };
}

const ORIGIN = /^(\*|https?:\/\/(\*\.)?([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?)$/i;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];

function toCors(raw: Raw, ctx: StageContext, path: ModelPath): CorsOptions | undefined {
  const failures = ctx.issues.length;
  const origins = checked(splitList(raw.origins), ctx, [...path, 'origins'], ORIGIN, 'expected `*` or an origin like https://app.example.com (scheme and host, no path)');
  const tokens = (key: string) => (raw[key] === undefined ? undefined : checked(splitList(raw[key]), ctx, [...path, key], TOKEN, 'expected a method or header name'));
  const credentials = toBoolean(raw.credentials) ?? false;
  const maxAgeSeconds = raw.max_age === undefined ? undefined : readSeconds(raw.max_age, ctx, [...path, 'max_age']);
  if (credentials && origins.includes('*')) {
    ctx.warn([...path, 'origins'], 'with credentials and `*`, every web site can make requests with your users\' cookies; the origin is echoed, never `*`');
  }
  const [methods, headers, exposeHeaders] = [tokens('methods'), tokens('headers'), tokens('expose_headers')];
  if (ctx.issues.length > failures) return undefined;
  return {
    origins,
    methods: (methods ?? DEFAULT_METHODS).map((method) => method.toUpperCase()),
    ...(headers === undefined ? {} : { headers }),
    exposeHeaders: exposeHeaders ?? [],
    credentials,
    ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
  };
}

/** Items of a list, or of a comma-separated string (as `${ALLOWED_ORIGINS}` from a .env file gives them). */
function splitList(raw: unknown): string[] {
  const items = typeof raw === 'string' ? raw.split(',') : (raw as string[]);
  return items.map((item) => item.trim()).filter((item) => item !== '');
}

function checked(items: string[], ctx: StageContext, path: ModelPath, pattern: RegExp, expected: string): string[] {
  items.forEach((item, i) => {
    if (!pattern.test(item)) ctx.error('SPEC_BERTH', items.length === 1 ? path : [...path, i], `${expected}, got ${JSON.stringify(item)}`);
  });
  return items;
}

function toAllowList(raw: string | string[], ctx: StageContext, path: ModelPath): IpAllowListOptions | undefined {
  const failures = ctx.issues.length;
  const ranges = splitList(raw);
  ranges.forEach((range, i) => {
    const [address = '', prefix, extra] = range.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const ok = family !== 0 && extra === undefined && (prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= bits));
    if (!ok) {
      ctx.error('SPEC_BERTH', ranges.length === 1 ? path : [...path, i], `expected an IP address or CIDR range, got ${JSON.stringify(range)}`, {
        hint: 'e.g. 10.0.0.0/8, 192.168.1.7 or 2001:db8::/32',
      });
    }
  });
  return ctx.issues.length > failures ? undefined : { ranges };
}

function toBasicAuth(raw: Raw, ctx: StageContext, path: ModelPath): BasicAuthOptions | undefined {
  const failures = ctx.issues.length;
  const users = toUsers(raw.users as string | string[], ctx, [...path, 'users']);
  return ctx.issues.length > failures ? undefined : { realm: typeof raw.realm === 'string' ? raw.realm : 'restricted', users };
}

/**
 * `name:sha256:<64 hex digits>` (the SHA-256 of the password), or `name:password` kept only as its digest, with a
 * warning. htpasswd hashes (bcrypt `$2y$`, `$apr1$`, `{SHA}`) are refused: berth cannot check them.
 */
function toUsers(raw: string | string[], ctx: StageContext, path: ModelPath): BasicAuthUser[] {
  const entries = [raw].flat();
  const users: BasicAuthUser[] = [];
  entries.forEach((entry, i) => {
    const where = Array.isArray(raw) ? [...path, i] : path;
    const colon = entry.indexOf(':');
    const name = entry.slice(0, Math.max(colon, 0));
    const secret = entry.slice(colon + 1);
    const hashed = /^sha256:([0-9a-fA-F]{64})$/.exec(secret);
    if (colon <= 0 || secret === '') {
      ctx.error('SPEC_BERTH', where, 'expected `name:sha256:<hex digest>` or `name:password`');
    } else if (/^(\$2[abxy]?\$|\$apr1\$|\{SHA\})/.test(secret)) {
      ctx.error('SPEC_BERTH', where, `the password of ${name} is an htpasswd hash berth cannot check`, { hint: HASH_HINT });
    } else if (users.some((user) => user.name === name)) {
      ctx.error('SPEC_BERTH', where, `the user ${name} is listed twice`);
    } else if (hashed?.[1] !== undefined) {
      users.push({ name, sha256: hashed[1].toLowerCase() });
    } else {
      ctx.warn(where, `the password of ${name} is written in plain text; write name:sha256:<digest> instead (${HASH_HINT})`);
      users.push({ name, sha256: createHash('sha256').update(secret, 'utf8').digest('hex') });
    }
  });
  return users;
}

const HASH_HINT = "get the digest with: printf %s 'the password' | sha256sum";

function toBytes(raw: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  const bytes = typeof raw === 'number' ? raw : parseBytes(String(raw));
  if (bytes !== undefined && Number.isSafeInteger(bytes) && bytes > 0) return bytes;
  ctx.error('SPEC_BERTH', path, `cannot read the size ${JSON.stringify(raw)}`, { hint: 'use a number of bytes or a number with a unit: 512k, 10m, 1g' });
  return undefined;
}

/** A bare number (or digit string) is seconds; anything else a compose duration. In milliseconds, never negative. */
function readMs(raw: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  if (typeof raw === 'number' || (typeof raw === 'string' && /^[0-9]+$/.test(raw))) return Number(raw) * 1000;
  const ms = readDuration(raw, ctx, path);
  if (ms === undefined || ms >= 0) return ms;
  ctx.error('SPEC_BERTH', path, `expected a duration of 0 or more, got ${JSON.stringify(raw)}`);
  return undefined;
}

/** Whole seconds, rounded up (`1.5s` → 2), for headers that count in seconds. */
function readSeconds(raw: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  const ms = readMs(raw, ctx, path);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function toBoolean(raw: unknown): boolean | undefined {
  if (raw === undefined || typeof raw === 'boolean') return raw;
  return ['true', 'yes', 'on', 'y'].includes(String(raw).toLowerCase());
}
