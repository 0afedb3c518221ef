import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { aggregate, BerthError, ERROR_CODES, type ErrorCode } from './errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(file).isDirectory() ? filesUnder(file, keep) : keep(file) ? [file] : [];
  });
}

describe('BerthError', () => {
  it('formats position, code, path, message and hint the way users read them', () => {
    const error = new BerthError('SPEC_TYPE', 'expected "HOST:CONTAINER"', {
      source: { file: 'compose.yml', line: 12, column: 7 }, path: 'services.web.ports[0]', hint: 'write "8000:80"',
    });
    expect(error.format()).toBe('compose.yml:12:7 SPEC_TYPE services.web.ports[0]: expected "HOST:CONTAINER"\n  hint: write "8000:80"');
  });

  it('aggregates several problems and passes a single one through', () => {
    const a = new BerthError('SPEC_PORT', 'a');
    expect(aggregate([a])).toBe(a);
    const both = aggregate([a, new BerthError('SPEC_CYCLE', 'b')]);
    expect(both.code).toBe('SPEC_INVALID');
    expect(both.issues).toHaveLength(2);
  });

  it('every error code is raised somewhere and asserted by some test or golden file', () => {
    const sources = filesUnder(path.join(ROOT, 'src'), (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('errors.ts'))
      .map((f) => readFileSync(f, 'utf8')).join('\n');
    const expectations = [
      ...filesUnder(path.join(ROOT, 'src'), (f) => f.endsWith('.test.ts') && !f.endsWith('errors.test.ts')),
      ...filesUnder(path.join(ROOT, 'test'), (f) => f.endsWith('.ts') || f.endsWith('expected.err')),
    ].map((f) => readFileSync(f, 'utf8')).join('\n');
    const untested = (Object.keys(ERROR_CODES) as ErrorCode[])
      .filter((code) => !sources.includes(`'${code}'`) || !expectations.includes(code));
    expect(untested).toEqual([]);
  });
});
