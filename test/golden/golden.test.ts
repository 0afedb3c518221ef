import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { loadStack } from '../../src/spec/load.js';
import { toComposeDocument } from '../../src/spec/serialize.js';
import { FIXTURES, listCases, portable, projectOptionsForCase } from './golden-cases.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Loads a fixture and renders what a user would see: the normalized model, or the exact error text. */
function render(dir: string): { kind: 'json' | 'err'; text: string } {
  try {
    const { stack, warnings } = loadStack(projectOptionsForCase(dir));
    const document = toComposeDocument(stack);
    const body = JSON.stringify({ warnings: warnings.map((w) => w.message), config: document }, null, 2);
    return { kind: 'json', text: `${portable(body, dir)}\n` };
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    const issues = error.issues.length > 0 ? error.issues : [error];
    return { kind: 'err', text: `${portable(issues.map((i) => i.format()).join('\n'), dir)}\n` };
  }
}

function checkGolden(folder: string, name: string): void {
  const dir = path.join(FIXTURES, folder, name);
  const actual = render(dir);
  const expectedFile = path.join(dir, actual.kind === 'json' ? 'expected.json' : 'expected.err');
  const otherFile = path.join(dir, actual.kind === 'json' ? 'expected.err' : 'expected.json');
  if (UPDATE) {
    writeFileSync(expectedFile, actual.text);
    return;
  }
  expect(existsSync(otherFile), `${name} produced ${actual.kind === 'json' ? 'a model' : 'an error'}:\n${actual.text}`).toBe(false);
  expect(existsSync(expectedFile), `missing ${expectedFile}; run with UPDATE_GOLDEN=1 and review`).toBe(true);
  expect(actual.text).toBe(readFileSync(expectedFile, 'utf8'));
}

describe('golden: valid stacks load to the checked-in model', () => {
  it.each(listCases('golden'))('%s', (name) => checkGolden('golden', name));
});

describe('golden: invalid files fail with their exact messages', () => {
  it.each(listCases('invalid'))('%s', (name) => checkGolden('invalid', name));
});
