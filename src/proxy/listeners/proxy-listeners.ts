/*
 * Where the edge proxy's connections are served: in the daemon's own process, or in worker processes that use
 * every core. EdgeProxy builds and checks the configuration (ServingConfig, certificates) and tells its listeners
 * what changed; it does not know which kind it has.
 */
import type { Route } from '../routing/route.js';
import type { EdgeTls } from '../tls/edge-tls.js';
import type { UpstreamPool } from '../upstream/pool.js';

export interface ProxyListeners {
  /** Opens the HTTP listener; rejects with the listen error. */
  openHttp(port: number, host: string): Promise<void>;
  /** Opens the HTTPS listener serving `tls`'s certificates; rejects with the listen error. */
  openHttps(port: number, host: string, tls: EdgeTls): Promise<void>;
  /** Stops accepting HTTPS; requests in flight finish. */
  closeHttps(): Promise<void>;
  /** The bound ports; 0 while closed. */
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The certificates and ACME challenges to serve from now on (undefined: no TLS). */
  useTls(tls: EdgeTls | undefined): void;
  /** A configuration was committed to the edge proxy's ServingConfig. */
  configured(routes: readonly Route[], httpsPort: number): void;
  /** Endpoints of these pools changed. */
  endpointsChanged(pools: ReadonlyMap<string, UpstreamPool>): void;
  /**
   * Requests and tunnels in flight to these `host:port` upstreams in every process serving connections, counted
   * after the endpoint changes already announced took effect there.
   */
  inFlight(upstreams: readonly string[]): Promise<number>;
  /** Stops everything; requests in flight get a grace period. */
  close(): Promise<void>;
}
