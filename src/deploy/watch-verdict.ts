import type { DeployThresholds } from '../model/berth-options.js';

/** Which release a request or a try went to. */
export type Side = 'old' | 'new';

/** One proxied request as the access log sees it. */
export interface RequestRecord {
  /** Final status sent to the client; 0 = no response (connection failed, timed out). */
  readonly status: number;
  readonly durationMs: number;
  /** The replica that gave the final answer. */
  readonly upstream?: string | undefined;
  /** Tries that failed before the final answer (retried elsewhere). */
  readonly failures?: readonly { readonly upstream: string; readonly status: number }[];
}

/** Which release an upstream (a replica's address) belongs to; undefined = neither. */
export type SideOf = (upstream: string) => Side | undefined;

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Counts of one side, for progress output. `p95Ms` absent without successful requests. */
export interface SideSummary {
  readonly requests: number;
  readonly errors: number;
  readonly p95Ms?: number;
}

/** A new p95 this much above the old one is never called a regression however large the factor (noise). */
export const LATENCY_SLACK_MS = 10;

/** Latency samples kept per side; beyond it a uniform random sample of this size is kept. */
const MAX_SAMPLES = 10_000;

/**
 * Judges a release during its watch window from the proxy's request records. Pure: feed it records, ask for the
 * verdict; it does no timing and no I/O.
 *
 * - Error rate: a request counts against a side when the side answered it 0/5xx or when any try on one of the
 *   side's replicas failed (0/5xx), even if the other side then answered it — retries must not hide a bad release.
 *   The new release fails when its rate exceeds max(`errorRate`, old rate × 2); the old rate counts the baseline and
 *   the old side's requests during the watch. No verdict below `minRequests` new requests.
 * - Latency: p95 of the new side's successful requests against p95 of the baseline's; fails above `latencyFactor`
 *   times the baseline and at least LATENCY_SLACK_MS more. No verdict below `minRequests` successes on either.
 */
export class WatchVerdict {
  private readonly before = new SideCounts();
  private readonly sides: Readonly<Record<Side, SideCounts>> = { old: new SideCounts(), new: new SideCounts() };

  /** `sideOf` is used by `observe(record, side)`; `observe(record, sideOf)` brings its own. */
  constructor(
    private readonly thresholds: DeployThresholds,
    private readonly sideOf: SideOf = () => undefined,
  ) {}

  /** A request the old release answered before the switch. */
  baseline(record: RequestRecord): void {
    const failed = isError(record.status) || (record.failures ?? []).some((f) => isError(f.status));
    this.before.add(failed, record.status === 0, failed ? undefined : record.durationMs);
  }

  /**
   * A request during the watch. `route` is either the side the proxy routed it to (the final answer and each failed
   * try are charged to their upstream's side by the constructor's `sideOf`, else to `route`), or a `sideOf` for this
   * window (upstreams it does not know, such as other services' replicas, are not charged at all). `latency: false`
   * counts the request for the error rate only (a release's first requests, answered by cold processes).
   */
  observe(record: RequestRecord, route: Side | SideOf, options: { readonly latency?: boolean } = {}): void {
    const resolve = typeof route === 'function' ? route : this.sideOf;
    const fallback = typeof route === 'function' ? undefined : route;
    const sideOf = (upstream: string | undefined): Side | undefined => (upstream === undefined ? undefined : resolve(upstream)) ?? fallback;
    const answeredBy = sideOf(record.upstream);
    const charges = new Map<Side, { error: boolean; noResponse: boolean }>();
    if (answeredBy !== undefined) charges.set(answeredBy, { error: isError(record.status), noResponse: record.status === 0 });
    for (const failure of record.failures ?? []) {
      const failedSide = sideOf(failure.upstream);
      if (!isError(failure.status) || failedSide === undefined) continue;
      const noResponse = (charges.get(failedSide)?.noResponse ?? false) || failure.status === 0;
      charges.set(failedSide, { error: true, noResponse });
    }
    for (const [charged, { error, noResponse }] of charges) {
      const latency = !error && charged === answeredBy && options.latency !== false ? record.durationMs : undefined;
      this.sides[charged].add(error, noResponse, latency);
    }
  }

  verdict(): Verdict {
    const { errorRate, latencyFactor, minRequests } = this.thresholds;
    const fresh = this.sides.new;
    if (fresh.requests >= minRequests) {
      const old = this.oldRate();
      const rate = fresh.errors / fresh.requests;
      const limit = Math.max(errorRate, old * 2);
      if (rate > limit) {
        const what = fresh.noResponse > 0 ? '5xx or no response' : '5xx';
        return { ok: false, reason: `new release answered ${percent(rate)} of ${fresh.requests} requests with ${what} (old: ${percent(old)}, limit ${percent(limit)})` };
      }
    }
    if (fresh.latencies.length >= minRequests && this.before.latencies.length >= minRequests) {
      const now = p95(fresh.latencies);
      const was = p95(this.before.latencies);
      if (now > was * latencyFactor && now - was >= LATENCY_SLACK_MS) {
        return { ok: false, reason: `new release p95 latency ${Math.round(now)} ms vs ${Math.round(was)} ms before (limit ×${latencyFactor})` };
      }
    }
    return { ok: true };
  }

  summary(): { readonly baseline: SideSummary; readonly old: SideSummary; readonly new: SideSummary } {
    return { baseline: this.before.summary(), old: this.sides.old.summary(), new: this.sides.new.summary() };
  }

  private oldRate(): number {
    const requests = this.before.requests + this.sides.old.requests;
    return requests === 0 ? 0 : (this.before.errors + this.sides.old.errors) / requests;
  }
}

class SideCounts {
  requests = 0;
  errors = 0;
  noResponse = 0;
  readonly latencies: number[] = [];
  private successes = 0;

  add(error: boolean, noResponse: boolean, latencyMs: number | undefined): void {
    this.requests += 1;
    if (error) this.errors += 1;
    if (noResponse) this.noResponse += 1;
    if (latencyMs === undefined) return;
    this.successes += 1;
    if (this.latencies.length < MAX_SAMPLES) {
      this.latencies.push(latencyMs);
      return;
    }
    // Reservoir sampling: every success so far has the same chance to be among the kept samples.
    const slot = Math.floor(Math.random() * this.successes);
    if (slot < MAX_SAMPLES) this.latencies[slot] = latencyMs;
  }

  summary(): SideSummary {
    return { requests: this.requests, errors: this.errors, ...(this.latencies.length === 0 ? {} : { p95Ms: p95(this.latencies) }) };
  }
}

function isError(status: number): boolean {
  return status === 0 || status >= 500;
}

/** Nearest-rank 95th percentile. */
function p95(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
}

/** `31%`, `0%`, `2.5%`. */
function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
