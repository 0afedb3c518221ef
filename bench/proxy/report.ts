/**
 * The proxy bench's printed report: one table per upstream kind (per core), the every-core table, and the lines the
 * issue's targets are judged by, each with its target and PASS/FAIL (informational: nothing exits non-zero).
 */
import type { WrkResult } from './wrk.js';

export interface Row extends WrkResult {
  readonly name: string;
  /** Largest RSS of the proxy's processes (summed) seen under load, in kB. */
  readonly rssKb: number | undefined;
  /** CPU seconds each of the proxy's processes used during the measured run (first: the one started). */
  readonly cpuSeconds?: readonly number[];
}

const f = (n: number | undefined, digits = 2): string => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const mb = (kb: number | undefined): number | undefined => (kb === undefined ? undefined : (kb * 1024) / 1e6);

function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One row per name: the median of each figure over the repetitions (errors summed), in first-seen order. */
export function medians(runs: readonly Row[]): Row[] {
  const names = [...new Set(runs.map((r) => r.name))];
  return names.map((name) => {
    const reps = runs.filter((r) => r.name === name);
    const rss = reps.flatMap((r) => (r.rssKb === undefined ? [] : [r.rssKb]));
    const last = reps[reps.length - 1];
    return {
      name,
      rps: median(reps.map((r) => r.rps)),
      p50Ms: median(reps.map((r) => r.p50Ms)),
      p99Ms: median(reps.map((r) => r.p99Ms)),
      errors: reps.reduce((s, r) => s + r.errors, 0),
      total: reps.reduce((s, r) => s + r.total, 0),
      rssKb: rss.length === 0 ? undefined : median(rss),
      ...(last?.cpuSeconds === undefined ? {} : { cpuSeconds: last.cpuSeconds }),
    };
  });
}

function line(cells: readonly string[], first = 11): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(first) : c.padStart(9))).join(' ');
}

/** The per-core table: req/s, latency, latency added over direct, errors and RSS of each proxy. */
export function printTable(rows: readonly Row[]): void {
  const direct = rows.find((r) => r.name === 'direct');
  console.log(line(['proxy', 'req/s', 'vs direct', 'p50 ms', 'p99 ms', '+p50 ms', '+p99 ms', 'errors', 'RSS MB']));
  for (const r of rows) {
    const added = direct !== undefined && r.name !== 'direct';
    console.log(
      line([
        r.name,
        f(r.rps, 0),
        direct ? f(r.rps / direct.rps) : 'n/a',
        f(r.p50Ms, 3),
        f(r.p99Ms, 3),
        added ? f(r.p50Ms - direct.p50Ms, 3) : '-',
        added ? f(r.p99Ms - direct.p99Ms, 3) : '-',
        String(r.errors),
        r.name === 'direct' ? '-' : f(mb(r.rssKb), 1),
      ]),
    );
  }
}

/** The every-core table (berth's workers vs nginx worker_processes auto) and their ratio. */
export function printEveryCore(rows: readonly Row[]): void {
  console.log(line(['proxy', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB']));
  for (const r of rows) console.log(line([r.name, f(r.rps, 0), f(r.p50Ms, 3), f(r.p99Ms, 3), String(r.errors), f(mb(r.rssKb), 1)]));
  const berth = rows.find((r) => r.name.startsWith('berth'));
  const nginx = rows.find((r) => r.name === 'nginx-auto');
  if (berth !== undefined && nginx !== undefined) console.log(`${berth.name}/nginx-auto req/s: ${f(berth.rps / nginx.rps)}`);
  if (berth?.cpuSeconds !== undefined) {
    const [primary, ...workers] = berth.cpuSeconds;
    console.log(`${berth.name} CPU s in the run: primary ${f(primary)}, workers ${workers.map((w) => f(w)).join(', ')}`);
    const busiest = Math.max(...workers);
    if (workers.length > 1 && workers.some((w) => w < busiest / 10)) {
      console.log('  (one worker did the work: every wrk connection comes from 127.0.0.1, and workers are chosen by client address)');
    }
  }
}

interface Target {
  readonly label: string;
  readonly text: string;
  readonly value: (berth: Row) => number | undefined;
  readonly pass: (v: number) => boolean;
  readonly digits: number;
}

/** The targets of the issue, judged for `berth` and `berth+obs` against the peers of the same run. */
export function printTargets(rows: readonly Row[]): void {
  const by = (name: string): Row | undefined => rows.find((r) => r.name === name);
  const direct = by('direct');
  const nginx = by('nginx-1w');
  const caddy = by('caddy');
  const targets: Target[] = [
    { label: 'berth/nginx-1w req/s', text: '≥ 0.6', digits: 2, pass: (v) => v >= 0.6, value: (b) => (nginx ? b.rps / nginx.rps : undefined) },
    { label: 'berth/caddy req/s', text: '≥ 1.3', digits: 2, pass: (v) => v >= 1.3, value: (b) => (caddy ? b.rps / caddy.rps : undefined) },
    {
      label: 'added p99 berth/nginx-1w',
      text: '≤ 1.5',
      digits: 2,
      pass: (v) => v <= 1.5,
      // nginx adding nothing measurable (≤ 0 ms: noise) leaves no ratio to judge.
      value: (b) => (nginx && direct && nginx.p99Ms - direct.p99Ms > 0 ? (b.p99Ms - direct.p99Ms) / (nginx.p99Ms - direct.p99Ms) : undefined),
    },
    { label: 'berth RSS under load (MB)', text: '< 100', digits: 1, pass: (v) => v < 100, value: (b) => mb(b.rssKb) },
  ];
  const judged = ['berth', 'berth+obs'].flatMap((name) => by(name) ?? []);
  console.log(['target'.padEnd(26), 'wanted'.padStart(9), ...judged.map((b) => b.name.padStart(14))].join(' '));
  for (const t of targets) {
    const cells = judged.map((b) => {
      const v = t.value(b);
      return v === undefined || !Number.isFinite(v) ? 'n/a' : `${f(v, t.digits)} ${t.pass(v) ? 'PASS' : 'FAIL'}`;
    });
    console.log([t.label.padEnd(26), t.text.padStart(9), ...cells.map((c) => c.padStart(14))].join(' '));
  }
}
