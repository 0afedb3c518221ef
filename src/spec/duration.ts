import type { ModelPath } from './model-path.js';
import type { StageContext } from './stage-context.js';

/**
 * Compose durations (`stop_grace_period`, healthcheck timings, deploy delays): Go's duration syntax as compose-go
 * reads it (time.ParseDuration plus the `d` and `w` units of str2duration), in milliseconds.
 */

const NS_PER_MS = 1_000_000;

/** Milliseconds per unit; sub-millisecond units give fractional milliseconds. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1 / NS_PER_MS,
  us: 1 / 1000,
  'µs': 1 / 1000, // U+00B5 micro sign
  'μs': 1 / 1000, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TERM = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

export const DURATION_HINT = 'use a duration like 10s, 1m30s or 500ms';

/** Why a duration string was refused (for the message), or the parsed milliseconds. */
export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

/**
 * Parses `1m30s`, `10s`, `1h`, `500ms`, `1.5s`, `2us`, `-1s`, `0` as Go does: a sign, then one or more
 * number+unit terms; a bare number other than 0 has no unit and is refused (compose refuses `stop_grace_period: 10`).
 */
export function parseDuration(input: string): DurationResult {
  let rest = input;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, ms: 0 };
  if (rest === '') return { ok: false, reason: 'it is empty' };
  let total = 0;
  while (rest !== '') {
    const match = TERM.exec(rest);
    if (!match) return { ok: false, reason: /^[\d.]+$/.test(rest) ? `"${rest}" has no unit` : `"${rest}" is not a number with a unit` };
    const [whole, digits = '', fraction, unit = ''] = match;
    if (digits === '' && (fraction === undefined || fraction === '')) return { ok: false, reason: `"${rest}" is not a number with a unit` };
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) return { ok: false, reason: `unknown unit "${unit}" (use ns, us, ms, s, m, h, d or w)` };
    total += Number(`${digits || '0'}.${fraction ?? ''}`) * perUnit;
    rest = rest.slice(whole.length);
  }
  if (!Number.isFinite(total)) return { ok: false, reason: 'it is too large' };
  return { ok: true, ms: sign * total };
}

/**
 * Reads a duration value of the model (a string, or the number 0) into milliseconds; anything else is reported as
 * SPEC_DURATION at `path` with the value quoted, and `undefined` is returned.
 */
export function readDuration(value: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') {
    ctx.error('SPEC_DURATION', path, `expected a duration, got ${JSON.stringify(value) ?? String(value)}`, { hint: DURATION_HINT });
    return undefined;
  }
  const result = parseDuration(text);
  if (result.ok) return result.ms;
  ctx.error('SPEC_DURATION', path, `cannot read duration "${text}": ${result.reason}`, { hint: DURATION_HINT });
  return undefined;
}

/**
 * Prints milliseconds the way compose prints durations (Go's time.Duration.String): `1m30s`, `10s`, `500ms`,
 * `1h0m0s`, `1.5s`, `2µs`, `0s`. Sub-nanosecond parts are rounded away.
 */
export function formatDuration(ms: number): string {
  let ns = Math.round(ms * NS_PER_MS);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  if (ns < 1000) return `${sign}${ns}ns`;
  if (ns < NS_PER_MS) return `${sign}${decimal(ns, 1000)}µs`;
  if (ns < 1000 * NS_PER_MS) return `${sign}${decimal(ns, NS_PER_MS)}ms`;
  const totalSeconds = Math.floor(ns / 1e9);
  const secondsPart = decimal(ns - Math.floor(totalSeconds / 60) * 60 * 1e9, 1e9);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  if (hours > 0) return `${sign}${hours}h${minutes}m${secondsPart}s`;
  if (minutes > 0) return `${sign}${minutes}m${secondsPart}s`;
  return `${sign}${secondsPart}s`;
}

/** `value / unit` with the fraction printed without trailing zeros, from integers to avoid float noise. */
function decimal(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const remainder = value - whole * unit;
  if (remainder === 0) return String(whole);
  const width = String(unit).length - 1;
  const fraction = String(remainder).padStart(width, '0').replace(/0+$/, '');
  return `${whole}.${fraction}`;
}
