import type { Route } from './route.js';

/** One route under one host, with what matching needs precomputed. */
export interface PathEntry {
  readonly route: Route;
  readonly prefix: string;
  /** `/api/` matches anything below it; `/api` needs a boundary (`/`, `?` or the end) right after it. */
  readonly endsWithSlash: boolean;
  /** How many characters `stripPrefix` removes: the prefix without its trailing slash (`/` removes none). */
  readonly stripLength: number;
}

/** Up to this many prefixes a linear scan beats walking the segment tree. */
const LINEAR_MAX = 8;

/** One path segment in the tree: the routes whose prefix ends here (`/api`) or here plus a slash (`/api/`). */
interface SegmentNode {
  entry?: PathEntry;
  slashEntry?: PathEntry;
  readonly children: Map<string, SegmentNode>;
  /** The children as a list when there are few: compared in place, without cutting the segment out of the path. */
  few?: readonly (readonly [string, SegmentNode])[];
}

/**
 * The routes of one host (or of one wildcard, or of the catch-all), answering "longest path prefix on a segment
 * boundary". Small sets are scanned longest first; large ones are a tree of path segments walked once along the
 * request path, so the cost grows with the depth of the routes, not with their number. Immutable once built.
 * Prefixes hold no empty segment (`//`): RouteTable.compile refuses them.
 */
export class PathIndex {
  readonly #sorted: readonly PathEntry[] | undefined;
  readonly #root: SegmentNode | undefined;

  constructor(entries: readonly PathEntry[]) {
    if (entries.length <= LINEAR_MAX) {
      this.#sorted = [...entries].sort((a, b) => b.prefix.length - a.prefix.length);
      return;
    }
    const root: SegmentNode = { children: new Map() };
    for (const entry of entries) {
      const body = entry.prefix.slice(1, entry.endsWithSlash ? -1 : undefined);
      let node = root;
      for (const segment of body === '' ? [] : body.split('/')) {
        let child = node.children.get(segment);
        if (child === undefined) node.children.set(segment, (child = { children: new Map() }));
        node = child;
      }
      if (entry.endsWithSlash || body === '') node.slashEntry = entry;
      else node.entry = entry;
    }
    listFewChildren(root);
    this.#root = root;
  }

  /** `path` must start with `/`; it may carry a query string. */
  lookup(path: string): PathEntry | undefined {
    return this.#sorted === undefined ? walk(this.#root as SegmentNode, path) : scan(this.#sorted, path);
  }
}

function scan(sorted: readonly PathEntry[], path: string): PathEntry | undefined {
  for (const entry of sorted) {
    const { prefix } = entry;
    if (!path.startsWith(prefix)) continue;
    if (entry.endsWithSlash || path.length === prefix.length) return entry;
    const next = path.charCodeAt(prefix.length);
    if (next === 0x2f /* / */ || next === 0x3f /* ? */) return entry;
  }
  return undefined;
}

/** Follows the request path's segments down the tree; the deepest prefix passed on a boundary wins. */
function walk(root: SegmentNode, path: string): PathEntry | undefined {
  const query = path.indexOf('?');
  const end = query < 0 ? path.length : query;
  let best = root.slashEntry;
  let node = root;
  for (let from = 1; from <= end;) {
    const slash = path.indexOf('/', from);
    const to = slash < 0 || slash > end ? end : slash;
    const child = childOf(node, path, from, to);
    if (child === undefined) break;
    node = child;
    if (to === end) return node.entry ?? best; // the path (before its query) ends with this segment
    best = node.slashEntry ?? node.entry ?? best; // a `/` follows: `/api/` is longer than `/api`
    from = to + 1;
  }
  return best;
}

function listFewChildren(node: SegmentNode): void {
  if (node.children.size <= LINEAR_MAX) node.few = [...node.children];
  for (const child of node.children.values()) listFewChildren(child);
}

/** The child for `path[from, to)`. */
function childOf(node: SegmentNode, path: string, from: number, to: number): SegmentNode | undefined {
  if (node.few === undefined) return node.children.get(path.slice(from, to));
  for (const [segment, child] of node.few) {
    if (segment.length === to - from && path.startsWith(segment, from)) return child;
  }
  return undefined;
}
