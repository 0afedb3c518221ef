import type { ModelPath } from '../model-path.js';
import type { StageContext } from '../stage-context.js';
import { isOverrideMarker, isResetMarker, OverrideMarker } from '../yaml-tags.js';
import { asList, keyedMapping, namesMapping, unionHosts } from './list-or-mapping.js';
import { mergeRuleFor, uniqueKeyFor, type MergeRule } from './merge-rules.js';
import { isMapping, type Mapping } from './plain-data.js';

/** Returned where a merge removes a key or list entry (`!reset`). */
const ABSENT: unique symbol = Symbol('absent');
type Merged = unknown;

/**
 * Merges an overlay compose dict over a base one, as `docker compose -f base.yml -f overlay.yml` does (compose-go's
 * `override.Merge` followed by `EnforceUnicity`): mappings merge key by key, lists append, scalars are replaced, an
 * overlay `null` keeps the base, `x-*` extensions are replaced whole; `command`, `entrypoint` and `healthcheck.test` are replaced; mapping-or-list keys
 * (`environment`, `labels`, `depends_on`, …) merge by key; `ports`, `volumes`, `secrets`, … keep one entry per key
 * (the later one, in the earlier one's place). `!reset` removes the key, `!override` replaces the base value whole.
 * The result holds no merge marker. Inputs are not modified. Type clashes (a list over a mapping) are reported to
 * `ctx` as SPEC_MERGE, located through `ctx.sources`, which should hold the overlay's positions.
 */
export function mergeComposeFiles(base: Mapping, overlay: Mapping, ctx: StageContext): Mapping {
  const merged = new Merger(ctx, false).mapping(base, overlay, []);
  return enforceUnique(merged, []) as Mapping;
}

/**
 * Strips merge markers from a single file (`!reset` removes the key, `!override` keeps its value) and applies
 * compose's uniqueness rules, exactly what merging the file over an empty project does.
 */
export function resolveMarkers(dict: Mapping): Mapping {
  const stripped = strip(dict);
  return isMapping(stripped) ? (enforceUnique(stripped, []) as Mapping) : {};
}

/**
 * Merges an extending service over the service it extends (`path` is the extending service's, e.g.
 * `['services', 'web']`, so the per-key rules apply). Unlike a file merge, the overlay's markers are kept in the
 * result: compose also applies an extending service's `!reset` / `!override` to earlier files of the project.
 */
export function mergeService(base: Mapping, overlay: Mapping, path: ModelPath, ctx: StageContext): Mapping {
  return enforceUnique(new Merger(ctx, true).mapping(strip(base) as Mapping, overlay, path), path) as Mapping;
}

class Merger {
  constructor(
    private readonly ctx: StageContext,
    /** Keep `!reset` / `!override` markers of the overlay in the result (for `extends`). */
    private readonly keep: boolean,
  ) {}

  mapping(base: Mapping, overlay: Mapping, path: ModelPath): Mapping {
    const out: Mapping = { ...base };
    for (const [key, value] of Object.entries(overlay)) {
      // compose-go replaces `x-*` extensions whole (null included) instead of merging them.
      const merge = Object.hasOwn(out, key) && !key.startsWith('x-');
      const merged = merge ? this.value(out[key], value, [...path, key]) : this.fresh(value);
      if (merged === ABSENT) delete out[key];
      else out[key] = merged;
    }
    return out;
  }

  private value(rawBase: unknown, overlay: unknown, path: ModelPath): Merged {
    if (isResetMarker(overlay) || isOverrideMarker(overlay)) return this.fresh(overlay);
    const base = strip(rawBase);
    if (base === ABSENT) return this.fresh(overlay);
    const rule = mergeRuleFor(path);
    if (rule) return this.byRule(rule, base, overlay, path);
    if (overlay === null) return base;
    if (isMapping(base)) return isMapping(overlay) ? this.mapping(base, overlay, path) : this.clash(base, overlay, path);
    if (Array.isArray(base)) return Array.isArray(overlay) ? [...base, ...this.list(overlay)] : this.clash(base, overlay, path);
    return this.fresh(overlay);
  }

