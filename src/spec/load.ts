import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { aggregate, BerthError, type Warning } from '../errors.js';
import type { Stack } from '../model/stack.js';
import { canonicalize } from './canonical/canonical.js';
import { discoverFiles, isProcfile } from './discover.js';
import { interpolationEnvironment, readDotenvFile } from './env-files.js';
import { applyExtends } from './extends.js';
import { castInterpolatedTypes } from './interpolation-casts.js';
import { interpolateTree } from './interpolate.js';
import { mergeComposeFiles, resolveMarkers } from './merge/merge.js';
import { normalize } from './normalize/normalize.js';
import { parseYaml } from './parse-yaml.js';
import { parseProcfile } from './procfile.js';
import { selectProfiles } from './profiles.js';
import type { ProjectOptions } from './project-options.js';
import { resolveProjectName } from './project-name.js';
import { SourceMap } from './source-map.js';
import { StageContext } from './stage-context.js';
import { validateComposeSchema } from './validate/schema.js';
import { validateStack } from './validate/validate.js';

export interface LoadResult {
  readonly stack: Stack;
  readonly warnings: readonly Warning[];
  /** The variables used for interpolation (`.env` + shell), for commands that show where values came from. */
  readonly variables: Readonly<Record<string, string>>;
}

interface LoadedFile {
  readonly dict: Record<string, unknown>;
  readonly sources: SourceMap;
}

/**
 * Loads a project as compose does: discover files, read `.env`, then per file parse → interpolate → schema-check →
 * canonical forms → extends; merge the files in order; select profiles; normalize into a frozen Stack; check it.
 * Every problem of a stage is collected and thrown as one BerthError before the next stage runs, so nothing
 * downstream ever sees an invalid model.
 */
export function loadStack(options: ProjectOptions): LoadResult {
  const merged = loadMergedDocument(options);
  const { ctx, projectDir, files, variables, selection } = merged;
  const projectName = resolveProjectName({
    flag: options.projectName,
    environment: options.environment.COMPOSE_PROJECT_NAME ?? variables.COMPOSE_PROJECT_NAME,
    fromFile: typeof merged.document.name === 'string' ? merged.document.name : undefined,
    projectDir,
  });
  const envLookup = (name: string): string | undefined => variables[name];
  const normalized = normalize(merged.document, ctx, {
    projectName,
    projectDir,
    files,
    lookupVariable: envLookup,
    envFileReader: (file, required) => {
      const absolute = path.resolve(projectDir, file);
      try {
        return readDotenvFile(absolute, envLookup);
      } catch (error) {
        if (!required && error instanceof BerthError && error.code === 'SPEC_READ') return undefined;
        throw error;
      }
    },
  });
  failIfErrors(ctx);
  const stack: Stack = Object.freeze({ ...normalized, profiles: Object.freeze([...selection.allProfiles]) });
  validateStack(stack, ctx);
  failIfErrors(ctx);
  return { stack, warnings: ctx.warnings, variables };
}

/**
 * The merged compose document without interpolation, for `config --no-interpolate`: files merged, markers
 * resolved and profiles applied, `${VAR}` expressions kept as written. Short forms that hold an expression
 * (`"${PORT}:8000"`) cannot be expanded and are kept as written, as compose does.
 */
export function loadUninterpolatedDocument(options: ProjectOptions): { document: Record<string, unknown>; warnings: readonly Warning[] } {
  const merged = loadMergedDocument({ ...options, interpolate: false });
  return { document: merged.document, warnings: merged.ctx.warnings };
}

interface MergedDocument {
  readonly document: Record<string, unknown>;
  readonly ctx: StageContext;
  readonly projectDir: string;
  readonly files: readonly string[];
  readonly variables: Readonly<Record<string, string>>;
  readonly selection: { readonly active: readonly string[]; readonly allProfiles: readonly string[] };
}

