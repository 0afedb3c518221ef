/*
 * What the edge proxy (primary) and its worker processes tell each other over IPC (advanced serialization:
 * structured clone, so plain data only). The primary owns the listening sockets, ACME, active health, the rate-limit
 * buckets and the access log; workers serve connections with the same handler code and send back what they served.
 */
import type { RequestRecord } from '../forward/proxy-context.js';
import type { TokenDecision } from '../middlewares/rate-limit.js';
import type { ProxyTimeouts } from '../forward/timeouts.js';
import type { Route } from '../routing/route.js';
import type { CertificateSource } from '../tls/sni.js';
import type { EndpointSpec } from '../upstream/endpoint.js';

/** A certificate as data (the secure context is rebuilt in the worker). */
export interface CertificateData {
  readonly id: string;
  readonly source: CertificateSource;
  readonly names: readonly string[];
  readonly pair: { readonly cert: string; readonly key: string };
  readonly notAfter: Date;
  readonly serial: string;
}

export type ToWorker =
  | { readonly type: 'settings'; readonly timeouts?: Partial<ProxyTimeouts>; readonly maxBodyBytes?: number }
  | { readonly type: 'routes'; readonly routes: readonly Route[]; readonly httpsPort: number }
  | { readonly type: 'endpoints'; readonly pools: ReadonlyArray<readonly [key: string, endpoints: readonly EndpointSpec[]]> }
  | { readonly type: 'certificates'; readonly entries: readonly CertificateData[]; readonly defaultId: string | undefined }
  | { readonly type: 'challenges'; readonly tokens: ReadonlyArray<readonly [token: string, keyAuthorization: string]> }
  /** Sent with a client socket handle: serve it on the listener of this kind. */
  | { readonly type: 'connection'; readonly listener: 'http' | 'https' }
  /** Finish in-flight requests (up to `graceMs`), then exit. */
  | { readonly type: 'drain'; readonly graceMs: number }
  /** The answer to `take-token` number `id` (undefined: the primary has no limit for the route; decide locally). */
  | { readonly type: 'token'; readonly id: number; readonly decision: TokenDecision | undefined }
  /** Asks how many requests and tunnels the worker has in flight to these `host:port` upstreams. */
  | { readonly type: 'in-flight'; readonly id: number; readonly upstreams: readonly string[] };

export type FromWorker =
  | { readonly type: 'ready' }
  /** A configuration message could not be applied (the worker keeps its previous one). */
  | { readonly type: 'rejected'; readonly message: string }
  | { readonly type: 'records'; readonly records: readonly RequestRecord[] }
  /** The last message of a worker that drained. */
  | { readonly type: 'drained' }
  /** Asks for a rate-limit token of a route for a client key: the primary holds every worker's buckets. */
  | { readonly type: 'take-token'; readonly id: number; readonly routeId: string; readonly key: string }
  /** The answer to `in-flight` query number `id`. */
  | { readonly type: 'in-flight'; readonly id: number; readonly count: number };
