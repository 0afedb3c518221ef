import { Registry, type Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterSeries, HistogramSeries } from './series.js';

describe('metric series', () => {
  it('expose counters and cumulative histogram buckets in the Prometheus text format, and forget removed series', async () => {
    const registry = new Registry();
    const counter = new CounterSeries('x_total', 'Things.', ['route', 'class']);
    const histogram = new HistogramSeries('x_seconds', 'Time.', ['route'], [0.1, 1]);
    registry.registerMetric(counter as unknown as Metric);
    registry.registerMetric(histogram as unknown as Metric);
    counter.inc(['a', '2xx']);
    counter.inc(['a', '2xx'], 2);
    counter.inc(['b', '5xx']);
    for (const v of [0.05, 0.1, 0.5, 3]) histogram.observe(['a'], v);
    histogram.observe(['gone'], 1);
    histogram.remove('gone');
    expect((await registry.metrics()).split('\n')).toEqual([
      '# HELP x_total Things.',
      '# TYPE x_total counter',
      'x_total{route="a",class="2xx"} 3',
      'x_total{route="b",class="5xx"} 1',
      '',
      '# HELP x_seconds Time.',
      '# TYPE x_seconds histogram',
      'x_seconds_bucket{route="a",le="0.1"} 2',
      'x_seconds_bucket{route="a",le="1"} 3',
      'x_seconds_bucket{route="a",le="+Inf"} 4',
      'x_seconds_sum{route="a"} 3.65',
      'x_seconds_count{route="a"} 4',
      '',
    ]);
  });
});
