import { existsSync } from 'node:fs';
import path from 'node:path';
import { BerthError, isBerthError } from '../errors.js';
import { mergeService, resolveMarkers } from './merge/merge.js';
import { clonePlain, isMapping, type Mapping } from './merge/plain-data.js';
import { formatPath, type ModelPath } from './model-path.js';
import { isRemoteContext } from './normalize/paths.js';
import { SourceMap } from './source-map.js';
import type { StageContext } from './stage-context.js';
import { didYouMean } from './validate/suggest.js';

/** A compose file as `loadFile` returns it: interpolated, in canonical form, with the position of every value. */
export interface ExtendsFile {
  readonly dict: Record<string, unknown>;
  readonly sources: SourceMap;
}

/** Where the file being resolved lives, and how to load the files its `extends.file` entries name. */
export interface ExtendsOptions {
  /** Absolute path of the file the dict was loaded from. */
  readonly file: string;
  /** Folder the dict's relative `extends.file` paths start from; default: the folder of `file`. */
  readonly workingDir?: string;
  /** Loads another compose file. It may throw BerthErrors; they are kept as issues of `ctx`. */
  readonly loadFile: (absPath: string) => ExtendsFile;
}

/** One file's services while their `extends` are being resolved. */
interface Scope {
  readonly file: string;
  readonly dir: string;
  readonly services: Mapping;
  readonly sources: SourceMap;
  readonly resolved: Map<string, unknown>;
}

/**
 * Resolves `extends` in one file's services, as compose-go does per file before files are merged: the extended
 * service (same file, or `file:` relative to the folder of the file that names it, loaded through `loadFile`) is the
 * base and the extending service the overlay, merged with the file-merge rules; chains are followed, and
 * `depends_on` is inherited like any key (compose-go stopped excluding it after v2.32.1). A service taken from
 * another file has its relative paths (build context, env_file, label_file, bind sources, watch paths) made
 * absolute against that file's folder. The extending service's `!reset` / `!override` markers stay in the result
 * for the merge with earlier files. Unknown services, missing files and cycles are SPEC_EXTENDS issues of `ctx`;
 * the service is then kept without its `extends`. The input dict is not modified.
 */
export function applyExtends(dict: Record<string, unknown>, ctx: StageContext, options: ExtendsOptions): Record<string, unknown> {
  const services = dict.services;
  if (!isMapping(services) || !Object.values(services).some((service) => isMapping(service) && Object.hasOwn(service, 'extends'))) {
    return dict;
  }
  const resolver = new ExtendsResolver(ctx, options);
  const main: Scope = {
    file: options.file, dir: options.workingDir ?? path.dirname(options.file), services, sources: ctx.sources, resolved: new Map(),
  };
  const out: Mapping = {};
  for (const name of Object.keys(services)) out[name] = resolver.service(main, name, []);
  return { ...dict, services: out };
}

class ExtendsResolver {
  private readonly scopes = new Map<string, Scope>();

  constructor(private readonly ctx: StageContext, private readonly options: ExtendsOptions) {}

  /** The service `name` of `scope` with its `extends` resolved; `chain` holds the services that lead here. */
  service(scope: Scope, name: string, chain: readonly string[]): unknown {
    if (scope.resolved.has(name)) return scope.resolved.get(name);
    const raw = scope.services[name];
    if (!isMapping(raw) || raw.extends === undefined) return raw;
    const { extends: reference, ...own } = raw;
    const at: ModelPath = ['services', name, 'extends'];
    const ref = parseReference(reference);
    if (!ref) {
      this.report(scope, at, `extends must name a service, got ${JSON.stringify(reference)}`, 'write `extends: base` or `extends: {service: base, file: other.yml}`');
      return own;
    }
    const id = `${name} (${scope.file})`;
    if (chain.includes(id)) {
      const loop = [...chain.slice(chain.indexOf(id)), id].map((link) => this.label(link)).join(' → ');
      this.report(scope, at, `extends cycle: ${loop}`, 'remove one extends so that the chain ends at a service that extends nothing');
      return own;
    }
    const target = ref.file === undefined ? scope : this.scopeFor(scope, ref.file, [...at, 'file']);
    if (!target) return own;
    if (!Object.hasOwn(target.services, ref.service)) {
      const where = target === scope ? 'this file' : ref.file;
      this.report(scope, typeof reference === 'string' ? at : [...at, 'service'],
        `service \`${name}\` extends \`${ref.service}\`, which is not defined in ${where}${didYouMean(ref.service, Object.keys(target.services))}`,
        target === scope ? `define \`services.${ref.service}\`, or set \`extends.file\` to take it from another file` : `check the service name against the services of ${ref.file}`);
      return own;
    }
    const extended = this.service(target, ref.service, [...chain, id]);
    let base = resolveMarkers(isMapping(extended) ? clonePlain(extended) : {});
    if (target !== scope) base = rebasePaths(base, target.dir);
    copyPositions({ from: target.sources, fromPath: ['services', ref.service], to: scope.sources, toPath: ['services', name] }, base, own);
    const merged = mergeService(base, own, ['services', name], this.ctx);
    scope.resolved.set(name, merged);
    return merged;
  }

