import {
  isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument,
  type Document, type Node as YamlNode, type Pair, type YAMLMap,
} from 'yaml';
import { BerthError, type SourcePosition, type Warning } from '../errors.js';
import type { ModelPath } from './model-path.js';
import { SourceMap } from './source-map.js';
import { OverrideMarker, ResetMarker } from './yaml-tags.js';

/** One YAML file turned into plain data (with merge markers) and the position of every value in it. */
export interface ParsedYaml {
  readonly file: string;
  readonly value: unknown;
  readonly sources: SourceMap;
  readonly warnings: readonly Warning[];
}

const KNOWN_TAGS = new Set(['!reset', '!override']);

/**
 * Parses YAML text as compose does (YAML 1.2 core schema, anchors, aliases and `<<` merge keys, `!reset` and
 * `!override`). Duplicate keys and syntax errors become BerthErrors with file:line:column; all of them are
 * collected before throwing.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const errors = doc.errors.map((error) => {
    const duplicate = error.code === 'DUPLICATE_KEY';
    const message = duplicate ? duplicateKeyMessage(text, error.pos[0]) : firstLine(error.message);
    return new BerthError(duplicate ? 'SPEC_DUPLICATE_KEY' : 'SPEC_YAML', message, {
      source: at(error.pos[0]),
      hint: duplicate ? 'remove one of the two entries (compose refuses duplicate keys)' : undefined,
    });
  });
  if (errors.length > 0) throw errors.length === 1 ? errors[0] : new BerthError('SPEC_INVALID', `${errors.length} problems in ${file}`, { issues: errors });

  const warnings: Warning[] = [];
  const sources = new SourceMap();
  const walker = new Walker(doc, sources, at, warnings);
  const value = doc.contents === null ? null : walker.walk(doc.contents as YamlNode, []);
  return { file, value, sources, warnings };
}

class Walker {
  constructor(
    private readonly doc: Document,
    private readonly sources: SourceMap,
    private readonly at: (offset: number) => SourcePosition,
    private readonly warnings: Warning[],
  ) {}

  walk(node: YamlNode, path: ModelPath): unknown {
    if (node.range) this.sources.setValue(path, this.at(node.range[0]));
    const value = this.plain(node, path);
    const tag = node.tag;
    if (tag === '!reset') return new ResetMarker();
    if (tag === '!override') return new OverrideMarker(value);
    if (tag && tag.startsWith('!') && !KNOWN_TAGS.has(tag)) {
      this.warnings.push({ message: `unknown tag ${tag} ignored`, source: node.range ? this.at(node.range[0]) : undefined });
    }
    return value;
  }

  private plain(node: YamlNode, path: ModelPath): unknown {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      return target ? this.walk(target as YamlNode, path) : null;
    }
    if (isScalar(node)) return node.value ?? null;
    if (isSeq(node)) return node.items.map((item, i) => this.walk(item as YamlNode, [...path, i]));
    if (isMap(node)) return this.map(node as YAMLMap, path);
    return null;
  }

  private map(node: YAMLMap, path: ModelPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const merged: Record<string, unknown>[] = [];
    for (const pair of node.items as Pair[]) {
      if (isMergeKey(pair)) {
        merged.push(...this.mergeSources(pair.value as YamlNode, path));
        continue;
      }
      const key = keyString(pair.key);
      const keyNode = pair.key as YamlNode | null;
      if (keyNode && keyNode.range) this.sources.setKey([...path, key], this.at(keyNode.range[0]));
      const value = pair.value === null ? null : this.walk(pair.value as YamlNode, [...path, key]);
      // defineProperty so that a key named `__proto__` is kept as data, not taken as the prototype.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    // `<<: [*a, *b]` — explicit keys win, then earlier sources win over later ones (YAML merge key rules).
    for (const source of merged) {
      for (const [key, value] of Object.entries(source)) {
        if (!Object.hasOwn(out, key)) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return out;
  }

  private mergeSources(node: YamlNode, path: ModelPath): Record<string, unknown>[] {
    const nodes = isSeq(node) ? (node.items as YamlNode[]) : [node];
    const out: Record<string, unknown>[] = [];
    for (const item of nodes) {
      const value = this.walk(item, path);
      if (value && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
    }
    return out;
  }
}

function isMergeKey(pair: Pair): boolean {
  const key = pair.key as unknown;
  return isScalar(key) && (key.value === '<<' || (typeof key.source === 'string' && key.source === '<<'));
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return '';
  return String(key);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function duplicateKeyMessage(text: string, offset: number): string {
  const rest = text.slice(offset);
  const match = /^["']?([^"':\n]+)["']?\s*:/.exec(rest);
  return match ? `duplicate key "${match[1]}"` : 'duplicate key';
}