function loadMergedDocument(options: ProjectOptions): MergedDocument {
  const discovered = discoverFiles({ ...options, environment: withComposeFileFromDotenv(options) });
  const files = discovered.files;
  const firstFile = files[0] as string;
  const projectDir = path.resolve(options.workingDirectory, options.projectDirectory ?? path.dirname(firstFile));
  const variables = interpolationEnvironment({ ...options, projectDir });
  const ctx = new StageContext();
  ctx.warnings.push(...discovered.warnings);

  const cache = new Map<string, LoadedFile>();
  const loadFile = (file: string): LoadedFile => {
    const hit = cache.get(file);
    if (hit) return hit;
    const loaded = loadOneFile(file, ctx, { variables, interpolate: options.interpolate });
    cache.set(file, loaded);
    return loaded;
  };

  let merged: Record<string, unknown> = {};
  let sources = new SourceMap();
  for (const file of files) {
    const loaded = loadFile(file);
    ctx.sources = loaded.sources;
    const extended = applyExtends(loaded.dict, ctx, { file, loadFile });
    failIfErrors(ctx);
    ctx.sources = sources = SourceMap.merge(sources, loaded.sources);
    merged = mergeComposeFiles(merged, extended, ctx);
    failIfErrors(ctx);
  }
  merged = resolveMarkers(merged);

  const services = (merged.services ?? {}) as Record<string, unknown>;
  const profileNames = options.profiles.length > 0 ? options.profiles : splitList(variables.COMPOSE_PROFILES);
  const selection = selectProfiles(services, profileNames, options.services, ctx);
  failIfErrors(ctx);
  const activeServices = Object.fromEntries(Object.entries(services).filter(([name]) => selection.active.includes(name)));
  return { document: { ...merged, services: activeServices }, ctx, projectDir, files, variables, selection };
}

function loadOneFile(
  file: string,
  ctx: StageContext,
  options: { readonly variables: Readonly<Record<string, string>>; readonly interpolate: boolean },
): LoadedFile {
  const text = readText(file);
  const parsed = isProcfile(file) ? { ...parseProcfile(text, file), warnings: [] } : parseYaml(text, file);
  ctx.warnings.push(...parsed.warnings);
  ctx.sources = parsed.sources;
  let value: unknown = parsed.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    throw new BerthError('SPEC_TYPE', 'a compose file must be a mapping with a `services:` key', {
      source: parsed.sources.value([]) ?? { file, line: 1, column: 1 },
      hint: 'start the file with `services:` and list each service under it',
    });
  }
  if (options.interpolate) {
    value = interpolateTree(value, ctx, options.variables);
    failIfErrors(ctx);
    value = castInterpolatedTypes(value, ctx);
    failIfErrors(ctx);
  }
  if (Object.hasOwn(value as object, 'version')) {
    ctx.warnings.push({
      message: 'the top-level `version` is obsolete and ignored (compose v2 reads every file the same way); remove it',
      source: parsed.sources.key(['version']),
    });
  }
  if (!options.interpolate) {
    // `${VAR}` expressions can make a value look malformed; keep it as written instead of failing.
    const lenient = new StageContext(parsed.sources);
    return { dict: canonicalize(value as Record<string, unknown>, lenient), sources: parsed.sources };
  }
  validateComposeSchema(value, ctx);
  failIfErrors(ctx);
  const dict = canonicalize(value as Record<string, unknown>, ctx);
  failIfErrors(ctx);
  return { dict, sources: parsed.sources };
}

/**
 * compose also takes COMPOSE_FILE (and COMPOSE_PATH_SEPARATOR) from the `.env` of the project directory, or of the
 * working directory when none is given; the shell's value and `-f` win.
 */
function withComposeFileFromDotenv(options: ProjectOptions): ProjectOptions['environment'] {
  if (options.files.length > 0 || options.environment.COMPOSE_FILE !== undefined) return options.environment;
  const dotenv = path.resolve(options.workingDirectory, options.projectDirectory ?? '.', '.env');
  if (!existsSync(dotenv)) return options.environment;
  const values = readDotenvFile(dotenv, (name) => options.environment[name]);
  if (values.COMPOSE_FILE === undefined) return options.environment;
  const separator = values.COMPOSE_PATH_SEPARATOR ?? options.environment.COMPOSE_PATH_SEPARATOR ?? path.delimiter;
  const files = values.COMPOSE_FILE.split(separator).filter((f) => f !== '').map((f) => path.resolve(path.dirname(dotenv), f));
  return { ...options.environment, COMPOSE_FILE: files.join(separator), COMPOSE_PATH_SEPARATOR: separator };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BerthError('SPEC_READ', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error, hint: 'check that the file exists and is readable',
    });
  }
}

function failIfErrors(ctx: StageContext): void {
  if (!ctx.failed) return;
  const issues = [...ctx.issues].sort(byPosition);
  ctx.issues.length = 0;
  throw aggregate(issues);
}

function byPosition(a: BerthError, b: BerthError): number {
  const sa = a.source;
  const sb = b.source;
  if (!sa || !sb) return sa ? -1 : sb ? 1 : 0;
  return sa.file.localeCompare(sb.file) || sa.line - sb.line || sa.column - sb.column;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((part) => part.trim()).filter((part) => part !== '');
}
