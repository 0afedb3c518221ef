/*
 * A bounded HTTP load generator for integration tests and benches: N concurrent workers over one keep-alive agent,
 * an optional target rate, a mix of GET and POST; it stops when its signal aborts, after its duration, or after its
 * maximum count — whichever comes first, so that a failing test never leaves it running.
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request to send: GET, or POST with a body. */
export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** What the load sends and how long; every bound is optional, but one of signal / durationMs / maxRequests is required. */
export interface LoadOptions {
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Concurrent workers (each waits for its answer before sending again). Default 16. */
  readonly concurrency?: number;
  /** Requests per second over all workers; default as fast as the workers go. */
  readonly rate?: number;
  readonly durationMs?: number;
  readonly maxRequests?: number;
  readonly signal?: AbortSignal;
  /** The n-th request to send (n from 0). Default: GET / and POST /echo alternating. */
  readonly request?: (n: number) => LoadRequest;
  /** Per-request deadline. Default 10 s. */
  readonly timeoutMs?: number;
  /** Close the connection after a failed answer instead of reusing it (default false: reuse, as most clients do). */
  readonly reconnectAfterFailure?: boolean;
}

/** One answered (or failed) request. */
export interface LoadSample {
  /** Epoch ms when it was sent and when it finished. */
  readonly start: number;
  readonly end: number;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly ok: boolean;
  readonly status?: number;
  /** The x-release header of the answer. */
  readonly release?: string;
  /** Why it failed: `status 502: …` or the socket error. */
  readonly error?: string;
}

/** A run's summary: counts, the first failures, and the order in which releases were seen. */
export interface LoadSummary {
  readonly total: number;
  readonly failures: number;
  readonly firstFailures: readonly string[];
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  /** Releases in the order of their first answer (by end time), each once: `['r1', 'r2', …]`. */
  readonly releaseSequence: readonly string[];
  /** Count of answers per release. */
  readonly byRelease: Readonly<Record<string, number>>;
}

/** A running load: `samples` grows while it runs; `stop()` ends it early; `done` resolves with every sample. */
export interface RunningLoad {
  readonly samples: readonly LoadSample[];
  stop(): void;
  readonly done: Promise<readonly LoadSample[]>;
}

export const mixedRequests = (n: number): LoadRequest =>
  n % 2 === 0 ? { method: 'GET', path: '/' } : { method: 'POST', path: '/echo', body: `payload-${n}-${'x'.repeat(n % 64)}` };

export const getRequests = (): LoadRequest => ({ method: 'GET', path: '/' });

/** Starts the load; it runs in this process's event loop, so the caller must not block it (no spawnSync). */
export function startLoad(options: LoadOptions): RunningLoad {
  if (options.signal === undefined && options.durationMs === undefined && options.maxRequests === undefined) {
    throw new Error('startLoad: give a signal, a durationMs or a maxRequests: a load must be bounded');
  }
  const stopper = new AbortController();
  const signals = [stopper.signal, ...(options.signal ? [options.signal] : []), ...(options.durationMs === undefined ? [] : [AbortSignal.timeout(options.durationMs)])];
  const stopped = AbortSignal.any(signals);
  setMaxListeners((options.concurrency ?? 16) + 10, stopped); // one pacing wait per worker
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 });
  const samples: LoadSample[] = [];
  const request = options.request ?? mixedRequests;
  const max = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const began = Date.now();
  let sent = 0;

  /** Waits for the n-th request's slot when a rate is set. */
  const pace = async (n: number): Promise<void> => {
    if (options.rate === undefined) return;
    const due = began + (n * 1000) / options.rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: stopped }).catch(() => undefined);
  };

  const worker = async (): Promise<void> => {
    while (!stopped.aborted && sent < max) {
      const n = sent++;
      await pace(n);
      if (stopped.aborted) return;
      samples.push(await send(options, agent, request(n)));
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker)).then(() => {
    agent.destroy();
    return samples;
  });
  return { samples, stop: () => stopper.abort(), done };
}

function send(options: LoadOptions, agent: http.Agent, what: LoadRequest): Promise<LoadSample> {
  const start = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (sample: Omit<LoadSample, 'start' | 'end' | 'method' | 'path'>): void => {
      if (settled) return;
      settled = true;
      resolve({ start, end: Date.now(), method: what.method, path: what.path, ...sample });
    };
    const body = what.body === undefined ? undefined : Buffer.from(what.body);
    const req = http.request(
      {
        host: options.host ?? '127.0.0.1', port: options.port, path: what.path, method: what.method, agent,
        headers: body === undefined ? {} : { 'content-type': 'text/plain', 'content-length': String(body.length) },
        timeout: options.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish({ ok: false, error: `response: ${error.message}` }));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const release = typeof res.headers['x-release'] === 'string' ? res.headers['x-release'] : undefined;
          const text = Buffer.concat(chunks).toString('utf8');
          const ok = status >= 200 && status < 300 && (body === undefined || lengthMatches(text, body.length));
          if (!ok && options.reconnectAfterFailure) res.socket?.destroy();
          finish({ ok, status, ...(release === undefined ? {} : { release }), ...(ok ? {} : { error: `status ${status}: ${text.slice(0, 200)}` }) });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, error: `${error.code ?? 'error'}: ${error.message}` }));
    req.end(body);
  });
}

/** POST /echo answers the body's length: a short or mixed-up body shows as a failure. */
function lengthMatches(text: string, length: number): boolean {
  try {
    return (JSON.parse(text) as { length?: unknown }).length === length;
  } catch {
    return false;
  }
}

/** Counts, the first `keep` failures (with when and what), rate, and the releases in the order they were first seen. */
export function summarize(samples: readonly LoadSample[], keep = 5): LoadSummary {
  const sorted = [...samples].sort((a, b) => a.end - b.end);
  const failed = sorted.filter((s) => !s.ok);
  const first = sorted[0]?.start ?? 0;
  const last = sorted.at(-1)?.end ?? first;
  const durationMs = Math.max(1, last - first);
  const byRelease: Record<string, number> = {};
  const releaseSequence: string[] = [];
  for (const s of sorted) {
    if (s.release === undefined) continue;
    if (byRelease[s.release] === undefined) releaseSequence.push(s.release);
    byRelease[s.release] = (byRelease[s.release] ?? 0) + 1;
  }
  return {
    total: samples.length,
    failures: failed.length,
    firstFailures: failed.slice(0, keep).map((s) => `${new Date(s.start).toISOString().slice(11, 23)} ${s.method} ${s.path}: ${s.error ?? '?'}`),
    durationMs,
    requestsPerSecond: (samples.length * 1000) / durationMs,
    releaseSequence,
    byRelease,
  };
}

/** Numeric order of release ids: r2 < r10. */
export function releaseNumber(release: string): number {
  return Number(release.replace(/^r/, ''));
}
