import {
  isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments,
  type Alias, type Document, type Node as YamlNode, type Pair, type Scalar, type YAMLMap,
} from 'yaml';
import { BerthError, type SourcePosition, type Warning } from '../errors.js';
import type { ModelPath } from './model-path.js';
import { SourceMap } from './source-map.js';
import { OverrideMarker, ResetMarker } from './yaml-tags.js';

/** One YAML document turned into plain data (with merge markers) and the position of every value in it. */
export interface ParsedYaml {
  readonly file: string;
  readonly value: unknown;
  readonly sources: SourceMap;
  readonly warnings: readonly Warning[];
}

const KNOWN_TAGS = new Set(['!reset', '!override']);

/**
 * How many values aliases may add to a file in all. A real compose file stays far below; a "billion laughs" file
 * (aliases of aliases of lists) would otherwise take minutes and gigabytes to expand.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * Parses a file of YAML documents as compose does (YAML 1.2 core schema, anchors, aliases and `<<` merge keys,
 * `!reset` and `!override`): one ParsedYaml per document that is not empty, in file order — compose merges the
 * documents of one file like files given with several `-f`. Syntax errors, duplicate keys, unknown aliases, alias
 * cycles and merge keys that do not name a mapping become BerthErrors with file:line:column; all of them are
 * collected before throwing.
 */
export function parseYamlDocuments(text: string, file: string): ParsedYaml[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const errors = docs.flatMap((doc) => doc.errors.map((error) => syntaxError(text, error, at)));
  throwIfAny(errors, file);
  const parsed: ParsedYaml[] = [];
  const budget = { expanded: 0 };
  for (const doc of docs) {
    if (isEmptyDocument(doc)) continue;
    const sources = new SourceMap();
    const walker = new Walker(doc, sources, at, budget);
    const value = walker.walk(doc.contents as YamlNode, []);
    errors.push(...walker.errors);
    parsed.push({ file, value, sources, warnings: walker.warnings });
  }
  throwIfAny(errors, file);
  return parsed;
}

/**
 * Parses a file that holds one YAML document (see parseYamlDocuments); an empty file gives `null`. A file with
 * several documents is a SPEC_YAML error here: callers that accept them use parseYamlDocuments.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  const [first, second] = parseYamlDocuments(text, file);
  if (second) {
    throw new BerthError('SPEC_YAML', 'expected one YAML document, found several (separated by `---`)', {
      source: second.sources.value([]), hint: 'keep one document in this file, or split it into several files',
    });
  }
  return first ?? { file, value: null, sources: new SourceMap(), warnings: [] };
}

/** What to do about the YAML syntax errors people make most, by the parser's error code. */
const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'remove one of the two entries (compose refuses duplicate keys)',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  BAD_INDENT: 'check the indentation: the keys of one mapping start in the same column, and `[` or `{` needs its `]` or `}`',
  BAD_DQ_ESCAPE: 'in double quotes a backslash starts an escape: write `\\\\` for one backslash, or use single quotes',
  MISSING_CHAR: 'close the quote or bracket that opens here',
  BLOCK_AS_IMPLICIT_KEY: 'quote a value that contains `: `, or put the nested mapping on its own lines',
  MULTILINE_IMPLICIT_KEY: 'check this line for a missing `:` after a key, or for wrong indentation',
  BAD_SCALAR_START: 'quote the value: a plain value cannot start with `@` or a backtick',
  UNEXPECTED_TOKEN: 'check the indentation, and the `:` and `-` on this line and the one above',
};

function syntaxError(text: string, error: { code: string; message: string; pos: [number, number] }, at: (offset: number) => SourcePosition): BerthError {
  const duplicate = error.code === 'DUPLICATE_KEY';
  const message = duplicate ? duplicateKeyMessage(text, error.pos[0]) : firstLine(error.message);
  return new BerthError(duplicate ? 'SPEC_DUPLICATE_KEY' : 'SPEC_YAML', message, { source: at(error.pos[0]), hint: SYNTAX_HINTS[error.code] });
}

function throwIfAny(errors: readonly BerthError[], file: string): void {
  if (errors.length === 0) return;
  throw errors.length === 1 ? errors[0] : new BerthError('SPEC_INVALID', `${errors.length} problems in ${file}`, { issues: errors });
}

/** A document with no content, or only `null`/`~` (a leading or trailing `---` makes one). */
function isEmptyDocument(doc: Document): boolean {
  const contents = doc.contents as YamlNode | null;
  return contents === null || (isScalar(contents) && contents.value === null && !contents.tag);
}

class Walker {
  readonly errors: BerthError[] = [];
  readonly warnings: Warning[] = [];
  /** The anchored nodes whose aliases are being expanded now: meeting one again is an alias cycle. */
  private readonly expanding = new Set<YamlNode>();

  constructor(
    private readonly doc: Document,
    private readonly sources: SourceMap,
    private readonly at: (offset: number) => SourcePosition,
    private readonly budget: { expanded: number },
  ) {}

