/*
 * The keep-alive agent for upstream connections, tuned as in shared/bench/proxy (node:http + a keep-alive Agent
 * beat undici there): LIFO so that warm sockets are reused and cold ones time out, and enough sockets per upstream
 * that the agent never queues under normal load.
 */
import http from 'node:http';

export interface UpstreamAgentOptions {
  /** Sockets per upstream address (busy + free). */
  readonly maxSockets?: number;
  /** Idle sockets kept per upstream address. */
  readonly maxFreeSockets?: number;
  /**
   * How long an idle socket is kept. Node also honours the upstream's `Keep-Alive: timeout=N` hint (minus 1 s),
   * which avoids reusing a socket the upstream is about to close.
   */
  readonly freeSocketTimeoutMs?: number;
}

export function createUpstreamAgent(options: UpstreamAgentOptions = {}): http.Agent {
  return new http.Agent({
    keepAlive: true,
    keepAliveMsecs: 1_000,
    maxSockets: options.maxSockets ?? 256,
    maxFreeSockets: options.maxFreeSockets ?? 256,
    scheduling: 'lifo',
    timeout: options.freeSocketTimeoutMs ?? 30_000,
  });
}
