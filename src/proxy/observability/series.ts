/*
 * Counters and histograms kept as plain numbers per label set, exposed through a prom-client Registry (which
 * formats them). prom-client's own metrics hash their label object on every increment; on the proxy's request path
 * that was a large part of what metrics cost, so the series here are found by one string key instead.
 */

/** What prom-client's Registry reads from a registered metric. */
interface MetricValue {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

interface Exposed {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

abstract class Series<S> {
  protected readonly series = new Map<string, { readonly labels: readonly string[]; readonly state: S }>();
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    protected readonly labelNames: readonly string[],
  ) {}

  /** Forgets the series of these label values. */
  remove(...labels: string[]): void {
    this.series.delete(labels.join('\0'));
  }

  reset(): void {
    this.series.clear();
  }

  protected stateOf(labels: readonly string[]): S {
    const key = labels.length === 1 ? (labels[0] as string) : labels.join('\0');
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = { labels: [...labels], state: this.fresh() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  protected labelObject(values: readonly string[]): Record<string, string> {
    const out: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (out[name] = values[i] as string));
    return out;
  }

  protected abstract fresh(): S;
}

/** A counter per label set. */
export class CounterSeries extends Series<{ value: number }> {
  readonly type = 'counter';

  inc(labels: readonly string[], by = 1): void {
    this.stateOf(labels).value += by;
  }

  get(): Promise<Exposed> {
    const values = [...this.series.values()].map(({ labels, state }) => ({ value: state.value, labels: this.labelObject(labels) }));
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' });
  }

  protected fresh(): { value: number } {
    return { value: 0 };
  }
}

interface Buckets {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A histogram per label set, with fixed upper bounds (seconds); exposed cumulatively as Prometheus wants. */
export class HistogramSeries extends Series<Buckets> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    super(name, help, labelNames);
  }

  observe(labels: readonly string[], value: number): void {
    const state = this.stateOf(labels);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    if (i < bounds.length) state.counts[i] = (state.counts[i] as number) + 1;
    state.sum += value;
    state.count += 1;
  }

  get(): Promise<Exposed> {
    const values: MetricValue[] = [];
    for (const { labels, state } of this.series.values()) {
      const base = this.labelObject(labels);
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += state.counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...base, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...base, le: '+Inf' }, value: state.count });
      values.push({ metricName: `${this.name}_sum`, labels: base, value: state.sum });
      values.push({ metricName: `${this.name}_count`, labels: base, value: state.count });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' });
  }

  protected fresh(): Buckets {
    return { counts: this.bounds.map(() => 0), sum: 0, count: 0 };
  }
}
