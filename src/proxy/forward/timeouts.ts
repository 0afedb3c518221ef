/*
 * Every wait of the proxy has a deadline. Upstream side: connect, response headers, socket inactivity, total.
 * Client side: headers (slowloris), whole request, keep-alive idle. 0 turns a timeout off.
 */

export interface ProxyTimeouts {
  /** TCP connect to an upstream; on expiry the try counts as a connect failure (retried for any method). */
  readonly connectMs: number;
  /** From the request being fully sent upstream to the response headers (nginx `proxy_read_timeout` for headers). */
  readonly responseHeaderMs: number;
  /** Upstream socket inactivity while a request is in flight, in either direction. */
  readonly idleMs: number;
  /** Whole exchange including retries and body streaming; 0 = no limit (long downloads). */
  readonly totalMs: number;
  /** Client must send complete request headers within this (node `server.headersTimeout`). */
  readonly clientHeadersMs: number;
  /** Client must send the whole request within this (node `server.requestTimeout`); 0 = no limit. */
  readonly clientRequestMs: number;
  /** Client socket inactivity (node `server.timeout`): a client that stops reading or sending is cut off. */
  readonly clientIdleMs: number;
  /** Idle keep-alive client connections are closed after this. */
  readonly keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: ProxyTimeouts = {
  connectMs: 5_000,
  responseHeaderMs: 60_000,
  idleMs: 60_000,
  totalMs: 0,
  clientHeadersMs: 10_000,
  clientRequestMs: 0,
  clientIdleMs: 120_000,
  keepAliveMs: 65_000,
};

export function resolveTimeouts(partial: Partial<ProxyTimeouts> | undefined): ProxyTimeouts {
  const t = { ...DEFAULT_TIMEOUTS, ...partial };
  for (const [name, value] of Object.entries(t)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`proxy timeout ${name} must be ≥ 0, got ${value}`);
  }
  return t;
}
