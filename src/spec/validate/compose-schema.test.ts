import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AJV_OPTIONS, composeValidatorSource, loadComposeSchema } from './compose-schema.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');
// Inside the project, so that the generated module's require('ajv/dist/runtime/…') resolves as it does in dist/.
const work = mkdtempSync(path.join(FIXTURES, '../../node_modules/.cache-berth-validator-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function composeFiles(): string[] {
  const out: string[] = [];
  for (const folder of ['golden', 'invalid']) {
    for (const name of readdirSync(path.join(FIXTURES, folder))) {
      for (const file of readdirSync(path.join(FIXTURES, folder, name))) {
        if (/\.ya?ml$/.test(file)) out.push(path.join(FIXTURES, folder, name, file));
      }
    }
  }
  return out;
}

function parsed(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'), { merge: true, logLevel: 'silent' });
  } catch {
    return undefined;
  }
}

describe('the precompiled compose-spec validator', () => {
  it('gives exactly the errors of the schema compiled at run time, on every fixture', () => {
    const file = path.join(work, 'compose-validator.cjs');
    writeFileSync(file, composeValidatorSource());
    const precompiled = createRequire(import.meta.url)(file) as ValidateFunction | { default: ValidateFunction };
    const standalone = typeof precompiled === 'function' ? precompiled : precompiled.default;
    const compiled = new Ajv(AJV_OPTIONS).compile(loadComposeSchema());
    let checked = 0;
    for (const compose of composeFiles()) {
      const data = parsed(compose);
      if (data === undefined) continue;
      expect(standalone(data), compose).toBe(compiled(data));
      const strip = (errors: ValidateFunction['errors']) => (errors ?? []).map((e) => ({ path: e.instancePath, keyword: e.keyword, params: e.params }));
      expect(strip(standalone.errors), compose).toEqual(strip(compiled.errors));
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });
});
