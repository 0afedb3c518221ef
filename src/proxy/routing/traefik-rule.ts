/**
 * Reads the common subset of Traefik router rules: `Host(...)` and `PathPrefix(...)` (one or more quoted
 * arguments each) combined with `&&`, `||` and parentheses. Anything else (`HostRegexp`, `Path`, `Headers`,
 * `Method`, `!`, …) makes the whole rule unsupported: dropping a condition would make the route match more
 * than the user asked for.
 */

/** One way the rule can match: these hosts (empty = any) and these path prefixes (never empty: `/` by default). */
export interface RuleAlternative {
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
}

export type ParsedRule =
  | { readonly ok: true; readonly alternatives: readonly RuleAlternative[] }
  | { readonly ok: false; readonly reason: string };

type Node =
  | { readonly kind: 'or' | 'and'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'not'; readonly operand: Node }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly string[] };

type Token = { readonly kind: 'ident' | 'string' | 'op'; readonly text: string };

/** A rule with more alternatives than this (after expanding `&&` over `||`) is not a rule anyone writes by hand. */
const MAX_ALTERNATIVES = 64;

export function parseTraefikRule(rule: string): ParsedRule {
  try {
    const parser = new Parser(tokenize(rule));
    const tree = parser.parseOr();
    parser.expectEnd();
    return { ok: true, alternatives: mergeByPaths(disjunctiveForm(tree).map(toAlternative)) };
  } catch (error) {
    if (error instanceof RuleError) return { ok: false, reason: error.message };
    throw error;
  }
}

class RuleError extends Error {}

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(&&|\|\||[!(),])|([A-Za-z][A-Za-z0-9]*)|`([^`]*)`|"((?:[^"\\]|\\.)*)"|'([^']*)')/y;
  let at = 0;
  while (at < rule.length) {
    if (/^\s*$/.test(rule.slice(at))) break;
    pattern.lastIndex = at;
    const m = pattern.exec(rule);
    if (m === null) throw new RuleError(`unexpected text at column ${at + 1}: ${JSON.stringify(rule.slice(at, at + 12))}`);
    at = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'op', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'ident', text: m[2] });
    else tokens.push({ kind: 'string', text: m[3] ?? m[5] ?? (m[4] ?? '').replace(/\\(.)/g, '$1') });
  }
  return tokens;
}

/** Precedence as in Traefik (and Go): `!` binds tightest, then `&&`, then `||`. */
class Parser {
  #at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  parseOr(): Node {
    let left = this.#parseAnd();
    while (this.#takeOp('||')) left = { kind: 'or', left, right: this.#parseAnd() };
    return left;
  }

  expectEnd(): void {
    const extra = this.tokens[this.#at];
    if (extra !== undefined) throw new RuleError(`unexpected ${JSON.stringify(extra.text)} after the end of the rule`);
  }

  #parseAnd(): Node {
    let left = this.#parseUnary();
    while (this.#takeOp('&&')) left = { kind: 'and', left, right: this.#parseUnary() };
    return left;
  }

  #parseUnary(): Node {
    if (this.#takeOp('!')) return { kind: 'not', operand: this.#parseUnary() };
    if (this.#takeOp('(')) {
      const inner = this.parseOr();
      this.#expectOp(')');
      return inner;
    }
    const name = this.tokens[this.#at];
    if (name?.kind !== 'ident') throw new RuleError(`expected a matcher like Host(\`example.com\`), found ${name ? JSON.stringify(name.text) : 'the end'}`);
    this.#at++;
    this.#expectOp('(');
    const args: string[] = [];
    while (!this.#takeOp(')')) {
      if (args.length > 0 && !this.#takeOp(',')) throw new RuleError(`expected "," or ")" in ${name.text}(…)`);
      const arg = this.tokens[this.#at++];
      if (arg?.kind !== 'string') throw new RuleError(`${name.text}(…) expects quoted arguments`);
      args.push(arg.text);
    }
    return { kind: 'call', name: name.text, args };
  }

  #takeOp(op: string): boolean {
    const token = this.tokens[this.#at];
    if (token?.kind !== 'op' || token.text !== op) return false;
    this.#at++;
    return true;
  }

  #expectOp(op: string): void {
    if (!this.#takeOp(op)) throw new RuleError(`expected ${JSON.stringify(op)}`);
  }
}

type Call = Extract<Node, { kind: 'call' }>;

/** The rule as an OR of ANDs of matchers: `(A || B) && C` → `[[A, C], [B, C]]`. */
function disjunctiveForm(node: Node): Call[][] {
  switch (node.kind) {
    case 'call':
      return [[node]];
    case 'not':
      throw new RuleError('negation (!) is not supported');
    case 'or':
      return limit([...disjunctiveForm(node.left), ...disjunctiveForm(node.right)]);
    case 'and': {
      const right = disjunctiveForm(node.right);
      return limit(disjunctiveForm(node.left).flatMap((l) => right.map((r) => [...l, ...r])));
    }
  }
}

function limit(alternatives: Call[][]): Call[][] {
  if (alternatives.length > MAX_ALTERNATIVES) throw new RuleError(`more than ${MAX_ALTERNATIVES} alternatives`);
  return alternatives;
}

function toAlternative(calls: readonly Call[]): RuleAlternative {
  let hosts: readonly string[] | undefined;
  let paths: readonly string[] | undefined;
  for (const call of calls) {
    const name = call.name.toLowerCase();
    if (name !== 'host' && name !== 'pathprefix') throw new RuleError(`the matcher ${call.name}(…) is not supported`);
    if (call.args.length === 0) throw new RuleError(`${call.name}() needs at least one argument`);
    if (name === 'host') {
      if (hosts !== undefined) throw new RuleError('two Host(…) matchers joined by && are not supported');
      hosts = call.args;
    } else {
      if (paths !== undefined) throw new RuleError('two PathPrefix(…) matchers joined by && are not supported');
      paths = call.args;
    }
  }
  return { hosts: hosts ?? [], paths: paths ?? ['/'] };
}

/** `Host(a) || Host(b)` under the same paths is one route with two hosts; any-host absorbs the others. */
function mergeByPaths(alternatives: readonly RuleAlternative[]): RuleAlternative[] {
  const byPaths = new Map<string, { hosts: Set<string> | undefined; paths: readonly string[] }>();
  for (const alternative of alternatives) {
    const key = JSON.stringify([...new Set(alternative.paths)].sort());
    const known = byPaths.get(key);
    const hosts = alternative.hosts.length === 0 ? undefined : new Set(alternative.hosts);
    if (known === undefined) byPaths.set(key, { hosts, paths: [...new Set(alternative.paths)] });
    else if (known.hosts === undefined || hosts === undefined) known.hosts = undefined;
    else for (const host of hosts) known.hosts.add(host);
  }
  return [...byPaths.values()].map(({ hosts, paths }) => ({ hosts: hosts === undefined ? [] : [...hosts], paths }));
}
