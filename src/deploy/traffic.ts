/**
 * Which replicas of a routed service the edge proxy sends requests to while a deploy moves traffic. Outside a
 * deploy a service has no Traffic and the proxy uses every ready replica.
 */
export interface Traffic {
  /** Replica number → weight (1 = equal share; canary steps use other weights). Only these take new requests. */
  readonly serving: ReadonlyMap<number, number>;
  /** Replicas kept warm: tried when the serving ones fail (the old release during the watch window). */
  readonly standby: ReadonlySet<number>;
}

/** Serving `replicas` with equal weights, with `standby` kept warm. */
export function trafficTo(replicas: readonly number[], standby: readonly number[] = []): Traffic {
  return { serving: new Map(replicas.map((n) => [n, 1])), standby: new Set(standby) };
}

/**
 * A canary step: `percent` of new requests to the `next` replicas, the rest to `current`, whatever the number of
 * replicas on each side (weights are per replica).
 */
export function trafficSplit(current: readonly number[], next: readonly number[], percent: number): Traffic {
  const serving = new Map<number, number>();
  if (percent < 100) for (const n of current) serving.set(n, (100 - percent) * Math.max(1, next.length));
  if (percent > 0) for (const n of next) serving.set(n, percent * Math.max(1, current.length));
  return { serving, standby: new Set() };
}
