import { describe, expect, it } from 'vitest';
import { BerthError } from '../errors.js';
import { parseYaml, parseYamlDocuments } from './parse-yaml.js';
import { OverrideMarker, ResetMarker } from './yaml-tags.js';

/** The formatted problems a text raises, one per line. */
function problems(text: string): string[] {
  try {
    parseYamlDocuments(text, 'compose.yml');
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    return (error.issues.length > 0 ? error.issues : [error]).map((issue) => issue.format().split('\n')[0] ?? '');
  }
  return [];
}

describe('parseYamlDocuments', () => {
  it('gives the position of every value and mapping key', () => {
    const [doc] = parseYamlDocuments('services:\n  web:\n    ports: ["80:80"]\n', 'compose.yml');
    expect(doc?.sources.value(['services', 'web', 'ports', 0])).toEqual({ file: 'compose.yml', line: 3, column: 13 });
    expect(doc?.sources.key(['services', 'web'])).toEqual({ file: 'compose.yml', line: 2, column: 3 });
  });

  it('returns one result per document and skips the empty ones a leading or trailing --- makes', () => {
    const docs = parseYamlDocuments('---\na: 1\n---\n# only a comment\n---\nb: 2\n---\n', 'compose.yml');
    expect(docs.map((doc) => doc.value)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(docs[1]?.sources.value(['b'])?.line).toBe(6);
  });

  it('returns nothing for an empty file', () => {
    expect(parseYamlDocuments('', 'compose.yml')).toEqual([]);
    expect(parseYamlDocuments('# nothing\n', 'compose.yml')).toEqual([]);
  });

  it('applies << merge keys: explicit keys win, then earlier sources', () => {
    const [doc] = parseYamlDocuments('a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {<<: [*a, *b], x: 0}\n', 'compose.yml');
    expect((doc?.value as Record<string, unknown>).c).toEqual({ x: 0, y: 1, z: 2 });
  });

  it('turns !reset and !override into merge markers, and !!binary into text as compose does', () => {
    const [doc] = parseYamlDocuments('a: !reset []\nb: !override {x: 1}\nc: !!binary aGVsbG8=\n', 'compose.yml');
    expect(doc?.value).toEqual({ a: new ResetMarker(), b: new OverrideMarker({ x: 1 }), c: 'hello' });
  });

  it('reads a plain integer with a leading zero as octal, as compose (go-yaml) does', () => {
    const [doc] = parseYamlDocuments('a: 0440\nb: "0440"\nc: 0o440\nd: -0755\ne: 089\nf: 0\ng: 10\n', 'compose.yml');
    expect(doc?.value).toEqual({ a: 288, b: '0440', c: 288, d: -493, e: 89, f: 0, g: 10 });
  });

  it('keeps keys named like Object.prototype members as plain data', () => {
    const [doc] = parseYamlDocuments('constructor: 1\ntoString: 2\n', 'compose.yml');
    expect(Object.entries(doc?.value as object)).toEqual([['constructor', 1], ['toString', 2]]);
  });

  it.each([
    ['a duplicate key', 'a: 1\na: 2\n', 'compose.yml:2:1 SPEC_DUPLICATE_KEY: duplicate key `a`'],
    ['an unknown alias', 'a: *nope\n', 'compose.yml:1:4 SPEC_YAML: unknown alias *nope: no anchor &nope is defined before it'],
    ['an alias used before its anchor', 'a: *b\nb: &b 1\n', 'compose.yml:1:4 SPEC_YAML: unknown alias *b: no anchor &b is defined before it'],
    ['an alias inside its own anchor', 'a: &a [1, *a]\n', 'compose.yml:1:11 SPEC_YAML: alias *a is inside the value it refers to, which would repeat forever'],
    ['a merge key on a scalar', 'x: &x 5\na: {<<: *x}\n', 'compose.yml:2:9 SPEC_YAML: the merge key `<<` takes a mapping or a list of mappings'],
    ['a merge key without a value', 'a:\n  <<:\n  b: 1\n', 'compose.yml:2:3 SPEC_YAML: the merge key `<<` takes a mapping or a list of mappings'],
    ['a key named __proto__', 'a:\n  __proto__: {}\n', 'compose.yml:2:3 SPEC_YAML: berth cannot read a key named `__proto__`'],
  ])('reports %s at its position', (_what, text, expected) => {
    expect(problems(text)).toEqual([expected]);
  });

  it('collects every problem of a file before throwing', () => {
    expect(problems('a: *x\nb: *y\nc:\n\td: 1\n')).toHaveLength(1);
    expect(problems('a: *x\nb: *y\n')).toEqual([
      'compose.yml:1:4 SPEC_YAML: unknown alias *x: no anchor &x is defined before it',
      'compose.yml:2:4 SPEC_YAML: unknown alias *y: no anchor &y is defined before it',
    ]);
  });

  it('gives a hint for common syntax errors', () => {
    try {
      parseYamlDocuments('a:\n\tb: 1\n', 'compose.yml');
      expect.unreachable();
    } catch (error) {
      expect((error as BerthError).hint).toMatch(/indent with spaces/);
    }
  });

  it('stops a "billion laughs" document quickly instead of expanding it', () => {
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 8; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const started = Date.now();
    expect(problems(lines.join('\n'))).toEqual([expect.stringMatching(/SPEC_YAML: aliases expand to more than 100,000 values/)]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('parseYaml', () => {
  it('returns the one document of a file, or null for an empty file', () => {
    expect(parseYaml('a: 1\n', 'compose.yml').value).toEqual({ a: 1 });
    expect(parseYaml('', 'compose.yml').value).toBeNull();
  });

  it('refuses a file with several documents', () => {
    expect(() => parseYaml('a: 1\n---\nb: 2\n', 'compose.yml')).toThrow('expected one YAML document, found several');
  });
});
