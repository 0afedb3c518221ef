import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isDict, isMarker, quote, scalarText, type Dict } from './transform.js';

/** What a key without a value becomes: `null` (unset) for environment and build args, `""` for labels. */
export type BareValue = null | '';

/**
 * A list of `KEY=VALUE` strings or a mapping → a mapping of strings. A list entry without `=` and a null mapping
 * value become `bare`; numbers and booleans become the text compose would print. Merge markers are kept in place.
 */
export function keyValueMapping(value: unknown, path: ModelPath, ctx: StageContext, bare: BareValue): unknown {
  if (Array.isArray(value)) return fromList(value, path, ctx, bare);
  if (!isDict(value)) return value;
  const out: Dict = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null || entry === undefined) out[key] = bare;
    else out[key] = isMarker(entry) ? entry : scalarText(entry) ?? entry;
  }
  return out;
}

function fromList(list: readonly unknown[], path: ModelPath, ctx: StageContext, bare: BareValue): Dict {
  const out: Dict = {};
  list.forEach((entry, index) => {
    if (isMarker(entry)) return;
    const text = scalarText(entry);
    if (text === undefined) {
      ctx.error('SPEC_TYPE', [...path, index], `expected "KEY=VALUE", got ${quote(entry)}`, {
        hint: 'write each entry as KEY=VALUE, or use a mapping (KEY: value)',
      });
      return;
    }
    const cut = text.indexOf('=');
    if (cut < 0) out[text] = bare;
    else out[text.slice(0, cut)] = text.slice(cut + 1);
  });
  return out;
}

