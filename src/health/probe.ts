import type { Endpoint } from '../runtime/runtime.js';

/**
 * One health probe, already bound to what it checks (an address, a replica). `check` never rejects: every
 * failure, including an abort through `signal`, resolves as `{ ok: false, reason }` with a one-line reason a user
 * can act on. It does not retry, time itself out or keep state between calls: the caller (HealthMonitor,
 * runProbe) owns timing and aborts through `signal`.
 */
export interface Probe {
  check(signal: AbortSignal): Promise<ProbeResult>;
}

/** `ms` is how long the check took (wall time, rounded). */
export type ProbeResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly ms: number; readonly reason: string };

/** How often to probe and when to give up, in ms; the shape of the model's Healthcheck and BerthHealth timings. */
export interface HealthTiming {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive failures (outside the start period) that make a replica unhealthy. */
  readonly retries: number;
  /** Failures while still `starting` within this period after the start do not count. */
  readonly startPeriodMs: number;
  /** Probe interval during the start period, while still `starting`. */
  readonly startIntervalMs: number;
}

export function passed(ms: number): ProbeResult {
  return { ok: true, ms };
}

export function failed(ms: number, reason: string): ProbeResult {
  return { ok: false, ms, reason };
}

/** Starts timing; the returned function gives the whole milliseconds elapsed so far. */
export function stopwatch(): () => number {
  const start = performance.now();
  return () => Math.round(performance.now() - start);
}

/** Why `signal` was aborted, in words: the message of its reason when that is an Error. */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.message !== '' ? reason.message : 'aborted';
}

/** A socket error in words, naming the address for the common cases. */
export function socketErrorMessage(error: unknown, endpoint: Endpoint): string {
  const address = `${endpoint.host}:${endpoint.port}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return `connection refused by ${address}`;
  if (code === 'ECONNRESET') return `connection reset by ${address}`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `cannot reach ${address}`;
  return error instanceof Error ? error.message : String(error);
}

/** The last non-blank line of command output, trimmed and cut to `max` characters. */
export function lastLine(output: string, max = 200): string {
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
