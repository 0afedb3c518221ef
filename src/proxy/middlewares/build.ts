import { aggregate, BerthError } from '../../errors.js';
import type { RouteMiddlewares } from '../../model/route-middlewares.js';
import { basicAuth } from './basic-auth.js';
import { compress } from './compress.js';
import { cors } from './cors.js';
import { httpsRedirect } from './https-redirect.js';
import { ipAllowList } from './ip-allow-list.js';
import { chain, type Middleware } from './middleware.js';
import { rateLimit, type RateLimitState, type TokenDecision } from './rate-limit.js';
import { securityHeaders } from './security-headers.js';

export interface MiddlewareEnvironment {
  /** The proxy's https port, for redirects. */
  readonly httpsPort?: number;
  /** Monotonic milliseconds for rate limits (tests pass their own clock). */
  readonly now?: () => number;
  /** Prefixed to the paths of option errors, e.g. `services.web.x-berth` or a route id. */
  readonly where?: string;
  /** The rate limit's buckets to build on (kept across rebuilds of the route); absent = fresh ones. */
  readonly rateLimitState?: RateLimitState;
  /** Takes rate-limit tokens in another process (proxy workers); see `RateLimitEnvironment.remote`. */
  readonly rateLimitRemote?: (key: string) => Promise<TokenDecision | undefined>;
}

/**
 * The middlewares of one route, in the order berth runs them whatever the order in the file:
 * security headers (so every answer, including refusals, carries them) → https redirect → IP allow list →
 * rate limit (refused clients spend no tokens) → CORS (preflights carry no credentials, so they are answered
 * before authentication) → basic auth → compression (the coding the client accepts). `maxBodyBytes` is not a middleware: the forwarder enforces it.
 *
 * Every option is checked before anything is returned; all problems are thrown together as BerthErrors
 * (SPEC_BERTH, or SPEC_INVALID holding several), so a bad config never replaces a serving route table.
 */
export function buildMiddlewares(options: RouteMiddlewares, env: MiddlewareEnvironment = {}): readonly Middleware[] {
  const steps: Array<() => Middleware | undefined> = [
    () => options.securityHeaders && securityHeaders(options.securityHeaders),
    () => options.httpsRedirect && httpsRedirect(options.httpsRedirect, { ...(env.httpsPort === undefined ? {} : { httpsPort: env.httpsPort }) }),
    () => options.ipAllowList && ipAllowList(options.ipAllowList),
    () => options.rateLimit && rateLimit(options.rateLimit, {
      ...(env.now === undefined ? {} : { now: env.now }),
      ...(env.rateLimitState === undefined ? {} : { state: env.rateLimitState }),
      ...(env.rateLimitRemote === undefined ? {} : { remote: env.rateLimitRemote }),
    }),
    () => options.cors && cors(options.cors),
    () => options.basicAuth && basicAuth(options.basicAuth),
    () => (options.compress === true ? compress() : undefined),
  ];
  const built: Middleware[] = [];
  const problems: BerthError[] = [];
  for (const step of steps) {
    try {
      const middleware = step();
      if (middleware) built.push(middleware);
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      problems.push(env.where === undefined ? error : locate(error, env.where));
    }
  }
  if (problems.length > 0) throw aggregate(problems);
  return built;
}

/** The route's middlewares as one (a route's chain for the proxy handler), or undefined when it has none. Throws as buildMiddlewares. */
export function buildRouteChain(options: RouteMiddlewares, env: MiddlewareEnvironment = {}): Middleware | undefined {
  const list = buildMiddlewares(options, env);
  return list.length === 0 ? undefined : chain(list);
}

function locate(error: BerthError, where: string): BerthError {
  return new BerthError(error.code, error.message, {
    path: error.path === undefined ? where : `${where}.${error.path}`,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}
