import type { ErrorObject } from 'ajv';
import { formatPath, type ModelPath, type PathSegment } from '../model-path.js';
import { explainError, type LocatedError, type SchemaIssue } from './schema-messages.js';

/**
 * Turns the raw errors of an ajv run (`allErrors`, `verbose`) over `data` into user issues: at most one per path,
 * oneOf noise collapsed, paths as model paths under `base` (array indexes as numbers, an unknown key's path ending
 * with that key). The issues come in ajv's order; callers sort them by position.
 *
 * Collapsing a `oneOf` at a path P: branches whose type does not fit the value only add a `type` error at P. If
 * anything else failed at or under P, it came from a branch the value's type did fit, so those errors are the
 * useful ones and the type errors at P are dropped. If only type errors are left, the value fits no branch:
 * they merge into one `expected a string or a number, got a mapping`.
 */
export function explainSchemaErrors(errors: readonly ErrorObject[], data: unknown, base: ModelPath = []): SchemaIssue[] {
  const located = errors.map((error) => locate(error, data, base));
  const collapsed = collapseComposites(located);
  return pickOnePerPath(collapsed).map(explainError);
}

function locate(error: ErrorObject, data: unknown, base: ModelPath): LocatedError {
  const path = [...base, ...instancePath(error.instancePath, data)];
  if (error.keyword === 'additionalProperties') return { path: [...path, String(error.params.additionalProperty)], error };
  return { path, error };
}

/** `/services/web/ports/0` → `['services', 'web', 'ports', 0]`, numbers where the data holds a list. */
function instancePath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      out.push(index);
      node = node[index];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function isComposite(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf';
}

function isUnder(path: ModelPath, prefix: ModelPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

function collapseComposites(located: readonly LocatedError[]): LocatedError[] {
  let rest = located.filter((l) => !isComposite(l.error));
  // Innermost first, so an outer oneOf sees the already merged result of an inner one at the same or a deeper path.
  const composites = located.filter((l) => isComposite(l.error)).sort((a, b) => b.path.length - a.path.length);
  for (const composite of composites) {
    const here = formatPath(composite.path);
    const under = rest.filter((l) => isUnder(l.path, composite.path));
    const typeHere = under.filter((l) => l.error.keyword === 'type' && formatPath(l.path) === here);
    const others = under.filter((l) => !typeHere.includes(l));
    if (others.length > 0) {
      rest = rest.filter((l) => !typeHere.includes(l));
    } else if (typeHere.length > 0) {
      const types = typeHere.flatMap((l) => l.types ?? [l.error.params.type].flat().map(String));
      const first = typeHere[0] as LocatedError;
      rest = [...rest.filter((l) => !typeHere.includes(l)), { path: first.path, error: first.error, types }];
    } else {
      rest.push(composite);
    }
  }
  return rest;
}

const PRIORITY = ['additionalProperties', 'type', 'required', 'enum', 'pattern', 'minimum', 'maximum', 'uniqueItems'];

function rank(error: ErrorObject): number {
  const index = PRIORITY.indexOf(error.keyword);
  return index === -1 ? PRIORITY.length : index;
}

function pickOnePerPath(located: readonly LocatedError[]): LocatedError[] {
  const best = new Map<string, LocatedError>();
  for (const l of located) {
    const key = formatPath(l.path);
    const held = best.get(key);
    if (!held || rank(l.error) < rank(held.error)) best.set(key, l);
  }
  return [...best.values()];
}
