import { isBerthError } from '../../errors.js';
import type { ModelPath } from '../model-path.js';
import { resolveHostPath } from './paths.js';
import { isDict, readBoolean, readString, readStringMap, typeError } from './read.js';
import type { NormalizeScope } from './scope.js';

type Environment = Record<string, string | null>;

const MISSING_HINT = 'create the file, fix the path, or make it optional: `env_file: [{path: …, required: false}]`';

/**
 * A service's environment as compose builds it: each `env_file` in order (later files win), then `environment`
 * over them — a key given without a value (`null`) is looked up in the shell/.env variables and, if unknown, stays
 * `null`, which also hides a value from an env file (compose's OverrideBy). An env file that does not exist is an
 * error unless it says `required: false`; one that exists but cannot be read (a folder) is always an error.
 */
export function readServiceEnvironment(service: Record<string, unknown>, scope: NormalizeScope, path: ModelPath): Environment {
  const fromFiles = readEnvFiles(service.env_file, scope, [...path, 'env_file']);
  const declared = resolveBare(readStringMap(service.environment, scope.ctx, [...path, 'environment'], null), scope);
  return { ...fromFiles, ...declared };
}

/** `null` values replaced by the variable of the same name when it is set. */
export function resolveBare(mapping: Environment, scope: NormalizeScope): Environment {
  const out: Environment = {};
  for (const [key, value] of Object.entries(mapping)) out[key] = value ?? scope.lookupVariable(key) ?? null;
  return out;
}

function readEnvFiles(value: unknown, scope: NormalizeScope, path: ModelPath): Environment {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) {
    typeError(scope.ctx, path, 'a list of env files', value);
    return {};
  }
  const out: Environment = {};
  value.forEach((entry, index) => Object.assign(out, readEnvFile(entry, scope, [...path, index])));
  return out;
}

function readEnvFile(entry: unknown, scope: NormalizeScope, path: ModelPath): Record<string, string> {
  const { ctx } = scope;
  const file = isDict(entry) ? readString(entry.path, ctx, [...path, 'path']) : readString(entry, ctx, path);
  if (file === undefined) return {};
  const required = (isDict(entry) ? readBoolean(entry.required, ctx, [...path, 'required']) : undefined) ?? true;
  const absolute = resolveHostPath(file, scope.base);
  try {
    const values = scope.envFileReader(absolute, required);
    if (values === undefined && required) ctx.error('SPEC_READ', path, `env file ${JSON.stringify(absolute)} does not exist`, { hint: MISSING_HINT });
    return values ?? {};
  } catch (error) {
    if (!isBerthError(error)) throw error;
    ctx.error(error.code, path, error.message, { hint: error.hint });
    return {};
  }
}
