import { Document } from 'yaml';
import type { ExportedObject } from './manifest.js';

/** Keys printed first in every object, in this order; all other keys, at every depth, are sorted. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata'] as const;

/** One manifest file of `-o DIR`: numbered so `kubectl apply -f DIR` applies them in stream order. */
export interface ManifestFile {
  readonly file: string;
  readonly text: string;
}

/** The objects as one multi-document YAML stream (`---` between documents), each with its comment above it. */
export function renderStream(objects: readonly ExportedObject[]): string {
  return objects.map((o, index) => `${index === 0 ? '' : '---\n'}${renderOne(o)}`).join('');
}

/** One file per object: `NN-kind-name.yaml` (NN = position in the stream, zero-padded). */
export function renderFiles(objects: readonly ExportedObject[]): ManifestFile[] {
  const width = Math.max(2, String(objects.length).length);
  return objects.map((o, index) => ({
    file: `${String(index + 1).padStart(width, '0')}-${o.object.kind.toLowerCase()}-${o.object.metadata.name}.yaml`,
    text: renderOne(o),
  }));
}

function renderOne(exported: ExportedObject): string {
  const document = new Document(orderKeys(exported.object, true), { aliasDuplicateObjects: false });
  const comment = exported.comment === undefined ? '' : `# ${exported.comment}\n`;
  return `${comment}${document.toString({ lineWidth: 0 })}`;
}

/** A deep copy with LEADING_KEYS first at the top and every other mapping's keys sorted. */
function orderKeys(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => orderKeys(item, false));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const leading: readonly string[] = top ? LEADING_KEYS : [];
  const rest = Object.keys(record).filter((key) => !leading.includes(key)).sort();
  const keys = [...leading.filter((key) => Object.hasOwn(record, key)), ...rest];
  return Object.fromEntries(keys.filter((key) => record[key] !== undefined).map((key) => [key, orderKeys(record[key], false)]));
}
