import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';

const MULTIPLIER: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A memory size as compose reads it (docker/go-units `RAMInBytes`): a number of bytes, or a number with a binary
 * unit `k`, `m`, `g`, `t`, `p` in any case, optionally followed by `b` or `ib` (`512m`, `2G`, `1gb`, `1.5GiB`,
 * `100 MB`). Fractions are truncated to whole bytes.
 */
export function parseBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+) ?([A-Za-z]*)$/.exec(text.trim());
  if (!match) return undefined;
  const size = Number(match[1]);
  const suffix = (match[2] ?? '').toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const multiplier = MULTIPLIER[suffix[0] as string];
  if (multiplier === undefined || !['', 'b', 'ib'].includes(suffix.slice(1))) return undefined;
  return Math.trunc(size * multiplier);
}

/** Reads a size (number of bytes or text with a unit); a bad one is SPEC_TYPE at `path`. */
export function readBytes(value: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  if (value === undefined || value === null) return undefined;
  const bytes = typeof value === 'number' ? value : typeof value === 'string' ? parseBytes(value) : undefined;
  // Past 2^53 bytes (8 PiB) a number is no longer exact: such a size is a typo, not a limit.
  if (bytes !== undefined && Number.isSafeInteger(bytes) && bytes >= 0) return bytes;
  ctx.error('SPEC_TYPE', path, `cannot read the size ${JSON.stringify(value)}`, {
    hint: 'use a number of bytes or a number with a unit: 512m, 2g, 1gb (units are powers of 1024)',
  });
  return undefined;
}