  /** The services of the file `file` names (relative to the folder of `scope`'s file), loaded once. */
  private scopeFor(scope: Scope, file: string, at: ModelPath): Scope | undefined {
    const absolute = path.resolve(scope.dir, file);
    if (absolute === scope.file) return scope;
    const known = this.scopes.get(absolute);
    if (known) return known;
    if (!existsSync(absolute)) {
      this.report(scope, at, `extends.file "${file}" does not exist (looked for ${absolute})`,
        `the path is relative to the folder of ${path.basename(scope.file)}`);
      return undefined;
    }
    const loaded = this.load(scope, absolute, at);
    if (!loaded) return undefined;
    const services = isMapping(loaded.dict.services) ? loaded.dict.services : {};
    // A copy: positions of this file's extended services are added to it, and the loader may cache the original.
    const sources = SourceMap.merge(loaded.sources, new SourceMap());
    const created: Scope = { file: absolute, dir: path.dirname(absolute), services, sources, resolved: new Map() };
    this.scopes.set(absolute, created);
    return created;
  }

  /** Calls `loadFile` without letting it see or take this stage's issues and source map. */
  private load(scope: Scope, absolute: string, at: ModelPath): ExtendsFile | undefined {
    const { ctx } = this;
    const [sources, earlier] = [ctx.sources, ctx.issues.splice(0)];
    try {
      return this.options.loadFile(absolute);
    } catch (error) {
      if (!isBerthError(error)) {
        this.report(scope, at, `cannot load extends.file ${absolute}: ${String(error)}`, 'check that the file is a readable compose file');
      } else {
        ctx.issues.push(...(error.code === 'SPEC_INVALID' && error.issues.length > 0 ? error.issues : [error]));
      }
      return undefined;
    } finally {
      ctx.sources = sources;
      ctx.issues.unshift(...earlier);
    }
  }

  /** `web (/abs/compose.yml)` → `web`, or `web (base.yml)` for a service of another file. */
  private label(id: string): string {
    const open = id.lastIndexOf(' (');
    const file = id.slice(open + 2, -1);
    return file === this.options.file ? id.slice(0, open) : `${id.slice(0, open)} (${path.basename(file)})`;
  }

  private report(scope: Scope, at: ModelPath, message: string, hint: string): void {
    const source = scope.sources.value(at);
    this.ctx.issues.push(new BerthError('SPEC_EXTENDS', message, { source, path: formatPath(at), hint }));
  }
}

function parseReference(value: unknown): { service: string; file?: string } | undefined {
  if (typeof value === 'string' && value !== '') return { service: value };
  if (!isMapping(value) || typeof value.service !== 'string' || value.service === '') return undefined;
  if (value.file === undefined || value.file === null) return { service: value.service };
  return typeof value.file === 'string' ? { service: value.service, file: value.file } : undefined;
}

/**
 * Where the extended service's values came from, copied to the extending service's paths it does not set itself,
 * so that later errors about inherited values point into the file that wrote them.
 */
function copyPositions(
  at: { from: SourceMap; fromPath: ModelPath; to: SourceMap; toPath: ModelPath },
  base: unknown,
  overlay: unknown,
  relative: ModelPath = [],
): void {
  const entries: Array<[string | number, unknown]> = Array.isArray(base) ? base.map((item, i) => [i, item])
    : isMapping(base) ? Object.entries(base) : [];
  for (const [segment, value] of entries) {
    const next = [...relative, segment];
    if (hasPath(overlay, next)) continue;
    const position = at.from.value([...at.fromPath, ...next]);
    if (position) at.to.setValue([...at.toPath, ...next], position);
    const keyPosition = at.from.key([...at.fromPath, ...next]);
    if (keyPosition) at.to.setKey([...at.toPath, ...next], keyPosition);
    copyPositions(at, value, overlay, next);
  }
}

function hasPath(value: unknown, relative: ModelPath): boolean {
  let current = value;
  for (const segment of relative) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isMapping(current) && typeof segment === 'string' && Object.hasOwn(current, segment)) current = current[segment];
    else return false;
  }
  return current !== undefined;
}

/** compose-go's rule for a service taken from another file: its relative paths start from that file's folder. */
function rebasePaths(service: Mapping, dir: string): Mapping {
  const local = (value: unknown): unknown => {
    if (typeof value !== 'string' || value === '' || value.startsWith('~') || path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) return value;
    return path.resolve(dir, value);
  };
  const context = (value: unknown): unknown => (typeof value === 'string' && isRemoteContext(value) ? value : local(value));
  const out: Mapping = { ...service };
  if (typeof out.build === 'string') out.build = context(out.build);
  if (isMapping(out.build)) {
    const build: Mapping = { ...out.build };
    if (build.context !== undefined) build.context = context(build.context);
    if (isMapping(build.additional_contexts)) {
      build.additional_contexts = Object.fromEntries(Object.entries(build.additional_contexts).map(([k, v]) => [k, context(v)]));
    }
    out.build = build;
  }
  const each = (value: unknown, fn: (entry: unknown) => unknown): unknown =>
    Array.isArray(value) ? value.map(fn) : value === undefined || value === null ? value : fn(value);
  out.env_file = each(out.env_file, (entry) => (isMapping(entry) ? { ...entry, path: local(entry.path) } : local(entry)));
  out.label_file = each(out.label_file, local);
  out.volumes = each(out.volumes, (mount) => {
    if (isMapping(mount)) return mount.type === 'bind' ? { ...mount, source: local(mount.source) } : mount;
    if (typeof mount !== 'string' || !mount.startsWith('.')) return mount;
    const colon = mount.indexOf(':');
    return colon < 0 ? mount : `${String(local(mount.slice(0, colon)))}${mount.slice(colon)}`;
  });
  if (isMapping(out.develop) && Array.isArray(out.develop.watch)) {
    const watch = out.develop.watch.map((rule) => (isMapping(rule) ? { ...rule, path: local(rule.path) } : rule));
    out.develop = { ...out.develop, watch };
  }
  for (const key of ['env_file', 'label_file', 'volumes']) if (out[key] === undefined) delete out[key];
  return out;
}
