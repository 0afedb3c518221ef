import { existsSync } from 'node:fs';
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
import { parseYamlDocuments } from './parse-yaml.js';
import { parseProcfile } from './procfile.js';
import { selectProfiles } from './profiles.js';
import type { ProjectOptions } from './project-options.js';
import { resolveProjectName } from './project-name.js';
import { isFile, readTextFile } from './read-text-file.js';
import { SourceMap } from './source-map.js';
import { StageContext } from './stage-context.js';
import { validateComposeSchema } from './validate/schema.js';
import { validateStack } from './validate/validate.js';

/** A loaded, checked project: the frozen Stack, the warnings to show beside it, the interpolation variables. */
export interface LoadResult {
  readonly stack: Stack;
  readonly warnings: readonly Warning[];
  /** The variables used for interpolation (`.env` + shell), for commands that show where values came from. */
  readonly variables: Readonly<Record<string, string>>;
}

/** One YAML document of a file, through canonical forms, with the position of every value in it. */
interface LoadedLayer {
  readonly dict: Record<string, unknown>;
  readonly sources: SourceMap;
}

/** A file's documents in order (compose merges them like files given with several `-f`); most files have one. */
type LoadedFile = readonly LoadedLayer[];

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
  const envLookup = (name: string): string | undefined => (Object.hasOwn(variables, name) ? variables[name] : undefined);
  const normalized = normalize(merged.document, ctx, {
    projectName,
    projectDir,
    files,
    lookupVariable: envLookup,
    envFileReader: (file) => {
      const absolute = path.resolve(projectDir, file);
      // Only a file that does not exist counts as missing (`required: false` skips it); a folder is an error.
      return existsSync(absolute) ? readDotenvFile(absolute, envLookup) : undefined;
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
    for (const layer of loadFile(file)) {
      ctx.sources = layer.sources;
      const extended = applyExtends(layer.dict, ctx, { file, loadFile: (other) => singleLayer(loadFile(other), ctx) });
      failIfErrors(ctx);
      ctx.sources = sources = SourceMap.merge(sources, layer.sources);
      merged = mergeComposeFiles(merged, extended, ctx);
      failIfErrors(ctx);
    }
  }
  if (Object.keys(merged).length === 0) throw emptyProject(files);
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
  const text = readTextFile(file, isProcfile(file) ? 'Procfile' : 'compose file');
  const documents = isProcfile(file) ? [{ ...parseProcfile(text, file), warnings: [] }] : parseYamlDocuments(text, file);
  return documents.map((parsed) => {
    ctx.warnings.push(...parsed.warnings);
    return loadLayer(parsed.value, parsed.sources, ctx, { ...options, file });
  });
}

/** One document: interpolate, cast, check the schema, canonical forms (or only canonical forms, leniently, without interpolation). */
function loadLayer(
  parsed: unknown,
  sources: SourceMap,
  ctx: StageContext,
  options: { readonly file: string; readonly variables: Readonly<Record<string, string>>; readonly interpolate: boolean },
): LoadedLayer {
  ctx.sources = sources;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed === null) {
    throw new BerthError('SPEC_TYPE', 'a compose file must be a mapping with a `services:` key', {
      source: sources.value([]) ?? { file: options.file, line: 1, column: 1 },
      hint: 'start the file with `services:` and list each service under it',
    });
  }
  let value: unknown = parsed;
  if (options.interpolate) {
    value = interpolateTree(value, ctx, options.variables);
    failIfErrors(ctx);
    value = castInterpolatedTypes(value, ctx);
    failIfErrors(ctx);
  }
  if (Object.hasOwn(value as object, 'version')) {
    ctx.warnings.push({
      message: 'the top-level `version` is obsolete and ignored (compose v2 reads every file the same way); remove it',
      source: sources.key(['version']),
    });
  }
  if (!options.interpolate) {
    // `${VAR}` expressions can make a value look malformed; keep it as written instead of failing.
    return { dict: canonicalize(value as Record<string, unknown>, new StageContext(sources)), sources };
  }
  validateComposeSchema(value, ctx);
  failIfErrors(ctx);
  const dict = canonicalize(value as Record<string, unknown>, ctx);
  failIfErrors(ctx);
  return { dict, sources };
}

/** A file as `extends.file` sees it: its documents merged into one (a file with one document is returned as it is). */
function singleLayer(layers: LoadedFile, ctx: StageContext): LoadedLayer {
  const [first, ...rest] = layers;
  if (!first) return { dict: {}, sources: new SourceMap() };
  return rest.reduce<LoadedLayer>((base, layer) => {
    const sources = SourceMap.merge(base.sources, layer.sources);
    const saved = ctx.sources;
    ctx.sources = sources;
    const dict = mergeComposeFiles(base.dict, layer.dict, ctx);
    ctx.sources = saved;
    return { dict, sources };
  }, first);
}

/** compose refuses a project whose files hold nothing at all (`empty compose file`). */
function emptyProject(files: readonly string[]): BerthError {
  const file = files[files.length - 1] ?? '';
  return new BerthError('SPEC_SCHEMA', files.length === 1 ? 'the compose file is empty' : `all ${files.length} compose files are empty`, {
    source: { file, line: 1, column: 1 },
    hint: 'add a `services:` key with at least one service, e.g. `services: {web: {image: nginx}}`',
  });
}

/**
 * compose also takes COMPOSE_FILE (and COMPOSE_PATH_SEPARATOR) from the `.env` of the project directory, or of the
 * working directory when none is given; the shell's value and `-f` win.
 */
function withComposeFileFromDotenv(options: ProjectOptions): ProjectOptions['environment'] {
  if (options.files.length > 0 || options.environment.COMPOSE_FILE !== undefined) return options.environment;
  const dotenv = path.resolve(options.workingDirectory, options.projectDirectory ?? '.', '.env');
  if (!isFile(dotenv)) return options.environment;
  const values = readDotenvFile(dotenv, (name) => (Object.hasOwn(options.environment, name) ? options.environment[name] : undefined));
  if (values.COMPOSE_FILE === undefined) return options.environment;
  const separator = values.COMPOSE_PATH_SEPARATOR ?? options.environment.COMPOSE_PATH_SEPARATOR ?? path.delimiter;
  const files = values.COMPOSE_FILE.split(separator).filter((f) => f !== '').map((f) => path.resolve(path.dirname(dotenv), f));
  return { ...options.environment, COMPOSE_FILE: files.join(separator), COMPOSE_PATH_SEPARATOR: separator };
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
