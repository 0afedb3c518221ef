/*
 * When a failed try may be repeated on another endpoint: nginx's
 * `proxy_next_upstream error timeout http_502 http_503 http_504`, made safe for a streaming proxy that does not
 * buffer request bodies.
 */

/** Bounds on retrying. A try is never started after `maxTries` tries or once `budgetMs` have passed. */
export interface RetryOptions {
  readonly maxTries: number;
  readonly budgetMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxTries: 3, budgetMs: 10_000 };

/**
 * What went wrong with one try:
 * - `connect`: no connection (refused, unreachable, connect timeout): nothing reached the upstream.
 * - `reset`: the connection died after the request was (partly) sent, before a response.
 * - `timeout`: no response headers in time.
 * - `status`: the upstream answered 502, 503 or 504 — or any 5xx, when the pool has standby endpoints to retry
 *   it on (a deploy's watch window; see `UpstreamPool.pickStandby`).
 */
export type TryFailure = 'connect' | 'reset' | 'timeout' | 'status';

export interface TryState {
  readonly method: string;
  /** Bytes of the client's request body were read for some try: they cannot be sent again. */
  readonly bodyStarted: boolean;
  readonly tries: number;
  readonly elapsedMs: number;
}

/** RFC 9110 §9.2.2 idempotent methods (PATCH and POST are not). */
export function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'PUT':
    case 'DELETE':
    case 'TRACE':
      return true;
    default:
      return false;
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/**
 * Connect failures are retried for any method (nothing was sent). Everything else only for idempotent methods
 * whose body (if any) was not consumed yet: the proxy streams bodies and cannot replay them.
 */
export function mayRetry(failure: TryFailure, state: TryState, options: RetryOptions): boolean {
  if (state.tries >= options.maxTries || state.elapsedMs >= options.budgetMs) return false;
  switch (failure) {
    case 'connect':
      return true;
    case 'reset':
    case 'timeout':
    case 'status':
      return isIdempotent(state.method) && !state.bodyStarted;
    default:
      return assertNever(failure);
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown failure ${String(x)}`);
}
