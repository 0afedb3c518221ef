/*
 * One upstream address and the mutable state the proxy keeps about it. Endpoint objects survive pool updates
 * while their address stays, so passive-health and in-flight counts carry over.
 */
import type { PassiveHealthState } from './passive-health.js';

/** An upstream address as the runtime reports it. `weight` defaults to 1; 0 sends it no new requests. */
export interface EndpointSpec {
  readonly host: string;
  readonly port: number;
  readonly weight?: number;
}

export class Endpoint implements PassiveHealthState {
  /** `host:port`, the identity across pool updates and the `upstream` field of access-log records. */
  readonly key: string;
  weight: number;
  /** Requests in flight (least-conn). */
  active = 0;
  /** Set from outside by active health checks; an unhealthy endpoint gets no requests. */
  healthy = true;
  fails = 0;
  firstFailAt = 0;
  downUntil = 0;
  /** Smooth weighted round robin's running weight. */
  currentWeight = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    weight: number,
  ) {
    this.key = endpointKey(host, port);
    this.weight = weight;
  }
}

export function endpointKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
