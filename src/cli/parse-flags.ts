import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../spec/duration.js';

/** `--scale api=3` (repeatable) → { api: 3 }. */
export function collectScale(value: string, previous: Record<string, number> | undefined): Record<string, number> {
  const match = /^([A-Za-z0-9._-]+)=(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected SERVICE=N, e.g. --scale api=3, got "${value}"`);
  return { ...previous, [match[1] as string]: Number(match[2]) };
}

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return Number(value);
}

/** `--since 10m` (relative) or an RFC 3339 / ISO timestamp → ms since epoch. */
export function parseSince(value: string, now = Date.now()): number {
  const relative = parseDuration(value);
  if (relative.ok) return now - relative.ms;
  const absolute = Date.parse(value);
  if (!Number.isNaN(absolute)) return absolute;
  throw new InvalidArgumentError(`expected a duration like 10m or a timestamp like 2026-11-25T08:00:00Z, got "${value}"`);
}
