/*
 * One upstream address and the mutable state the proxy keeps about it. Endpoint objects survive pool updates
 * while their address stays, so passive-health and in-flight counts carry over.
 */
import type { PassiveHealthState } from './passive-health.js';

/**
 * An upstream address as the runtime reports it. `weight` defaults to 1; 0 sends it no new requests. A `standby`
 * endpoint (the old release kept warm during a deploy's watch window) only gets requests no other endpoint can
 * take, and the retries of 5xx answers from the others.
 */
export interface EndpointSpec {
  readonly host: string;
  readonly port: number;
  readonly weight?: number;
  readonly standby?: boolean;
}

export class Endpoint implements PassiveHealthState {
  /** `host:port`, the identity across pool updates and the `upstream` field of access-log records. */
  readonly key: string;
  weight: number;
  /** Only a fallback (see `EndpointSpec.standby`); set by pool updates. */
  standby = false;
  /** Requests and tunnels in flight (least-conn, draining). */
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
