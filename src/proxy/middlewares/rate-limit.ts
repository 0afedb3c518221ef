import type { RateLimitOptions } from '../../model/route-middlewares.js';
import { clientKey } from './client-address.js';
import { invalidOption, refuse, type Middleware } from './middleware.js';

export interface RateLimitEnvironment {
  /** Milliseconds from a monotonic clock; tests pass their own. */
  readonly now?: () => number;
  /** Most clients remembered at once; past it the least recently seen is forgotten (it starts again with a full bucket). */
  readonly maxClients?: number;
  /**
   * Where the buckets live. Pass the state of the middleware this one replaces (same route, same options) to keep
   * every client's count across a rebuild of the route table; absent = fresh buckets.
   */
  readonly state?: RateLimitState;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * The buckets of one rate limit, per client key, least recently seen first. It outlives the middleware built on
 * it, so a reload or a deploy does not hand every client a full bucket. Only meaningful for one set of options
 * (RateLimitStates keys it by them): a bucket counts tokens of one capacity and refill rate.
 */
export class RateLimitState {
  /** @internal */
  readonly buckets = new Map<string, Bucket>();

  /** Clients remembered now. */
  get size(): number {
    return this.buckets.size;
  }
}

/**
 * A token bucket per client (IPv4 address or IPv6 /64): it holds up to `burst` (default `requests`) tokens and
 * refills at `requests` per `periodMs`; each request takes one. Allowed requests carry `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the bucket is full again); a request finding the
 * bucket empty is answered 429 with `Retry-After` (seconds until a token is back) and never reaches the upstream.
 *
 * State lives in memory, in `env.state` when given (kept across rebuilds of the route), else in this middleware.
 * No timers: buckets that have refilled are dropped as requests come in, and the map never grows past `maxClients`.
 */
export function rateLimit(options: RateLimitOptions, env: RateLimitEnvironment = {}): Middleware {
  const { requests, periodMs } = options;
  const capacity = options.burst ?? requests;
  if (!Number.isSafeInteger(requests) || requests < 1) throw invalidOption('rateLimit.requests', `expected at least 1 request, got ${requests}`);
  if (!Number.isFinite(periodMs) || periodMs <= 0) throw invalidOption('rateLimit.periodMs', `expected a period longer than 0, got ${periodMs}`);
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw invalidOption('rateLimit.burst', `expected a burst of at least 1, got ${capacity}`);
  const now = env.now ?? (() => performance.now());
  const maxClients = env.maxClients ?? 100_000;
  const perMs = requests / periodMs;
  const fullAfterMs = capacity / perMs;
  const { buckets } = env.state ?? new RateLimitState();
  const limit = String(capacity);

  /** Drops up to two least recently seen buckets that are full again: forgetting them changes nothing. */
  const prune = (t: number): void => {
    for (let i = 0; i < 2; i += 1) {
      const oldest = buckets.entries().next();
      if (oldest.done || t - oldest.value[1].at < fullAfterMs) return;
      buckets.delete(oldest.value[0]);
    }
  };

  const take = (key: string, t: number): Bucket => {
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value as string);
      const fresh = { tokens: capacity, at: t };
      buckets.set(key, fresh);
      return fresh;
    }
    bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    buckets.delete(key); // re-inserted last: the map stays ordered from least to most recently seen
    buckets.set(key, bucket);
    return bucket;
  };

  return async (ctx, next) => {
    const t = now();
    prune(t);
    const bucket = take(clientKey(ctx.clientIp), t);
    const { res } = ctx;
    res.setHeader('x-ratelimit-limit', limit);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      res.setHeader('x-ratelimit-remaining', '0');
      res.setHeader('x-ratelimit-reset', String(Math.ceil((capacity - bucket.tokens) / perMs / 1000)));
      refuse(ctx, 429, { 'retry-after': String(retryAfter) });
      return;
    }
    bucket.tokens -= 1;
    res.setHeader('x-ratelimit-remaining', String(Math.floor(bucket.tokens)));
    res.setHeader('x-ratelimit-reset', String(Math.ceil((capacity - bucket.tokens) / perMs / 1000)));
    await next();
  };
}
