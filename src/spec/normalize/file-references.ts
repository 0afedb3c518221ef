import type { FileReference } from '../../model/stack.js';
import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isDict, readInteger, readString, typeError } from './read.js';

/** A service's `secrets`/`configs` (long form after canonical) → FileReferences; `mode` may be octal text (`"0440"`). */
export function readFileReferences(value: unknown, ctx: StageContext, path: ModelPath): FileReference[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    typeError(ctx, path, 'a list', value);
    return [];
  }
  const out: FileReference[] = [];
  value.forEach((entry, index) => {
    const at = [...path, index];
    const source = isDict(entry) ? readString(entry.source, ctx, [...at, 'source']) : undefined;
    if (!isDict(entry) || source === undefined) {
      typeError(ctx, at, 'a name or {source, target}', entry);
      return;
    }
    const target = readString(entry.target, ctx, [...at, 'target']);
    const uid = readString(entry.uid, ctx, [...at, 'uid']);
    const gid = readString(entry.gid, ctx, [...at, 'gid']);
    const mode = readMode(entry.mode, ctx, [...at, 'mode']);
    out.push({
      source,
      ...(target === undefined ? {} : { target }),
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
      ...(mode === undefined ? {} : { mode }),
    });
  });
  return out;
}

function readMode(value: unknown, ctx: StageContext, path: ModelPath): number | undefined {
  if (typeof value === 'string' && /^0?[0-7]+$/.test(value)) return parseInt(value, 8);
  return readInteger(value, ctx, path);
}