  walk(node: YamlNode, path: ModelPath): unknown {
    if (this.expanding.size > 0 && ++this.budget.expanded > MAX_ALIAS_EXPANSION) {
      throw new BerthError('SPEC_YAML', `aliases expand to more than ${MAX_ALIAS_EXPANSION.toLocaleString('en')} values`, {
        source: this.position(node),
        hint: 'this looks like a "billion laughs" document: aliases of lists of aliases; write the values out instead',
      });
    }
    if (node.range) this.sources.setValue(path, this.at(node.range[0]));
    const value = this.plain(node, path);
    const tag = node.tag;
    if (tag === '!reset') return new ResetMarker();
    if (tag === '!override') return new OverrideMarker(value);
    if (tag && tag.startsWith('!') && !KNOWN_TAGS.has(tag)) {
      this.warnings.push({ message: `unknown tag ${tag} ignored`, source: this.position(node) });
    }
    return value;
  }

  private plain(node: YamlNode, path: ModelPath): unknown {
    if (isAlias(node)) return this.alias(node, path);
    if (isScalar(node)) return scalarValue(node);
    if (isSeq(node)) return node.items.map((item, i) => this.walk(item as YamlNode, [...path, i]));
    if (isMap(node)) return this.map(node as YAMLMap, path);
    return null;
  }

  private alias(node: Alias, path: ModelPath): unknown {
    const target = node.resolve(this.doc) as YamlNode | undefined;
    if (!target) {
      this.error(node, `unknown alias *${node.source}: no anchor &${node.source} is defined before it`,
        `define the anchor (\`&${node.source}\`) on a value above this line, or fix the name`);
      return null;
    }
    if (this.expanding.has(target)) {
      this.error(node, `alias *${node.source} is inside the value it refers to, which would repeat forever`,
        'refer to an anchor defined outside this value');
      return null;
    }
    this.expanding.add(target);
    try {
      return this.walk(target, path);
    } finally {
      this.expanding.delete(target);
    }
  }

  private map(node: YAMLMap, path: ModelPath): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const merged: Record<string, unknown>[] = [];
    for (const pair of node.items as Pair[]) {
      if (isMergeKey(pair)) {
        merged.push(...this.mergeSources(pair, path));
        continue;
      }
      const key = keyString(pair.key);
      const keyNode = pair.key as YamlNode | null;
      if (keyNode && keyNode.range) this.sources.setKey([...path, key], this.at(keyNode.range[0]));
      if (key === '__proto__') {
        // Plain objects carry the model; this one name would reach their prototype instead of being data.
        this.error(keyNode ?? node, 'berth cannot read a key named `__proto__`', 'rename it');
        continue;
      }
      const value = pair.value === null ? null : this.walk(pair.value as YamlNode, [...path, key]);
      define(out, key, value);
    }
    // `<<: [*a, *b]` — explicit keys win, then earlier sources win over later ones (YAML merge key rules).
    for (const source of merged) {
      for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(out, key)) define(out, key, value);
    }
    return out;
  }

  private mergeSources(pair: Pair, path: ModelPath): Record<string, unknown>[] {
    const node = pair.value as YamlNode | null;
    const items = node && isSeq(node) ? (node.items as YamlNode[]) : [node];
    const out: Record<string, unknown>[] = [];
    for (const item of items) {
      const reported = this.errors.length;
      const value = item === null ? null : this.walk(item, path);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(value as Record<string, unknown>);
      else if (this.errors.length === reported) {
        // An unknown alias has been reported already; anything else that is not a mapping is reported here.
        const blank = item === null || (isScalar(item) && item.value === null);
        this.error(blank ? (pair.key as YamlNode) : item, 'the merge key `<<` takes a mapping or a list of mappings',
          'write `<<: *name` where `&name` marks a mapping, or `<<: [*a, *b]`');
      }
    }
    return out;
  }

  private error(node: YamlNode, message: string, hint: string): void {
    this.errors.push(new BerthError('SPEC_YAML', message, { source: this.position(node), hint }));
  }

  private position(node: YamlNode): SourcePosition | undefined {
    return node.range ? this.at(node.range[0]) : undefined;
  }
}

/**
 * A scalar's value as compose's YAML parser (go-yaml v3) reads it where it differs from YAML 1.2: a plain integer
 * with a leading zero is octal (`mode: 0440` is 288, as compose's docs mean it), and `!!binary` is text.
 */
function scalarValue(node: Scalar): unknown {
  if (node.value instanceof Uint8Array) return Buffer.from(node.value).toString('utf8');
  if (typeof node.value === 'number' && node.type === 'PLAIN' && !node.tag && typeof node.source === 'string') {
    const octal = /^([-+]?)0([0-7]+)$/.exec(node.source);
    if (octal) return (octal[1] === '-' ? -1 : 1) * parseInt(octal[2] as string, 8);
  }
  return node.value ?? null;
}

/** defineProperty so that no key (`constructor`, …) is ever taken for something of Object.prototype. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
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
  return match ? `duplicate key \`${match[1]}\`` : 'duplicate key';
}
