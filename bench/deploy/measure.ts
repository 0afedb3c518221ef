/**
 * What one release change looked like from the clients' side: read off the load generator's samples around a
 * command (a `berth deploy`, or the peer's `down` / `up` / `sleep`).
 */
import type { LoadSample } from '../../test/support/load.js';

/** One release change, in ms from the moment the command began. */
export interface Change {
  /** First answer from a release other than the one serving before; undefined if none came. */
  readonly switchedMs: number | undefined;
  /** End of the last answer from the old release (after it, only the new one answers). */
  readonly lastOldMs: number | undefined;
  /** The command (deploy, or the peer's whole script) ended. */
  readonly doneMs: number;
  readonly failed: number;
  readonly total: number;
  /** Longest stretch with no successful answer, from the command's start to 1 s after its end. */
  readonly downtimeMs: number;
}

/** Reads a change off `samples` for the command that ran from `startedAt` to `endedAt`, `old` serving before. */
export function measureChange(samples: readonly LoadSample[], window: { startedAt: number; endedAt: number; old: string | undefined }): Change {
  const { startedAt, endedAt, old } = window;
  const until = endedAt + 1000;
  const inWindow = samples.filter((s) => s.end >= startedAt && s.start <= until);
  const fresh = inWindow.filter((s) => s.ok && s.release !== undefined && s.release !== old).map((s) => s.end);
  const stale = inWindow.filter((s) => s.ok && s.release === old).map((s) => s.end);
  return {
    switchedMs: fresh.length === 0 ? undefined : Math.min(...fresh) - startedAt,
    lastOldMs: stale.length === 0 ? undefined : Math.max(...stale) - startedAt,
    doneMs: endedAt - startedAt,
    failed: inWindow.filter((s) => !s.ok).length,
    total: inWindow.length,
    downtimeMs: longestGap(inWindow.filter((s) => s.ok).map((s) => s.end), startedAt, until),
  };
}

/** Longest interval between `from`, the successful answers' end times, and `to`. */
export function longestGap(ends: readonly number[], from: number, to: number): number {
  const points = [from, ...ends.filter((t) => t > from && t < to).sort((a, b) => a - b), to];
  let longest = 0;
  for (let i = 1; i < points.length; i++) longest = Math.max(longest, (points[i] ?? 0) - (points[i - 1] ?? 0));
  return longest;
}

/** Median of the times over several changes (undefined ones left out); `failed` and `total` summed over them. */
export function medianChange(changes: readonly Change[]): Change {
  const median = (values: readonly (number | undefined)[]): number | undefined => {
    const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return known.length === 0 ? undefined : known[Math.floor((known.length - 1) / 2)];
  };
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  return {
    switchedMs: median(changes.map((c) => c.switchedMs)),
    lastOldMs: median(changes.map((c) => c.lastOldMs)),
    doneMs: median(changes.map((c) => c.doneMs)) ?? 0,
    failed: sum(changes.map((c) => c.failed)),
    total: sum(changes.map((c) => c.total)),
    downtimeMs: median(changes.map((c) => c.downtimeMs)) ?? 0,
  };
}
