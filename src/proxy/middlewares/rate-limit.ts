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
  /**
   * Takes the token somewhere else (a proxy worker asks the process that holds every worker's buckets, so a
   * client's limit is one limit however its connections are spread); undefined from it = use `state`.
   */
  readonly remote?: (key: string) => Promise<TokenDecision | undefined>;
}

/** The outcome of taking one token: whether the request may pass, and the tokens left in the bucket after it. */
export interface TokenDecision {
  readonly allowed: boolean;
  readonly tokens: number;
}

/** What a bucket is: its capacity and refill rate (from the limit's options). */
export interface BucketShape {
  readonly capacity: number;
  readonly perMs: number;
  readonly maxClients: number;
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

  /** Takes one token from `key`'s bucket at time `t` (refilled first); refuses when less than one is left. */
  take(key: string, t: number, shape: BucketShape): TokenDecision {
    this.prune(t, shape.capacity / shape.perMs);
    const buckets = this.buckets;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= shape.maxClients) buckets.delete(buckets.keys().next().value as string);
      bucket = { tokens: shape.capacity, at: t };
    } else {
      bucket.tokens = Math.min(shape.capacity, bucket.tokens + (t - bucket.at) * shape.perMs);
      bucket.at = t;
      buckets.delete(key); // re-inserted last: the map stays ordered from least to most recently seen
    }
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return { allowed: false, tokens: bucket.tokens };
    bucket.tokens -= 1;
    return { allowed: true, tokens: bucket.tokens };
  }

  /** Drops up to two least recently seen buckets that are full again: forgetting them changes nothing. */
  private prune(t: number, fullAfterMs: number): void {
    for (let i = 0; i < 2; i += 1) {
      const oldest = this.buckets.entries().next();
      if (oldest.done || t - oldest.value[1].at < fullAfterMs) return;
      this.buckets.delete(oldest.value[0]);
    }
  }
}

/** The bucket shape of a limit's options; throws the option errors of `rateLimit`. */
export function bucketShape(options: RateLimitOptions, maxClients = 100_000): BucketShape {
  const { requests, periodMs } = options;
  const capacity = options.burst ?? requests;
  if (!Number.isSafeInteger(requests) || requests < 1) throw invalidOption('rateLimit.requests', `expected at least 1 request, got ${requests}`);
  if (!Number.isFinite(periodMs) || periodMs <= 0) throw invalidOption('rateLimit.periodMs', `expected a period longer than 0, got ${periodMs}`);
  if (!Number.isSafeInteger(capacity) || capacity < 1) throw invalidOption('rateLimit.burst', `expected a burst of at least 1, got ${capacity}`);
  return { capacity, perMs: requests / periodMs, maxClients };
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
  const shape = bucketShape(options, env.maxClients);
  const { capacity, perMs } = shape;
  const now = env.now ?? (() => performance.now());
  const state = env.state ?? new RateLimitState();
  const remote = env.remote;
  const limit = String(capacity);

  return async (ctx, next) => {
    const key = clientKey(ctx.clientIp);
    const decision = (remote === undefined ? undefined : await remote(key)) ?? state.take(key, now(), shape);
    const { res } = ctx;
    res.setHeader('x-ratelimit-limit', limit);
    if (!decision.allowed) {
      const retryAfter = Math.max(1, Math.ceil((1 - decision.tokens) / perMs / 1000));
      res.setHeader('x-ratelimit-remaining', '0');
      res.setHeader('x-ratelimit-reset', String(Math.ceil((capacity - decision.tokens) / perMs / 1000)));
      refuse(ctx, 429, { 'retry-after': String(retryAfter) });
      return;
    }
    res.setHeader('x-ratelimit-remaining', String(Math.floor(decision.tokens)));
    res.setHeader('x-ratelimit-reset', String(Math.ceil((capacity - decision.tokens) / perMs / 1000)));
    await next();
  };
}