  private byRule(rule: MergeRule, base: unknown, overlay: unknown, path: ModelPath): Merged {
    if (rule.kind === 'replace') return this.fresh(overlay);
    if (overlay === null) return base;
    switch (rule.kind) {
      case 'keyed':
        if (Array.isArray(base) && Array.isArray(overlay)) return [...base, ...this.list(overlay)];
        return this.keyed(base, overlay, rule.listNull ? null : '');
      case 'names':
        return this.mapping(namesMapping(base, rule.listValue), namesMapping(overlay, rule.listValue), path);
      case 'sequence':
        return [...asList(base), ...this.list(asList(overlay))];
      case 'hosts':
        return unionHosts(base, strip(overlay));
      case 'logging':
        if (!isMapping(base) || !isMapping(overlay)) return this.fresh(overlay);
        if (base.driver === undefined || overlay.driver === undefined || base.driver === overlay.driver) {
          return this.mapping(base, overlay, path);
        }
        return this.fresh(overlay);
      case 'build': {
        const asBuild = (value: unknown): unknown => (typeof value === 'string' ? { context: value } : value ?? {});
        const [b, o] = [asBuild(base), asBuild(overlay)];
        return isMapping(b) && isMapping(o) ? this.mapping(b, o, path) : this.clash(base, overlay, path);
      }
      case 'ipam':
        return this.ipam(base, overlay, path);
    }
  }

  /** Per key, the overlay's value wins whole, `null` included (compose appends `KEY=value` lists, then dedups). */
  private keyed(base: unknown, overlay: unknown, bareValue: null | ''): Mapping {
    const out: Mapping = { ...keyedMapping(base, bareValue) };
    for (const [key, value] of Object.entries(keyedMapping(overlay, bareValue))) {
      const resolved = this.fresh(value);
      if (resolved === ABSENT) delete out[key];
      else out[key] = resolved;
    }
    return out;
  }

  /** `networks.*.ipam.config`: an overlay entry with a known subnet merges into it, others are added. */
  private ipam(base: unknown, overlay: unknown, path: ModelPath): Merged {
    if (!Array.isArray(base) || !Array.isArray(overlay)) return this.clash(base, overlay, path);
    const out = [...base];
    for (const entry of this.list(overlay)) {
      const at = out.findIndex((known) => isMapping(known) && isMapping(entry) && known.subnet === entry.subnet);
      const known = out[at];
      if (at >= 0 && isMapping(known) && isMapping(entry)) out[at] = this.mapping(known, entry, [...path, at]);
      else out.push(entry);
    }
    return out;
  }

  /** An overlay value that meets no base value: markers resolved (or kept, for extends), contents copied. */
  private fresh(value: unknown): Merged {
    if (isResetMarker(value)) return this.keep ? value : ABSENT;
    if (isOverrideMarker(value)) {
      const inner = strip(value.value);
      return this.keep && inner !== ABSENT ? new OverrideMarker(inner) : inner;
    }
    if (Array.isArray(value)) return this.list(value);
    if (!isMapping(value)) return value;
    const out: Mapping = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.fresh(item);
      if (resolved !== ABSENT) out[key] = resolved;
    }
    return out;
  }

  /** List entries never keep markers: a `!reset` entry is dropped, an `!override` entry is its value. */
  private list(items: readonly unknown[]): unknown[] {
    return items.map(strip).filter((item) => item !== ABSENT);
  }

  private clash(base: unknown, overlay: unknown, path: ModelPath): Merged {
    this.ctx.error('SPEC_MERGE', path, `this ${kindOf(overlay)} cannot be merged with the ${kindOf(base)} it overrides`, {
      hint: 'write the value in the same form in both places, or tag it with !override to replace the earlier value',
    });
    return this.fresh(overlay);
  }
}

/** The value without any marker: `!reset` → ABSENT (dropped from mappings and lists), `!override` → its value. */
function strip(value: unknown): Merged {
  if (isResetMarker(value)) return ABSENT;
  if (isOverrideMarker(value)) return strip(value.value);
  if (Array.isArray(value)) return value.map(strip).filter((item) => item !== ABSENT);
  if (!isMapping(value)) return value;
  const out: Mapping = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = strip(item);
    if (resolved !== ABSENT) out[key] = resolved;
  }
  return out;
}

/** Drops earlier duplicates from the lists compose keeps unique; the later entry takes the earlier one's place. */
function enforceUnique(value: unknown, path: ModelPath): unknown {
  if (isMapping(value)) {
    const out: Mapping = {};
    for (const [key, item] of Object.entries(value)) out[key] = enforceUnique(item, [...path, key]);
    return out;
  }
  if (!Array.isArray(value)) return value;
  const items = value.map((item, i) => enforceUnique(item, [...path, i]));
  const keyOf = uniqueKeyFor(path);
  if (!keyOf) return items;
  const out: unknown[] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, out.length);
      out.push(item);
    } else {
      out[at] = item;
    }
  }
  return out;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (isMapping(value)) return 'mapping';
  return value === null ? 'null' : `${typeof value} value`;
}
