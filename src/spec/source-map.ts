import type { SourcePosition } from '../errors.js';
import { formatPath, type ModelPath } from './model-path.js';

/**
 * Positions of every value (and mapping key) of a loaded compose model, keyed by model path. It survives the loader's
 * stages because stages keep paths stable: a merge takes the overlay's positions, a normalized short form keeps the
 * path of the value it came from, and a lookup falls back to the nearest ancestor that has a position.
 */
export class SourceMap {
  private readonly values = new Map<string, SourcePosition>();
  private readonly keys = new Map<string, SourcePosition>();

  setValue(path: ModelPath, position: SourcePosition): void {
    this.values.set(formatPath(path), position);
  }

  setKey(path: ModelPath, position: SourcePosition): void {
    this.keys.set(formatPath(path), position);
  }

  /** Position of the value at `path`, else of its nearest ancestor. */
  value(path: ModelPath): SourcePosition | undefined {
    for (let n = path.length; n >= 0; n--) {
      const hit = this.values.get(formatPath(path.slice(0, n)));
      if (hit) return hit;
    }
    return undefined;
  }

  /** Position of the mapping key that names `path` (where a misspelt key is), else of the value. */
  key(path: ModelPath): SourcePosition | undefined {
    return this.keys.get(formatPath(path)) ?? this.value(path);
  }

  /** A new map with the entries of both; `overlay` wins where both have a position. */
  static merge(base: SourceMap, overlay: SourceMap): SourceMap {
    const merged = new SourceMap();
    for (const source of [base, overlay]) {
      for (const [k, v] of source.values) merged.values.set(k, v);
      for (const [k, v] of source.keys) merged.keys.set(k, v);
    }
    return merged;
  }

  /** Copies the positions under `from` so that they also answer for `to` (used when `extends` copies a service). */
  alias(from: ModelPath, to: ModelPath): void {
    const fromKey = formatPath(from);
    const toKey = formatPath(to);
    for (const table of [this.values, this.keys]) {
      for (const [k, v] of [...table]) {
        if (k === fromKey || k.startsWith(`${fromKey}.`) || k.startsWith(`${fromKey}[`)) {
          const moved = toKey + k.slice(fromKey.length);
          if (!table.has(moved)) table.set(moved, v);
        }
      }
    }
  }

  get size(): number {
    return this.values.size;
  }
}
