import { collectDefaultMetrics, Gauge, Registry, type Metric } from 'prom-client';
import type { UpstreamPool } from '../upstream/pool.js';
import type { ProxyObserver, RequestRecord } from './observers.js';
import { CounterSeries, HistogramSeries } from './series.js';

/** One replica as the proxy's pools see it, read when /metrics is scraped. */
export interface UpstreamHealth {
  readonly service: string;
  readonly upstream: string;
  readonly healthy: boolean;
}

/**
 * The replicas of `pools` for the health gauge: healthy unless active health took one out or passive health
 * (max_fails) has it down right now. `service` is the pool's name.
 */
export function poolHealth(pools: Iterable<UpstreamPool>, now: number = Date.now()): UpstreamHealth[] {
  const out: UpstreamHealth[] = [];
  for (const pool of pools) {
    for (const endpoint of pool.endpoints()) {
      out.push({ service: pool.name, upstream: endpoint.key, healthy: endpoint.healthy && endpoint.downUntil <= now });
    }
  }
  return out;
}

export interface ProxyMetricsOptions {
  /** Defaults to a new registry of its own (never prom-client's global one). */
  readonly registry?: Registry;
  /** The pools' current replicas; the health gauge is rebuilt from it at each scrape, so removed replicas vanish. */
  readonly upstreams?: () => Iterable<UpstreamHealth>;
  /** Also export Node's process metrics (memory, CPU, event loop lag), prefixed `berth_`. */
  readonly processMetrics?: boolean;
  /** Latency histogram buckets in seconds. */
  readonly buckets?: readonly number[];
}

const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Label value for requests no route matched, or that no replica answered. */
export const NONE = 'none';

/**
 * The proxy's Prometheus metrics, fed by RequestRecords:
 * - `berth_proxy_requests_total{route,status_class}` (`1xx`…`5xx`; 499 = the client left before any answer is `4xx`)
 * - `berth_proxy_request_duration_seconds{route,upstream}` histogram
 * - `berth_proxy_retries_total{route}`: tries past the first
 * - `berth_proxy_upstream_healthy{service,upstream}`: 1 healthy, 0 taken out (read from `upstreams` at scrape time)
 * Series for a replica that is gone stay until `forgetUpstream` (call it when a pool drops a replica).
 */
export class ProxyMetrics implements ProxyObserver {
  readonly registry: Registry;
  private readonly requests: CounterSeries;
  private readonly duration: HistogramSeries;
  private readonly retries: CounterSeries;
  /** Route ids seen per upstream, to remove its latency series. */
  private readonly routesByUpstream = new Map<string, Set<string>>();

  constructor(options: ProxyMetricsOptions = {}) {
    const registry = options.registry ?? new Registry();
    const registers = [registry];
    this.registry = registry;
    this.requests = new CounterSeries('berth_proxy_requests_total', 'Requests answered by the proxy, by route and status class.', ['route', 'status_class']);
    this.duration = new HistogramSeries(
      'berth_proxy_request_duration_seconds', 'Time from request to the end of the response, by route and upstream.',
      ['route', 'upstream'], [...(options.buckets ?? DEFAULT_BUCKETS)],
    );
    this.retries = new CounterSeries('berth_proxy_retries_total', 'Tries on another replica after the first one failed.', ['route']);
    for (const series of [this.requests, this.duration, this.retries]) registry.registerMetric(series as unknown as Metric);
    const upstreams = options.upstreams;
    const health: Gauge<'service' | 'upstream'> = new Gauge({
      name: 'berth_proxy_upstream_healthy', help: '1 when the replica receives traffic, 0 when it is taken out.',
      labelNames: ['service', 'upstream'], registers,
      collect: () => {
        health.reset();
        for (const u of upstreams?.() ?? []) health.set({ service: u.service, upstream: u.upstream }, u.healthy ? 1 : 0);
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'berth_' });
  }

  onRequestDone(record: RequestRecord): void {
    const route = record.route ?? NONE;
    const upstream = record.upstream ?? NONE;
    this.requests.inc([route, statusClass(record.status)]);
    this.duration.observe([route, upstream], record.durationMs / 1000);
    if (record.tries > 1) this.retries.inc([route], record.tries - 1);
    let routes = this.routesByUpstream.get(upstream);
    if (routes === undefined) this.routesByUpstream.set(upstream, (routes = new Set()));
    routes.add(route);
  }

  /** Drops the latency series of a replica that no pool holds any more. */
  forgetUpstream(upstream: string): void {
    for (const route of this.routesByUpstream.get(upstream) ?? []) this.duration.remove(route, upstream);
    this.routesByUpstream.delete(upstream);
  }

  /** The exposition text, as /metrics serves it. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

function statusClass(status: number): string {
  const hundreds = Math.floor(status / 100);
  return hundreds >= 1 && hundreds <= 5 ? `${hundreds}xx` : 'other';
}
