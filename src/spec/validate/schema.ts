import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { ErrorCode, SourcePosition } from '../../errors.js';
import { formatPath } from '../model-path.js';
import { AJV_OPTIONS, loadComposeSchema } from './compose-schema.js';
import type { StageContext } from '../stage-context.js';
import { isOverrideMarker, isResetMarker } from '../yaml-tags.js';
import { explainSchemaErrors } from './schema-errors.js';
import type { SchemaIssue } from './schema-messages.js';

/**
 * Checks one file's interpolated plain dict (before canonical forms, as compose-go does) against the compose-spec
 * JSON schema shipped by `dclint`, and records each problem in `ctx` as a BerthError with its position: unknown
 * keys as SPEC_UNKNOWN_KEY (at the key, with a did-you-mean), wrong types as SPEC_TYPE, anything else as
 * SPEC_SCHEMA. At most one error per path, in file order. Merge markers (`!reset`, `!override`) are checked as
 * the merge will see them: a reset key is absent, an override is its value. It does not check references between
 * parts of the file (see validate.ts) nor the contents of `x-berth` (see ../berth-options.ts).
 */
export function validateComposeSchema(dict: unknown, ctx: StageContext): void {
  const plain = withoutMarkers(dict);
  const validate = composeValidator();
  if (validate(plain)) return;
  const issues = explainSchemaErrors(validate.errors ?? [], plain);
  reportIssues(issues, ctx, codeFor);
}

function codeFor(issue: SchemaIssue): ErrorCode {
  if (issue.kind === 'unknown-key') return 'SPEC_UNKNOWN_KEY';
  return issue.kind === 'type' ? 'SPEC_TYPE' : 'SPEC_SCHEMA';
}

/** Records issues in `ctx` in file order (then path order for issues without a position). */
export function reportIssues(issues: readonly SchemaIssue[], ctx: StageContext, code: (issue: SchemaIssue) => ErrorCode): void {
  const where = (issue: SchemaIssue): SourcePosition | undefined =>
    issue.at === 'key' ? ctx.sources.key(issue.path) : ctx.sources.value(issue.path);
  const sorted = [...issues].sort((a, b) => comparePositions(where(a), where(b)) || formatPath(a.path).localeCompare(formatPath(b.path)));
  for (const issue of sorted) {
    const options = issue.hint === undefined ? { at: issue.at } : { at: issue.at, hint: issue.hint };
    ctx.error(code(issue), issue.path, issue.message, options);
  }
}

function comparePositions(a: SourcePosition | undefined, b: SourcePosition | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

let cached: ValidateFunction | undefined;

/**
 * The compose-spec validator: the one precompiled by `npm run build` (compose-validator.cjs beside this module) when
 * it is there, else compiled on first use; kept for the life of the process.
 */
function composeValidator(): ValidateFunction {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const precompiled = new URL('./compose-validator.cjs', import.meta.url);
  if (existsSync(precompiled)) {
    const loaded = require(precompiled.pathname) as ValidateFunction | { default: ValidateFunction };
    cached = typeof loaded === 'function' ? loaded : loaded.default;
    return cached;
  }
  const ajv = new Ajv(AJV_OPTIONS);
  cached = ajv.compile(loadComposeSchema());
  return cached;
}

/** A copy of parsed YAML with `!reset` keys (and list items) left out and `!override` values unwrapped. */
function withoutMarkers(value: unknown): unknown {
  if (isOverrideMarker(value)) return withoutMarkers(value.value);
  if (Array.isArray(value)) return value.filter((item) => !isResetMarker(item)).map(withoutMarkers);
  if (value !== null && typeof value === 'object' && !isResetMarker(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) if (!isResetMarker(item)) out[key] = withoutMarkers(item);
    return out;
  }
  return value;
}
