import type { ErrorObject } from 'ajv';
import { formatPath, type ModelPath } from '../model-path.js';
import { didYouMean } from './suggest.js';

/** One problem found by a JSON schema, worded for a user. Callers choose the error code from `kind`. */
export interface SchemaIssue {
  readonly kind: 'unknown-key' | 'type' | 'value';
  readonly path: ModelPath;
  readonly message: string;
  readonly hint?: string;
  /** Where the problem is: the mapping key (a misspelt key) or the value. */
  readonly at: 'key' | 'value';
}

/** A schema error after its path is known and oneOf noise is gone; `types` is set for merged type errors. */
export interface LocatedError {
  readonly path: ModelPath;
  readonly error: ErrorObject;
  readonly types?: readonly string[];
}

const TYPE_ORDER = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];
const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean',
  object: 'a mapping', array: 'a list', null: 'null',
};
const COLLECTIONS: Readonly<Record<string, string>> = {
  services: 'service', networks: 'network', volumes: 'volume', secrets: 'secret', configs: 'config', models: 'model',
};

/** `a string or a number`, `a string, a number or a mapping`; `number` makes `integer` redundant. */
export function describeTypes(types: readonly string[]): string {
  const unique = [...new Set(types)].sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  const shown = unique.includes('number') ? unique.filter((t) => t !== 'integer') : unique;
  const names = shown.map((t) => TYPE_NAMES[t] ?? t);
  if (names.length <= 1) return names[0] ?? 'nothing';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** What a value is, for `got …`: `a mapping`, `a list`, `an empty value`, `the number 5`, `the string "x"`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/** A scalar as written in a message: strings quoted, others as they print. */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  return String(value);
}

/** Where a mapping sits, in words: `service \`api\``, `\`deploy.resources\` of service \`api\``, `network \`n\``. */
export function describeLocation(path: ModelPath): string {
  const [collection, name, ...rest] = path;
  const noun = typeof collection === 'string' ? COLLECTIONS[collection] : undefined;
  if (noun !== undefined && typeof name === 'string') {
    const owner = `${noun} \`${name}\``;
    return rest.length === 0 ? owner : `\`${formatPath(rest)}\` of ${owner}`;
  }
  return `\`${formatPath(path)}\``;
}

/** Words for one located error. */
export function explainError(located: LocatedError): SchemaIssue {
  const { error, path } = located;
  const custom = typeof error.parentSchema?.message === 'string' ? error.parentSchema.message : undefined;
  switch (error.keyword) {
    case 'additionalProperties':
      return unknownKey(located);
    case 'type':
      return typeIssue(located);
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : String(v)));
      const mean = typeof error.data === 'string' ? didYouMean(error.data, allowed) : '';
      return value(path, `expected one of: ${allowed.join(', ')}, got ${quoteValue(error.data)}${mean}`);
    }
    case 'required':
      return value(path, `missing required key \`${String(error.params.missingProperty)}\``);
    case 'pattern':
      return value(path, custom ? `${custom}, got ${quoteValue(error.data)}`
        : `invalid value ${quoteValue(error.data)}: it must match /${String(error.params.pattern)}/`);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return value(path, custom ? `${custom}, got ${quoteValue(error.data)}`
        : `must be ${boundWords(error.keyword)} ${String(error.params.limit)}, got ${quoteValue(error.data)}`);
    case 'uniqueItems': {
      const list = Array.isArray(error.data) ? error.data : [];
      const later = Number(error.params.i);
      const earlier = Number(error.params.j);
      const item = list[later];
      const shown = typeof item === 'object' && item !== null ? '' : ` ${quoteValue(item)}`;
      return value([...path, later], `duplicate entry${shown} (the same as item ${earlier})`, 'remove one of the two');
    }
    case 'minItems':
    case 'minLength': {
      const limit = Number(error.params.limit);
      const unit = error.keyword === 'minItems' ? 'items' : 'characters';
      return value(path, custom ?? (limit === 1 ? 'must not be empty' : `must have at least ${limit} ${unit}`));
    }
    case 'oneOf':
      return value(path, `${describeValue(error.data)} that matches more than one allowed form`);
    default:
      return value(path, custom ?? error.message ?? `is invalid (${error.keyword})`);
  }
}

