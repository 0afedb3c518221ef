/** Runs wrk pinned to a CPU and reads its figures (req/s, latency percentiles, errors). */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers plus socket errors. */
  readonly errors: number;
  readonly total: number;
}

function ms(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v);
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1_000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1_000 : n * 60_000;
}

/** The figures of one `wrk --latency` output. */
export function parseWrk(out: string): WrkResult {
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const rps = Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? Number.NaN);
  const total = Number(/^\s*(\d+) requests in/m.exec(out)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock === null ? 0 : [1, 2, 3, 4].reduce((s, i) => s + Number(sock[i]), 0);
  return { rps, p50Ms: ms(p50), p99Ms: ms(p99), errors: non2xx + sockErrors, total };
}

export interface WrkRun {
  readonly port: number;
  readonly duration: string;
  readonly conns: number;
  /** CPUs wrk is pinned to (taskset list). */
  readonly cpus: string;
  /** Sampled every 250 ms while wrk runs; the largest value is kept. */
  readonly rssOf?: () => number | undefined;
}

/** Runs `wrk -t1 -c<conns> -d<duration> --latency` against 127.0.0.1:<port>/. */
export async function runWrk(run: WrkRun): Promise<{ result: WrkResult; rssKb: number | undefined }> {
  const url = `http://127.0.0.1:${run.port}/`;
  const child = spawn('taskset', ['-c', run.cpus, 'wrk', '-t1', `-c${run.conns}`, `-d${run.duration}`, '--latency', url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => out.push(c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let rssKb: number | undefined;
  let done = false;
  const sampling = (async () => {
    while (!done && run.rssOf !== undefined) {
      await sleep(250);
      const rss = run.rssOf();
      if (rss !== undefined && (rssKb === undefined || rss > rssKb)) rssKb = rss;
    }
  })();
  const code = await exited;
  done = true;
  await sampling;
  const text = Buffer.concat(out).toString();
  if (code !== 0) throw new Error(`wrk failed (${code}):\n${text}`);
  return { result: parseWrk(text), rssKb };
}
