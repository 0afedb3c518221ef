import type { StageContext } from '../stage-context.js';
import type { ModelPath } from '../model-path.js';
import { quote, type CanonicalTransform, type Dict } from './transform.js';

export const VOLUME_HINT =
  'use "SOURCE:TARGET[:OPTIONS]" (e.g. "./src:/app:ro", "data:/var/lib/data") or "TARGET" for an anonymous volume, '
  + 'or the long form {type, source, target}';

const PROPAGATIONS = new Set(['rprivate', 'private', 'rshared', 'shared', 'rslave', 'slave']);
const SELINUX = new Set(['z', 'Z']);

export type VolumeParse =
  | { readonly ok: true; readonly mount: Dict; readonly ignored: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * `services.*.volumes.*`: `"./src:/app:ro"` → `{type: bind, source: ./src, target: /app, read_only: true,
 * bind: {create_host_path: true}}`. A source starting with `.`, `/` or `~` is a bind (kept relative: normalize makes
 * it absolute); any other source names a volume; a lone path is an anonymous volume. Long forms are kept.
 */
export const canonicalVolume: CanonicalTransform = (value, path, ctx) => {
  if (typeof value !== 'string') return value;
  const parsed = parseVolumeSpec(value);
  if (!parsed.ok) {
    ctx.error('SPEC_TYPE', path, `cannot read volume ${quote(value)}: ${parsed.reason}`, { hint: VOLUME_HINT });
    return value;
  }
  for (const option of parsed.ignored) warnIgnored(ctx, path, option);
  return parsed.mount;
};

function warnIgnored(ctx: StageContext, path: ModelPath, option: string): void {
  ctx.warn(path, `unknown volume option "${option}" is ignored (compose ignores it too); known: ro, rw, z, Z, nocopy, `
    + 'rprivate, private, rshared, shared, rslave, slave');
}

/** compose-go's `format.ParseVolume`: splits on `:` outside `${...}` and after a Windows drive letter. */
export function parseVolumeSpec(spec: string): VolumeParse {
  if (spec === '') return { ok: false, reason: 'it is empty' };
  if (spec.length <= 2) return { ok: true, mount: { type: 'volume', target: spec, volume: {} }, ignored: [] };
  const fields = splitFields(spec);
  if (!fields.ok) return fields;
  const [first = '', second, options, ...extra] = fields.parts;
  if (extra.length > 0) return { ok: false, reason: 'it has too many ":"-separated parts' };
  if (fields.parts.some((part) => part === '')) return { ok: false, reason: 'it has an empty part between ":"' };
  const source = second === undefined ? '' : first;
  const target = second === undefined ? first : second;
  return buildMount(source, target, options);
}

function splitFields(spec: string): { ok: true; parts: string[] } | { ok: false; reason: string } {
  const parts: string[] = [];
  let buffer = '';
  let depth = 0;
  for (let i = 0; i < spec.length; i++) {
    const char = spec[i] as string;
    if (char === '$' && spec[i + 1] === '{') depth++;
    else if (char === '}' && depth > 0) depth--;
    const windowsDrive = char === ':' && buffer.length === 1 && /^[A-Za-z]$/.test(buffer) && parts.length === 0;
    if (char === ':' && depth === 0 && !windowsDrive) {
      parts.push(buffer);
      buffer = '';
    } else buffer += char;
  }
  parts.push(buffer);
  return { ok: true, parts };
}

function buildMount(source: string, target: string, options: string | undefined): VolumeParse {
  const mount: Dict = {};
  const bind: Dict = {};
  const volume: Dict = {};
  const ignored: string[] = [];
  let readOnly = false;
  for (const option of options === undefined ? [] : options.split(',')) {
    if (option === 'ro' || option === 'rw') readOnly = option === 'ro';
    else if (option === 'nocopy') volume.nocopy = true;
    else if (PROPAGATIONS.has(option)) bind.propagation = option;
    else if (SELINUX.has(option)) bind.selinux = option;
    else ignored.push(option);
  }
  const isBind = isHostPath(source);
  mount.type = isBind ? 'bind' : 'volume';
  if (source !== '') mount.source = source;
  mount.target = target;
  if (readOnly) mount.read_only = true;
  // Short-syntax binds create a missing host folder, as docker-compose v1 did.
  if (isBind) mount.bind = { ...bind, create_host_path: true };
  else if (Object.keys(bind).length > 0) mount.bind = bind;
  if (!isBind || Object.keys(volume).length > 0) mount.volume = volume;
  return { ok: true, mount, ignored };
}

/** A bind source: starts with `.`, `/` or `~`, a Windows drive (`C:`) or a UNC path (`\\host`). */
export function isHostPath(source: string): boolean {
  if (source === '') return false;
  if (['.', '/', '~'].includes(source[0] as string)) return true;
  if (source.startsWith('\\\\')) return true;
  return /^[A-Za-z]:/.test(source);
}