function value(path: ModelPath, message: string, hint?: string): SchemaIssue {
  return hint === undefined ? { kind: 'value', path, message, at: 'value' } : { kind: 'value', path, message, hint, at: 'value' };
}

function boundWords(keyword: string): string {
  if (keyword === 'minimum') return 'at least';
  if (keyword === 'maximum') return 'at most';
  return keyword === 'exclusiveMinimum' ? 'more than' : 'less than';
}

function typeIssue(located: LocatedError): SchemaIssue {
  const raw = located.types ?? [located.error.params.type].flat().map(String);
  const got = located.error.data;
  const message = `expected ${describeTypes(raw)}, got ${describeValue(got)}`;
  const hint = typeHint(raw, got, located.path);
  // An empty value's position is the end of its line; the key that names it is easier to spot.
  const at = got === null || got === undefined ? 'key' : 'value';
  return hint === undefined ? { kind: 'type', path: located.path, message, at } : { kind: 'type', path: located.path, message, hint, at };
}

/** What to write instead: a whole number for `1.5` where integers go, quotes where only strings go, a value for a blank. */
function typeHint(types: readonly string[], got: unknown, path: ModelPath): string | undefined {
  if (got === null || got === undefined) {
    return typeof path[path.length - 1] === 'number' ? 'remove the empty list entry, or write its value' : 'write a value after the key, or remove the key';
  }
  if (typeof got === 'number' && types.includes('integer') && !types.includes('number')) return 'write a whole number, such as 2';
  const only = new Set(types).size === 1 ? types[0] : undefined;
  if (Array.isArray(got) && only === 'object') return 'write `key: value` lines here, not a list of `- ` items';
  if (typeof got === 'object' && !Array.isArray(got) && only === 'array') return 'write a list here: one `- item` per line';
  const quotable = types.includes('string') && (typeof got === 'number' || typeof got === 'boolean');
  return quotable ? `write it in quotes to make it a string: "${String(got)}"` : undefined;
}

function unknownKey(located: LocatedError): SchemaIssue {
  const { error, path } = located;
  const key = String(error.params.additionalProperty);
  const parent = path.slice(0, -1);
  const schema = error.parentSchema ?? {};
  const allowed = Object.keys((schema.properties ?? {}) as object);
  const patterns = Object.keys((schema.patternProperties ?? {}) as object);
  const extensible = patterns.includes('^x-');
  const namePatterns = patterns.filter((p) => p !== '^x-');
  if (allowed.length === 0 && namePatterns.length > 0) return invalidName(path, key, namePatterns);
  const where = parent.length === 0 ? 'unknown top-level key' : `unknown key \`${key}\` in ${describeLocation(parent)}`;
  const message = parent.length === 0 ? `${where} \`${key}\`${didYouMean(key, allowed)}` : `${where}${didYouMean(key, allowed)}`;
  const hint = didYouMean(key, allowed) !== ''
    ? undefined
    : extensible
      ? `remove it, or rename it \`x-${key}\` to keep it as your own extension`
      : `remove it; allowed here: ${allowed.sort().join(', ')}`;
  return hint === undefined ? { kind: 'unknown-key', path, message, at: 'key' } : { kind: 'unknown-key', path, message, hint, at: 'key' };
}

function invalidName(path: ModelPath, key: string, patterns: readonly string[]): SchemaIssue {
  const collection = path[path.length - 2];
  const noun = typeof collection === 'string' && path.length === 2 ? COLLECTIONS[collection] : undefined;
  const plain = patterns.includes('^[a-zA-Z0-9._-]+$');
  const rule = plain ? 'use only letters, digits, `.`, `_` and `-`' : `it must match /${patterns.join('/ or /')}/`;
  return {
    kind: 'value', path, at: 'key',
    message: `invalid ${noun ?? 'key'} name \`${key}\`: ${rule}`,
  };
}
